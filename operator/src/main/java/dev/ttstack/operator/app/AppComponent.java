package dev.ttstack.operator.app;

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
import io.fabric8.kubernetes.api.model.ContainerStatus;
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
import java.util.Set;

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

  /** Container states that mean a version will not come up by waiting. */
  static final Set<String> FATAL_WAITING =
      Set.of(
          "CrashLoopBackOff",
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError");

  private static final String PLANNER = AppComponent.class.getName() + ".planner";

  private final Clock clock;
  private final PreChangeBackup backup;
  private final EventRecorder events;
  private final io.micrometer.core.instrument.MeterRegistry registry;

  /**
   * @param backup the PostgreSQL backup taken before an upgrade
   *     (spec.postgres.backup.beforeUpgrade)
   */
  public AppComponent(
      Clock clock, io.micrometer.core.instrument.MeterRegistry registry, PreChangeBackup backup) {
    this.clock = clock;
    this.backup = backup;
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
            StackWorkflow.REDIS_CLUSTER_READY)
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

  /** Hands this component to the app's dependent, which plans the rollout when it runs. */
  @Override
  public void prepare(TTStack stack, Context<TTStack> context) {
    context.managedWorkflowAndDependentResourceContext().put(PLANNER, this);
  }

  static AppComponent planner(Context<TTStack> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(PLANNER, AppComponent.class)
        .orElseThrow();
  }

  /**
   * Decides what the Deployment runs, when the workflow reaches the app: its dependencies are then
   * ready (it {@code dependsOn} them), so a pre-upgrade backup can run now. The version is held at
   * the deployed one while that backup runs; the secret hash is held while Redis does not yet
   * accept a new password (the new pods would fail).
   */
  AppPlan plan(TTStack stack, Context<TTStack> context) {
    SecretsOutcome secrets = SecretsOutcome.of(context).orElseThrow();
    AppStatus previous = previous(stack);
    String deployed = deployment(stack, context).map(AppComponent::version).orElse(null);
    String target = target(stack, previous);

    String version = target;
    Condition waiting = null;
    if (deployed != null
        && !deployed.equals(target)
        && previous != null
        && previous.lastGoodVersion != null
        && !target.equals(previous.lastGoodVersion)
        && Boolean.TRUE.equals(stack.getSpec().postgres.backup.beforeUpgrade)) {
      Optional<Condition> held =
          backup
              .ensureBefore(stack, context, "app " + target)
              .holding(conditionType(), "upgrading from " + deployed + " to " + target, deployed);
      if (held.isPresent()) {
        version = deployed;
        waiting = held.get();
      }
    }

    boolean redisSettled = ComponentSignals.redisPasswordSettled(context);
    String hash =
        secrets.content() != null && redisSettled
            ? secrets.hashOf(SecretKeys.app(stack.getSpec(), secrets.content().keys()))
            : null;
    AppPlan plan = new AppPlan(version, hash, waiting);
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

  /** The version to run: the spec's, unless that is the version that failed and was rolled back. */
  private static String target(TTStack stack, AppStatus previous) {
    String wanted = stack.getSpec().app.version;
    if (previous != null
        && wanted.equals(previous.failedVersion)
        && previous.lastGoodVersion != null) {
      return previous.lastGoodVersion;
    }
    return wanted;
  }

  @Override
  public Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next) {
    // No plan: the workflow did not reach the app, one of its dependencies is not ready. It says
    // which, from the conditions they published in this reconcile (what the workflow's gates saw).
    Optional<AppPlan> plan = AppPlan.of(context);
    var rollbackCounter = rollbacks(stack);
    AppStatus previous = previous(stack);
    AppStatus status = previous == null ? new AppStatus() : copy(previous);
    next.app = status;
    Optional<Deployment> found = deployment(stack, context);
    Condition waiting = plan.map(AppPlan::waiting).orElse(null);
    if (plan.isEmpty()) {
      List<String> fresh =
          waitingFor(
              SecretsOutcome.of(context).orElseThrow(),
              type -> ComponentSignals.condition(context, type));
      waiting =
          waitingForDependencies(
              fresh.isEmpty() ? List.of("the workflow to reach the app") : fresh);
    }
    if (found.isEmpty()) {
      return waiting != null
          ? waiting
          : notReady("Creating", "creating Deployment " + AppObjects.name(stack));
    }
    Deployment d = found.get();
    String deployed = version(d);
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    var s = d.getStatus();
    status.readyReplicas =
        s == null || s.getAvailableReplicas() == null ? 0 : s.getAvailableReplicas();
    boolean current =
        s != null && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration());
    boolean complete =
        current
            && s.getUpdatedReplicas() != null
            && s.getUpdatedReplicas() == replicas
            && s.getAvailableReplicas() != null
            && s.getAvailableReplicas() == replicas
            && (s.getReplicas() == null || s.getReplicas() == replicas);

    // A generation the Deployment controller has not observed yet tells nothing new about the pods:
    // annotation changes bump it too (the controller copies them to the ReplicaSets), as GitOps
    // tools
    // and `kubectl annotate` make. Until it has caught up (a second on a loaded node) a settled
    // verdict
    // on the version the Deployment still runs holds; a template change shows as a rollout once
    // observed.
    if (!current && s != null && waiting == null && deployed.equals(status.version)) {
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

    if (complete) {
      status.version = deployed;
      boolean rolledBack =
          stack.getSpec().app.version.equals(status.failedVersion)
              && !deployed.equals(status.failedVersion);
      if (!rolledBack && !deployed.equals(status.lastGoodVersion)) {
        status.lastGoodVersion = deployed;
        events.record(
            context.getClient(),
            stack,
            EventRecorder.NORMAL,
            "VersionAvailable",
            "version "
                + deployed
                + " is available ("
                + replicas
                + " pods); it is now the last good version");
      }
      if (rolledBack) {
        return notReady(
            ROLLED_BACK,
            "version "
                + status.failedVersion
                + " failed ("
                + status.failureReason
                + ") and was rolled back; running the last good version "
                + deployed
                + ". It is not retried: set spec.app.version to a fixed version");
      }
      if (waiting != null) {
        return waiting;
      }
      return new Condition(
          conditionType(),
          Condition.TRUE,
          AVAILABLE,
          "version " + deployed + ", " + status.readyReplicas + "/" + replicas + " pods available");
    }

    Optional<String> failure = failure(d, deployed, context);
    if (failure.isPresent()) {
      String why = failure.get();
      String reason = why.contains(":") ? why.substring(0, why.indexOf(':')) : why;
      boolean upgrade = status.lastGoodVersion != null && !deployed.equals(status.lastGoodVersion);
      if (upgrade && Boolean.TRUE.equals(stack.getSpec().app.rollout.autoRollback)) {
        status.failedVersion = deployed;
        status.failureReason = why;
        status.lastRollbackTime = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        rollbackCounter.increment();
        events.record(
            context.getClient(),
            stack,
            EventRecorder.WARNING,
            ROLLED_BACK,
            "version "
                + deployed
                + " failed ("
                + why
                + "); rolling back to "
                + status.lastGoodVersion);
        context.managedWorkflowAndDependentResourceContext().put(RECHECK_NOW, Boolean.TRUE);
        return notReady(
            ROLLED_BACK,
            "version "
                + deployed
                + " failed ("
                + why
                + "); rolling back to the last good version "
                + status.lastGoodVersion);
      }
      String what =
          upgrade
              ? "the rollout of version "
                  + deployed
                  + " failed ("
                  + why
                  + "); autoRollback is off, so "
                  + status.lastGoodVersion
                  + " is not restored automatically"
              : "version "
                  + deployed
                  + " does not start ("
                  + why
                  + "); there is no earlier good version to roll back to";
      return notReady(reason, what);
    }
    if (waiting != null) {
      return waiting;
    }
    return notReady(
        ROLLING_OUT,
        "rolling out version "
            + deployed
            + ": "
            + (s == null || s.getUpdatedReplicas() == null ? 0 : s.getUpdatedReplicas())
            + "/"
            + replicas
            + " pods updated, "
            + status.readyReplicas
            + " available");
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

  /**
   * Why the version will not become available by waiting: the Deployment controller's deadline, or
   * a pod of that version stuck in a fatal container state.
   */
  private static Optional<String> failure(Deployment d, String version, Context<TTStack> context) {
    if (d.getStatus() != null && d.getStatus().getConditions() != null) {
      for (var c : d.getStatus().getConditions()) {
        if ("Progressing".equals(c.getType())
            && "False".equals(c.getStatus())
            && "ProgressDeadlineExceeded".equals(c.getReason())) {
          return Optional.of(
              "ProgressDeadlineExceeded: not available within "
                  + d.getSpec().getProgressDeadlineSeconds()
                  + " s");
        }
      }
    }
    for (Pod pod : context.getSecondaryResources(Pod.class)) {
      var labels = pod.getMetadata().getLabels();
      if (labels == null
          || !AppObjects.COMPONENT.equals(labels.get("app.kubernetes.io/component"))
          || !version.equals(labels.get(AppObjects.VERSION_LABEL))
          || pod.getStatus() == null
          || pod.getStatus().getContainerStatuses() == null) {
        continue;
      }
      for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
        var waiting = cs.getState() == null ? null : cs.getState().getWaiting();
        if (waiting != null && FATAL_WAITING.contains(waiting.getReason())) {
          String last =
              cs.getLastState() != null
                      && cs.getLastState().getTerminated() != null
                      && cs.getLastState().getTerminated().getMessage() != null
                  ? "; last message: " + cs.getLastState().getTerminated().getMessage()
                  : "";
          return Optional.of(
              waiting.getReason()
                  + ": pod "
                  + pod.getMetadata().getName()
                  + Optional.ofNullable(waiting.getMessage()).map(m -> " (" + m + ")").orElse("")
                  + last);
        }
      }
    }
    return Optional.empty();
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
