package dev.ttstack.operator.app;

import dev.ttstack.operator.api.AppSpec;
import dev.ttstack.operator.api.AppState;
import dev.ttstack.operator.api.AppStatus;
import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.kit.ComponentSignals;
import dev.ttstack.operator.kit.EventRecorder;
import dev.ttstack.operator.kit.PreChangeBackup;
import dev.ttstack.operator.kit.Secondaries;
import dev.ttstack.operator.kit.SecretKeys;
import dev.ttstack.operator.kit.SecretsOutcome;
import dev.ttstack.operator.kit.StackComponent;
import dev.ttstack.operator.kit.StackInformers;
import dev.ttstack.operator.kit.StackWorkflow;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The TT backend: a zero-downtime Deployment that starts only when its dependencies are ready,
 * takes a PostgreSQL backup before every version change, and rolls itself back to the last good
 * version when a new one crash-loops, cannot pull its image or misses its progress deadline.
 *
 * <p>Rollback state lives in {@code status.app}: {@code lastGoodVersion} (the rollback target) and
 * {@code failedVersion} (never retried until the spec names another version).
 */
public class AppComponent implements StackComponent {
  static final String AVAILABLE = "Available";
  static final String ROLLED_BACK = "RolledBack";
  static final String ROLLING_OUT = "RollingOut";

  private static final String PLANNER = AppComponent.class.getName() + ".planner";

  private final Clock clock;
  private final EventRecorder events;
  private final io.micrometer.core.instrument.MeterRegistry registry;

  public AppComponent(Clock clock, io.micrometer.core.instrument.MeterRegistry registry) {
    this.clock = clock;
    this.events = new EventRecorder(clock);
    this.registry = registry;
  }

  /**
   * ttstack_app_rollbacks_total{namespace, stack}; registered (at 0) on every reconcile so that the
   * TTAppRolledBack rule's increase() also sees the first rollback.
   */
  private io.micrometer.core.instrument.Counter rollbacks(TTStack stack) {
    return io.micrometer.core.instrument.Counter.builder("ttstack.app.rollbacks")
        .description("Automatic rollbacks of the app to its last good version")
        .tag("namespace", stack.getMetadata().getNamespace())
        .tag("stack", stack.getMetadata().getName())
        .register(registry);
  }

  @Override
  public String conditionType() {
    return ConditionType.APP_READY;
  }

  /**
   * The Service, the Deployment (after the gates of what it uses: secrets, PostgreSQL, the Redis
   * Cluster), and the Ingress when spec.app.ingress is set (removing it removes the Ingress).
   */
  @Override
  public void register(StackWorkflow workflow) {
    workflow
        .add("app-service", AppDependents.ClientService.class)
        .informer(StackInformers.SERVICES)
        .renders(AppObjects::service);
    workflow
        .add("app", AppDependents.App.class)
        .informer(StackInformers.DEPLOYMENTS)
        .dependsOn(
            StackWorkflow.SECRETS_SYNCED,
            StackWorkflow.POSTGRES_READY,
            StackWorkflow.REDIS_CLUSTER_READY,
            StackWorkflow.PRE_CHANGE_BACKUP)
        .renders(
            stack ->
                AppObjects.deployment(
                    stack, stack.getSpec().app.version, SecretsOutcome.secretNameFor(stack), null));
    workflow
        .add("app-ingress", AppDependents.Entry.class)
        .informer(StackInformers.INGRESSES)
        .dependsOn("app-service")
        .onlyIf(stack -> stack.getSpec().app.ingress != null)
        .renders(AppObjects::ingress);
  }

  /**
   * Hands this component to the app's dependent, which plans the rollout when it runs, and asks for
   * a PostgreSQL backup before a new version (spec.postgres.backup.beforeUpgrade): the app's
   * dependent {@code dependsOn} the node that takes it, so the Deployment changes once it
   * succeeded.
   */
  @Override
  public void prepare(TTStack stack, Context<TTStack> context) {
    context.managedWorkflowAndDependentResourceContext().put(PLANNER, this);
    AppStatus previous = previous(stack);
    String deployed = deployment(stack, context).map(AppComponent::version).orElse(null);
    AppSpec run = RollbackPolicy.target(stack.getSpec().app, previous);
    if (deployed != null
        && !deployed.equals(run.version)
        && previous != null
        && previous.lastGoodVersion != null
        && !run.version.equals(previous.lastGoodVersion)
        && Boolean.TRUE.equals(stack.getSpec().postgres.backup.beforeUpgrade)) {
      PreChangeBackup.ask(
          context,
          new PreChangeBackup.Request(
              "app " + run.version, "upgrading from " + deployed + " to " + run.version, deployed));
    }
  }

  static AppComponent planner(Context<TTStack> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(PLANNER, AppComponent.class)
        .orElseThrow();
  }

