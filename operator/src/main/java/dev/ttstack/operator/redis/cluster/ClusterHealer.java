package dev.ttstack.operator.redis.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One healing pass over a cluster that exists. Each step acts only on what it can prove:
 *
 * <ol>
 *   <li><b>Lost identities and ghosts</b>: an id whose pod now runs under another id or waits at
 *       its gate (STALE), or that no pod accounts for (GHOST), and that every member sees down. If
 *       it owns slots and a live replica has them, that replica is promoted with {@code CLUSTER
 *       FAILOVER TAKEOVER} first; then the id is forgotten on every node. If no live copy exists,
 *       the slots are reported lost and nothing is forgotten unless {@code allowDataLoss}; a node
 *       that still holds the only copy (data without nodes.conf) is never touched.
 *   <li><b>Gates</b>: a gated pod is released (start fresh) only once none of its old ids remains.
 *   <li><b>Rogue nodes</b> (alone, with slots or keys, after the above): FLUSHALL and CLUSTER RESET
 *       HARD, only when the cluster serves all their slots elsewhere and no replica is attached.
 *   <li><b>Empty nodes</b>: MEET and REPLICATE of the master with fewest replicas, or, when slots
 *       are unowned, ADDSLOTSRANGE and join as their master.
 *   <li><b>Slot-less masters</b>: REPLICATE of the master with fewest replicas.
 *   <li><b>Addresses</b>: MEET at the current address where two nodes both have the other's old one
 *       (all pods moved); a single moved pod finds the others itself, so nothing is done.
 *   <li><b>Replicas</b> whose link is down towards an old address of their master: REPLICATE again.
 *   <li><b>Unowned slots</b> with no empty node to take them: ADDSLOTSRANGE on the master with
 *       fewest.
 * </ol>
 */
