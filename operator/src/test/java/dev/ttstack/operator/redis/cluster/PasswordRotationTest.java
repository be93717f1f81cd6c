package dev.ttstack.operator.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.util.JedisClusterCRC16;

/** Rotation under continuous writes: no write refused or lost, no replica link dropped. */
class PasswordRotationTest {
  private static final String NEW_PASSWORD = "n3w-" + Long.toHexString(System.nanoTime());

  @RegisterExtension final LocalRedisCluster cluster = new LocalRedisCluster(6);

  @Test
  void rotatesWithoutDroppingReplicaLinksOrWrites() throws Exception {
    cluster.startAll();
    RedisClusterManager manager = new RedisClusterManager(new SimpleMeterRegistry());
    new Reconciles()
        .untilHealthy(manager, Reconciles.request(cluster, false), Duration.ofSeconds(30));
    Map<HostAndPort, List<Integer>> route = ClusterData.route(cluster, 100_000, i -> "rot:" + i);
    Map<String, List<Long>> syncsBefore = syncCounters();

    AtomicReference<String> clientPassword = new AtomicReference<>(cluster.password());
    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<Integer> acked = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    Thread writer =
        new Thread(() -> write(route, clientPassword, stop, acked, errors), "rotation-writer");
    writer.start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() > 500);
      PasswordRotation rotation = new PasswordRotation(cluster.pods(), cluster.resolver());

      assertThat(rotation.addNewPassword(cluster.password(), NEW_PASSWORD).complete()).isTrue();
      int afterPhaseOne = acked.size();
      await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() > afterPhaseOne + 300);
      clientPassword.set(NEW_PASSWORD); // the clients move to the new password
      int moved = acked.size();
      await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() > moved + 300);
      assertThat(rotation.dropOldPassword(NEW_PASSWORD).complete()).isTrue();
      int afterPhaseTwo = acked.size();
      await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() > afterPhaseTwo + 300);
    } finally {
      stop.set(true);
      writer.join(10_000);
    }

    assertThat(errors).as("writes refused during the rotation").isEmpty();
    assertThat(syncCounters())
        .as("sync_full and sync_partial_ok of every node: no link was re-established")
        .isEqualTo(syncsBefore);
    RedisCredentials newOnly = RedisCredentials.of(NEW_PASSWORD);
    ClusterSnapshot s = ClusterObserver.observe(cluster.pods(), cluster.resolver(), newOnly);
    assertThat(s.healthy(3, 1)).isTrue();
    assertThat(s.members())
        .filteredOn(NodeState::isReplica)
        .allMatch(NodeState::replicaLinkUp)
        .hasSize(3);
    for (String pod : cluster.pods()) {
      NodeAddress a = cluster.node(pod).address();
      assertThatThrownBy(() -> NodeClient.connect(a, cluster.credentials()).close())
          .as("old password refused on " + pod)
          .isInstanceOf(JedisAccessControlException.class);
      assertThat(Files.readString(cluster.node(pod).run.resolve("redis.conf")))
          .as("CONFIG REWRITE kept the runtime config")
          .contains("requirepass ", "masterauth ");
    }
    List<Integer> lost = new ArrayList<>();
    for (int i : acked) {
      HostAndPort owner =
          route.entrySet().stream()
              .filter(e -> e.getValue().contains(i))
              .findFirst()
              .orElseThrow()
              .getKey();
      try (Jedis j = jedis(owner, NEW_PASSWORD)) {
        if (!("r" + i).equals(j.get("rot:" + i))) {
          lost.add(i);
        }
      }
    }
    assertThat(lost).as("acknowledged writes missing after the rotation").isEmpty();
  }

  /**
   * Writes rot:i to its master in a loop, opening connections with whatever password clients use
   * now.
   */
  private static void write(
      Map<HostAndPort, List<Integer>> route,
      AtomicReference<String> password,
      AtomicBoolean stop,
      ConcurrentLinkedQueue<Integer> acked,
      ConcurrentLinkedQueue<String> errors) {
    Map<Integer, HostAndPort> ownerOf = new HashMap<>();
    route.forEach((owner, keys) -> keys.forEach(k -> ownerOf.put(k, owner)));
    Map<HostAndPort, Jedis> open = new HashMap<>();
    String used = password.get();
    try {
      for (int i = 0; i < 100_000 && !stop.get(); i++) {
        if (!used.equals(password.get())) {
          open.values().forEach(Jedis::close);
          open.clear();
          used = password.get();
        }
        HostAndPort owner = ownerOf.get(i);
        String pw = used;
        try {
          open.computeIfAbsent(owner, o -> jedis(o, pw)).set("rot:" + i, "r" + i);
          acked.add(i);
        } catch (RuntimeException e) {
          errors.add(
              e.getClass().getSimpleName()
                  + " writing rot:"
                  + i
                  + " slot "
                  + JedisClusterCRC16.getSlot("rot:" + i));
          open.remove(owner);
        }
      }
    } finally {
      open.values().forEach(Jedis::close);
    }
  }

  private static Jedis jedis(HostAndPort at, String password) {
    return new Jedis(
        at,
        DefaultJedisClientConfig.builder()
            .password(password)
            .protocol(RedisProtocol.RESP2)
            .socketTimeoutMillis(5000)
            .build());
  }

  private Map<String, List<Long>> syncCounters() {
    Map<String, List<Long>> counters = new java.util.TreeMap<>();
    for (String pod : cluster.pods()) {
      try (NodeClient c =
          NodeClient.connect(
              cluster.node(pod).address(),
              new RedisCredentials(NEW_PASSWORD, cluster.password()))) {
        Map<String, String> stats = c.info("stats");
        counters.put(
            pod,
            List.of(
                Long.parseLong(stats.get("sync_full")),
                Long.parseLong(stats.get("sync_partial_ok"))));
      }
    }
    return counters;
  }
}
