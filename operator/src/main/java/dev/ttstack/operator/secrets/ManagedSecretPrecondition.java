package dev.ttstack.operator.secrets;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.SecretsOutcome;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The managed Secret is reconciled only with Doppler as the source and something to keep: new
 * content, or the Secret already in the cluster. When the precondition fails JOSDK deletes the
 * managed Secret, which is right in exactly one case: the stack switched to {@code secretRef}.
 */
public class ManagedSecretPrecondition implements Condition<Secret, TTStack> {
  @Override
  public boolean isMet(
      DependentResource<Secret, TTStack> dependent, TTStack stack, Context<TTStack> context) {
    return SecretsOutcome.of(context)
        .map(
            o ->
                o.isDoppler()
                    && (o.toWrite() != null
                        || dependent.getSecondaryResource(stack, context).isPresent()))
        .orElse(false);
  }
}