  /**
   * Decides what the Deployment runs, when the workflow reaches the app: its dependencies are then
   * ready and a backup it waited for has succeeded (it {@code dependsOn} them). What runs is
   * spec.app, or the last available spec when spec.app is the one that failed ({@link
   * RollbackPolicy}); the secret hash is held while Redis does not yet accept a new password (the
   * new pods would fail).
   */
  AppPlan plan(TTStack stack, Context<TTStack> context) {
    SecretsOutcome secrets = SecretsOutcome.of(context).orElseThrow();
    AppSpec run = RollbackPolicy.target(stack.getSpec().app, previous(stack));
    boolean redisSettled = ComponentSignals.redisPasswordSettled(context);
    String hash =
        secrets.content() != null && redisSettled
            ? secrets.hashOf(SecretKeys.app(stack.getSpec(), secrets.content().keys()))
            : null;
    AppPlan plan = new AppPlan(run, hash);
    context.managedWorkflowAndDependentResourceContext().put(AppPlan.KEY, plan);
    return plan;
  }

  /**
   * What the app waits for, each with its reason: this reconcile's secrets, and the PostgreSQL and
   * Redis conditions as {@code conditionOf} knows them.
   */
  private static List<String> waitingFor(
      SecretsOutcome secrets,
      java.util.function.Function<String, Optional<Condition>> conditionOf) {
    List<String> waitingFor = new ArrayList<>();
    if (!secrets.ready()) {
      waitingFor.add(ConditionType.SECRETS_SYNCED + " (" + secrets.condition().reason + ")");
    }
    for (String type : List.of(ConditionType.POSTGRES_READY, ConditionType.REDIS_CLUSTER_READY)) {
      Condition c = conditionOf.apply(type).orElse(null);
      if (c == null || !c.isTrue()) {
        waitingFor.add(type + " (" + (c == null ? "not reported yet" : c.reason) + ")");
      }
    }
    return waitingFor;
  }

  private Condition waitingForDependencies(List<String> waitingFor) {
    return notReady("WaitingForDependencies", "waiting for " + String.join(", ", waitingFor));
  }

