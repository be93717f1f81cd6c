package dev.ttstack.operator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.AppState;
import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.EnvVarSpec;
import dev.ttstack.operator.api.IngressSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.postgres.BackupJobs;
import dev.ttstack.operator.redis.cluster.LocalRedisCluster;
import dev.ttstack.operator.redis.cluster.StackWorld;
import dev.ttstack.operator.testing.OperatorHarness;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whole app lifecycles with the real operator: the simulator plays Kubernetes, six real
 * redis-server processes are the Redis Cluster the operator bootstraps.
 */
class AppComponentTest {
  @RegisterExtension
  @Order(1)
  final LocalRedisCluster redis = new LocalRedisCluster("tt", 6);

  @RegisterExtension
  @Order(2)
  final OperatorHarness k8s =
      new OperatorHarness()
          .withoutLeaderElection()
          .withRedisResolver(pod -> redis.resolver().resolve(pod));

  private StackWorld world() {
    return new StackWorld(k8s, redis);
  }

  private Deployment deployment() {
    return k8s.client().apps().deployments().inNamespace(k8s.namespace()).withName("tt-app").get();
  }

  private String deployedVersion() {
    Deployment d = deployment();
    return d == null ? null : AppComponent.version(d);
  }

  private TTStack awaitApp(Predicate<Condition> p) {
    return k8s.awaitStack(
        "tt",
        s ->
            s.getStatus() != null
                && s.getStatus().condition(ConditionType.APP_READY) != null
                && p.test(s.getStatus().condition(ConditionType.APP_READY)));
  }

  private static Predicate<Condition> reason(String reason) {
    return c -> reason.equals(c.reason);
  }

  private void edit(Consumer<TTStack> change) {
    k8s.editStack("tt", change);
  }

  /** Running version 1.0.0, available: the starting point of an upgrade. */
  private StackWorld installed(Consumer<TTStack> customize) {
    StackWorld world = world();
    TTStack stack = StackWorld.stack();
    stack.getSpec().app.replicas = 2;
    customize.accept(stack);
    world.bringUp(stack);
    await().atMost(OperatorHarness.TIMEOUT).until(() -> deployment() != null);
    k8s.simulator().markDeploymentAvailable(k8s.namespace(), "tt-app");
    awaitApp(Condition::isTrue);
    return world;
  }

  private void crash(String version, String reason) {
    await().atMost(OperatorHarness.TIMEOUT).until(() -> version.equals(deployedVersion()));
    List<Pod> pods = k8s.simulator().createDeploymentPods(k8s.namespace(), "tt-app", 1);
    k8s.simulator()
        .setContainerWaiting(k8s.namespace(), pods.get(0).getMetadata().getName(), reason, 5);
  }

