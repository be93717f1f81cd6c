package dev.ttstack.operator.kube;

import static dev.ttstack.operator.kube.KubeStacks.apply;
import static dev.ttstack.operator.kube.KubeStacks.assertReady;
import static dev.ttstack.operator.kube.KubeStacks.awaitStatus;
import static dev.ttstack.operator.kube.KubeStacks.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.AppState;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.app.AppObjects;
import dev.ttstack.operator.chart.ArgoCdHealth;
import dev.ttstack.operator.kube.SimulatedKubelet.Behaviour;
import dev.ttstack.operator.postgres.BackupJobs;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The app's lifecycle on the real API server, SSA on, with the real Deployment, ReplicaSet and Job
 * controllers doing the rollouts and the backups (the mock-era AppComponentTest drove the same
 * transitions by hand): first install, an upgrade behind its pre-upgrade backup, failed upgrades
 * rolled back by the operator itself, and a secret rotation that restarts only what reads the key.
 */
class LifecycleKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();

  @Test
  void installThenUpgradeBehindItsBackup() throws Exception {
    String ns = cluster.createNamespace("upgrade");
    KubeStacks.createSecret(cluster, ns, Map.of());
    apply(cluster, ns, manifest("1.4.2", ""));
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      Instant start = Instant.now();
      TTStack s = awaitStatus(cluster, ns, Duration.ofSeconds(180), KubeStacks::assertReady);
      System.out.printf(
          "first install: Ready after %.1f s%n",
          Duration.between(start, Instant.now()).toMillis() / 1000.0);
      assertThat(s.getStatus().app.lastGoodVersion).isEqualTo("1.4.2");

      long mark = cluster.auditLog().mark();
      Instant upgrade = Instant.now();
      apply(cluster, ns, manifest("1.5.0", ""));
      s =
          awaitStatus(
              cluster,
              ns,
              Duration.ofSeconds(180),
              t -> {
                assertReady(t);
                assertThat(t.getStatus().app.version).isEqualTo("1.5.0");
              });
      System.out.printf(
          "upgrade 1.4.2 -> 1.5.0: Ready again after %.1f s%n",
          Duration.between(upgrade, Instant.now()).toMillis() / 1000.0);
      assertThat(s.getStatus().app.lastGoodVersion).isEqualTo("1.5.0");

      // The backup Job the operator created for this upgrade, completed by the real Job controller.
      String jobName = BackupJobs.preChangeJobName(s, "app 1.5.0");
      Job job = cluster.admin().batch().v1().jobs().inNamespace(ns).withName(jobName).get();
      assertThat(job).as("pre-upgrade backup Job " + jobName).isNotNull();
      assertThat(job.getStatus().getSucceeded()).isEqualTo(1);

      // The ReplicaSet of 1.5.0, made by the real Deployment controller once the operator changed
      // the template.
      ReplicaSet rs =
          cluster.admin().apps().replicaSets().inNamespace(ns).list().getItems().stream()
              .filter(
                  r ->
                      "1.5.0"
                          .equals(
                              r.getSpec()
                                  .getTemplate()
                                  .getMetadata()
                                  .getLabels()
                                  .get(AppObjects.VERSION_LABEL)))
              .findFirst()
              .orElseThrow();
      assertThat(Instant.parse(rs.getMetadata().getCreationTimestamp()))
          .as("the new ReplicaSet is created after the backup completed")
          .isAfterOrEqualTo(Instant.parse(job.getStatus().getCompletionTime()));

      // The same order, to the request, from the API server's audit log: every status write of the
      // Job (the Job controller's, up to "Complete") precedes the Deployment controller's create of
      // the new ReplicaSet.
      List<AuditLog.Entry> log =
          cluster.auditLog().since(mark).stream().filter(e -> ns.equals(e.namespace())).toList();
      int jobCreated =
          indexOf(
              log,
              e ->
                  // a dependent now: JOSDK creates it by Server-Side Apply (a PATCH answered 201)
                  ("create".equals(e.verb()) || "patch".equals(e.verb()))
                      && "jobs".equals(e.resource())
                      && e.subresource() == null
                      && e.code() == 201
                      && e.user().equals(ChartInstall.user()));
      int lastJobStatus =
          lastIndexOf(
              log,
              e ->
                  "jobs".equals(e.resource())
                      && "status".equals(e.subresource())
                      && jobName.equals(e.name())
                      && e.isWrite());
      // 1.4.2's ReplicaSet existed before the mark: the only ReplicaSet created after it is
      // 1.5.0's.
      int rsCreated =
          indexOf(
              log,
              e ->
                  "create".equals(e.verb())
                      && "replicasets".equals(e.resource())
                      && e.code() == 201);
      assertThat(jobCreated).as("the operator created the backup Job").isGreaterThanOrEqualTo(0);
      assertThat(lastJobStatus).as("the Job controller wrote its status").isGreaterThan(jobCreated);
      assertThat(rsCreated)
          .as(
              "the new ReplicaSet comes after the backup's last status write\n"
                  + String.join(
                      "\n", log.stream().filter(e -> e.isWrite()).map(Object::toString).toList()))
          .isGreaterThan(lastJobStatus);
    }
  }

  @Test
  void failedUpgradesAreRolledBackByTheOperator() throws Exception {
    String ns = cluster.createNamespace("rollback");
    KubeStacks.createSecret(cluster, ns, Map.of());
    apply(cluster, ns, manifest("1.4.2", ""));
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns);
        AutoCloseable crash =
            cluster
                .kubelet()
                .override(
                    p -> ns.equals(p.getMetadata().getNamespace()) && image(p).endsWith(":1.5.0"),
                    Behaviour.CRASH_LOOP);
        AutoCloseable stuck =
            cluster
                .kubelet()
                .override(
                    p -> ns.equals(p.getMetadata().getNamespace()) && image(p).endsWith(":1.6.0"),
                    Behaviour.NOT_READY);
        AutoCloseable badEnv =
            cluster
                .kubelet()
                .override(
                    p -> ns.equals(p.getMetadata().getNamespace()) && env(p).contains(BROKEN_ENV),
                    Behaviour.CRASH_LOOP)) {
      awaitStatus(cluster, ns, Duration.ofSeconds(180), KubeStacks::assertReady);

      // 1.5.0 crash-loops: the operator sees the pods' CrashLoopBackOff and restores 1.4.2.
      Instant upgrade = Instant.now();
      apply(cluster, ns, manifest("1.5.0", ""));
      TTStack s =
          awaitStatus(
              cluster,
              ns,
              Duration.ofSeconds(180),
              t -> {
                assertThat(t.getStatus().app.failedVersion).isEqualTo("1.5.0");
                assertThat(t.getStatus().condition("AppReady").reason).isEqualTo("RolledBack");
                // the settled state, not the "rolling back to" of the moment the failure was seen
                assertThat(t.getStatus().condition("AppReady").message)
                    .contains("running the last good version 1.4.2");
                assertThat(t.getStatus().app.version).isEqualTo("1.4.2");
                assertRunning(ns, "1.4.2");
              });
      System.out.printf(
          "crash-looping 1.5.0: rolled back and 1.4.2 available again after %.1f s (%s)%n",
          Duration.between(upgrade, Instant.now()).toMillis() / 1000.0,
          s.getStatus().app.failureReason);
      assertThat(s.getStatus().app.failureReason).startsWith("CrashLoopBackOff");
      ArgoCdHealth.Verdict argo = ArgoCdHealth.recordAndJudge(s, "degraded-rolled-back");
      assertThat(argo.status()).as(argo.message()).isEqualTo("Degraded");
      assertThat(argo.message()).contains("AppReady", "1.5.0 failed", "rolled back");
      assertThat(s.getStatus().condition("AppReady").message)
          .contains("1.5.0 failed", "running the last good version 1.4.2");
      assertThat(KubeStacks.events(cluster, ns))
          .anySatisfy(
              e -> {
                assertThat(e.getReason()).isEqualTo("RolledBack");
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getMessage()).contains("1.5.0 failed", "rolling back to 1.4.2");
              });

      // 1.6.0 runs but never becomes ready: the real Deployment controller gives up after the
      // progress deadline (30 s), and the operator rolls back on its ProgressDeadlineExceeded.
      upgrade = Instant.now();
      apply(cluster, ns, manifest("1.6.0", ""));
      s =
          awaitStatus(
              cluster,
              ns,
              Duration.ofSeconds(240),
              t -> {
                assertThat(t.getStatus().app.failedVersion).isEqualTo("1.6.0");
                assertThat(t.getStatus().condition("AppReady").message)
                    .contains("running the last good version 1.4.2");
                assertThat(t.getStatus().app.version).isEqualTo("1.4.2");
                assertRunning(ns, "1.4.2");
              });
      double seconds = Duration.between(upgrade, Instant.now()).toMillis() / 1000.0;
      System.out.printf(
          "never-ready 1.6.0: rolled back and 1.4.2 available again after %.1f s (%s)%n",
          seconds, s.getStatus().app.failureReason);
      assertThat(s.getStatus().app.failureReason).startsWith("ProgressDeadlineExceeded");
      assertThat(seconds).as("not before the 30 s deadline").isGreaterThanOrEqualTo(30);
      assertThat(s.getStatus().condition("AppReady").message)
          .contains("1.6.0 failed (ProgressDeadlineExceeded");

      // A change of env at the same version crash-loops: rolled back too, to the last available
      // spec (RollbackPolicy: a rollout is the pod-shaping part of spec.app, not the version).
      String failed160 = s.getStatus().app.failedSpecHash;
      upgrade = Instant.now();
      apply(
          cluster,
          ns,
          manifest("1.4.2", "")
              .replace(
                  "    version: \"1.4.2\"\n",
                  "    version: \"1.4.2\"\n    env:\n      - name: TT_POOL_SIZE\n        value: \"-1\"\n"));
      s =
          awaitStatus(
              cluster,
              ns,
              Duration.ofSeconds(180),
              t -> {
                assertThat(t.getStatus().app.state).isEqualTo(AppState.RolledBack);
                assertThat(t.getStatus().app.failedSpecHash).isNotNull().isNotEqualTo(failed160);
                assertThat(t.getStatus().app.failedVersion).isEqualTo("1.4.2");
                assertThat(t.getStatus().condition("AppReady").message)
                    .contains("running the last good version 1.4.2");
                assertRunning(ns, "1.4.2");
                Deployment d =
                    cluster.admin().apps().deployments().inNamespace(ns).withName("tt-app").get();
                assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                    .noneMatch(e -> "TT_POOL_SIZE".equals(e.getName()));
              });
      System.out.printf(
          "crash-looping env change at 1.4.2: rolled back to the last available spec after %.1f s"
              + " (%s)%n",
          Duration.between(upgrade, Instant.now()).toMillis() / 1000.0,
          s.getStatus().app.failureReason);
      assertThat(s.getStatus().app.failureReason).startsWith("CrashLoopBackOff");
      assertThat(s.getStatus().condition("AppReady").message)
          .contains("the spec.app change (env, resources, ...) at version 1.4.2 failed");
    }
  }

  private static final String BROKEN_ENV = "TT_POOL_SIZE=-1";

  private static List<String> env(io.fabric8.kubernetes.api.model.Pod p) {
    return p.getSpec().getContainers().stream()
        .filter(c -> AppObjects.CONTAINER.equals(c.getName()))
        .flatMap(c -> c.getEnv() == null ? java.util.stream.Stream.empty() : c.getEnv().stream())
        .map(e -> e.getName() + "=" + e.getValue())
        .toList();
  }

  @Test
  void aRotatedKeyRestartsOnlyWhatReadsIt() throws Exception {
    String ns = cluster.createNamespace("rotation");
    KubeStacks.createSecret(cluster, ns, Map.of("FEATURE_TOKEN", "first"));
    apply(cluster, ns, manifest("1.4.2", ""));
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      awaitStatus(cluster, ns, Duration.ofSeconds(180), KubeStacks::assertReady);
      Deployment before =
          cluster.admin().apps().deployments().inNamespace(ns).withName("tt-app").get();
      StatefulSet postgres =
          cluster.admin().apps().statefulSets().inNamespace(ns).withName("tt-postgres").get();
      StatefulSet redis =
          cluster.admin().apps().statefulSets().inNamespace(ns).withName("tt-redis").get();
      List<String> appPods = podNames(ns, "app");
      String postgresPod =
          cluster
              .admin()
              .pods()
              .inNamespace(ns)
              .withName("tt-postgres-0")
              .get()
              .getMetadata()
              .getUid();

      // A key only the app reads (every key of the Secret reaches the app's environment).
      cluster
          .admin()
          .secrets()
          .inNamespace(ns)
          .withName(KubeStacks.SECRET)
          .edit(
              sec -> {
                sec.getData()
                    .put(
                        "FEATURE_TOKEN",
                        java.util.Base64.getEncoder().encodeToString("second".getBytes()));
                return sec;
              });
      Instant rotated = Instant.now();
      awaitStatus(
          cluster,
          ns,
          Duration.ofSeconds(180),
          t -> {
            assertReady(t);
            Deployment d =
                cluster.admin().apps().deployments().inNamespace(ns).withName("tt-app").get();
            assertThat(hash(d.getSpec().getTemplate().getMetadata().getAnnotations()))
                .isNotEqualTo(hash(before.getSpec().getTemplate().getMetadata().getAnnotations()));
            assertThat(podNames(ns, "app"))
                .as("the app's pods were replaced")
                .doesNotContainAnyElementsOf(appPods)
                .isNotEmpty();
          });
      System.out.printf(
          "secret rotation: app pods replaced and Ready after %.1f s%n",
          Duration.between(rotated, Instant.now()).toMillis() / 1000.0);

      StatefulSet postgresAfter =
          cluster.admin().apps().statefulSets().inNamespace(ns).withName("tt-postgres").get();
      StatefulSet redisAfter =
          cluster.admin().apps().statefulSets().inNamespace(ns).withName("tt-redis").get();
      assertThat(postgresAfter.getMetadata().getGeneration())
          .as("PostgreSQL does not read FEATURE_TOKEN: untouched")
          .isEqualTo(postgres.getMetadata().getGeneration());
      assertThat(redisAfter.getMetadata().getGeneration())
          .as("Redis does not read FEATURE_TOKEN: untouched")
          .isEqualTo(redis.getMetadata().getGeneration());
      assertThat(
              cluster
                  .admin()
                  .pods()
                  .inNamespace(ns)
                  .withName("tt-postgres-0")
                  .get()
                  .getMetadata()
                  .getUid())
          .as("the PostgreSQL pod was not restarted")
          .isEqualTo(postgresPod);
    }
  }

  /**
   * A stack {@code tt} reading {@code secretRef: tt-secrets}: the name of the Secret the operator
   * would manage for Doppler. Before the fix the operator deleted the user's Secret two seconds
   * after the first reconcile (seen in the audit log: "delete secrets tt-secrets" by the operator's
   * ServiceAccount, 200), and the stack waited for it forever (SecretsSynced=False,
   * SecretNotFound).
   */
  @Test
  void aSecretRefNamedLikeTheManagedSecretIsNeverDeleted() throws Exception {
    String ns = cluster.createNamespace("secretname");
    cluster
        .admin()
        .secrets()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("tt-secrets")
                .endMetadata()
                .withStringData(
                    Map.of(
                        "POSTGRES_USER",
                        "tt",
                        "POSTGRES_PASSWORD",
                        "pw-postgres",
                        "POSTGRES_DB",
                        "tt",
                        "REDIS_PASSWORD",
                        "pw-redis",
                        "GRAFANA_PASSWORD",
                        "pw-grafana"))
                .build())
        .create();
    String uid =
        cluster
            .admin()
            .secrets()
            .inNamespace(ns)
            .withName("tt-secrets")
            .get()
            .getMetadata()
            .getUid();
    long mark = cluster.auditLog().mark();
    apply(
        cluster,
        ns,
        manifest("1.4.2", "").replace("name: " + KubeStacks.SECRET, "name: tt-secrets"));
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      awaitStatus(cluster, ns, Duration.ofSeconds(180), KubeStacks::assertReady);
      assertThat(
              cluster
                  .admin()
                  .secrets()
                  .inNamespace(ns)
                  .withName("tt-secrets")
                  .get()
                  .getMetadata()
                  .getUid())
          .isEqualTo(uid);
      assertThat(
              cluster
                  .auditLog()
                  .since(
                      mark,
                      ChartInstall.user(),
                      e ->
                          ns.equals(e.namespace())
                              && "secrets".equals(e.resource())
                              && "delete".equals(e.verb())))
          .isEmpty();
    }
  }

  private static String hash(Map<String, String> annotations) {
    return annotations == null ? null : annotations.get(AppObjects.SECRET_HASH_ANNOTATION);
  }

  private static List<String> podNames(String ns, String component) {
    return cluster
        .admin()
        .pods()
        .inNamespace(ns)
        .withLabel("app.kubernetes.io/component", component)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .map(p -> p.getMetadata().getName())
        .toList();
  }

  /** Every live app pod runs {@code version}, and the Deployment is complete on it. */
  private static void assertRunning(String ns, String version) {
    Deployment d = cluster.admin().apps().deployments().inNamespace(ns).withName("tt-app").get();
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels().get(AppObjects.VERSION_LABEL))
        .isEqualTo(version);
    assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
    assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(d.getSpec().getReplicas());
    assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(d.getSpec().getReplicas());
  }

  private static String image(io.fabric8.kubernetes.api.model.Pod p) {
    return p.getSpec().getContainers().stream()
        .filter(c -> AppObjects.CONTAINER.equals(c.getName()))
        .map(c -> c.getImage())
        .findFirst()
        .orElse("");
  }

  private static int indexOf(
      List<AuditLog.Entry> log, java.util.function.Predicate<AuditLog.Entry> p) {
    for (int i = 0; i < log.size(); i++) {
      if (p.test(log.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndexOf(
      List<AuditLog.Entry> log, java.util.function.Predicate<AuditLog.Entry> p) {
    for (int i = log.size() - 1; i >= 0; i--) {
      if (p.test(log.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
