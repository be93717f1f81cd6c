package dev.ttstack.operator.redis.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Looks at every pod's node: its own view of the cluster, its replication, or its start-up gate.
 */
public final class ClusterObserver {

  private ClusterObserver() {}

  public static ClusterSnapshot observe(
      List<String> pods, NodeAddressResolver resolver, RedisCredentials credentials) {
    Map<String, NodeState> nodes = new LinkedHashMap<>();
    for (String pod : pods) {
      nodes.put(pod, observe(pod, resolver.resolve(pod), credentials));
    }
    return new ClusterSnapshot(List.copyOf(pods), nodes, resolver);
  }

  static NodeState observe(String pod, NodeAddress address, RedisCredentials credentials) {
    if (address == null) {
      return NodeState.unreachable(pod, null, "no address");
    }
    String error;
    try (NodeClient client = NodeClient.connect(address, credentials)) {
      List<ClusterNode> view = client.clusterNodes();
      ClusterNode self = view.stream().filter(ClusterNode::myself).findFirst().orElse(null);
      return new NodeState(
          pod,
          address,
          NodeState.Kind.RUNNING,
          self == null ? null : self.id(),
          List.copyOf(view),
          client.clusterInfo(),
          client.info("replication"),
          client.dbSize(),
          null,
          null);
    } catch (JedisAccessControlException e) {
      return NodeState.unreachable(pod, address, "password refused");
    } catch (JedisException e) {
      error = describe(e);
    }
    NodeState.GateInfo gate = readGate(address, credentials);
    if (gate != null) {
      return NodeState.gated(pod, address, gate);
    }
    return NodeState.unreachable(pod, address, error);
  }

  /** The gate's facts, or null when no closed gate answers on the gate port. */
  static NodeState.GateInfo readGate(NodeAddress address, RedisCredentials credentials) {
    try (NodeClient gate = NodeClient.connectGate(address, credentials)) {
      String state = gate.call("GET", Gate.STATE);
      if (!Gate.CLOSED.equals(state)) {
        return null;
      }
      return new NodeState.GateInfo(
          gate.call("GET", Gate.REASON), Gate.PRESENT.equals(gate.call("GET", Gate.DATA_FILES)));
    } catch (JedisException e) {
      return null;
    }
  }

  private static String describe(JedisException e) {
    if (e instanceof JedisConnectionException) {
      return "not answering (" + e.getClass().getSimpleName() + ")";
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
