package dev.ttstack.operator.redis.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Micrometer meters of the cluster manager, per stack: {@code
 * ttstack_redis_heal_actions_total{stack,action}} and the gauges {@code
 * ttstack_redis_cluster_healthy}, {@code ttstack_redis_slots_ok}, {@code ttstack_redis_masters},
 * {@code ttstack_redis_replicas} (Prometheus names).
 */
public final class RedisClusterMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> gauges = new ConcurrentHashMap<>();

  public RedisClusterMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void actionTaken(String stack, HealAction action) {
    Counter.builder("ttstack.redis.heal.actions")
        .description("Heal actions the operator took on a Redis Cluster")
        .tag("stack", stack)
        .tag("action", action.type().name())
        .register(registry)
        .increment();
  }

  public void observed(String stack, ClusterReport report) {
    gauge(
            stack,
            "ttstack.redis.cluster.healthy",
            "1 when every node is ok, every slot served and every replica link up")
        .set(report.healthy() ? 1 : 0);
    gauge(stack, "ttstack.redis.slots.ok", "Slots served by a reachable, non-failing master")
        .set(report.slotsOk());
    gauge(stack, "ttstack.redis.masters", "Masters owning slots").set(report.masters());
    gauge(stack, "ttstack.redis.replicas", "Replicas with their link up").set(report.replicas());
  }

  private AtomicInteger gauge(String stack, String name, String description) {
    return gauges.computeIfAbsent(
        stack + "\u0000" + name,
        k -> {
          AtomicInteger value = new AtomicInteger();
          Gauge.builder(name, value, AtomicInteger::get)
              .description(description)
              .tag("stack", stack)
              .register(registry);
          return value;
        });
  }
}
