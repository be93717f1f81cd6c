package dev.ttstack.operator.app;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.reconciler.NotImplemented;
import dev.ttstack.operator.reconciler.StackComponent;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * The TT backend: Deployment, Service, Ingress, rollout and rollback.
 *
 * <p>Not implemented yet: until it is, {@code APP_READY} stays Unknown with reason NotImplemented.
 */
public class AppComponent implements StackComponent {

  @Override
  public String conditionType() {
    return ConditionType.APP_READY;
  }

  @Override
  public Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next) {
    return NotImplemented.condition(conditionType(), "the app component");
  }
}
