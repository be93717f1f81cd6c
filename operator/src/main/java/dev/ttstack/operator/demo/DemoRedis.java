package dev.ttstack.operator.demo;

import dev.ttstack.operator.redis.RedisConfig;
import dev.ttstack.operator.redis.cluster.NodeAddress;
import dev.ttstack.operator.redis.cluster.NodeAddressResolver;
import dev.ttstack.operator.redis.cluster.NodeClient;
import dev.ttstack.operator.redis.cluster.RedisCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The demo's Redis pods: one real {@code redis-server} per pod on 127.0.0.1, started as the pod
 * starts it (the chart's own {@code redis-start.sh} with {@code redis.conf}, the password in the
 * environment, never on a command line), each on its own ports and in its own temporary directory.
 * The operator reaches them through {@link #resolver()} instead of pod IPs, and bootstraps and
 * heals them as it would in a cluster. {@link #close()} kills them and deletes the directory.
 */
public final class DemoRedis implements RedisPods {
  private static final int NODE_TIMEOUT_MILLIS = 2000;

  private final Path root;
  private final String password;
  private final Map<String, Node> nodes = new LinkedHashMap<>();

  private static final class Node {
    final Path data;
    final Path run;
    final Path log;
    final int port;
    final int gatePort;
    Process process;

    Node(Path dir, int port, int gatePort) {
      this.data = dir.resolve("data");
      this.run = dir.resolve("run");
      this.log = dir.resolve("node.log");
      this.port = port;
      this.gatePort = gatePort;
    }

    NodeAddress address() {
      return new NodeAddress("127.0.0.1", port, gatePort);
    }
  }

  /** {@code redis-server} on PATH, or empty: then the demo cannot show a Redis Cluster. */
  public static Optional<Path> redisServer() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Prepares (does not start) {@code size} nodes for pods {@code <stack>-redis-0..size-1}. */
  public DemoRedis(String stack, int size, String password) throws IOException {
    this.password = password;
    root = Files.createTempDirectory("ttstack-demo-redis-");
    Files.writeString(root.resolve(RedisConfig.START_SCRIPT), RedisConfig.startScript());
    Files.writeString(
        root.resolve(RedisConfig.REDIS_CONF), RedisConfig.redisConf(NODE_TIMEOUT_MILLIS));
    List<Integer> taken = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Path dir = Files.createDirectories(root.resolve(stack + "-redis-" + i));
      int port = freePort(taken, true);
      int gate = freePort(taken, false);
      Node n = new Node(dir, port, gate);
      Files.createDirectories(n.data);
      nodes.put(stack + "-redis-" + i, n);
    }
  }

  /** Starts every node (each through the pod's start-up gate) and waits until each answers. */
  public void startAll() throws InterruptedException {
    for (Node n : nodes.values()) {
      launch(n);
    }
    long deadline = System.nanoTime() + 20_000_000_000L;
    for (var e : nodes.entrySet()) {
      while (!answers(e.getValue())) {
        if (!e.getValue().process.isAlive()) {
          throw new IllegalStateException(e.getKey() + ": redis-server exited");
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(e.getKey() + ": redis-server did not answer in 20 s");
        }
        Thread.sleep(20); // a poll of a local process, bounded by the deadline above
      }
    }
  }

  @Override
  public String describe() {
    return "real redis-server processes on 127.0.0.1, started by the pod's redis-start.sh";
  }

  @Override
  public NodeAddressResolver resolver() {
    return pod -> {
      Node n = nodes.get(pod);
      return n == null || n.process == null || !n.process.isAlive() ? null : n.address();
    };
  }

  private void launch(Node n) {
    List<String> peers = new ArrayList<>();
    for (Node other : nodes.values()) {
      peers.add("127.0.0.1:" + other.port);
    }
    try {
      Files.createDirectories(n.run);
      ProcessBuilder pb =
          new ProcessBuilder("bash", root.resolve(RedisConfig.START_SCRIPT).toString());
      Map<String, String> env = pb.environment();
      env.put("REDIS_PASSWORD", password);
      env.put("POD_NAME", n.data.getParent().getFileName().toString());
      env.put("REDIS_BASE_CONF", root.resolve(RedisConfig.REDIS_CONF).toString());
      env.put("REDIS_DATA_DIR", n.data.toString());
      env.put("REDIS_RUN_DIR", n.run.toString());
      env.put("REDIS_PORT", Integer.toString(n.port));
      env.put("REDIS_GATE_PORT", Integer.toString(n.gatePort));
      env.put("REDIS_BIND", "127.0.0.1");
      env.put("REDIS_PEERS", String.join(" ", peers));
      env.put("REDIS_GATE_POLL_SECONDS", "0.05");
      env.put("REDIS_PEER_TIMEOUT_SECONDS", "1");
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(n.log.toFile()));
      n.process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private boolean answers(Node n) {
    try (NodeClient c = NodeClient.connect("127.0.0.1", n.port, RedisCredentials.of(password))) {
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    for (Node n : nodes.values()) {
      if (n.process != null) {
        n.process.descendants().forEach(ProcessHandle::destroyForcibly);
        n.process.destroyForcibly();
        try {
          n.process.waitFor();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: what is left is the OS's to clean
    }
  }

  /**
   * A free loopback port below the ephemeral range (an outgoing connection could take a port found
   * free there a moment later); with {@code withBus} its cluster bus port (+10000) is free too.
   */
  private static int freePort(List<Integer> taken, boolean withBus) {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(12000, 22000);
      int bus = port + NodeAddress.BUS_PORT_OFFSET;
      if (taken.contains(port) || !free(port) || (withBus && (taken.contains(bus) || !free(bus)))) {
        continue;
      }
      taken.add(port);
      if (withBus) {
        taken.add(bus);
      }
      return port;
    }
    throw new IllegalStateException("no free loopback port found");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
