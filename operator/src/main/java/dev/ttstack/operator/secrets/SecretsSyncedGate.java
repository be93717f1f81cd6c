package dev.ttstack.operator.secrets;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.SecretsOutcome;
import dev.ttstack.operator.kit.WorkflowNode;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.util.Optional;

/**
 * A workflow node that applies nothing: it is ready when this reconcile's secrets are synced, so
 * that what must not change on stale secrets (the app) can {@code dependsOn} it.
 *
 * <p>Not the managed Secret's own dependent: that one has a reconcile precondition (no Secret to
 * keep when the stack reads {@code secretRef}), and a precondition that fails makes JOSDK delete
 * every dependent below it too.
 */
public class SecretsSyncedGate extends WorkflowNode<SecretsOutcome> {
  public SecretsSyncedGate() {
    super(SecretsOutcome.class);
  }

  /** This reconcile's outcome of the secrets sync (SecretsComponent, before the workflow). */
  @Override
  public Optional<SecretsOutcome> getSecondaryResource(TTStack stack, Context<TTStack> context) {
    return SecretsOutcome.of(context);
  }

  /** SecretsSynced is True in this reconcile. */
  public static class Synced implements Condition<SecretsOutcome, TTStack> {
    @Override
    public boolean isMet(
        DependentResource<SecretsOutcome, TTStack> dependent,
        TTStack stack,
        Context<TTStack> context) {
      return SecretsOutcome.of(context).map(SecretsOutcome::ready).orElse(false);
    }
  }
}