  @Test
  void firstInstallWaitsForItsDependenciesThenRuns() {
    StackWorld world = world();
    TTStack stack = StackWorld.stack();
    stack.getSpec().app.ingress = new IngressSpec();
    stack.getSpec().app.ingress.host = "api.tt.example.com";
    stack.getSpec().app.ingress.tlsSecret = "tt-api-tls";
    world.writeSecret();
    k8s.create(stack);

    TTStack waiting = awaitApp(reason("WaitingForDependencies"));
    assertThat(waiting.getStatus().condition(ConditionType.APP_READY).message)
        .contains("PostgresReady", "RedisClusterReady");
    assertThat(deployment()).isNull();
    k8s.client().resources(TTStack.class).inNamespace(k8s.namespace()).withName("tt").delete();
    await().atMost(OperatorHarness.TIMEOUT).until(() -> k8s.stack("tt").get() == null);
    k8s.simulator().collectGarbage(k8s.namespace());

    world.bringUp(stack);
    await().atMost(OperatorHarness.TIMEOUT).until(() -> deployment() != null);
    Deployment d = deployment();
    var pod = d.getSpec().getTemplate().getSpec();
    var app = pod.getContainers().get(0);
    assertThat(app.getImage()).isEqualTo("ghcr.io/tt-org/tt-backend:1.0.0");
    assertThat(app.getEnv())
        .extracting(EnvVar::getName)
        .contains(
            "SPRING_PROFILES_ACTIVE",
            "SPRING_DATASOURCE_URL",
            "SPRING_DATASOURCE_USERNAME",
            "SPRING_DATASOURCE_PASSWORD",
            "SPRING_DATA_REDIS_CLUSTER_NODES",
            "SPRING_DATA_REDIS_PASSWORD");
    assertThat(app.getEnv())
        .filteredOn(e -> e.getName().equals("SPRING_DATASOURCE_URL"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getValue())
                    .isEqualTo("jdbc:postgresql://tt-postgres:5432/$(POSTGRES_DB)"));
    assertThat(app.getEnv())
        .filteredOn(e -> e.getName().equals("SPRING_DATA_REDIS_CLUSTER_NODES"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getValue())
                    .startsWith("tt-redis-0.tt-redis-headless.tt-test.svc:6379,")
                    .contains("tt-redis-5."));
    assertThat(app.getEnv())
        .filteredOn(e -> e.getName().endsWith("PASSWORD"))
        .allSatisfy(
            e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("tt-own"));
    assertThat(app.getEnvFrom())
        .singleElement()
        .satisfies(f -> assertThat(f.getSecretRef().getName()).isEqualTo("tt-own"));
    assertThat(app.getReadinessProbe().getHttpGet().getPath())
        .isEqualTo("/actuator/health/readiness");
    assertThat(app.getLivenessProbe().getHttpGet().getPath())
        .isEqualTo("/actuator/health/liveness");
    assertThat(app.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health");
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();
    assertThat(app.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(30L);
    assertThat(k8s.client().services().inNamespace(k8s.namespace()).withName("tt-app").get())
        .isNotNull();
    var ingress =
        k8s.client()
            .network()
            .v1()
            .ingresses()
            .inNamespace(k8s.namespace())
            .withName("tt-app")
            .get();
    assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("traefik");
    assertThat(ingress.getSpec().getTls())
        .singleElement()
        .satisfies(t -> assertThat(t.getSecretName()).isEqualTo("tt-api-tls"));
    String json = Serialization.asJson(d);
    assertThat(json.contains("pg-pw-2f7c") || json.contains(redis.password()))
        .as("a secret value in the Deployment")
        .isFalse();

    k8s.simulator().markDeploymentAvailable(k8s.namespace(), "tt-app");
    TTStack ready = awaitApp(Condition::isTrue);
    assertThat(ready.getStatus().app.version).isEqualTo("1.0.0");
    assertThat(ready.getStatus().app.lastGoodVersion).isEqualTo("1.0.0");
    assertThat(
            k8s.awaitStack("tt", s -> s.getStatus().condition(ConditionType.READY) != null)
                .getStatus()
                .condition(ConditionType.READY)
                .message)
        .doesNotContain("AppReady");

    k8s.editStack("tt", s -> s.getSpec().app.ingress = null);
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(
            () ->
                k8s.client()
                        .network()
                        .v1()
                        .ingresses()
                        .inNamespace(k8s.namespace())
                        .withName("tt-app")
                        .get()
                    == null);
  }

  @Test
  void upgradeTakesABackupFirstThenRollsOutAndMovesLastGood() {
    installed(s -> {});

    edit(s -> s.getSpec().app.version = "1.1.0");

    TTStack backingUp = awaitApp(reason("BackingUpBeforeUpgrade"));
    String job = BackupJobs.preChangeJobName(backingUp, "app 1.1.0");
    assertThat(deployedVersion()).isEqualTo("1.0.0");
    k8s.simulator()
        .finishJob(
            k8s.namespace(),
            job,
            true,
            "{\"file\":\"tt-pre.dump\",\"sizeBytes\":42,\"time\":\"2026-11-26T04:00:00Z\"}");
    await().atMost(OperatorHarness.TIMEOUT).until(() -> "1.1.0".equals(deployedVersion()));
    awaitApp(reason("RollingOut"));
    k8s.simulator().markDeploymentAvailable(k8s.namespace(), "tt-app");

    TTStack upgraded = awaitApp(Condition::isTrue);
    assertThat(upgraded.getStatus().app.version).isEqualTo("1.1.0");
    assertThat(upgraded.getStatus().app.lastGoodVersion).isEqualTo("1.1.0");
    assertThat(k8s.client().v1().events().inNamespace(k8s.namespace()).list().getItems())
        .anySatisfy(e -> assertThat(e.getMessage()).contains("version 1.1.0 is available"));
  }

  @Test
  void backupFailureBlocksTheUpgrade() {
    installed(s -> {});
    edit(s -> s.getSpec().app.version = "1.1.0");
    TTStack backingUp = awaitApp(reason("BackingUpBeforeUpgrade"));
    String job = BackupJobs.preChangeJobName(backingUp, "app 1.1.0");

    k8s.simulator().finishJob(k8s.namespace(), job, false, "{\"error\":\"pg_dump failed\"}");

    TTStack blocked = awaitApp(reason("BackupFailed"));
    assertThat(blocked.getStatus().condition(ConditionType.APP_READY).message)
        .contains("delete Job " + job, "beforeUpgrade: false");
    assertThat(deployedVersion()).isEqualTo("1.0.0");
  }

  @Test
  void crashLoopingVersionIsRolledBackAndNotRetried() {
    installed(s -> s.getSpec().postgres.backup.beforeUpgrade = false);
    edit(s -> s.getSpec().app.version = "1.1.0");

    crash("1.1.0", "CrashLoopBackOff");

    TTStack rolledBack = awaitApp(reason("RolledBack"));
    assertThat(rolledBack.getStatus().app.failedVersion).isEqualTo("1.1.0");
    assertThat(rolledBack.getStatus().app.failureReason).startsWith("CrashLoopBackOff");
    assertThat(rolledBack.getStatus().app.lastRollbackTime).isNotNull();
    assertThat(k8s.operator().registry().scrape())
        .contains("ttstack_app_rollbacks_total{namespace=\"tt-test\",stack=\"tt\"} 1.0");
    await().atMost(OperatorHarness.TIMEOUT).until(() -> "1.0.0".equals(deployedVersion()));
    k8s.simulator().markDeploymentAvailable(k8s.namespace(), "tt-app");
    TTStack after =
        awaitApp(
            c ->
                "RolledBack".equals(c.reason)
                    && c.message.contains("running the last good version 1.0.0"));
    assertThat(after.getStatus().app.version).isEqualTo("1.0.0");
    assertThat(k8s.client().v1().events().inNamespace(k8s.namespace()).list().getItems())
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("RolledBack");
              assertThat(e.getType()).isEqualTo("Warning");
            });
    k8s.awaitIdle();
    assertThat(deployedVersion()).as("the failed version is not retried").isEqualTo("1.0.0");

    edit(s -> s.getSpec().app.version = "1.1.1");
    await().atMost(OperatorHarness.TIMEOUT).until(() -> "1.1.1".equals(deployedVersion()));
  }

