package dev.ttstack.operator.redis.cluster;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * One authenticated connection to one node, with the few commands the cluster manager speaks.
 * Commands go out as raw arguments, exactly as the Redis documentation spells them.
 */
public final class NodeClient implements AutoCloseable {
  static final int CONNECT_TIMEOUT_MILLIS = 1000;
  static final int SOCKET_TIMEOUT_MILLIS = 3000;

  private final Jedis jedis;
  private final String target;

  private NodeClient(Jedis jedis, String target) {
    this.jedis = jedis;
    this.target = target;
  }

  /**
   * Connects and authenticates with the first candidate password the node accepts.
   *
   * @throws redis.clients.jedis.exceptions.JedisConnectionException when nothing answers
   * @throws JedisAccessControlException when no candidate is accepted
   */
  public static NodeClient connect(String host, int port, RedisCredentials credentials) {
    JedisAccessControlException refused = null;
    for (String password : credentials.candidates()) {
      DefaultJedisClientConfig config =
          DefaultJedisClientConfig.builder()
              .connectionTimeoutMillis(CONNECT_TIMEOUT_MILLIS)
              .socketTimeoutMillis(SOCKET_TIMEOUT_MILLIS)
              .password(password)
              .clientName("ttstack-operator")
              .protocol(RedisProtocol.RESP2)
              .build();
      Jedis jedis = null;
      try {
        jedis = new Jedis(new HostAndPort(host, port), config); // connects and authenticates
        jedis.ping();
        return new NodeClient(jedis, host + ":" + port);
      } catch (JedisAccessControlException e) {
        refused = e;
        closeQuietly(jedis);
      } catch (RuntimeException e) {
        closeQuietly(jedis);
        throw e;
      }
    }
    throw refused;
  }

  private static void closeQuietly(Jedis jedis) {
    if (jedis != null) {
      jedis.close();
    }
  }

  public static NodeClient connect(NodeAddress address, RedisCredentials credentials) {
    return connect(address.host(), address.port(), credentials);
  }

  public static NodeClient connectGate(NodeAddress address, RedisCredentials credentials) {
    return connect(address.host(), address.gatePort(), credentials);
  }

  /** Sends one command; returns the reply as Jedis decodes it (bulk strings as byte[]). */
  public Object raw(String command, String... args) {
    ProtocolCommand cmd = () -> SafeEncoder.encode(command);
    return jedis.sendCommand(cmd, args);
  }

  /** Sends one command and returns its reply as text (status, bulk string or integer). */
  public String call(String command, String... args) {
    return text(raw(command, args));
  }

  static String text(Object reply) {
    if (reply == null) {
      return null;
    }
    if (reply instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    return reply.toString();
  }

  public String cluster(String... args) {
    return call("CLUSTER", args);
  }

  public List<ClusterNode> clusterNodes() {
    return ClusterNode.parseAll(cluster("NODES"));
  }

  public Map<String, String> clusterInfo() {
    return fields(cluster("INFO"));
  }

  public Map<String, String> info(String section) {
    return fields(call("INFO", section));
  }

  public long dbSize() {
    return Long.parseLong(call("DBSIZE"));
  }

  public String myId() {
    return cluster("MYID");
  }

  /** {@code CLUSTER MEET ip port cport}. */
  public void meet(NodeAddress other) {
    cluster(
        "MEET", other.host(), Integer.toString(other.port()), Integer.toString(other.busPort()));
  }

  public void addSlotsRange(List<SlotRange> ranges) {
    String[] args = new String[1 + 2 * ranges.size()];
    args[0] = "ADDSLOTSRANGE";
    for (int i = 0; i < ranges.size(); i++) {
      args[1 + 2 * i] = Integer.toString(ranges.get(i).from());
      args[2 + 2 * i] = Integer.toString(ranges.get(i).to());
    }
    cluster(args);
  }

  public void setConfigEpoch(long epoch) {
    cluster("SET-CONFIG-EPOCH", Long.toString(epoch));
  }

  public void replicate(String masterId) {
    cluster("REPLICATE", masterId);
  }

  /** {@code CLUSTER FORGET id}; false when this node does not know the id (nothing to forget). */
  public boolean forget(String id) {
    try {
      cluster("FORGET", id);
      return true;
    } catch (JedisDataException e) {
      if (e.getMessage() != null && e.getMessage().contains("Unknown node")) {
        return false;
      }
      throw e;
    }
  }

  /**
   * {@code CLUSTER FAILOVER TAKEOVER}: promote this replica without the master's agreement or
   * votes.
   */
  public void failoverTakeover() {
    cluster("FAILOVER", "TAKEOVER");
  }

  public void resetHard() {
    cluster("RESET", "HARD");
  }

  public void flushAll() {
    call("FLUSHALL", "SYNC");
  }

  public String address() {
    return target;
  }

  /** Parses {@code key:value} lines (INFO, CLUSTER INFO). */
  static Map<String, String> fields(String reply) {
    Map<String, String> map = new LinkedHashMap<>();
    if (reply == null) {
      return map;
    }
    for (String line : reply.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        map.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return map;
  }

  @Override
  public void close() {
    jedis.close();
  }
}
