package dev.ttstack.operator.secrets;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.SecretsOutcome;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The managed Secret {@code <stack>-secrets}, owned by the TTStack. Its content is decided by
 * {@link SecretsComponent} before the workflow runs; this dependent only applies it.
 *
 * <p>It uses the label-selected Secret informer of {@link dev.ttstack.operator.kit.StackInformers}
 * (named in the workflow); the Secrets a stack only reads are watched by {@link ReferencedSecrets}.
 */
public class ManagedSecretDependent extends CRUDKubernetesDependentResource<Secret, TTStack> {
  public ManagedSecretDependent() {
    super(Secret.class);
  }

  /**
   * The Secret to apply: the new one if the content changed, otherwise the one in the cluster as it
   * is (no write). The precondition guarantees one of the two exists.
   */
  @Override
  protected Secret desired(TTStack stack, Context<TTStack> context) {
    SecretsOutcome outcome = SecretsOutcome.of(context).orElseThrow();
    if (outcome.toWrite() != null) {
      return outcome.toWrite();
    }
    return getSecondaryResource(stack, context).orElseThrow();
  }

  /**
   * Deletes the managed Secret only if this stack owns it. The name {@code <stack>-secrets} may
   * also be the user's own Secret: a stack {@code tt} with {@code secretRef: tt-secrets} (seen on
   * the real API server: the operator deleted the very Secret the stack reads, two seconds after
   * the first reconcile, and the stack then waited for it forever).
   */
  @Override
  protected void handleDelete(TTStack stack, Secret secret, Context<TTStack> context) {
    boolean owned =
        secret != null
            && secret.getMetadata().getOwnerReferences() != null
            && secret.getMetadata().getOwnerReferences().stream()
                .anyMatch(
                    o ->
                        stack.getMetadata().getUid() != null
                            && stack.getMetadata().getUid().equals(o.getUid()));
    if (owned) {
      super.handleDelete(stack, secret, context);
    }
  }

  @Override
  protected ResourceID targetSecondaryResourceID(TTStack stack, Context<TTStack> context) {
    return new ResourceID(ManagedSecret.name(stack), stack.getMetadata().getNamespace());
  }
}
