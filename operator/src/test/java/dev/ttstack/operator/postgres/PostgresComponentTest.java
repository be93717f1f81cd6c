package dev.ttstack.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.DeletionPolicy;
import dev.ttstack.operator.api.LocalSecretReference;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.testing.OperatorHarness;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL with the real operator against the in-process API server, the simulator playing
 * Kubernetes.
 */
class PostgresComponentTest {
  static final Map<String, String> CREDENTIALS =
      Map.of(
          "POSTGRES_USER",
          "tt_pg_user_41",
          "POSTGRES_PASSWORD",
          "pg-secret-value-8842",
          "POSTGRES_DB",
          "tt_db_77",
          "REDIS_PASSWORD",
          "redis-secret-value-1177",
          "GRAFANA_PASSWORD",
          "grafana-secret-value-5521");

  @RegisterExtension final OperatorHarness k8s = new OperatorHarness().withoutLeaderElection();

  private String ns;

  @BeforeEach
  void credentials() {
    ns = k8s.namespace();
    k8s.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("tt-own")
                .withNamespace(ns)
                .endMetadata()
                .withStringData(CREDENTIALS)
                .build())
        .create();
  }

  private TTStack stack() {
    TTStack stack = Stacks.minimal("tt");
    stack.getSpec().secrets.doppler = null;
    stack.getSpec().secrets.secretRef = new LocalSecretReference("tt-own");
    return stack;
  }

  private StatefulSet statefulSet() {
    return k8s.client().apps().statefulSets().inNamespace(ns).withName("tt-postgres").get();
  }

  private TTStack awaitPostgres(Predicate<Condition> p) {
    return k8s.awaitStack(
        "tt",
        s ->
            s.getStatus() != null
                && s.getStatus().condition(ConditionType.POSTGRES_READY) != null
                && p.test(s.getStatus().condition(ConditionType.POSTGRES_READY)));
  }

  private static Predicate<Condition> reason(String reason) {
    return c -> reason.equals(c.reason);
  }

  private void edit(java.util.function.Consumer<TTStack> change) {
    k8s.editStack("tt", change);
  }

  private void makeReady() {
    await().atMost(OperatorHarness.TIMEOUT).until(() -> statefulSet() != null);
    k8s.simulator().createStatefulSetVolumes(ns, "tt-postgres", "Bound");
    k8s.simulator().createStatefulSetPods(ns, "tt-postgres", List.of("10.42.0.5"));
    k8s.simulator().markStatefulSetReady(ns, "tt-postgres");
    awaitPostgres(Condition::isTrue);
  }

  @Test
  void objectsAsSpecifiedWithCredentialsOnlyByReference() {
    TTStack created = k8s.create(stack());
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(
            () ->
                statefulSet() != null
                    && k8s.client()
                            .batch()
                            .v1()
                            .cronjobs()
                            .inNamespace(ns)
                            .withName("tt-postgres-backup")
                            .get()
                        != null);

    StatefulSet sts = statefulSet();
    var pod = sts.getSpec().getTemplate().getSpec();
    var postgres = pod.getContainers().get(0);
    assertThat(postgres.getImage()).isEqualTo("postgres:16-alpine");
    assertThat(postgres.getEnv())
        .extracting(EnvVar::getName)
        .contains(
            "PGDATA", "POSTGRES_INITDB_ARGS", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB");
    assertThat(postgres.getEnv())
        .filteredOn(
            e -> e.getName().startsWith("POSTGRES_") && !e.getName().equals("POSTGRES_INITDB_ARGS"))
        .allSatisfy(
            e -> {
              assertThat(e.getValue()).isNull();
              assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("tt-own");
            });
    assertThat(postgres.getEnv())
        .filteredOn(e -> e.getName().equals("POSTGRES_INITDB_ARGS"))
        .singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("-E UTF8 --locale=C"));
    assertThat(postgres.getReadinessProbe().getExec().getCommand())
        .anySatisfy(c -> assertThat(c).contains("pg_isready"));
    assertThat(postgres.getStartupProbe()).isNotNull();
    assertThat(postgres.getLivenessProbe()).isNotNull();
    assertThat(postgres.getLifecycle().getPreStop().getExec().getCommand())
        .anySatisfy(c -> assertThat(c).contains("-m fast"));
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(postgres.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(pod.getContainers().get(1).getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getName()).isEqualTo("metrics"));
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted())
        .isEqualTo("Retain");
    assertThat(
            sts.getSpec()
                .getVolumeClaimTemplates()
                .get(0)
                .getSpec()
                .getResources()
                .getRequests()
                .get("storage")
                .toString())
        .isEqualTo("10Gi");
    assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsKey(PostgresObjects.SECRET_HASH_ANNOTATION);
    assertThat(sts.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));

    Service svc = k8s.client().services().inNamespace(ns).withName("tt-postgres").get();
    assertThat(svc.getSpec().getPorts()).anySatisfy(p -> assertThat(p.getPort()).isEqualTo(5432));
    NetworkPolicy policy =
        k8s.client().network().v1().networkPolicies().inNamespace(ns).withName("tt-postgres").get();
    assertThat(Serialization.asJson(policy))
        .contains(
            "\"app.kubernetes.io/component\":\"app\"",
            "\"app.kubernetes.io/component\":\"postgres-backup\"");
    CronJob cron =
        k8s.client().batch().v1().cronjobs().inNamespace(ns).withName("tt-postgres-backup").get();
    assertThat(cron.getSpec().getSchedule()).isEqualTo("0 3 * * *");
    PersistentVolumeClaim backups =
        k8s.client().persistentVolumeClaims().inNamespace(ns).withName("tt-postgres-backup").get();
    assertThat(backups.getMetadata().getOwnerReferences())
        .as("kept when the TTStack goes")
        .isEmpty();
    assertThat(
            k8s.client()
                .configMaps()
                .inNamespace(ns)
                .withName("tt-postgres-backup")
                .get()
                .getData()
                .get("backup.sh"))
        .contains("pg_dump --format=custom");

    // No credential value anywhere in what the operator wrote.
    String everything = Serialization.asJson(List.of(sts, svc, policy, cron, backups));
    CREDENTIALS
        .values()
        .forEach(
            v ->
                assertThat(everything.contains(v))
                    .as("a credential value in the objects")
                    .isFalse());
  }

  @Test
  void readinessReasonsFollowTheCluster() {
    k8s.create(stack());
    awaitPostgres(reason("Starting"));

    k8s.simulator().createStatefulSetVolumes(ns, "tt-postgres", "Pending");
    awaitPostgres(reason("VolumePending"));

    k8s.simulator().createStatefulSetVolumes(ns, "tt-postgres", "Bound");
    k8s.simulator().createStatefulSetPods(ns, "tt-postgres", List.of("10.42.0.5"));
    k8s.simulator().setContainerWaiting(ns, "tt-postgres-0", "CrashLoopBackOff", 3);
    TTStack crashing = awaitPostgres(reason("CrashLoopBackOff"));
    assertThat(crashing.getStatus().condition(ConditionType.POSTGRES_READY).message)
        .contains("container postgres is waiting");

    k8s.simulator().markStatefulSetReady(ns, "tt-postgres");
    TTStack ready = awaitPostgres(Condition::isTrue);
    assertThat(ready.getStatus().postgres.majorVersion).isEqualTo(16);
    assertThat(ready.getStatus().postgres.image).isEqualTo("postgres:16-alpine");
  }

  @Test
  void scheduledBackupResultReachesStatus() {
    k8s.create(stack());
    makeReady();
    // The CronJob controller starts a Job from the template; the simulator runs it.
    CronJob cron =
        k8s.client().batch().v1().cronjobs().inNamespace(ns).withName("tt-postgres-backup").get();
    k8s.client()
        .resource(
            new JobBuilder()
                .withNewMetadata()
                .withName("tt-postgres-backup-29000000")
                .withNamespace(ns)
                .withLabels(cron.getSpec().getJobTemplate().getMetadata().getLabels())
                .endMetadata()
                .withSpec(cron.getSpec().getJobTemplate().getSpec())
                .build())
        .create();
    k8s.simulator()
        .finishJob(
            ns,
            "tt-postgres-backup-29000000",
            true,
            "{\"file\":\"tt_db_77-20261126T030000Z.dump\",\"sizeBytes\":123456,\"time\":\"2026-11-26T03:00:07Z\"}");

    TTStack stack =
        k8s.awaitStack(
            "tt", s -> s.getStatus().postgres != null && s.getStatus().postgres.lastBackup != null);

    assertThat(stack.getStatus().postgres.lastBackup.file)
        .isEqualTo("tt_db_77-20261126T030000Z.dump");
    assertThat(stack.getStatus().postgres.lastBackup.sizeBytes).isEqualTo(123456L);
    assertThat(stack.getStatus().postgres.lastBackup.job).isEqualTo("tt-postgres-backup-29000000");
    assertThat(stack.getStatus().postgres.lastBackup.time).isEqualTo("2026-11-26T03:00:07Z");
    // What the backup alerts read.
    var registry = k8s.operator().registry();
    assertThat(
            registry
                .find("ttstack.postgres.last.backup.timestamp.seconds")
                .tag("stack", "tt")
                .gauge()
                .value())
        .isEqualTo(java.time.Instant.parse("2026-11-26T03:00:07Z").getEpochSecond());
    assertThat(
            registry.find("ttstack.postgres.last.backup.failed").tag("stack", "tt").gauge().value())
        .isZero();
  }

  @Test
  void imageChangeWaitsForABackupThenRolls() {
    k8s.create(stack());
    makeReady();

    edit(s -> s.getSpec().postgres.image = "postgres:16.4-alpine");

    TTStack waiting = awaitPostgres(reason("BackingUpBeforeUpgrade"));
    String job = BackupJobs.preChangeJobName(waiting, "postgres image postgres:16.4-alpine");
    assertThat(waiting.getStatus().condition(ConditionType.POSTGRES_READY).message).contains(job);
    assertThat(PostgresComponent.image(statefulSet())).isEqualTo("postgres:16-alpine");
    Job backup = k8s.client().batch().v1().jobs().inNamespace(ns).withName(job).get();
    assertThat(backup.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .as("the backup runs with the pg_dump of the running version")
        .isEqualTo("postgres:16-alpine");

    k8s.simulator()
        .finishJob(
            ns,
            job,
            true,
            "{\"file\":\"pre.dump\",\"sizeBytes\":10,\"time\":\"2026-11-26T12:00:00Z\"}");

    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(() -> "postgres:16.4-alpine".equals(PostgresComponent.image(statefulSet())));
    TTStack after = k8s.awaitStack("tt", s -> s.getStatus().postgres.lastBackup != null);
    assertThat(after.getStatus().postgres.lastBackup.job).isEqualTo(job);
  }

  @Test
  void failedBackupBlocksTheChangeAndSaysHowToOverride() {
    k8s.create(stack());
    makeReady();
    edit(s -> s.getSpec().postgres.image = "postgres:16.4-alpine");
    TTStack waiting = awaitPostgres(reason("BackingUpBeforeUpgrade"));
    String job = BackupJobs.preChangeJobName(waiting, "postgres image postgres:16.4-alpine");

    k8s.simulator().finishJob(ns, job, false, "{\"error\":\"pg_dump failed\"}");

    // The Job's failure and its pod's termination message (the detail) arrive as separate events:
    // the condition may say BackupFailed a reconcile before it can quote the detail (seen in CI).
    TTStack blocked =
        awaitPostgres(reason("BackupFailed").and(c -> c.message.contains("pg_dump failed")));
    assertThat(blocked.getStatus().condition(ConditionType.POSTGRES_READY).message)
        .contains(
            "delete Job " + job, "spec.postgres.backup.beforeUpgrade: false", "pg_dump failed");
    assertThat(PostgresComponent.image(statefulSet())).isEqualTo("postgres:16-alpine");

    edit(s -> s.getSpec().postgres.backup.beforeUpgrade = false);
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(() -> "postgres:16.4-alpine".equals(PostgresComponent.image(statefulSet())));
  }

  @Test
  void majorVersionChangeIsRefused() {
    k8s.create(stack());
    makeReady();

    edit(s -> s.getSpec().postgres.version = 17);

    TTStack refused = awaitPostgres(reason("MajorUpgradeRefused"));
    assertThat(refused.getStatus().condition(ConditionType.POSTGRES_READY).message)
        .contains("pg_upgrade", "16");
    assertThat(PostgresComponent.image(statefulSet())).isEqualTo("postgres:16-alpine");
    assertThat(k8s.client().batch().v1().jobs().inNamespace(ns).list().getItems()).isEmpty();
  }

  /**
   * The expandable path of VolumeGrowth (the mock has no admission, so every claim "can" grow): the
   * claim is patched to the new size and the StatefulSet replaced with the new template, never
   * edited in place (immutable on a real API server: StorageGrowthKubeIT proves both branches
   * there).
   */
  @Test
  void largerVolumeGrowsTheClaimAndReplacesTheStatefulSet() {
    k8s.create(stack());
    makeReady();
    String before = statefulSet().getMetadata().getUid();
    String dataClaim = PostgresObjects.dataClaimName(k8s.stack("tt").get());

    edit(s -> s.getSpec().postgres.storage = new dev.ttstack.operator.api.StorageSpec("20Gi"));
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .untilAsserted(
            () -> {
              StatefulSet sts = statefulSet();
              assertThat(sts).isNotNull();
              assertThat(sts.getMetadata().getUid()).isNotEqualTo(before);
              assertThat(
                      sts.getSpec()
                          .getVolumeClaimTemplates()
                          .get(0)
                          .getSpec()
                          .getResources()
                          .getRequests()
                          .get("storage"))
                  .hasToString("20Gi");
            });
    assertThat(
            k8s.client()
                .persistentVolumeClaims()
                .inNamespace(ns)
                .withName(dataClaim)
                .get()
                .getSpec()
                .getResources()
                .getRequests()
                .get("storage"))
        .hasToString("20Gi");
  }

  @Test
  void deletedStackKeepsItsVolumesAndARecreatedOneReattachesThem() {
    k8s.create(stack());
    makeReady();
    String dataClaim = PostgresObjects.dataClaimName(k8s.stack("tt").get());

    k8s.stack("tt").delete();
    await().atMost(OperatorHarness.TIMEOUT).until(() -> k8s.stack("tt").get() == null);
    k8s.simulator().collectGarbage(ns);

    assertThat(statefulSet()).isNull();
    assertThat(k8s.client().persistentVolumeClaims().inNamespace(ns).withName(dataClaim).get())
        .isNotNull();
    assertThat(
            k8s.client()
                .persistentVolumeClaims()
                .inNamespace(ns)
                .withName("tt-postgres-backup")
                .get())
        .isNotNull();

    k8s.create(stack());
    await().atMost(OperatorHarness.TIMEOUT).until(() -> statefulSet() != null);
    var template = statefulSet().getSpec().getVolumeClaimTemplates().get(0);
    assertThat(template.getMetadata().getName() + "-tt-postgres-0")
        .as("the claim the new StatefulSet will use")
        .isEqualTo(dataClaim);
  }

  @Test
  void deletionPolicyDeleteTakesTheVolumesWithTheStack() {
    TTStack stack = stack();
    stack.getSpec().deletionPolicy = DeletionPolicy.Delete;
    k8s.create(stack);
    makeReady();
    assertThat(statefulSet().getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted())
        .isEqualTo("Delete");

    k8s.stack("tt").delete();
    await().atMost(OperatorHarness.TIMEOUT).until(() -> k8s.stack("tt").get() == null);
    k8s.simulator().collectGarbage(ns);

    assertThat(k8s.client().persistentVolumeClaims().inNamespace(ns).list().getItems()).isEmpty();
  }
}