public final class ClusterHealer {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterHealer.class);
  static final Duration PROMOTION_BOUND = Duration.ofSeconds(10);
  static final Duration JOIN_BOUND = Duration.ofSeconds(10);
  private static final Duration STEP = Duration.ofMillis(20);

  /** Something wrong that healing cannot fix now; becomes the condition. */
  public record Problem(String reason, String message, List<SlotRange> lostSlots) {}

  /** What one pass did and found. */
  public record Outcome(List<HealAction> actions, List<Problem> problems) {}

  private final ClusterSpec spec;
  private final RedisCredentials credentials;
  private final Consumer<HealAction> listener;
  private final List<HealAction> actions = new ArrayList<>();
  private final List<Problem> problems = new ArrayList<>();

  public ClusterHealer(
      ClusterSpec spec, RedisCredentials credentials, Consumer<HealAction> listener) {
    this.spec = spec;
    this.credentials = credentials;
    this.listener = listener;
  }

  /**
   * Heals what it can; {@code observe} gives a fresh snapshot after steps that change the tables.
   */
  public Outcome heal(ClusterSnapshot first, Supplier<ClusterSnapshot> observe) {
    actions.clear();
    problems.clear();
    ClusterSnapshot s = first;
    if (promoteReplicasOfLostMasters(s)) {
      s = observe.get();
    }
    if (forgetLostIds(s)) {
      s = observe.get();
    }
    releaseGates(s);
    if (resetRogues(s)) {
      s = observe.get();
    }
    if (joinEmptyNodes(s) | replicateSlotlessMasters(s)) {
      s = observe.get();
    }
    meetAtCurrentAddresses(s);
    repointReplicas(s);
    assignUnownedSlots(s);
    reportDownShards(s);
    return new Outcome(List.copyOf(actions), List.copyOf(problems));
  }

  private interface NodeWork {
    void run(NodeClient client);
  }

  /**
   * Runs {@code work} on one node; a failure is logged (the next pass sees the state and retries).
   */
  private boolean onNode(NodeState n, String what, NodeWork work) {
    try (NodeClient c = NodeClient.connect(n.address(), credentials)) {
      work.run(c);
      return true;
    } catch (JedisException e) {
      LOG.warn("redis heal: {} on {} failed: {}", what, n.pod(), e.getMessage());
      return false;
    }
  }

  private void act(HealAction.Type type, String pod, String detail) {
    HealAction a = new HealAction(type, pod, detail);
    LOG.info("redis heal: {}", a);
    actions.add(a);
    listener.accept(a);
  }

  /**
   * STALE or GHOST ids that every member sees down: identities no process will answer for again.
   */
  private static List<ClusterNode> lostIds(ClusterSnapshot s) {
    List<ClusterNode> lost = new ArrayList<>();
    for (ClusterNode e : s.entries().values()) {
      ClusterSnapshot.IdStatus st = s.status(e.id());
      if ((st == ClusterSnapshot.IdStatus.STALE || st == ClusterSnapshot.IdStatus.GHOST)
          && s.seenDownByAll(e.id())) {
        lost.add(e);
      }
    }
    return lost;
  }

  private boolean promoteReplicasOfLostMasters(ClusterSnapshot s) {
    boolean changed = false;
    for (ClusterNode lost : lostIds(s)) {
      List<SlotRange> slots = s.slotsOf(lost.id());
      List<NodeState> replicas = s.liveReplicasOf(lost.id());
      if (slots.isEmpty() || replicas.isEmpty()) {
        continue;
      }
      NodeState best =
          replicas.stream()
              .max(Comparator.comparingLong(NodeState::replicationOffset))
              .orElseThrow();
      try (NodeClient c = NodeClient.connect(best.address(), credentials)) {
        c.failoverTakeover();
        act(
            HealAction.Type.PromoteReplica,
            best.pod(),
            "takes over slots "
                + SlotRange.format(slots)
                + " of lost node "
                + lost.id()
                + " ("
                + describe(s, lost)
                + ")");
        boolean promoted =
            Poll.until(
                PROMOTION_BOUND,
                STEP,
                () -> {
                  ClusterNode self =
                      c.clusterNodes().stream()
                          .filter(ClusterNode::myself)
                          .findFirst()
                          .orElse(null);
                  return self != null && self.isMaster() && self.hasSlots();
                });
        if (!promoted) {
          LOG.warn("redis heal: {} not promoted within {}", best.pod(), PROMOTION_BOUND);
        }
        changed = true;
      } catch (JedisException e) {
        LOG.warn("redis heal: takeover on {} failed: {}", best.pod(), e.getMessage());
      }
    }
    return changed;
  }

  private boolean forgetLostIds(ClusterSnapshot s) {
    boolean changed = false;
    List<ClusterNode> lostIds = lostIds(s);
    for (ClusterNode lost : lostIds) {
      List<SlotRange> slots = s.slotsOf(lost.id());
      if (slots.isEmpty()
          && lost.masterId() != null
          && !s.slotsOf(lost.masterId()).isEmpty()
          && s.status(lost.masterId()) != ClusterSnapshot.IdStatus.LIVE
          && !spec.allowDataLoss()) {
        continue; // a replica of a master whose shard is not recovered: its pod waits with the
        // shard
      }
      if (!slots.isEmpty()) {
        if (!s.liveReplicasOf(lost.id()).isEmpty()) {
          continue; // promotion pending; next pass
        }
        String pod = s.podOf(lost);
        NodeState holder = pod == null ? null : s.node(pod);
        if (holder != null && holdsData(holder)) {
          problems.add(
              new Problem(
                  ClusterReasons.ONLY_COPY_WITHOUT_IDENTITY,
                  "pod "
                      + pod
                      + " holds the only copy of slots "
                      + SlotRange.format(slots)
                      + " but lost its nodes.conf;"
                      + " the operator does not touch it: restore its nodes.conf, or move its data aside to accept the loss",
                  slots));
          continue;
        }
        if (!spec.allowDataLoss()) {
          problems.add(
              new Problem(
                  ClusterReasons.SLOTS_LOST,
                  "slots "
                      + SlotRange.format(slots)
                      + " are lost: their master ("
                      + describe(s, lost)
                      + ") and every replica lost their data;"
                      + " set spec.redis.allowDataLoss: true to serve them again, empty",
                  slots));
          continue;
        }
      }
      int forgotten = forgetEverywhere(s, lost.id());
      if (forgotten > 0) {
        act(
            HealAction.Type.ForgetNode,
            s.podOf(lost),
            lost.id()
                + " ("
                + describe(s, lost)
                + ")"
                + (slots.isEmpty()
                    ? ""
                    : ", its lost slots "
                        + SlotRange.format(slots)
                        + " to be served empty (allowDataLoss)")
                + " forgotten on "
                + forgotten
                + " node(s)");
        changed = true;
      }
    }
    return changed;
  }

  private static boolean holdsData(NodeState n) {
    return (n.gated() && n.gate().dataFiles()) || (n.running() && n.alone() && n.keys() > 0);
  }

  private static String describe(ClusterSnapshot s, ClusterNode e) {
    String pod = s.podOf(e);
    String role = e.isMaster() ? "master" : "replica";
    if (pod == null) {
      return "ghost "
          + role
          + " "
          + (e.noAddress() ? "without address" : e.host() + ":" + e.port());
    }
    NodeState n = s.node(pod);
    return "former "
        + role
        + " of pod "
        + pod
        + (n.gated() ? ", now at its start-up gate" : ", now running as a new node");
  }

  /**
   * CLUSTER FORGET on every member but the node itself, as fast as possible (the ban lasts 60 s).
   */
  private int forgetEverywhere(ClusterSnapshot s, String id) {
    Map<String, NodeClient> clients = new HashMap<>();
    int count = 0;
    try {
      for (NodeState m : s.members()) {
        if (!id.equals(m.myId())) {
          clients.put(m.pod(), NodeClient.connect(m.address(), credentials));
        }
      }
      for (Map.Entry<String, NodeClient> c : clients.entrySet()) {
        try {
          if (c.getValue().forget(id)) {
            count++;
          }
        } catch (JedisDataException e) {
          LOG.warn("redis heal: FORGET {} on {}: {}", id, c.getKey(), e.getMessage());
        }
      }
    } catch (JedisException e) {
      LOG.warn("redis heal: FORGET {} incomplete: {}", id, e.getMessage());
    } finally {
      clients.values().forEach(NodeClient::close);
    }
    return count;
  }

  private void releaseGates(ClusterSnapshot s) {
    if (s.members().isEmpty()) {
      return;
    }
    for (NodeState g : s.gated()) {
      if (!s.staleEntriesOf(g.pod()).isEmpty()) {
        continue;
      }
      try {
        Gate.releaseFresh(g.address(), credentials);
        act(
            HealAction.Type.ReleaseGate,
            g.pod(),
            "its old identity is forgotten; starting it as a new, empty node"
                + (g.gate().dataFiles() ? " (its stale data files are moved aside)" : ""));
      } catch (IllegalStateException e) {
        LOG.warn("redis heal: {}", e.getMessage());
      }
    }
  }

  private boolean resetRogues(ClusterSnapshot s) {
    if (s.members().isEmpty()) {
      return false;
    }
    boolean changed = false;
    List<SlotRange> unowned = s.unownedSlots();
    for (NodeState n : s.nodes()) {
      if (!n.running() || !n.alone() || n.empty() || !s.staleEntriesOf(n.pod()).isEmpty()) {
        continue;
      }
      List<SlotRange> claimed = n.self() == null ? List.of() : n.self().slots();
      if (SlotRange.toBits(claimed).intersects(SlotRange.toBits(unowned))) {
        problems.add(
            new Problem(
                ClusterReasons.ONLY_COPY_WITHOUT_IDENTITY,
                "pod "
                    + n.pod()
                    + " runs alone claiming slots "
                    + SlotRange.describe(claimed)
                    + " that the cluster has no owner for;"
                    + " its data may be the only copy, so it is left alone",
                List.of()));
        continue;
      }
      if (n.connectedReplicas() > 0) {
        continue; // a replica still syncs from it: a FLUSHALL would reach it
      }
      changed |=
          onNode(
              n,
              "FLUSHALL and CLUSTER RESET",
              c -> {
                c.flushAll();
                c.resetHard();
                act(
                    HealAction.Type.ResetRogueNode,
                    n.pod(),
                    "lost its nodes.conf and claimed slots "
                        + SlotRange.describe(claimed)
                        + " on its own; the cluster serves them, so its copy is flushed and it is reset");
              });
    }
    return changed;
  }

  private boolean joinEmptyNodes(ClusterSnapshot s) {
    if (s.members().isEmpty()) {
      return false;
    }
    boolean changed = false;
    List<SlotRange> unowned = s.unownedSlots();
    Map<String, Integer> replicaCount = new HashMap<>();
    List<NodeState> masters = s.liveMastersByReplicaCount();
    masters.forEach(m -> replicaCount.put(m.myId(), s.liveReplicasOf(m.myId()).size()));
    NodeState introducer = s.members().get(0);
    for (NodeState n : s.nodes()) {
      if (!n.empty() || !s.staleEntriesOf(n.pod()).isEmpty()) {
        continue;
      }
      try (NodeClient c = NodeClient.connect(n.address(), credentials);
          NodeClient intro = NodeClient.connect(introducer.address(), credentials)) {
        if (!unowned.isEmpty()) {
          c.addSlotsRange(unowned);
          intro.meet(n.address());
          act(
              HealAction.Type.AssignSlots,
              n.pod(),
              "unowned slots "
                  + SlotRange.format(unowned)
                  + " assigned to this empty node, joined as their master");
          Poll.until(
              JOIN_BOUND,
              STEP,
              () -> Integer.parseInt(c.clusterInfo().getOrDefault("cluster_known_nodes", "1")) > 1);
          c.cluster("BUMPEPOCH");
          return true; // the next pass sees the new master and places the other empty nodes
        }
        if (masters.isEmpty()) {
          continue;
        }
        NodeState target =
            masters.stream()
                .min(Comparator.comparingInt(m -> replicaCount.get(m.myId())))
                .orElseThrow();
        intro.meet(n.address());
        c.meet(target.address());
        boolean joined =
            Poll.until(JOIN_BOUND, STEP, () -> ClusterBootstrap.tryReplicate(c, target.myId()));
        if (joined) {
          replicaCount.merge(target.myId(), 1, Integer::sum);
          act(
              HealAction.Type.JoinNode,
              n.pod(),
              "empty node joined as a replica of " + target.pod());
          changed = true;
        }
      } catch (JedisException e) {
        LOG.warn("redis heal: join of {} failed: {}", n.pod(), e.getMessage());
      }
    }
    return changed;
  }

  private boolean replicateSlotlessMasters(ClusterSnapshot s) {
    boolean changed = false;
    List<NodeState> masters = s.liveMastersByReplicaCount();
    if (masters.isEmpty() || !s.unownedSlots().isEmpty()) {
      return false;
    }
    for (NodeState n : s.members()) {
      ClusterNode self = n.self();
      if (self == null
          || !self.isMaster()
          || !s.slotsOf(self.id()).isEmpty()
          || !s.liveReplicasOf(self.id()).isEmpty()
          || n.keys() > 0) {
        continue;
      }
      NodeState target = masters.get(0);
      changed |=
          onNode(
              n,
              "REPLICATE",
              c -> {
                if (ClusterBootstrap.tryReplicate(c, target.myId())) {
                  act(
                      HealAction.Type.ReplicateNode,
                      n.pod(),
                      "slot-less master made a replica of " + target.pod());
                }
              });
    }
    return changed;
  }

  private void meetAtCurrentAddresses(ClusterSnapshot s) {
    for (NodeState a : s.members()) {
      List<String> met = new ArrayList<>();
      for (NodeState b : s.members()) {
        if (a == b || b.myId() == null || a.myId() == null) {
          continue;
        }
        ClusterNode aSeesB = a.entry(b.myId());
        ClusterNode bSeesA = b.entry(a.myId());
        // A missing entry is gossip still on its way; only a known id at an old address is stale.
        boolean aStale = aSeesB != null && !aSeesB.isAt(b.address());
        boolean bStale = bSeesA != null && !bSeesA.isAt(a.address());
        if (aStale && bStale && onNode(a, "MEET", c -> c.meet(b.address()))) {
          met.add(b.pod() + " at " + b.address());
        }
      }
      if (!met.isEmpty()) {
        act(
            HealAction.Type.MeetNode,
            a.pod(),
            "met " + String.join(", ", met) + " (both had old addresses)");
      }
    }
  }

  private void repointReplicas(ClusterSnapshot s) {
    for (NodeState r : s.members()) {
      ClusterNode self = r.self();
      if (self == null || !self.isReplica() || self.masterId() == null || r.replicaLinkUp()) {
        continue;
      }
      String masterPod = s.podOfLiveId(self.masterId());
      if (masterPod == null) {
        continue;
      }
      NodeAddress current = s.node(masterPod).address();
      String host = r.replication().get("master_host");
      String port = r.replication().get("master_port");
      boolean pointsElsewhere =
          !current.host().equals(host) || !Integer.toString(current.port()).equals(port);
      ClusterNode seen = r.entry(self.masterId());
      if (pointsElsewhere && seen != null && seen.isAt(current)) {
        onNode(
            r,
            "REPLICATE",
            c -> {
              c.replicate(self.masterId());
              act(
                  HealAction.Type.ReplicateNode,
                  r.pod(),
                  "replica pointed at the old address "
                      + host
                      + ":"
                      + port
                      + " of "
                      + masterPod
                      + "; re-pointed to "
                      + current);
            });
      }
    }
  }

  private void assignUnownedSlots(ClusterSnapshot s) {
    List<SlotRange> unowned = s.unownedSlots();
    // Gated and empty pods are about to join: one of them takes the slots as a new master.
    if (unowned.isEmpty() || s.nodes().stream().anyMatch(n -> n.empty() || n.gated())) {
      return;
    }
    NodeState target =
        s.liveMastersByReplicaCount().stream()
            .min(Comparator.comparingInt(m -> SlotRange.count(s.slotsOf(m.myId()))))
            .orElse(null);
    if (target == null) {
      return;
    }
    onNode(
        target,
        "ADDSLOTSRANGE",
        c -> {
          c.addSlotsRange(unowned);
          act(
              HealAction.Type.AssignSlots,
              target.pod(),
              "unowned slots " + SlotRange.format(unowned) + " assigned");
        });
  }

  private void reportDownShards(ClusterSnapshot s) {
    for (String owner : s.slotOwners()) {
      if (s.status(owner) == ClusterSnapshot.IdStatus.DOWN && s.liveReplicasOf(owner).isEmpty()) {
        ClusterNode e = s.entry(owner);
        List<SlotRange> slots = s.slotsOf(owner);
        problems.add(
            new Problem(
                ClusterReasons.SHARD_DOWN,
                "slots "
                    + SlotRange.format(slots)
                    + " are down: master pod "
                    + s.podOf(e)
                    + " does not answer and has no live replica; waiting for it to come back",
                List.of()));
      }
    }
  }
}
