package dev.ttstack.operator.redis.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's Redis Cluster manager: called once per reconcile, it observes every node, then
 * either bootstraps empty nodes (only when no cluster exists), or takes one healing pass, and
 * reports. It speaks the Redis protocol itself (Jedis), never {@code kubectl exec}.
 *
 * <p>Thread-safe: it keeps no state between calls other than its meters.
 */
public final class RedisClusterManager {
  private static final Logger LOG = LoggerFactory.getLogger(RedisClusterManager.class);
  private final RedisClusterMetrics metrics;

  public RedisClusterManager(MeterRegistry registry) {
    this.metrics = new RedisClusterMetrics(registry);
  }

  public ClusterSnapshot observe(ClusterRequest req) {
    return ClusterObserver.observe(req.pods(), req.resolver(), req.credentials());
  }

  public ClusterReport reconcile(ClusterRequest req) {
    ClusterReport report = reconcileOnce(req);
    metrics.observed(req.stack(), report);
    return report;
  }

  private ClusterReport reconcileOnce(ClusterRequest req) {
    ClusterSpec spec = req.spec();
    ClusterSnapshot s = observe(req);
    List<HealAction> actions = new ArrayList<>();
    List<ClusterHealer.Problem> problems = new ArrayList<>();

    if (s.nodes().stream().anyMatch(n -> "password refused".equals(n.error()))) {
      return ClusterReport.of(
          s,
          spec,
          actions,
          List.of(
              new ClusterHealer.Problem(
                  ClusterReasons.AUTH_FAILED,
                  "some nodes refuse the password of the Secret (and the previous one, if any)",
                  List.of())),
          null,
          null);
    }
    if (!s.clusterExists()) {
      if (!s.nodes().stream().allMatch(NodeState::running)) {
        return ClusterReport.of(s, spec, actions, problems, ClusterReasons.WAITING_FOR_PODS, null);
      }
      if (!ClusterBootstrap.canBootstrap(s, spec)) {
        return ClusterReport.of(
            s,
            spec,
            actions,
            List.of(
                new ClusterHealer.Problem(
                    ClusterReasons.ONLY_COPY_WITHOUT_IDENTITY,
                    "no cluster exists but some nodes hold keys or foreign slots; the operator does not bootstrap over data",
                    List.of())),
            null,
            null);
      }
      if (req.clusterCreated() && !spec.allowDataLoss()) {
        return lost(s, spec, "every node came back empty: the cluster's data is lost");
      }
      new ClusterBootstrap(spec, req.credentials()).run(s);
      HealAction bootstrap =
          new HealAction(
              HealAction.Type.Bootstrap,
              null,
              spec.masters()
                  + " masters, "
                  + spec.replicasPerMaster()
                  + " replica(s) each, on "
                  + s.pods().size()
                  + " pods");
      LOG.info("redis {}: {}", req.stack(), bootstrap);
      metrics.actionTaken(req.stack(), bootstrap);
      actions.add(bootstrap);
      return ClusterReport.of(
          observe(req), spec, actions, problems, ClusterReasons.BOOTSTRAPPING, null);
    }
    if (s.members().isEmpty()) {
      // Only gates (and maybe empty or missing nodes): every node lost its nodes.conf.
      if (!spec.allowDataLoss()) {
        return lost(s, spec, "every node lost its nodes.conf and waits at its start-up gate");
      }
      for (NodeState g : s.gated()) {
        Gate.releaseFresh(g.address(), req.credentials());
        HealAction a =
            new HealAction(
                HealAction.Type.ReleaseGate,
                g.pod(),
                "the whole cluster is lost; allowDataLoss: starting it empty");
        metrics.actionTaken(req.stack(), a);
        actions.add(a);
      }
      return ClusterReport.of(observe(req), spec, actions, problems, ClusterReasons.HEALING, null);
    }

    int shards = s.slotOwners().size();
    if (shards != spec.masters() || s.pods().size() != spec.nodeCount()) {
      problems.add(
          new ClusterHealer.Problem(
              ClusterReasons.SCALE_CHANGE_REFUSED,
              "the cluster has "
                  + shards
                  + " masters on "
                  + s.pods().size()
                  + " pods but the spec asks for "
                  + spec.masters()
                  + " masters with "
                  + spec.replicasPerMaster()
                  + " replica(s) each; changing the shape needs resharding, which is not"
                  + " supported yet: restore the previous values",
              List.of()));
    }
    ClusterHealer healer =
        new ClusterHealer(spec, req.credentials(), a -> metrics.actionTaken(req.stack(), a));
    ClusterHealer.Outcome outcome = healer.heal(s, () -> observe(req));
    actions.addAll(outcome.actions());
    problems.addAll(outcome.problems());
    ClusterSnapshot after = actions.isEmpty() ? s : observe(req);
    boolean waiting = after.nodes().stream().anyMatch(n -> !n.running() && !n.gated());
    String reason =
        !actions.isEmpty()
            ? ClusterReasons.HEALING
            : waiting ? ClusterReasons.WAITING_FOR_PODS : ClusterReasons.CONVERGING;
    return ClusterReport.of(after, spec, actions, problems, reason, null);
  }

  private static ClusterReport lost(ClusterSnapshot s, ClusterSpec spec, String why) {
    List<SlotRange> all = List.of(new SlotRange(0, SlotRange.SLOTS - 1));
    return ClusterReport.of(
        s,
        spec,
        List.of(),
        List.of(
            new ClusterHealer.Problem(
                ClusterReasons.CLUSTER_LOST,
                why
                    + "; slots 0-16383 are lost. Set spec.redis.allowDataLoss: true to create the cluster again, empty",
                all)),
        null,
        null);
  }
}
