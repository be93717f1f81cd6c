package dev.ttstack.operator.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Writes keys across all slots, routed by the cluster's own slot table, and reads them back. The
 * cluster announces pod hostnames, which do not resolve here, so routing uses the node entries'
 * IPs.
 */
final class ClusterData {
  private ClusterData() {}

  static String key(int i) {
    return "key:" + i;
  }

  static String value(int i) {
    return "value-" + i;
  }

  /**
   * Writes {@code count} keys, then waits until each master's replicas acknowledged them (WAIT).
   */
  static void write(LocalRedisCluster cluster, int count) {
    Map<HostAndPort, List<Integer>> byOwner = route(cluster, count);
    assertThat(byOwner.values().stream().mapToInt(List::size).sum()).isEqualTo(count);
    for (Map.Entry<HostAndPort, List<Integer>> e : byOwner.entrySet()) {
      try (Jedis j = connect(cluster, e.getKey())) {
        Pipeline p = j.pipelined();
        for (int i : e.getValue()) {
          p.set(key(i), value(i));
        }
        p.sync();
        Object acked = j.sendCommand(() -> "WAIT".getBytes(StandardCharsets.US_ASCII), "1", "5000");
        assertThat((Long) acked)
            .as("replicas acknowledging writes on " + e.getKey())
            .isGreaterThanOrEqualTo(1L);
      }
    }
  }

  /**
   * Keys among the first {@code count} that are missing or wrong, reading each from its current
   * master.
   */
  static List<String> missing(LocalRedisCluster cluster, int count) {
    List<String> missing = new ArrayList<>();
    for (Map.Entry<HostAndPort, List<Integer>> e : route(cluster, count).entrySet()) {
      try (Jedis j = connect(cluster, e.getKey())) {
        Pipeline p = j.pipelined();
        List<redis.clients.jedis.Response<String>> replies = new ArrayList<>();
        for (int i : e.getValue()) {
          replies.add(p.get(key(i)));
        }
        p.sync();
        for (int k = 0; k < replies.size(); k++) {
          int i = e.getValue().get(k);
          if (!value(i).equals(replies.get(k).get())) {
            missing.add(key(i));
          }
        }
      }
    }
    return missing;
  }

  /** Keys per master address, from any node's slot table. */
  static Map<HostAndPort, List<Integer>> route(LocalRedisCluster cluster, int count) {
    return route(cluster, count, ClusterData::key);
  }

  static Map<HostAndPort, List<Integer>> route(
      LocalRedisCluster cluster, int count, java.util.function.IntFunction<String> keyName) {
    HostAndPort[] owner = new HostAndPort[SlotRange.SLOTS];
    ClusterSnapshot s =
        ClusterObserver.observe(cluster.pods(), cluster.resolver(), cluster.credentials());
    for (NodeState m : s.members()) {
      for (ClusterNode e : m.view()) {
        if (e.isMaster() && !e.failing()) {
          for (SlotRange r : e.slots()) {
            for (int slot = r.from(); slot <= r.to(); slot++) {
              owner[slot] = new HostAndPort(e.host(), e.port());
            }
          }
        }
      }
      break;
    }
    Map<HostAndPort, List<Integer>> byOwner = new HashMap<>();
    for (int i = 0; i < count; i++) {
      HostAndPort o = owner[JedisClusterCRC16.getSlot(keyName.apply(i))];
      if (o == null) {
        throw new IllegalStateException("slot of " + keyName.apply(i) + " has no owner");
      }
      byOwner.computeIfAbsent(o, x -> new ArrayList<>()).add(i);
    }
    return byOwner;
  }

  static Jedis connect(LocalRedisCluster cluster, HostAndPort at) {
    return new Jedis(
        at,
        DefaultJedisClientConfig.builder()
            .password(cluster.password())
            .protocol(redis.clients.jedis.RedisProtocol.RESP2)
            .socketTimeoutMillis(10000)
            .build());
  }
}