  /**
   * AppReady, and {@code status.app}: what the Deployment's rollout shows ({@link
   * DeploymentRollout}), what {@link RollbackPolicy} makes of it, and the Events and rollback
   * counter that tell it.
   */
  @Override
  public Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next) {
    AppStatus previous = previous(stack);
    AppStatus status = previous == null ? new AppStatus() : copy(previous);
    next.app = status;
    var rollbackCounter = rollbacks(stack);
    Condition waiting = waiting(stack, context);
    Optional<Deployment> found = deployment(stack, context);
    if (found.isEmpty()) {
      status.state = AppState.Progressing;
      return waiting != null
          ? waiting
          : notReady("Creating", "creating Deployment " + AppObjects.name(stack));
    }
    DeploymentRollout rollout =
        DeploymentRollout.of(found.get(), context.getSecondaryResources(Pod.class));
    status.readyReplicas = rollout.available();

    // A generation the Deployment controller has not observed yet tells nothing new about the pods:
    // annotation changes bump it too (the controller copies them to the ReplicaSets), as GitOps
    // tools and `kubectl annotate` make. Until it has caught up (a second on a loaded node) a
    // settled verdict on the version the Deployment still runs holds; a template change shows as a
    // rollout once observed.
    if (!rollout.current()
        && found.get().getStatus() != null
        && waiting == null
        && rollout.version().equals(status.version)) {
      Optional<Condition> settled =
          Optional.ofNullable(
                  stack.getStatus() == null || stack.getStatus().conditions == null
                      ? null
                      : stack.getStatus().condition(conditionType()))
              .filter(
                  c -> (c.isTrue() && AVAILABLE.equals(c.reason)) || ROLLED_BACK.equals(c.reason));
      if (settled.isPresent()) {
        return new Condition(
            conditionType(), settled.get().status, settled.get().reason, settled.get().message);
      }
    }

    AppSpec wanted = stack.getSpec().app;
    RollbackPolicy.Verdict verdict =
        RollbackPolicy.decide(
            wanted,
            status,
            rollout,
            Boolean.TRUE.equals(wanted.rollout.autoRollback),
            clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
    if (waiting != null && verdict != RollbackPolicy.Verdict.ROLL_BACK_NOW) {
      if (status.state == AppState.Available) {
        status.state = AppState.Progressing;
      }
      return waiting;
    }
    String failed = rolloutName(rollout, status);
    return switch (verdict) {
      case BECAME_AVAILABLE -> {
        events.record(
            context.getClient(),
            stack,
            EventRecorder.NORMAL,
            "VersionAvailable",
            "version "
                + rollout.version()
                + " is available ("
                + rollout.replicas()
                + " pods); it is now the last good version");
        yield available(rollout);
      }
      case AVAILABLE -> available(rollout);
      case ROLLED_BACK ->
          notReady(
              ROLLED_BACK,
              rollout.complete()
                  ? failedSpec(status)
                      + " failed ("
                      + status.failureReason
                      + ") and was rolled back; running the last good version "
                      + rollout.version()
                      + ". It is not retried: change spec.app (e.g. a fixed version)"
                  : failedSpec(status)
                      + " failed ("
                      + status.failureReason
                      + "); rolling back to the last good version "
                      + status.lastGoodVersion);
      case ROLL_BACK_NOW -> {
        rollbackCounter.increment();
        events.record(
            context.getClient(),
            stack,
            EventRecorder.WARNING,
            ROLLED_BACK,
            failedSpec(status)
                + " failed ("
                + status.failureReason
                + "); rolling back to "
                + status.lastGoodVersion);
        context.managedWorkflowAndDependentResourceContext().put(RECHECK_NOW, Boolean.TRUE);
        yield notReady(
            ROLLED_BACK,
            failedSpec(status)
                + " failed ("
                + status.failureReason
                + "); rolling back to the last good version "
                + status.lastGoodVersion);
      }
      case FAILED_AUTO_ROLLBACK_OFF ->
          notReady(
              reasonOf(rollout),
              "the rollout of "
                  + failed
                  + " failed ("
                  + rollout.failure().orElseThrow()
                  + "); autoRollback is off, so "
                  + status.lastGoodVersion
                  + " is not restored automatically");
      case FAILED_NOTHING_EARLIER ->
          notReady(
              reasonOf(rollout),
              failed
                  + " does not start ("
                  + rollout.failure().orElseThrow()
                  + "); there is no earlier good version to roll back to");
      case PROGRESSING ->
          notReady(
              ROLLING_OUT,
              "rolling out version "
                  + rollout.version()
                  + ": "
                  + rollout.updated()
                  + "/"
                  + rollout.replicas()
                  + " pods updated, "
                  + rollout.available()
                  + " available");
    };
  }

  /**
   * Why the Deployment is not changed now: the workflow did not reach the app, because one of its
   * dependencies is not ready (which, from the conditions they published in this reconcile: what
   * the gates saw), or because the backup before the new version has not succeeded yet.
   */
  private Condition waiting(TTStack stack, Context<TTStack> context) {
    if (AppPlan.of(context).isPresent()) {
      return null;
    }
    List<String> fresh =
        waitingFor(
            SecretsOutcome.of(context).orElseThrow(),
            type -> ComponentSignals.condition(context, type));
    if (fresh.isEmpty()) {
      Optional<Condition> backingUp =
          PreChangeBackup.asked(context)
              .flatMap(
                  r ->
                      PreChangeBackup.state(context, stack, r.target())
                          .flatMap(g -> g.holding(conditionType(), r.change(), r.running())));
      if (backingUp.isPresent()) {
        return backingUp.get();
      }
    }
    return waitingForDependencies(
        fresh.isEmpty() ? List.of("the workflow to reach the app") : fresh);
  }

  private Condition available(DeploymentRollout rollout) {
    return new Condition(
        conditionType(),
        Condition.TRUE,
        AVAILABLE,
        "version "
            + rollout.version()
            + ", "
            + rollout.available()
            + "/"
            + rollout.replicas()
            + " pods available");
  }

  /** "version 1.1.0", or "the spec.app change at version 1.0.0" when the version stayed. */
  private static String rolloutName(DeploymentRollout rollout, AppStatus status) {
    return Objects.equals(rollout.version(), status.lastGoodVersion)
        ? "the spec.app change (env, resources, ...) at version " + rollout.version()
        : "version " + rollout.version();
  }

  /** The failed spec in words: its version, or the change at the last good version. */
  private static String failedSpec(AppStatus status) {
    return Objects.equals(status.failedVersion, status.lastGoodVersion)
        ? "the spec.app change (env, resources, ...) at version " + status.failedVersion
        : "version " + status.failedVersion;
  }

  private static String reasonOf(DeploymentRollout rollout) {
    String why = rollout.failure().orElseThrow();
    return why.contains(":") ? why.substring(0, why.indexOf(':')) : why;
  }

  /** A rollback was decided after the workflow ran: the next pass applies it. */
  static final String RECHECK_NOW = AppComponent.class.getName() + ".recheck";

  @Override
  public Optional<Duration> recheckAfter(TTStack stack, Context<TTStack> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(RECHECK_NOW, Boolean.class)
        .map(b -> Duration.ofMillis(500));
  }

  private static AppStatus previous(TTStack stack) {
    return stack.getStatus() == null ? null : stack.getStatus().app;
  }

  private static AppStatus copy(AppStatus a) {
    AppStatus c = new AppStatus();
    c.version = a.version;
    c.lastGoodVersion = a.lastGoodVersion;
    c.readyReplicas = a.readyReplicas;
    c.failedVersion = a.failedVersion;
    c.failureReason = a.failureReason;
    c.lastRollbackTime = a.lastRollbackTime;
    c.state = a.state;
    c.lastAvailableSpec = a.lastAvailableSpec;
    c.failedSpecHash = a.failedSpecHash;
    return c;
  }

  static String version(Deployment d) {
    var labels = d.getSpec().getTemplate().getMetadata().getLabels();
    return labels == null ? null : labels.get(AppObjects.VERSION_LABEL);
  }

  private static Optional<Deployment> deployment(TTStack stack, Context<TTStack> context) {
    return Secondaries.get(
        context, Deployment.class, AppObjects.name(stack), stack.getMetadata().getNamespace());
  }

  private Condition notReady(String reason, String message) {
    return new Condition(conditionType(), Condition.FALSE, reason, message);
  }
}
