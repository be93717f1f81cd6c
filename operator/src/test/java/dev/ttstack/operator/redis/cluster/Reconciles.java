package dev.ttstack.operator.redis.cluster;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Plays the reconciler's requeue loop: {@code reconcile} again until the report says healthy, with
 * a bound. Collects every action taken on the way.
 */
final class Reconciles {
  final List<HealAction> actions = new ArrayList<>();
  final List<ClusterReport> reports = new ArrayList<>();

  ClusterReport untilHealthy(RedisClusterManager manager, ClusterRequest request, Duration bound) {
    AtomicReference<ClusterReport> last = new AtomicReference<>();
    await("cluster healthy")
        .atMost(bound)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(100))
        .failFast("no progress possible", () -> last.get() != null && isTerminalProblem(last.get()))
        .until(
            () -> {
              ClusterReport r = manager.reconcile(request);
              last.set(r);
              actions.addAll(r.actions());
              reports.add(r);
              return r.healthy();
            });
    return last.get();
  }

  private static boolean isTerminalProblem(ClusterReport r) {
    return ClusterReasons.AUTH_FAILED.equals(r.reason());
  }

  List<HealAction.Type> types() {
    return actions.stream().map(HealAction::type).toList();
  }

  static ClusterRequest request(LocalRedisCluster cluster, boolean allowDataLoss) {
    return new ClusterRequest(
        "tt",
        cluster.pods(),
        cluster.resolver(),
        new ClusterSpec(3, 1, allowDataLoss),
        cluster.credentials(),
        false);
  }
}
