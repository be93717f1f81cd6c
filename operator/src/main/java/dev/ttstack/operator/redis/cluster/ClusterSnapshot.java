package dev.ttstack.operator.redis.cluster;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every pod's node at one moment, and what follows from their views together: which node ids are
 * live, which belong to a pod that lost its identity, which are ghosts, and who owns each slot.
 */
public final class ClusterSnapshot {

  /** What a node id seen in the cluster's tables is, relative to the pods. */
  public enum IdStatus {
    /** The id of a running pod. */
    LIVE,
    /**
     * The old id of a pod that now runs under another id or waits at its gate: that identity is
     * gone.
     */
    STALE,
    /** The id of a pod that does not answer: it may come back with its identity. */
    DOWN,
    /** An id no pod accounts for. */
    GHOST
  }

  private final List<String> pods;
  private final Map<String, NodeState> nodes;
  private final NodeAddressResolver resolver;
  private final Map<String, String> podByLiveId = new LinkedHashMap<>();
  private final List<NodeState> members = new ArrayList<>();
  private final Map<String, ClusterNode> entries = new LinkedHashMap<>();
  private final String[] slotOwner = new String[SlotRange.SLOTS];

  ClusterSnapshot(List<String> pods, Map<String, NodeState> nodes, NodeAddressResolver resolver) {
    this.pods = pods;
    this.nodes = nodes;
    this.resolver = resolver;
    for (NodeState n : nodes.values()) {
      if (n.running() && n.myId() != null) {
        podByLiveId.put(n.myId(), n.pod());
      }
      if (n.running() && n.knownNodes() > 1) {
        members.add(n);
      }
    }
    long[] slotEpoch = new long[SlotRange.SLOTS];
    for (NodeState m : members) {
      for (ClusterNode e : m.view()) {
        if (e.inHandshake()) {
          continue;
        }
        ClusterNode known = entries.get(e.id());
        if (known == null
            || e.myself()
            || (!known.myself() && e.configEpoch() > known.configEpoch())) {
          entries.put(e.id(), e);
        }
        if (e.isMaster()) {
          for (SlotRange r : e.slots()) {
            for (int s = r.from(); s <= r.to(); s++) {
              if (slotOwner[s] == null || e.configEpoch() > slotEpoch[s]) {
                slotOwner[s] = e.id();
                slotEpoch[s] = e.configEpoch();
              }
            }
          }
        }
      }
    }
  }

  public List<String> pods() {
    return pods;
  }

  public NodeState node(String pod) {
    return nodes.get(pod);
  }

  public List<NodeState> nodes() {
    return List.copyOf(nodes.values());
  }

  public NodeAddressResolver resolver() {
    return resolver;
  }

  /** Running nodes that know at least one other node: the cluster as it stands. */
  public List<NodeState> members() {
    return members;
  }

  public boolean clusterExists() {
    return !members.isEmpty() || nodes.values().stream().anyMatch(NodeState::gated);
  }

  /** Every id the members know (handshakes excluded), with the most authoritative entry for it. */
  public Map<String, ClusterNode> entries() {
    return entries;
  }

  public ClusterNode entry(String id) {
    return entries.get(id);
  }

  public String podOfLiveId(String id) {
    return podByLiveId.get(id);
  }

  /**
   * The pod an entry belongs to: by live id, then announced hostname, then address; null if none.
   */
  public String podOf(ClusterNode e) {
    String live = podByLiveId.get(e.id());
    if (live != null) {
      return live;
    }
    if (!e.hostname().isEmpty()) {
      for (String pod : pods) {
        if (e.hostname().equals(pod) || e.hostname().startsWith(pod + ".")) {
          return pod;
        }
      }
    }
    for (String pod : pods) {
      if (e.isAt(resolver.resolve(pod))) {
        return pod;
      }
    }
    return null;
  }

  public IdStatus status(String id) {
    if (podByLiveId.containsKey(id)) {
      return IdStatus.LIVE;
    }
    ClusterNode e = entries.get(id);
    String pod = e == null ? null : podOf(e);
    if (pod == null) {
      return IdStatus.GHOST;
    }
    NodeState n = nodes.get(pod);
    return n.kind() == NodeState.Kind.UNREACHABLE ? IdStatus.DOWN : IdStatus.STALE;
  }

