package dev.ttstack.operator.secrets;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.reconciler.NotImplemented;
import dev.ttstack.operator.reconciler.StackComponent;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * Secrets: syncs Doppler (or reads spec.secrets.secretRef) into the Secret every other component reads.
 *
 * <p>Not implemented yet: until it is, {@code SECRETS_SYNCED} stays Unknown with reason NotImplemented.
 */
public class SecretsComponent implements StackComponent {

  @Override
  public String conditionType() {
    return ConditionType.SECRETS_SYNCED;
  }

  @Override
  public Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next) {
    return NotImplemented.condition(conditionType(), "the secrets sync");
  }
}
