package dev.ttstack.operator.redis.cluster;

import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.LocalSecretReference;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.testing.OperatorHarness;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A whole stack brought to the point where the app may start, for lifecycle tests: the stack's
 * Secret, PostgreSQL played ready by the simulator, and the Redis Cluster bootstrapped by the
 * operator on six real local redis-server processes.
 */
public final class StackWorld {
  public static final Duration BOUND = Duration.ofSeconds(60);
  private final OperatorHarness k8s;
  private final LocalRedisCluster redis;
  private final Map<String, String> values = new HashMap<>();

  public StackWorld(OperatorHarness k8s, LocalRedisCluster redis) {
    this.k8s = k8s;
    this.redis = redis;
    values.putAll(
        Map.of(
            "POSTGRES_USER",
            "tt_user",
            "POSTGRES_PASSWORD",
            "pg-pw-2f7c",
            "POSTGRES_DB",
            "tt",
            "GRAFANA_PASSWORD",
            "gf-pw-8a1d",
            "APP_API_KEY",
            "app-key-1"));
    values.put("REDIS_PASSWORD", redis.password());
  }

  /** A stack reading Secret tt-own (no Doppler), named tt. */
  public static TTStack stack() {
    TTStack stack = Stacks.minimal("tt");
    stack.getSpec().secrets.doppler = null;
    stack.getSpec().secrets.secretRef = new LocalSecretReference("tt-own");
    return stack;
  }

  /** Writes (or rewrites) Secret tt-own with the current values. */
  public void writeSecret() {
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

  public void setSecretValue(String key, String value) {
    values.put(key, value);
    writeSecret();
  }

  /** Creates the stack and plays PostgreSQL and Redis up to Ready. */
  public void bringUp(TTStack stack) {
    writeSecret();
    k8s.create(stack);
    String ns = k8s.namespace();
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(
            () ->
                k8s.client().apps().statefulSets().inNamespace(ns).withName("tt-postgres").get()
                        != null
                    && k8s.client().apps().statefulSets().inNamespace(ns).withName("tt-redis").get()
                        != null);
    k8s.simulator().createStatefulSetVolumes(ns, "tt-postgres", "Bound");
    k8s.simulator().createStatefulSetPods(ns, "tt-postgres", List.of("10.42.0.5"));
    k8s.simulator().markStatefulSetReady(ns, "tt-postgres");
    redis.startAll();
    k8s.simulator()
        .createStatefulSetPods(
            ns, "tt-redis", IntStream.range(0, 6).mapToObj(i -> "10.42.1." + (10 + i)).toList());
    k8s.simulator().markStatefulSetReady(ns, "tt-redis");
    k8s.awaitStack(
        "tt",
        s ->
            s.getStatus() != null
                && s.getStatus().condition(ConditionType.POSTGRES_READY) != null
                && s.getStatus().condition(ConditionType.POSTGRES_READY).isTrue());
    await()
        .atMost(BOUND)
        .until(
            () -> {
              TTStack s = k8s.stack("tt").get();
              return s.getStatus().condition(ConditionType.REDIS_CLUSTER_READY).isTrue();
            });
  }
}