  /**
   * Whether every member that knows this id sees it as unreachable (failing, no address or no
   * link).
   */
  public boolean seenDownByAll(String id) {
    boolean seen = false;
    for (NodeState m : members) {
      ClusterNode e = m.entry(id);
      if (e == null || e.myself()) {
        continue;
      }
      seen = true;
      if (!e.failing() && !e.noAddress() && e.linkConnected()) {
        return false;
      }
    }
    return seen;
  }

  /** Slots owned by that id, in the most recent claim the members know of. */
  public List<SlotRange> slotsOf(String id) {
    BitSet bits = new BitSet(SlotRange.SLOTS);
    for (int s = 0; s < SlotRange.SLOTS; s++) {
      if (id.equals(slotOwner[s])) {
        bits.set(s);
      }
    }
    return SlotRange.fromBits(bits);
  }

  /** Slots no member's table assigns to anyone. */
  public List<SlotRange> unownedSlots() {
    BitSet bits = new BitSet(SlotRange.SLOTS);
    if (members.isEmpty()) {
      return List.of();
    }
    for (int s = 0; s < SlotRange.SLOTS; s++) {
      if (slotOwner[s] == null) {
        bits.set(s);
      }
    }
    return SlotRange.fromBits(bits);
  }

  public int slotsAssigned() {
    int n = 0;
    for (String owner : slotOwner) {
      if (owner != null) {
        n++;
      }
    }
    return n;
  }

  /** Slots whose owner is a live master that no member sees failing. */
  public int slotsServed() {
    int n = 0;
    for (String owner : slotOwner) {
      if (owner != null && podByLiveId.containsKey(owner) && !seenFailingByAny(owner)) {
        n++;
      }
    }
    return n;
  }

  private boolean seenFailingByAny(String id) {
    return members.stream().map(m -> m.entry(id)).anyMatch(e -> e != null && e.failing());
  }

  /** Ids of masters owning at least one slot. */
  public List<String> slotOwners() {
    List<String> owners = new ArrayList<>();
    for (String owner : slotOwner) {
      if (owner != null && !owners.contains(owner)) {
        owners.add(owner);
      }
    }
    return owners;
  }

  /** Running pods whose node says it replicates that master id. */
  public List<NodeState> liveReplicasOf(String masterId) {
    List<NodeState> replicas = new ArrayList<>();
    for (NodeState n : members) {
      ClusterNode self = n.self();
      if (self != null && self.isReplica() && masterId.equals(self.masterId())) {
        replicas.add(n);
      }
    }
    return replicas;
  }

  /** Live masters owning slots, fewest live replicas first, then by pod order. */
  public List<NodeState> liveMastersByReplicaCount() {
    List<NodeState> masters = new ArrayList<>();
    for (NodeState n : members) {
      ClusterNode self = n.self();
      if (self != null && self.isMaster() && !slotsOf(self.id()).isEmpty()) {
        masters.add(n);
      }
    }
    masters.sort(
        Comparator.<NodeState>comparingInt(m -> liveReplicasOf(m.myId()).size())
            .thenComparingInt(m -> pods.indexOf(m.pod())));
    return masters;
  }

  /** Pods whose node is held at its start-up gate. */
  public List<NodeState> gated() {
    return nodes.values().stream().filter(NodeState::gated).toList();
  }

  /** Member entries that belong to that pod but are not its live id: its lost identities. */
  public List<ClusterNode> staleEntriesOf(String pod) {
    return entries.values().stream()
        .filter(e -> !podByLiveId.containsKey(e.id()) && Objects.equals(podOf(e), pod))
        .toList();
  }

  /**
   * Healthy: every pod runs in the cluster, each reports {@code cluster_state:ok} with every slot
   * served, knows exactly the pods' nodes, every replica's link is up, and the shape is complete.
   */
  public boolean healthy(int masters, int replicasPerMaster) {
    if (members.size() != pods.size()) {
      return false;
    }
    for (NodeState n : members) {
      if (!"ok".equals(n.clusterState())
          || n.slotsOk() != SlotRange.SLOTS
          || n.knownNodes() != pods.size()) {
        return false;
      }
      if (n.isReplica() && !n.replicaLinkUp()) {
        return false;
      }
    }
    if (slotsAssigned() != SlotRange.SLOTS) {
      return false;
    }
    int replicas = (int) members.stream().filter(NodeState::isReplica).count();
    return slotOwners().size() == masters && replicas == masters * replicasPerMaster;
  }
}
