package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.List;

/**
 * One part of the stack (secrets, postgres, redis, app, monitoring), as the reconciler sees it.
 *
 * <p>A component owns two things: its dependents ({@link #register}: one node per object of the
 * stack's workflow, with how render builds it), and the judgement of its own health ({@link
 * #observe}), which becomes its condition.
 */
public interface StackComponent {

  /** The condition type this component reports, e.g. {@code PostgresReady}. */
  String conditionType();

  /**
   * Work this component does before the workflow runs, whose result the dependents (its own or
   * later components') read from the context, e.g. the secrets sync. Not called for an invalid
   * spec.
   */
  default void prepare(TTStack stack, Context<TTStack> context) {}

  /**
   * When this component wants to look again even if nothing changes in the cluster (e.g. a resync).
   */
  default java.util.Optional<java.time.Duration> recheckAfter(
      TTStack stack, Context<TTStack> context) {
    return java.util.Optional.empty();
  }

  /**
   * Adds this component's dependents to the stack's workflow, which the reconciler runs and render
   * prints ({@link StackWorkflow}).
   */
  void register(StackWorkflow workflow);

  /**
   * Every object this component wants for that stack, built from the spec alone (no API calls), as
   * render prints them: what its {@link #register registration} renders. The spec has already
   * passed validation.
   */
  default List<HasMetadata> desiredObjects(TTStack stack) {
    StackWorkflow workflow = new StackWorkflow();
    register(workflow);
    return workflow.render(stack);
  }

  /**
   * This component's condition after the workflow ran. Only {@code type}, {@code status}, {@code
   * reason} and {@code message} are read; timestamps and generations are the reconciler's job.
   * Components may also fill their block of {@code status} on {@code next}.
   */
  Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next);
}
