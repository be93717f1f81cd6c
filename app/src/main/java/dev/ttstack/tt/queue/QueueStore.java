package dev.ttstack.tt.queue;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** The queue's Redis operations: each one is a single atomic script on the performance's shard. */
@Component
class QueueStore {

  private static final Logger LOG = LoggerFactory.getLogger(QueueStore.class);
  private static final LuaScript POSITION = LuaScript.fromResource("position.lua");
  private static final LuaScript ADMIT = LuaScript.fromResource("admit.lua");

  private final QueueRedis redis;
  private final SecureRandom random = new SecureRandom();

  QueueStore(QueueRedis redis) {
    this.redis = redis;
  }

  /** The user's status; with {@code join}, appends them first when neither waiting nor admitted. */
  Optional<Placement> position(long performanceId, String userId, boolean join) {
    String[] keys = {
      QueueKeys.waiting(performanceId),
      QueueKeys.arrivals(performanceId),
      QueueKeys.entry(performanceId, userId)
    };
    List<Object> r = POSITION.run(redis.commands().sync(), keys, userId, join ? "join" : "peek");
    return switch ((String) r.get(0)) {
      case "ADMITTED" ->
          Optional.of(
              new Placement(
                  QueueStatus.admitted(
                      userId, (String) r.get(1), Instant.now().plusMillis((Long) r.get(2))),
                  false,
                  -1));
      case "WAITING" ->
          Optional.of(
              new Placement(
                  QueueStatus.waiting(userId, (Long) r.get(1), (Long) r.get(2)),
                  (Long) r.get(3) == 1L,
                  (Long) r.get(2)));
      default -> Optional.empty();
    };
  }

  /**
   * Admits up to {@code count} users. With a non-zero {@code minInterval} the step is skipped when
   * another step (from any replica) ran less than that long ago. Returns empty when skipped.
   */
  Optional<Admission> admit(
      long performanceId,
      int count,
      Duration entryTtl,
      Duration minInterval,
      Duration replicationWait) {
    String[] keys = {QueueKeys.waiting(performanceId), QueueKeys.admissionStep(performanceId)};
    String[] args = new String[4 + count];
    args[0] = Integer.toString(count);
    args[1] = Long.toString(entryTtl.toMillis());
    args[2] = QueueKeys.prefix(performanceId);
    args[3] = Long.toString(minInterval.toMillis());
    for (int i = 0; i < count; i++) {
      args[4 + i] = newToken();
    }
    StatefulRedisClusterConnection<String, String> connection = redis.admissions();
    List<Object> r = ADMIT.run(connection.sync(), keys, args);
    long waiting = (Long) r.get(0);
    if (waiting < 0) {
      return Optional.empty();
    }
    List<String> users = new ArrayList<>();
    for (int i = 1; i < r.size(); i += 2) {
      users.add((String) r.get(i));
    }
    if (!users.isEmpty()) {
      awaitReplica(connection, keys[0], replicationWait);
    }
    return Optional.of(new Admission(users, waiting));
  }

  /** The user an entry token was issued to, while it is valid. */
  Optional<String> userForToken(long performanceId, String token) {
    return Optional.ofNullable(redis.commands().sync().get(QueueKeys.token(performanceId, token)));
  }

  /**
   * Redis replicates asynchronously: a master killed right after admitting could take the admission
   * with it. WAIT on the very connection that ran the script (Lettuce routes a slot's writes over
   * the per-node connection keyed by host and port, which {@code getConnection(host, port)}
   * returns) blocks until a replica has everything this connection wrote. Skipped when the shard
   * has no live replica: then there is nothing to wait for, and waiting would only slow admissions
   * down.
   */
  private static void awaitReplica(
      StatefulRedisClusterConnection<String, String> connection, String key, Duration timeout) {
    Partitions partitions = connection.getPartitions();
    RedisClusterNode master = partitions.getMasterBySlot(SlotHash.getSlot(key));
    if (master == null || liveReplicas(partitions, master) == 0) {
      return;
    }
    RedisURI uri = master.getUri();
    long acknowledged =
        connection
            .getConnection(uri.getHost(), uri.getPort())
            .sync()
            .waitForReplication(1, timeout.toMillis());
    if (acknowledged < 1) {
      LOG.warn(
          "admission on {}:{} not yet acknowledged by a replica after {} ms",
          uri.getHost(),
          uri.getPort(),
          timeout.toMillis());
    }
  }

  private static long liveReplicas(Partitions partitions, RedisClusterNode master) {
    return partitions.stream()
        .filter(n -> master.getNodeId().equals(n.getSlaveOf()))
        .filter(
            n -> !n.is(NodeFlag.FAIL) && !n.is(NodeFlag.EVENTUAL_FAIL) && !n.is(NodeFlag.NOADDR))
        .count();
  }

  /** 192 random bits, URL-safe: unguessable, and safe inside a Redis key. */
  private String newToken() {
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * A position script answer: the status, whether this call added the user, and the queue length.
   */
  record Placement(QueueStatus status, boolean joinedNow, long waiting) {}

  /** An admission step's outcome: users admitted in arrival order, and how many still wait. */
  record Admission(List<String> users, long waiting) {}
}
