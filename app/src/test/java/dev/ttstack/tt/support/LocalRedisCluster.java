package dev.ttstack.tt.support;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Six real {@code redis-server} processes (three masters, three replicas) on free 127.0.0.1 ports,
 * formed into a cluster with the raw CLUSTER commands (about 3x faster than {@code redis-cli
 * --cluster create}: see FACTS.md). Password and AOF on, as in production. Nodes can be SIGKILLed
 * and restarted to test failover; {@link #close()} kills them all and deletes their directories.
 */
public final class LocalRedisCluster implements AutoCloseable {

  private static final int[][] SLOT_RANGES = {{0, 5460}, {5461, 10922}, {10923, 16383}};

  private final Path dir;
  private final String password;
  private final Duration nodeTimeout;
  private final List<Integer> ports = new ArrayList<>();
  private final Map<Integer, Process> processes = new ConcurrentHashMap<>();
  private final RedisClient client = RedisClient.create();
  private final Map<Integer, StatefulRedisConnection<String, String>> connections =
      new ConcurrentHashMap<>();

  private LocalRedisCluster(Path dir, String password, Duration nodeTimeout) {
    this.dir = dir;
    this.password = password;
    this.nodeTimeout = nodeTimeout;
  }

  static LocalRedisCluster start(Path parent, String password, Duration nodeTimeout) {
    return FreePorts.startRetrying(
        attempt -> new LocalRedisCluster(parent.resolve("redis-" + attempt), password, nodeTimeout),
        LocalRedisCluster::startAndForm);
  }

  /** The value of SPRING_DATA_REDIS_CLUSTER_NODES. */
  public String nodesProperty() {
    return ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  public String password() {
    return password;
  }

  public List<Integer> ports() {
    return List.copyOf(ports);
  }

  private void startAndForm() {
    for (int i = 0; i < 6; i++) {
      int port = FreePorts.withBus();
      ports.add(port);
      writeConfig(port);
      launch(port);
    }
    List<String> ids = new ArrayList<>();
    for (int port : ports) {
      ids.add(awaitPing(port).clusterMyId());
    }
    // Config epochs may only be set before any MEET; distinct epochs avoid a slow epoch collision
    // dance.
    for (int i = 0; i < 6; i++) {
      RedisCommands<String, String> node = sync(ports.get(i));
      node.clusterSetConfigEpoch(i + 1);
      if (i < 3) {
        node.clusterAddSlotsRange(Range.create(SLOT_RANGES[i][0], SLOT_RANGES[i][1]));
      }
    }
    for (int i = 1; i < 6; i++) {
      sync(ports.get(0)).clusterMeet("127.0.0.1", ports.get(i));
    }
    for (int i = 3; i < 6; i++) {
      RedisCommands<String, String> replica = sync(ports.get(i));
      String masterId = ids.get(i - 3);
      // "ERR Unknown node" until gossip has told this replica about its master: retry.
      await("replica " + ports.get(i) + " accepts CLUSTER REPLICATE")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .until(() -> "OK".equals(replica.clusterReplicate(masterId)));
    }
    awaitHealthy(Duration.ofSeconds(60));
  }

  /**
   * Waits until every running node says {@code cluster_state:ok}, sees no failed node, and each of
   * the three masters has an online replica: the state every test may assume at its start.
   */
  public void awaitHealthy(Duration atMost) {
    await("Redis Cluster healthy")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(this::healthy);
  }

  private boolean healthy() {
    int mastersWithReplica = 0;
    for (int port : processes.keySet()) {
      RedisCommands<String, String> node = sync(port);
      if (!node.clusterInfo().contains("cluster_state:ok")
          || node.clusterNodes().contains("fail")) {
        return false;
      }
      String replication = node.info("replication");
      if (replication.contains("role:master") && replication.contains("state=online")) {
        mastersWithReplica++;
      }
    }
    return mastersWithReplica == 3;
  }

  /**
   * The port of the master that currently serves {@code slot}, as the cluster itself reports it.
   */
  public int masterPortOf(int slot) {
    for (int port : processes.keySet()) {
      try {
        Partitions partitions = ClusterPartitionParser.parse(sync(port).clusterNodes());
        RedisClusterNode master = partitions.getMasterBySlot(slot);
        if (master != null) {
          return master.getUri().getPort();
        }
      } catch (RuntimeException e) {
        // that node is down or not ready: ask another
      }
    }
    throw new IllegalStateException("no node knows the master of slot " + slot);
  }

  /** The port of a replica of the master on {@code masterPort}, as the cluster reports it. */
  public int replicaPortOf(int masterPort) {
    Partitions partitions = ClusterPartitionParser.parse(sync(masterPort).clusterNodes());
    String masterId = sync(masterPort).clusterMyId();
    return partitions.stream()
        .filter(n -> masterId.equals(n.getSlaveOf()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no replica of " + masterPort))
        .getUri()
        .getPort();
  }

  /**
   * SIGSTOP / SIGCONT: the node freezes (as under a long GC-like stall or a stuck disk) and
   * resumes.
   */
  public void freeze(int port, boolean frozen) {
    Process p = processes.get(port);
    Commands.run(
        List.of("kill", frozen ? "-STOP" : "-CONT", Long.toString(p.pid())), Duration.ofSeconds(5));
  }

  /** SIGKILL: no chance to hand over, as when a pod's node dies. */
  public void kill(int port) {
    Process p = processes.remove(port);
    if (p == null) {
      throw new IllegalArgumentException("no running node on port " + port);
    }
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts a killed node again with its config and nodes.conf: it rejoins the cluster by itself.
   */
  public void restart(int port) {
    launch(port);
    awaitPing(port);
  }

  public boolean isRunning(int port) {
    Process p = processes.get(port);
    return p != null && p.isAlive();
  }

  /** A connection to one node (not cluster-aware), for admin commands and assertions. */
  public RedisCommands<String, String> sync(int port) {
    return connections.computeIfAbsent(port, p -> client.connect(uri(p))).sync();
  }

  private RedisURI uri(int port) {
    return RedisURI.builder()
        .withHost("127.0.0.1")
        .withPort(port)
        .withPassword(password.toCharArray())
        .withTimeout(Duration.ofSeconds(2))
        .build();
  }

  private RedisCommands<String, String> awaitPing(int port) {
    await("redis-server " + port + " answers PING")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(25))
        .ignoreExceptions()
        .until(
            () -> {
              if (!isRunning(port)) {
                throw new IllegalStateException(
                    "redis-server on " + port + " exited; see " + nodeDir(port));
              }
              StatefulRedisConnection<String, String> stale = connections.remove(port);
              if (stale != null) {
                stale.close();
              }
              return "PONG".equals(sync(port).ping());
            });
    return sync(port);
  }

  private Path nodeDir(int port) {
    return dir.resolve(Integer.toString(port));
  }

  /** The password lives in a 0600 file, never on a command line (where ps would show it). */
  private void writeConfig(int port) {
    Path node = nodeDir(port);
    try {
      Files.createDirectories(node);
      Path conf = node.resolve("redis.conf");
      Files.writeString(
          conf,
          String.join(
              "\n",
              "port " + port,
              "bind 127.0.0.1",
              "daemonize no",
              "dir " + node,
              "logfile " + node.resolve("redis.log"),
              "cluster-enabled yes",
              "cluster-config-file nodes.conf",
              "cluster-node-timeout " + nodeTimeout.toMillis(),
              "appendonly yes",
              "save \"\"",
              // Replicas sync at once instead of waiting 5 s for more replicas to batch with.
              "repl-diskless-sync yes",
              "repl-diskless-sync-delay 0",
              "requirepass " + password,
              "masterauth " + password,
              ""));
      Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launch(int port) {
    Path node = nodeDir(port);
    try {
      Process p =
          new ProcessBuilder("redis-server", node.resolve("redis.conf").toString())
              .directory(node.toFile())
              .redirectErrorStream(true)
              .redirectOutput(node.resolve("stdout.log").toFile())
              .start();
      processes.put(port, p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server (apt-get install redis-server)", e);
    }
  }

  @Override
  public void close() {
    connections
        .values()
        .forEach(
            c -> {
              try {
                c.close();
              } catch (RuntimeException e) {
                // already broken
              }
            });
    connections.clear();
    processes.values().forEach(Process::destroyForcibly);
    processes
        .values()
        .forEach(
            p -> {
              try {
                p.waitFor(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    processes.clear();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    Commands.deleteTree(dir);
  }
}