  @Test
  void aCrashLoopingEnvChangeAtTheSameVersionIsRolledBackToTheLastAvailableSpec() {
    installed(s -> s.getSpec().postgres.backup.beforeUpgrade = false);
    TTStack before = k8s.stack("tt").get();
    assertThat(before.getStatus().app.state).isEqualTo(AppState.Available);
    String goodHash = specHash();

    edit(s -> s.getSpec().app.env.add(new EnvVarSpec("TT_POOL_SIZE", "-1")));
    await().atMost(OperatorHarness.TIMEOUT).until(() -> !goodHash.equals(specHash()));
    String brokenHash = specHash();
    assertThat(deployedVersion()).as("the version stays").isEqualTo("1.0.0");
    List<Pod> pods = k8s.simulator().createDeploymentPods(k8s.namespace(), "tt-app", 1);
    k8s.simulator()
        .setContainerWaiting(
            k8s.namespace(), pods.get(0).getMetadata().getName(), "CrashLoopBackOff", 5);

    TTStack rolledBack = awaitApp(reason("RolledBack"));
    assertThat(rolledBack.getStatus().app.state).isEqualTo(AppState.RolledBack);
    assertThat(rolledBack.getStatus().app.failedSpecHash).isEqualTo(brokenHash);
    assertThat(rolledBack.getStatus().condition(ConditionType.APP_READY).message)
        .contains("the spec.app change (env, resources, ...) at version 1.0.0 failed");
    await().atMost(OperatorHarness.TIMEOUT).until(() -> goodHash.equals(specHash()));
    assertThat(deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .extracting(EnvVar::getName)
        .doesNotContain("TT_POOL_SIZE");
    k8s.simulator().markDeploymentAvailable(k8s.namespace(), "tt-app");
    awaitApp(c -> "RolledBack".equals(c.reason) && c.message.contains("running the last good"));
    k8s.awaitIdle();
    assertThat(specHash()).as("the failed spec is not retried").isEqualTo(goodHash);

    edit(s -> s.getSpec().app.env.get(s.getSpec().app.env.size() - 1).value = "20");
    await().atMost(OperatorHarness.TIMEOUT).until(() -> !goodHash.equals(specHash()));
    k8s.simulator().markDeploymentAvailable(k8s.namespace(), "tt-app");
    TTStack fixed = awaitApp(Condition::isTrue);
    assertThat(fixed.getStatus().app.state).isEqualTo(AppState.Available);
    assertThat(fixed.getStatus().app.lastAvailableSpec.env)
        .extracting(e -> e.name + "=" + e.value)
        .contains("TT_POOL_SIZE=20");
  }

  private String specHash() {
    return deployment()
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(AppObjects.SPEC_HASH_ANNOTATION);
  }

  @Test
  void unpullableImageAndMissedDeadlineAreRolledBackToo() {
    installed(s -> s.getSpec().postgres.backup.beforeUpgrade = false);
    edit(s -> s.getSpec().app.version = "1.2.0-typo");
    crash("1.2.0-typo", "ImagePullBackOff");
    assertThat(awaitApp(reason("RolledBack")).getStatus().app.failureReason)
        .startsWith("ImagePullBackOff");
    await().atMost(OperatorHarness.TIMEOUT).until(() -> "1.0.0".equals(deployedVersion()));
    k8s.simulator().markDeploymentAvailable(k8s.namespace(), "tt-app");
    awaitApp(c -> c.message.contains("running the last good version"));

    edit(s -> s.getSpec().app.version = "1.3.0");
    await().atMost(OperatorHarness.TIMEOUT).until(() -> "1.3.0".equals(deployedVersion()));
    k8s.simulator()
        .markDeploymentFailed(k8s.namespace(), "tt-app", "ReplicaSet has timed out progressing");

    TTStack rolledBack =
        awaitApp(c -> "RolledBack".equals(c.reason) && c.message.contains("1.3.0"));
    assertThat(rolledBack.getStatus().app.failureReason).startsWith("ProgressDeadlineExceeded");
    await().atMost(OperatorHarness.TIMEOUT).until(() -> "1.0.0".equals(deployedVersion()));
  }

  @Test
  void withoutAutoRollbackAFailedRolloutIsOnlyReported() {
    installed(
        s -> {
          s.getSpec().postgres.backup.beforeUpgrade = false;
          s.getSpec().app.rollout.autoRollback = false;
        });
    edit(s -> s.getSpec().app.version = "1.1.0");

    crash("1.1.0", "CrashLoopBackOff");

    TTStack failed = awaitApp(reason("CrashLoopBackOff"));
    assertThat(failed.getStatus().condition(ConditionType.APP_READY).message)
        .contains("autoRollback is off");
    k8s.awaitIdle();
    assertThat(deployedVersion()).isEqualTo("1.1.0");
    assertThat(failed.getStatus().app.failedVersion).isNull();
  }

  @Test
  void secretChangeRollsTheAppOnceAndUnrelatedKeysNever() {
    StackWorld world = installed(s -> {});
    String hash =
        deployment()
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(AppObjects.SECRET_HASH_ANNOTATION);
    assertThat(hash).isNotNull();

    world.setSecretValue("GRAFANA_PASSWORD", "gf-pw-rotated");
    k8s.awaitIdle();
    assertThat(
            deployment()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(AppObjects.SECRET_HASH_ANNOTATION))
        .as("a monitoring-only key does not roll the app")
        .isEqualTo(hash);
    long generation = deployment().getMetadata().getGeneration();

    world.setSecretValue("APP_API_KEY", "app-key-2");
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(
            () ->
                !hash.equals(
                    deployment()
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getAnnotations()
                        .get(AppObjects.SECRET_HASH_ANNOTATION)));
    k8s.awaitIdle();
    assertThat(deployment().getMetadata().getGeneration())
        .as("exactly one rollout")
        .isEqualTo(generation + 1);
  }

  @Test
  void steadyStateMakesNoWrites() {
    installed(s -> {});
    k8s.awaitIdle();
    int mark = k8s.requestMark();

    k8s.restartOperator();
    k8s.awaitReconciliations(1);
    k8s.awaitIdle();

    assertThat(k8s.writeListSince(mark)).as("API writes in steady state").isEmpty();
  }
}
