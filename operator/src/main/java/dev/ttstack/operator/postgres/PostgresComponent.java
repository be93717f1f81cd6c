package dev.ttstack.operator.postgres;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.PostgresSpec;
import dev.ttstack.operator.api.PostgresStatus;
import dev.ttstack.operator.api.StorageSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.kit.BackupGate;
import dev.ttstack.operator.kit.ComponentSignals;
import dev.ttstack.operator.kit.PreChangeBackup;
import dev.ttstack.operator.kit.Secondaries;
import dev.ttstack.operator.kit.SecretKeys;
import dev.ttstack.operator.kit.SecretsOutcome;
import dev.ttstack.operator.kit.StackComponent;
import dev.ttstack.operator.kit.StackInformers;
import dev.ttstack.operator.kit.StackWorkflow;
import dev.ttstack.operator.kit.VolumeGrowth;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Objects;
import java.util.Optional;

/**
 * PostgreSQL: one persistent instance (StatefulSet, Service, NetworkPolicy, exporter sidecar) with
 * scheduled backups, a backup before every image change, and a refusal of major-version changes
 * (they need pg_upgrade). Reports {@code PostgresReady} with the reason a user can act on.
 */
public class PostgresComponent implements StackComponent {
  static final String READY = "Ready";
  static final String WAITING_FOR_SECRETS = "WaitingForSecrets";
  static final String MAJOR_UPGRADE_REFUSED = "MajorUpgradeRefused";

  private final io.micrometer.core.instrument.MeterRegistry registry;
  private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> lastBackupEpoch =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> lastBackupFailed =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final VolumeGrowth growth;

  public PostgresComponent(io.micrometer.core.instrument.MeterRegistry registry) {
    this(registry, java.time.Clock.systemUTC());
  }

  public PostgresComponent(
      io.micrometer.core.instrument.MeterRegistry registry, java.time.Clock clock) {
    this.registry = registry;
    this.growth = new VolumeGrowth(clock);
  }

  @Override
  public String conditionType() {
    return ConditionType.POSTGRES_READY;
  }

  /**
   * ttstack_postgres_last_backup_timestamp_seconds and ttstack_postgres_last_backup_failed
   * {namespace, stack}, which the backup alerts read (monitoring's OperatorMetricNames).
   */
  private void publishBackupMetrics(TTStack stack, PostgresStatus status) {
    String key = stack.getMetadata().getNamespace() + "/" + stack.getMetadata().getName();
    var tags =
        io.micrometer.core.instrument.Tags.of(
            "namespace",
            stack.getMetadata().getNamespace(),
            "stack",
            stack.getMetadata().getName());
    lastBackupFailed
        .computeIfAbsent(
            key,
            k ->
                registry.gauge(
                    "ttstack.postgres.last.backup.failed",
                    tags,
                    new java.util.concurrent.atomic.AtomicInteger()))
        .set(status.lastFailedBackup != null ? 1 : 0);
    if (status.lastBackup != null && status.lastBackup.time != null) {
      try {
        long epoch = java.time.Instant.parse(status.lastBackup.time).getEpochSecond();
        lastBackupEpoch
            .computeIfAbsent(
                key,
                k ->
                    registry.gauge(
                        "ttstack.postgres.last.backup.timestamp.seconds",
                        tags,
                        new java.util.concurrent.atomic.AtomicLong()))
            .set(epoch);
      } catch (java.time.format.DateTimeParseException e) {
        // a malformed time in a termination message is not a reason to fail the reconcile
      }
    }
  }

  /**
   * Backup script and volume, Service, NetworkPolicy, the StatefulSet (a gate: what uses PostgreSQL
   * {@code dependsOn} its readiness), and the backup CronJob when backups are enabled.
   */
  @Override
  public void register(StackWorkflow workflow) {
    workflow
        .add("postgres-backup-script", PostgresDependents.BackupScript.class)
        .informer(StackInformers.CONFIG_MAPS)
        .renders(PostgresObjects::backupScript);
    workflow
        .add("postgres-backup-volume", PostgresDependents.BackupVolume.class)
        .informer(StackInformers.VOLUMES)
        .renders(PostgresObjects::backupVolume);
    workflow
        .add("postgres-service", PostgresDependents.ClientService.class)
        .informer(StackInformers.SERVICES)
        .renders(PostgresObjects::service);
    workflow
        .add("postgres-network-policy", PostgresDependents.Firewall.class)
        .informer(StackInformers.NETWORK_POLICIES)
        .renders(PostgresObjects::networkPolicy);
    workflow
        .add("postgres", PostgresDependents.Database.class)
        .informer(StackInformers.STATEFUL_SETS)
        .renders(
            stack ->
                PostgresObjects.statefulSet(
                    stack,
                    SecretsOutcome.secretNameFor(stack),
                    null,
                    stack.getSpec().postgres.effectiveImage()));
    workflow
        .add(StackWorkflow.POSTGRES_READY, PostgresDependents.ReadyGate.class)
        .dependsOn("postgres")
        .readyWhen(new PostgresDependents.Ready());
    // the backup a change waits for (an app upgrade, a new image); ready once it succeeded
    workflow
        .add(StackWorkflow.PRE_CHANGE_BACKUP, PostgresDependents.PreChangeBackupJob.class)
        .informer(StackInformers.JOBS)
        .dependsOn("postgres")
        .readyWhen(new PostgresDependents.PreChangeBackupDone())
        .notRendered("a one-off Job, made when a change waits for a backup");
    workflow
        .add("postgres-backup-schedule", PostgresDependents.BackupSchedule.class)
        .informer(StackInformers.CRON_JOBS)
        .dependsOn("postgres-backup-script", "postgres-backup-volume")
        // disabling backups removes the CronJob (the dumps stay)
        .onlyIf(stack -> Boolean.TRUE.equals(stack.getSpec().postgres.backup.enabled))
        .renders(
            stack ->
                PostgresObjects.cronJob(
                    stack,
                    SecretsOutcome.secretNameFor(stack),
                    stack.getSpec().postgres.effectiveImage()));
  }

