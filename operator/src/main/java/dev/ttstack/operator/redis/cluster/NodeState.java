package dev.ttstack.operator.redis.cluster;

import java.util.List;
import java.util.Map;

/**
 * One pod's node as the operator found it: running (answers on the Redis port), held by its
 * start-up gate, or unreachable.
 */
public record NodeState(
    String pod,
    NodeAddress address,
    Kind kind,
    String myId,
    List<ClusterNode> view,
    Map<String, String> clusterInfo,
    Map<String, String> replication,
    long keys,
    GateInfo gate,
    String error) {

  public enum Kind {
    RUNNING,
    GATED,
    UNREACHABLE
  }

  /** What a closed start-up gate reports (see redis-start.sh). */
  public record GateInfo(String reason, boolean dataFiles) {}

  public static NodeState unreachable(String pod, NodeAddress address, String error) {
    return new NodeState(
        pod, address, Kind.UNREACHABLE, null, List.of(), Map.of(), Map.of(), 0, null, error);
  }

  public static NodeState gated(String pod, NodeAddress address, GateInfo gate) {
    return new NodeState(
        pod, address, Kind.GATED, null, List.of(), Map.of(), Map.of(), 0, gate, null);
  }

  public boolean running() {
    return kind == Kind.RUNNING;
  }

  public boolean gated() {
    return kind == Kind.GATED;
  }

  public ClusterNode self() {
    return view.stream().filter(ClusterNode::myself).findFirst().orElse(null);
  }

  public int knownNodes() {
    return view.size();
  }

  /** A node that knows only itself: never bootstrapped, reset, or started without nodes.conf. */
  public boolean alone() {
    return running() && view.size() <= 1;
  }

  /** Alone, no slots, no keys: can be bootstrapped or joined without losing anything. */
  public boolean empty() {
    ClusterNode self = self();
    return alone() && keys == 0 && (self == null || !self.hasSlots());
  }

  public String clusterState() {
    return clusterInfo.getOrDefault("cluster_state", "unknown");
  }

  public int slotsOk() {
    return Integer.parseInt(clusterInfo.getOrDefault("cluster_slots_ok", "0"));
  }

  public boolean isReplica() {
    return "slave".equals(replication.get("role"));
  }

  public boolean replicaLinkUp() {
    return "up".equals(replication.get("master_link_status"));
  }

  public int connectedReplicas() {
    return Integer.parseInt(replication.getOrDefault("connected_slaves", "0"));
  }

  public long replicationOffset() {
    String key = isReplica() ? "slave_repl_offset" : "master_repl_offset";
    return Long.parseLong(replication.getOrDefault(key, "0"));
  }

  /** This node's entry for that id, or null. */
  public ClusterNode entry(String id) {
    return view.stream().filter(n -> n.id().equals(id)).findFirst().orElse(null);
  }
}
