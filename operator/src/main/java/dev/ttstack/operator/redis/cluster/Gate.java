package dev.ttstack.operator.redis.cluster;

import redis.clients.jedis.exceptions.JedisException;

/**
 * The operator's side of the start-up gate ({@code redis/redis-start.sh}): the keys the gate server
 * holds while a node that lost its nodes.conf waits, and the release.
 */
public final class Gate {
  public static final String STATE = "ttstack:gate:state";
  public static final String POD = "ttstack:gate:pod";
  public static final String REASON = "ttstack:gate:reason";
  public static final String DATA_FILES = "ttstack:gate:data-files";
  public static final String RELEASE = "ttstack:gate:release";
  public static final String CLOSED = "closed";
  public static final String PRESENT = "present";

  /** Start redis-server empty, as a new node (old data files are moved aside, not deleted). */
  public static final String RELEASE_FRESH = "fresh";

  private Gate() {}

  /** Tells the gate of that node to start it as a new, empty node. */
  public static void releaseFresh(NodeAddress address, RedisCredentials credentials) {
    try (NodeClient gate = NodeClient.connectGate(address, credentials)) {
      gate.call("SET", RELEASE, RELEASE_FRESH);
    } catch (JedisException e) {
      throw new IllegalStateException(
          "cannot release the gate of " + address + ": " + e.getClass().getSimpleName(), e);
    }
  }
}
