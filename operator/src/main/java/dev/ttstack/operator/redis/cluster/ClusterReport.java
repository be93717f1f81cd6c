package dev.ttstack.operator.redis.cluster;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.RedisNodeStatus;
import dev.ttstack.operator.api.RedisStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one {@link RedisClusterManager#reconcile} saw and did: the figures of {@code status.redis},
 * the {@code RedisClusterReady} condition, and the heal actions taken (each one an Event and a
 * count).
 */
public record ClusterReport(
    boolean healthy,
    String reason,
    String message,
    List<HealAction> actions,
    List<SlotRange> lostSlots,
    String clusterState,
    int slotsAssigned,
    int slotsOk,
    int masters,
    int replicas,
    List<RedisNodeStatus> nodes) {

  /** When the reconciler should look again: soon while something is moving, rarely when healthy. */
  public Duration requeueAfter() {
    return healthy ? Duration.ofSeconds(30) : Duration.ofSeconds(2);
  }

  public Condition condition() {
    return new Condition(
        ConditionType.REDIS_CLUSTER_READY,
        healthy ? Condition.TRUE : Condition.FALSE,
        reason,
        message);
  }

  /**
   * {@code status.redis} from this report; {@code lastHealAction}/{@code lastHealTime} carry over
   * from {@code previous} unless this report took an action.
   */
  public RedisStatus toStatus(RedisStatus previous, Instant now) {
    RedisStatus st = new RedisStatus();
    st.clusterState = clusterState;
    st.slotsAssigned = slotsAssigned;
    st.slotsOk = slotsOk;
    st.masters = masters;
    st.replicas = replicas;
    st.nodes = new ArrayList<>(nodes);
    if (!actions.isEmpty()) {
      st.lastHealAction = actions.get(actions.size() - 1).type().name();
      st.lastHealTime = now.toString();
    } else if (previous != null) {
      st.lastHealAction = previous.lastHealAction;
      st.lastHealTime = previous.lastHealTime;
    }
    return st;
  }

  /** Figures and node list from a snapshot; reason and message as given. */
  static ClusterReport of(
      ClusterSnapshot s,
      ClusterSpec spec,
      List<HealAction> actions,
      List<ClusterHealer.Problem> problems,
      String fallbackReason,
      String fallbackMessage) {
    boolean healthy = problems.isEmpty() && s.healthy(spec.masters(), spec.replicasPerMaster());
    int replicasUp =
        (int) s.members().stream().filter(n -> n.isReplica() && n.replicaLinkUp()).count();
    int masters = (int) s.slotOwners().stream().filter(id -> s.podOfLiveId(id) != null).count();
    boolean anyFail = s.members().stream().anyMatch(n -> !"ok".equals(n.clusterState()));
    String state = s.members().isEmpty() ? "fail" : anyFail ? "fail" : "ok";
    List<SlotRange> lost = problems.stream().flatMap(p -> p.lostSlots().stream()).toList();
    String reason;
    String message;
    if (!problems.isEmpty()) {
      ClusterHealer.Problem first =
          problems.stream()
              .min((a, b) -> Integer.compare(rank(a.reason()), rank(b.reason())))
              .orElseThrow();
      reason = first.reason();
      message =
          String.join(
              "; ", problems.stream().map(ClusterHealer.Problem::message).distinct().toList());
    } else if (healthy) {
      reason = ClusterReasons.HEALTHY;
      message =
          masters
              + " masters, "
              + replicasUp
              + " replicas, "
              + s.slotsServed()
              + "/"
              + SlotRange.SLOTS
              + " slots served, cluster_state ok on every node";
    } else {
      reason = fallbackReason;
      message = fallbackMessage != null ? fallbackMessage : describeUnhealthy(s, spec);
    }
    return new ClusterReport(
        healthy,
        reason,
        message,
        List.copyOf(actions),
        lost,
        state,
        s.slotsAssigned(),
        s.slotsServed(),
        masters,
        replicasUp,
        nodes(s));
  }

  private static int rank(String reason) {
    List<String> order =
        List.of(
            ClusterReasons.SLOTS_LOST,
            ClusterReasons.ONLY_COPY_WITHOUT_IDENTITY,
            ClusterReasons.CLUSTER_LOST,
            ClusterReasons.SCALE_CHANGE_REFUSED,
            ClusterReasons.SHARD_DOWN);
    int i = order.indexOf(reason);
    return i < 0 ? order.size() : i;
  }

  static String describeUnhealthy(ClusterSnapshot s, ClusterSpec spec) {
    List<String> parts = new ArrayList<>();
    for (NodeState n : s.nodes()) {
      switch (n.kind()) {
        case UNREACHABLE -> parts.add(n.pod() + " not answering");
        case GATED -> parts.add(n.pod() + " held at its start-up gate");
        case RUNNING -> {
          if (n.alone()) {
            parts.add(n.pod() + " not in the cluster");
          } else if (!"ok".equals(n.clusterState())) {
            parts.add(n.pod() + " reports cluster_state:" + n.clusterState());
          } else if (n.isReplica() && !n.replicaLinkUp()) {
            parts.add(n.pod() + " replica link down");
          } else if (n.knownNodes() != s.pods().size()) {
            parts.add(n.pod() + " knows " + n.knownNodes() + " nodes");
          }
        }
        default -> {}
      }
    }
    parts.add(s.slotsServed() + "/" + SlotRange.SLOTS + " slots served");
    long replicas = s.members().stream().filter(NodeState::isReplica).count();
    if (replicas != (long) spec.masters() * spec.replicasPerMaster()) {
      parts.add(replicas + " of " + spec.masters() * spec.replicasPerMaster() + " replicas");
    }
    return String.join(", ", parts);
  }

  static List<RedisNodeStatus> nodes(ClusterSnapshot s) {
    List<RedisNodeStatus> list = new ArrayList<>();
    for (NodeState n : s.nodes()) {
      RedisNodeStatus ns = new RedisNodeStatus();
      ns.pod = n.pod();
      ClusterNode self = n.self();
      if (n.gated()) {
        ns.role = "gated";
      } else if (!n.running() || self == null) {
        ns.role = "down";
      } else if (n.alone()) {
        ns.role = "unjoined";
      } else if (self.isReplica()) {
        ns.role = "replica";
        ns.master = self.masterId() == null ? null : s.podOfLiveId(self.masterId());
        ns.linkUp = n.replicaLinkUp();
      } else {
        ns.role = "master";
        List<SlotRange> slots = s.slotsOf(self.id());
        ns.slots = slots.isEmpty() ? null : SlotRange.format(slots);
      }
      list.add(ns);
    }
    return list;
  }
}