  /**
   * Decides the image (the spec's, or the running one while an upgrade waits) before the workflow.
   */
  @Override
  public void prepare(TTStack stack, Context<TTStack> context) {
    PostgresSpec spec = stack.getSpec().postgres;
    SecretsOutcome secrets = SecretsOutcome.of(context).orElseThrow();
    Optional<StatefulSet> actual = statefulSet(stack, context);
    String wanted = spec.effectiveImage();
    String running = actual.map(PostgresComponent::image).orElse(null);
    String hash =
        secrets.content() != null
            ? secrets.hashOf(SecretKeys.postgres())
            : actual
                .map(s -> s.getSpec().getTemplate().getMetadata().getAnnotations())
                .map(a -> a.get(PostgresObjects.SECRET_HASH_ANNOTATION))
                .orElse(null);
    Integer recordedMajor =
        stack.getStatus() == null || stack.getStatus().postgres == null
            ? null
            : stack.getStatus().postgres.majorVersion;

    String image = wanted;
    Condition blocked = null;
    String imageChangeBackup = null;
    // the app (or any component) asks PreChangeBackup; this is how it learns where that stands
    PreChangeBackup.answerWith(context, (s, target) -> BackupJobs.gate(s, context, target));
    if (running != null && recordedMajor != null && !recordedMajor.equals(spec.version)) {
      image = running;
      blocked =
          notReady(
              MAJOR_UPGRADE_REFUSED,
              "spec.postgres.version "
                  + spec.version
                  + " differs from the major version "
                  + recordedMajor
                  + " the data was created with; that needs pg_upgrade, which the operator does not do."
                  + " Still running "
                  + running
                  + ". Set spec.postgres.version back to "
                  + recordedMajor
                  + ", or migrate with pg_dump/pg_restore into a new stack");
    } else if (running != null
        && !running.equals(wanted)
        && Boolean.TRUE.equals(spec.backup.beforeUpgrade)) {
      imageChangeBackup = "postgres image " + wanted;
      BackupGate gate = BackupJobs.gate(stack, context, imageChangeBackup);
      blocked =
          gate.holding(
                  conditionType(), "changing the image from " + running + " to " + wanted, running)
              .orElse(null);
      if (blocked != null) {
        image = running;
      } else {
        imageChangeBackup = null; // taken: nothing to wait for
      }
    }
    // A larger spec.postgres.storage.size never reaches the immutable volumeClaimTemplates
    // directly.
    VolumeGrowth.Outcome storage =
        growth.plan(
            stack,
            context,
            actual,
            PostgresObjects.DATA_TEMPLATE,
            "spec.postgres.storage.size",
            StorageSpec.sizeOr(spec.storage, PostgresSpec.DEFAULT_STORAGE_SIZE));
    context
        .managedWorkflowAndDependentResourceContext()
        .put(
            PostgresPlan.KEY,
            new PostgresPlan(
                image, secrets.secretName(), hash, blocked, storage, imageChangeBackup));
  }

