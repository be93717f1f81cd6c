package dev.ttstack.operator.redis.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Creates the cluster on empty nodes with the shortest sequence measured (FACTS.md): slot ranges
 * and distinct config epochs first (SET-CONFIG-EPOCH is only accepted before any MEET), then MEET,
 * each replica also MEETing its own master so that it learns its id at once, then REPLICATE,
 * retried while the replica answers {@code Unknown node}.
 *
 * <p>Layout: the first {@code masters} pods are masters, in order, with the 16384 slots split
 * evenly; the next pods are replicas, pod {@code masters + k} replicating master {@code k %
 * masters}, so no replica shares a pod with its master.
 *
 * <p>Never run on a cluster that exists: {@link #canBootstrap} accepts only nodes that know nobody
 * and hold no key, with at most the slots this very plan gives them (a bootstrap that was cut short
 * resumes; anything else is left to the healer).
 */
public final class ClusterBootstrap {
  static final Duration REPLICATE_BOUND = Duration.ofSeconds(15);

  private final ClusterSpec spec;
  private final RedisCredentials credentials;

  public ClusterBootstrap(ClusterSpec spec, RedisCredentials credentials) {
    this.spec = spec;
    this.credentials = credentials;
  }

  /** Master index of each pod, or -1 for a replica, by position. */
  static int masterIndexOfReplica(int podIndex, int masters) {
    return podIndex < masters ? -1 : (podIndex - masters) % masters;
  }

  public static boolean canBootstrap(ClusterSnapshot snapshot, ClusterSpec spec) {
    if (snapshot.pods().size() != spec.nodeCount()) {
      return false;
    }
    List<SlotRange> plan = SlotRange.evenSplit(spec.masters());
    for (int i = 0; i < snapshot.pods().size(); i++) {
      NodeState n = snapshot.node(snapshot.pods().get(i));
      if (!n.running() || !n.alone() || n.keys() > 0 || n.self() == null) {
        return false;
      }
      List<SlotRange> slots = n.self().slots();
      boolean planned =
          slots.isEmpty() || (i < spec.masters() && slots.equals(List.of(plan.get(i))));
      if (!planned) {
        return false;
      }
    }
    return true;
  }

  /** Runs the sequence; returns once every replica accepted REPLICATE (convergence follows). */
  public void run(ClusterSnapshot snapshot) {
    if (!canBootstrap(snapshot, spec)) {
      throw new IllegalStateException("refusing to bootstrap: the nodes are not all empty");
    }
    List<String> pods = snapshot.pods();
    List<SlotRange> plan = SlotRange.evenSplit(spec.masters());
    Map<String, NodeClient> clients = new HashMap<>();
    try {
      for (String pod : pods) {
        clients.put(pod, NodeClient.connect(snapshot.node(pod).address(), credentials));
      }
      for (int i = 0; i < pods.size(); i++) {
        NodeState n = snapshot.node(pods.get(i));
        NodeClient c = clients.get(pods.get(i));
        if (i < spec.masters() && n.self().slots().isEmpty()) {
          c.addSlotsRange(List.of(plan.get(i)));
        }
        if (n.self().configEpoch() == 0) {
          c.setConfigEpoch(i + 1L);
        }
      }
      NodeClient first = clients.get(pods.get(0));
      for (int i = 1; i < pods.size(); i++) {
        first.meet(snapshot.node(pods.get(i)).address());
      }
      List<Integer> pending = new ArrayList<>();
      for (int i = spec.masters(); i < pods.size(); i++) {
        String master = pods.get(masterIndexOfReplica(i, spec.masters()));
        if (masterIndexOfReplica(i, spec.masters()) != 0) {
          clients.get(pods.get(i)).meet(snapshot.node(master).address());
        }
        pending.add(i);
      }
      boolean done =
          Poll.until(
              REPLICATE_BOUND,
              Duration.ofMillis(20),
              () -> {
                pending.removeIf(
                    i -> {
                      String master = pods.get(masterIndexOfReplica(i, spec.masters()));
                      return tryReplicate(clients.get(pods.get(i)), snapshot.node(master).myId());
                    });
                return pending.isEmpty();
              });
      if (!done) {
        throw new IllegalStateException(
            "replicas did not learn their masters within " + REPLICATE_BOUND);
      }
    } finally {
      clients.values().forEach(NodeClient::close);
    }
  }

  /** REPLICATE, false while the node does not know the master yet. */
  static boolean tryReplicate(NodeClient replica, String masterId) {
    try {
      replica.replicate(masterId);
      return true;
    } catch (JedisDataException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("Unknown node")) {
        return false;
      }
      throw e;
    }
  }
}
