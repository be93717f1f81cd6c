package dev.ttstack.operator.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.LocalSecretReference;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.testing.OperatorHarness;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * The Redis component with the real operator: the simulator's pods map to six real local
 * redis-server processes through the resolver seam, and the operator bootstraps, reports, refuses a
 * scale change and rotates the password on them.
 */
class RedisComponentTest {
  static final String OLD_PASSWORD = "redis-old-pw-" + Long.toHexString(System.nanoTime());
  static final String NEW_PASSWORD = "redis-new-pw-" + Long.toHexString(System.nanoTime() + 1);
  static final Duration BOUND = Duration.ofSeconds(60);

  @RegisterExtension
  @Order(1)
  final LocalRedisCluster redis = new LocalRedisCluster("tt", 6, OLD_PASSWORD);

  @RegisterExtension
  @Order(2)
  final OperatorHarness k8s =
      new OperatorHarness()
          .withoutLeaderElection()
          .withRedisResolver(pod -> redis.resolver().resolve(pod));

  private void secret(String redisPassword) {
    Map<String, String> values =
        new HashMap<>(
            Map.of(
                "POSTGRES_USER",
                "u",
                "POSTGRES_PASSWORD",
                "p",
                "POSTGRES_DB",
                "d",
                "GRAFANA_PASSWORD",
                "g"));
    values.put("REDIS_PASSWORD", redisPassword);
    k8s.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("tt-own")
                .withNamespace(k8s.namespace())
                .endMetadata()
                .withStringData(values)
                .build())
        .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
  }

  private TTStack awaitRedis(Predicate<Condition> p) {
    return k8s.awaitStack(
        "tt",
        s ->
            s.getStatus() != null
                && s.getStatus().condition(ConditionType.REDIS_CLUSTER_READY) != null
                && p.test(s.getStatus().condition(ConditionType.REDIS_CLUSTER_READY)));
  }

  private StatefulSet statefulSet() {
    return k8s.client()
        .apps()
        .statefulSets()
        .inNamespace(k8s.namespace())
        .withName("tt-redis")
        .get();
  }

  private boolean accepts(String pod, String password) {
    NodeAddress a = redis.resolver().resolve(pod);
    try (Jedis j =
        new Jedis(
            a.host(), a.port(), DefaultJedisClientConfig.builder().password(password).build())) {
      return "PONG".equals(j.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void startCluster() {
    secret(OLD_PASSWORD);
    TTStack stack = Stacks.minimal("tt");
    stack.getSpec().secrets.doppler = null;
    stack.getSpec().secrets.secretRef = new LocalSecretReference("tt-own");
    k8s.create(stack);
    await().atMost(OperatorHarness.TIMEOUT).until(() -> statefulSet() != null);
    redis.startAll();
    k8s.simulator()
        .createStatefulSetPods(
            k8s.namespace(),
            "tt-redis",
            IntStream.range(0, 6).mapToObj(i -> "10.42.1." + (10 + i)).toList());
    k8s.simulator().markStatefulSetReady(k8s.namespace(), "tt-redis");
  }

  @Test
  void bootstrapsOnceAllPodsRunAndReports() {
    startCluster();

    TTStack ready =
        await()
            .atMost(BOUND)
            .until(
                () -> k8s.stack("tt").get(),
                s ->
                    s.getStatus() != null
                        && s.getStatus().condition(ConditionType.REDIS_CLUSTER_READY) != null
                        && s.getStatus().condition(ConditionType.REDIS_CLUSTER_READY).isTrue());

    var r = ready.getStatus().redis;
    assertThat(r.clusterState).isEqualTo("ok");
    assertThat(r.slotsAssigned).isEqualTo(16384);
    assertThat(r.slotsOk).isEqualTo(16384);
    assertThat(r.masters).isEqualTo(3);
    assertThat(r.replicas).isEqualTo(3);
    assertThat(r.nodes).hasSize(6);
    assertThat(r.lastHealAction).isEqualTo("Bootstrap");
    assertThat(
            k8s.client().configMaps().inNamespace(k8s.namespace()).withName("tt-redis-state").get())
        .isNotNull();
    assertThat(k8s.client().v1().events().inNamespace(k8s.namespace()).list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Bootstrap"));
    assertThat(statefulSet().getSpec().getReplicas()).isEqualTo(6);
    assertThat(statefulSet().getSpec().getTemplate().getMetadata().getAnnotations())
        .as("password changes rotate live, they do not restart nodes")
        .doesNotContainKey("ttstack.dev/secret-hash");
  }

  @Test
  void scaleChangeIsRefusedAndTheClusterKeepsItsShape() {
    startCluster();
    awaitRedis(Condition::isTrue);

    k8s.editStack("tt", s -> s.getSpec().redis.masters = 4);

    TTStack refused = awaitRedis(c -> "ScaleChangeRefused".equals(c.reason));
    assertThat(refused.getStatus().condition(ConditionType.REDIS_CLUSTER_READY).status)
        .isEqualTo(Condition.FALSE);
    assertThat(statefulSet().getSpec().getReplicas()).isEqualTo(6);
    assertThat(refused.getStatus().redis.slotsOk).isEqualTo(16384);
  }

  @Test
  void passwordRotatesLiveWithoutRestartingNodes() {
    startCluster();
    awaitRedis(Condition::isTrue);

    secret(NEW_PASSWORD);

    // No app Deployment holds the old password, so both phases run: add the new one, drop the old.
    await()
        .atMost(BOUND)
        .until(
            () ->
                redis.pods().stream()
                    .allMatch(p -> accepts(p, NEW_PASSWORD) && !accepts(p, OLD_PASSWORD)));
    Secret auth =
        k8s.client().secrets().inNamespace(k8s.namespace()).withName("tt-redis-auth").get();
    await()
        .atMost(BOUND)
        .until(
            () ->
                !k8s.client()
                    .secrets()
                    .inNamespace(k8s.namespace())
                    .withName("tt-redis-auth")
                    .get()
                    .getData()
                    .containsKey("previous"));
    String current =
        new String(
            Base64.getDecoder()
                .decode(
                    k8s.client()
                        .secrets()
                        .inNamespace(k8s.namespace())
                        .withName("tt-redis-auth")
                        .get()
                        .getData()
                        .get("current")),
            StandardCharsets.UTF_8);
    assertThat(current.equals(NEW_PASSWORD)).isTrue();
    assertThat(auth).isNotNull();
    awaitRedis(Condition::isTrue);
    assertThat(k8s.client().v1().events().inNamespace(k8s.namespace()).list().getItems())
        .extracting(e -> e.getReason())
        .contains("RedisPasswordAdded", "RedisPasswordRotated");
    assertThat(List.of(redis.pods().size())).containsExactly(6);
  }
}
