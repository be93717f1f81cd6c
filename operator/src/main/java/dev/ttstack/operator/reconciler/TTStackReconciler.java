package dev.ttstack.operator.reconciler;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.SpecValidator;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackSpec;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.api.Violation;
import dev.ttstack.operator.kit.ComponentSignals;
import dev.ttstack.operator.kit.EventRecorder;
import dev.ttstack.operator.kit.NotImplemented;
import dev.ttstack.operator.kit.StackComponent;
import dev.ttstack.operator.kit.StackInformers;
import dev.ttstack.operator.kit.StackWorkflow;
import dev.ttstack.operator.redis.cluster.NodeAddressResolver;
import dev.ttstack.operator.secrets.ReferencedSecrets;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.workflow.WorkflowSpec;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a {@link TTStack}: validate, run the workflow of component dependents, then report.
 *
 * <p>The workflow is JOSDK's, registered by the components ({@link StackComponent#register}, into a
 * {@link StackWorkflow} that {@code render} reads too) and given to JOSDK with the controller's
 * configuration ({@link #workflowSpec}). It is invoked explicitly so that an invalid spec never
 * reaches a dependent: a spec that breaks a rule only gets {@code Ready=False, reason=InvalidSpec}
 * and everything already running is left alone. The order is the workflow's: the app {@code
 * dependsOn} three gates whose readyPostconditions are this reconcile's SecretsSynced,
 * PostgresReady and RedisClusterReady, so it is created or changed only when they hold (JOSDK runs
 * the other roots in parallel). Each component then judges its health into a condition.
 *
 * <p>No finalizer: owned objects go with the TTStack through ownerReferences, and data volumes are
 * kept or deleted through their own retention settings, so there is nothing to clean up by hand.
 */
@ControllerConfiguration(name = TTStackReconciler.NAME)
public class TTStackReconciler implements Reconciler<TTStack> {
  public static final String NAME = "ttstack";
  private static final Logger LOG = LoggerFactory.getLogger(TTStackReconciler.class);

  private final List<StackComponent> components;
  private final StatusCalculator statusCalculator;
  private final EventRecorder events;

  public TTStackReconciler(
      Clock clock, MeterRegistry registry, Function<List<Pod>, NodeAddressResolver> redisResolver) {
    this(StackComposition.defaultComponents(clock, registry, redisResolver), clock);
  }

  public TTStackReconciler(List<StackComponent> components, Clock clock) {
    this.components = List.copyOf(components);
    this.statusCalculator = new StatusCalculator(clock);
    this.events = new EventRecorder(clock);
  }

  /**
   * The operator's informers: one per kind, label-selected, shared by the dependents ({@link
   * StackInformers}); the Secrets a stack references are watched by name as it needs them ({@link
   * ReferencedSecrets}), through this index of the stacks.
   */
  @Override
  public List<EventSource<?, TTStack>> prepareEventSources(EventSourceContext<TTStack> context) {
    ReferencedSecrets.indexStacks(context);
    return StackInformers.eventSources(context);
  }

  @Override
  public UpdateControl<TTStack> reconcile(TTStack stack, Context<TTStack> context) {
    long generation =
        stack.getMetadata().getGeneration() == null ? 0 : stack.getMetadata().getGeneration();
    TTStackStatus current = stack.getStatus();
    TTStackStatus proposed = StatusCalculator.copy(current);
    List<Condition> observed = new ArrayList<>();

    List<Violation> violations = SpecValidator.validate(stack);
    TTStackSpec wanted = stack.getSpec();
    Optional<LastValidSpec> lastValid = LastValidSpec.of(current);
    if (!violations.isEmpty()) {
      String message = SpecValidator.describe(violations);
      // Flink's rule: an invalid spec is reported, and the last valid one keeps being reconciled
      // (Redis healed, a deleted object recreated), instead of freezing everything.
      String meanwhile =
          lastValid
              .map(
                  v ->
                      "; the last valid spec (generation "
                          + v.generation()
                          + ") is still reconciled and healed")
              .orElse("; nothing is created until the spec is valid");
      observed.add(
          new Condition(
              ConditionType.READY,
              Condition.FALSE,
              StatusCalculator.INVALID_SPEC,
              message + meanwhile));
      if (current == null
          || !StatusCalculator.INVALID_SPEC.equals(reasonOfReady(current))
          || !generationObserved(current, generation)) {
        LOG.warn(
            "TTStack {}/{} generation {} is invalid: {}",
            stack.getMetadata().getNamespace(),
            stack.getMetadata().getName(),
            generation,
            message);
      }
    }
    Optional<TTStackSpec> reconciled =
        violations.isEmpty() ? Optional.of(wanted) : lastValid.map(LastValidSpec::spec);
    Optional<Duration> recheck = Optional.empty();
    if (reconciled.isPresent()) {
      // The workflow's dependents read the spec from the primary resource: for an invalid
      // generation it is the last valid spec for the duration of this pass, then put back.
      stack.setSpec(reconciled.get());
      try {
        List<Condition> componentConditions = reconcileComponents(stack, context, proposed);
        if (violations.isEmpty()) {
          observed.add(StatusCalculator.ready(componentConditions));
          LastValidSpec.record(proposed, wanted, generation);
        }
        observed.addAll(componentConditions);
        recheck = earliestRecheck(stack, context);
      } finally {
        stack.setSpec(wanted);
      }
    }

    TTStackStatus next = statusCalculator.next(current, proposed, observed, generation);
    if (StatusCalculator.same(current, next)) {
      UpdateControl<TTStack> none = UpdateControl.noUpdate();
      recheck.ifPresent(none::rescheduleAfter);
      return none;
    }
    recordTransitions(stack, context, current, next);
    stack.setStatus(next);
    UpdateControl<TTStack> patch = UpdateControl.patchStatus(stack);
    recheck.ifPresent(patch::rescheduleAfter);
    return patch;
  }

  /** Prepare, the workflow, then each component's condition (later ones read earlier ones'). */
  private List<Condition> reconcileComponents(
      TTStack stack, Context<TTStack> context, TTStackStatus proposed) {
    for (StackComponent component : components) {
      component.prepare(stack, context);
    }
    context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    List<Condition> componentConditions = new ArrayList<>();
    for (StackComponent component : components) {
      Condition c = component.observe(stack, context, proposed);
      ComponentSignals.publishCondition(context, c);
      componentConditions.add(c);
    }
    return componentConditions;
  }

  private Optional<Duration> earliestRecheck(TTStack stack, Context<TTStack> context) {
    return components.stream()
        .map(c -> c.recheckAfter(stack, context))
        .flatMap(Optional::stream)
        .min(Duration::compareTo);
  }

  /**
   * One Event per condition whose status or reason changed: {@code kubectl describe tts} then tells
   * the story of the stack. Steady state changes nothing, so it records nothing.
   */
  private void recordTransitions(
      TTStack stack, Context<TTStack> context, TTStackStatus current, TTStackStatus next) {
    for (Condition c : next.conditions) {
      Condition before = current == null ? null : current.condition(c.type);
      if (before != null
          && before.status.equals(c.status)
          && java.util.Objects.equals(before.reason, c.reason)) {
        continue;
      }
      if (before == null && NotImplemented.REASON.equals(c.reason)) {
        continue; // not news
      }
      String type = Condition.FALSE.equals(c.status) ? EventRecorder.WARNING : EventRecorder.NORMAL;
      events.record(
          context.getClient(), stack, type, c.reason, c.type + "=" + c.status + ": " + c.message);
    }
  }

  /**
   * A failure still reaches the user: {@code Ready=False, reason=ReconcileError}. When the API
   * server refused an object, the condition and a Warning Event carry the server's own message
   * (which object, which field, why: {@link ApiRefusals}); otherwise only the exception's type,
   * since other exception messages can quote request bodies — those go to the log (never a Secret's
   * data: no component puts values into exceptions), not into status.
   */
  @Override
  public ErrorStatusUpdateControl<TTStack> updateErrorStatus(
      TTStack stack, Context<TTStack> context, Exception e) {
    LOG.error(
        "reconcile of TTStack {}/{} failed",
        stack.getMetadata().getNamespace(),
        stack.getMetadata().getName(),
        e);
    long generation =
        stack.getMetadata().getGeneration() == null ? 0 : stack.getMetadata().getGeneration();
    TTStackStatus current = stack.getStatus();
    String message =
        ApiRefusals.describe(e)
            .map(refused -> refused + "; it will be retried")
            .orElse(
                "reconcile failed with "
                    + e.getClass().getSimpleName()
                    + "; see the operator log; it will be retried");
    Condition failed =
        new Condition(
            ConditionType.READY, Condition.FALSE, StatusCalculator.RECONCILE_ERROR, message);
    TTStackStatus next =
        statusCalculator.next(current, StatusCalculator.copy(current), List.of(failed), generation);
    if (StatusCalculator.same(current, next)) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    Condition before = current == null ? null : current.condition(ConditionType.READY);
    if (before == null || !java.util.Objects.equals(before.message, message)) {
      events.record(
          context.getClient(),
          stack,
          EventRecorder.WARNING,
          StatusCalculator.RECONCILE_ERROR,
          message);
    }
    stack.setStatus(next);
    return ErrorStatusUpdateControl.patchStatus(stack);
  }

  private static String reasonOfReady(TTStackStatus status) {
    Condition ready = status.condition(ConditionType.READY);
    return ready == null ? null : ready.reason;
  }

  private static boolean generationObserved(TTStackStatus status, long generation) {
    return status.observedGeneration != null && status.observedGeneration == generation;
  }

  public List<StackComponent> components() {
    return components;
  }

  /** The components' workflow as JOSDK runs it (set on the controller's configuration). */
  public WorkflowSpec workflowSpec() {
    return StackWorkflow.of(components).spec();
  }
}