  @Override
  public Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next) {
    Optional<StatefulSet> sts = statefulSet(stack, context);
    PostgresStatus status = new PostgresStatus();
    Integer recordedMajor =
        stack.getStatus() == null || stack.getStatus().postgres == null
            ? null
            : stack.getStatus().postgres.majorVersion;
    status.majorVersion =
        recordedMajor != null
            ? recordedMajor
            : sts.isPresent() ? stack.getSpec().postgres.version : null;
    status.image = sts.map(PostgresComponent::image).orElse(null);
    status.lastBackup = BackupJobs.lastSuccess(context).orElse(null);
    status.lastFailedBackup = BackupJobs.lastFailureAfterSuccess(context).orElse(null);
    next.postgres = status;
    publishBackupMetrics(stack, status);
    // What the workflow's gate (PostgresDependents.Ready) saw in this reconcile, so that the app's
    // condition and this one agree; computed afresh when the gate did not run.
    return ComponentSignals.condition(context, conditionType())
        .orElseGet(() -> condition(stack, context));
  }

  /** PostgreSQL answers (its pod is ready), whether or not a change of it waits. */
  static boolean serving(TTStack stack, Context<TTStack> context) {
    return statefulSet(stack, context)
        .map(sts -> readiness(stack, context, sts).isTrue())
        .orElse(false);
  }

  /** PostgresReady as of now: waiting for credentials, held (upgrade), or how ready it is. */
  static Condition condition(TTStack stack, Context<TTStack> context) {
    PostgresPlan plan = PostgresPlan.of(context).orElseThrow();
    Optional<StatefulSet> sts = statefulSet(stack, context);
    if (sts.isEmpty()) {
      SecretsOutcome secrets = SecretsOutcome.of(context).orElseThrow();
      return notReady(
          WAITING_FOR_SECRETS,
          "waiting for the credentials: SecretsSynced is " + secrets.condition().reason);
    }
    if (plan.blocked() != null) {
      return plan.blocked();
    }
    return plan.storage().into(readiness(stack, context, sts.get()));
  }

  /** Ready, or the most useful reason it is not: volume, image, crash loop, probe. */
  private static Condition readiness(TTStack stack, Context<TTStack> context, StatefulSet sts) {
    var s = sts.getStatus();
    boolean current =
        s != null
            && Objects.equals(s.getObservedGeneration(), sts.getMetadata().getGeneration())
            && (s.getUpdateRevision() == null
                || Objects.equals(s.getUpdateRevision(), s.getCurrentRevision()));
    if (current && s.getReadyReplicas() != null && s.getReadyReplicas() >= 1) {
      var failed = BackupJobs.lastFailureAfterSuccess(context);
      return new Condition(
          ConditionType.POSTGRES_READY,
          Condition.TRUE,
          READY,
          "PostgreSQL "
              + image(sts)
              + " is ready"
              + failed.map(f -> "; the last backup failed (Job " + f.job + ")").orElse(""));
    }
    String ns = stack.getMetadata().getNamespace();
    Optional<Pod> pod = Secondaries.get(context, Pod.class, PostgresObjects.name(stack) + "-0", ns);
    Optional<PersistentVolumeClaim> pvc =
        Secondaries.get(
            context, PersistentVolumeClaim.class, PostgresObjects.dataClaimName(stack), ns);
    if (pvc.isPresent()
        && pvc.get().getStatus() != null
        && "Pending".equals(pvc.get().getStatus().getPhase())) {
      return notReady(
          "VolumePending",
          "PersistentVolumeClaim "
              + PostgresObjects.dataClaimName(stack)
              + " is Pending: no volume of that size/class can be provisioned yet");
    }
    if (pod.isPresent()) {
      Optional<ContainerStatus> postgres =
          pod.get().getStatus() == null || pod.get().getStatus().getContainerStatuses() == null
              ? Optional.empty()
              : pod.get().getStatus().getContainerStatuses().stream()
                  .filter(c -> "postgres".equals(c.getName()))
                  .findFirst();
      if (postgres.isPresent()
          && postgres.get().getState() != null
          && postgres.get().getState().getWaiting() != null) {
        var waiting = postgres.get().getState().getWaiting();
        String reason = waiting.getReason() == null ? "Waiting" : waiting.getReason();
        String last =
            postgres.get().getLastState() != null
                    && postgres.get().getLastState().getTerminated() != null
                ? "; last exit "
                    + postgres.get().getLastState().getTerminated().getExitCode()
                    + Optional.ofNullable(
                            postgres.get().getLastState().getTerminated().getMessage())
                        .map(m -> ": " + m)
                        .orElse("")
                : "";
        return notReady(
            reason,
            "container postgres is waiting: "
                + reason
                + Optional.ofNullable(waiting.getMessage()).map(m -> " (" + m + ")").orElse("")
                + last);
      }
      if (postgres.isPresent()
          && postgres.get().getState() != null
          && postgres.get().getState().getRunning() != null
          && !Boolean.TRUE.equals(postgres.get().getReady())) {
        return notReady("NotReady", "PostgreSQL is running but pg_isready fails (readiness probe)");
      }
    }
    return notReady(
        "Starting", "waiting for pod " + PostgresObjects.name(stack) + "-0 to become ready");
  }

  private static Condition notReady(String reason, String message) {
    return new Condition(ConditionType.POSTGRES_READY, Condition.FALSE, reason, message);
  }

  private static Optional<StatefulSet> statefulSet(TTStack stack, Context<TTStack> context) {
    return Secondaries.get(
        context,
        StatefulSet.class,
        PostgresObjects.name(stack),
        stack.getMetadata().getNamespace());
  }

  static String image(StatefulSet sts) {
    return sts.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> "postgres".equals(c.getName()))
        .map(c -> c.getImage())
        .findFirst()
        .orElse(null);
  }
}
