package dev.ttstack.operator.redis.cluster;

import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.redis.RedisConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real redis-server processes on 127.0.0.1, one per "pod", each started the way the pod starts it:
 * through {@code redis-start.sh} (the start-up gate) with the shipped {@code redis.conf}, a
 * password and AOF on, a data directory as its volume and a run directory as its memory-backed
 * emptyDir.
 *
 * <p>Registered with {@code @RegisterExtension}: every process is killed and every directory
 * removed after each test, failed or not. A pod moving to a new IP is modelled by a new port (MEET
 * only takes addresses, so to Redis it is the same thing).
 */
public final class LocalRedisCluster implements BeforeEachCallback, AfterEachCallback {
  public static final int NODE_TIMEOUT_MILLIS = 2000;
  private static final Set<Integer> PORTS_IN_USE = new HashSet<>();

  private final int size;
  private final String stack;
  private final String password;
  private String shell = "bash";
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private Path root;
  private Path script;
  private Path baseConf;

  /** One pod: its ports, its volume, its emptyDir and its process. */
  public static final class Node {
    final String pod;
    int port;
    int gatePort;
    final Path data;
    final Path run;
    final Path log;
    Process process;

    Node(String pod, Path dir) {
      this.pod = pod;
      this.data = dir.resolve("data");
      this.run = dir.resolve("run");
      this.log = dir.resolve("node.log");
    }

    public NodeAddress address() {
      return new NodeAddress("127.0.0.1", port, gatePort);
    }
  }

  public LocalRedisCluster(int size) {
    this("tt", size);
  }

  public LocalRedisCluster(String stack, int size) {
    this(stack, size, randomPassword());
  }

  public LocalRedisCluster(String stack, int size, String password) {
    this.stack = stack;
    this.size = size;
    this.password = password;
  }

  /**
   * The shell that runs redis-start.sh: bash (default) or sh (dash here; busybox ash in the image).
   */
  public LocalRedisCluster shell(String shell) {
    this.shell = shell;
    return this;
  }

  /** Optional marker file given to the gate as REDIS_CLUSTER_MARKER. */
  private Path marker;

  public Path marker() {
    return root.resolve("cluster-marker");
  }

  public void useMarker() {
    marker = marker();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    root = Files.createTempDirectory("ttstack-redis-");
    script = root.resolve(RedisConfig.START_SCRIPT);
    Files.writeString(script, RedisConfig.startScript());
    baseConf = root.resolve(RedisConfig.REDIS_CONF);
    Files.writeString(baseConf, RedisConfig.redisConf(NODE_TIMEOUT_MILLIS));
    nodes.clear();
    marker = null;
    for (int i = 0; i < size; i++) {
      String pod = stack + "-redis-" + i;
      Node n = new Node(pod, Files.createDirectories(root.resolve(pod)));
      Files.createDirectories(n.data);
      allocatePorts(n);
      nodes.put(pod, n);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (Node n : nodes.values()) {
      killProcess(n);
      releasePorts(n);
    }
    for (Node n : extras) {
      killProcess(n);
      releasePorts(n);
    }
    extras.clear();
    if (root != null) {
      try (Stream<Path> walk = Files.walk(root)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  public List<String> pods() {
    return List.copyOf(nodes.keySet());
  }

  public Node node(String pod) {
    return nodes.get(pod);
  }

  public String pod(int ordinal) {
    return stack + "-redis-" + ordinal;
  }

  public NodeAddressResolver resolver() {
    return pod -> {
      Node n = nodes.get(pod);
      return n == null || n.process == null || !n.process.isAlive() ? null : n.address();
    };
  }

  public RedisCredentials credentials() {
    return RedisCredentials.of(password);
  }

  /** The test password, for tests that must pass it on (never printed). */
  public String password() {
    return password;
  }

  public Path script() {
    return script;
  }

  public Path baseConf() {
    return baseConf;
  }

  /** Starts every node and waits until each answers on its Redis port or holds its gate closed. */
  public void startAll() {
    nodes.values().forEach(n -> launch(n, true));
    nodes.values().forEach(this::awaitUp);
  }

  /**
   * Every node killed, every volume wiped, every node started again: six empty nodes on the same
   * ports.
   */
  public void restartAllEmpty() throws IOException {
    for (String pod : pods()) {
      kill(pod);
      wipeVolume(pod);
    }
    startAll();
  }

  /** Starts the pod again as the kubelet would: same volume, new emptyDir, through the gate. */
  public void start(String pod) {
    Node n = nodes.get(pod);
    launch(n, true);
    awaitUp(n);
  }

  /**
   * Starts the pod with an empty peer list: the gate cannot see that a cluster exists and lets the
   * node start (what happens when no peer answers and no marker was written).
   */
  public void startWithoutPeers(String pod) {
    Node n = nodes.get(pod);
    launch(n, false);
    awaitUp(n);
  }

  /** SIGKILL, as a node crash or a pod deleted without grace (the AOF loses at most a second). */
  public void kill(String pod) {
    killProcess(nodes.get(pod));
  }

  /** SIGTERM and wait: a graceful pod stop (redis-server fsyncs its AOF). */
  public void stop(String pod) {
    Node n = nodes.get(pod);
    n.process.destroy();
    try {
      if (!n.process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        killProcess(n);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    killProcess(n);
  }

  /** The pod crashes and comes back with an empty volume, through its gate. */
  public void restartWithLostVolume(String pod) throws IOException {
    kill(pod);
    wipeVolume(pod);
    start(pod);
  }

  /**
   * The pod stops gracefully and comes back with its AOF but without nodes.conf; with {@code
   * peersVisible} false the gate cannot see that the cluster exists.
   */
  public void restartWithLostNodesConf(String pod, boolean peersVisible) throws IOException {
    stop(pod);
    deleteNodesConf(pod);
    if (peersVisible) {
      start(pod);
    } else {
      startWithoutPeers(pod);
    }
  }

  /** The pod's volume is gone: an empty data directory. */
  public void wipeVolume(String pod) throws IOException {
    Node n = nodes.get(pod);
    try (Stream<Path> walk = Files.walk(n.data)) {
      walk.sorted(Comparator.reverseOrder())
          .filter(p -> !p.equals(n.data))
          .forEach(p -> p.toFile().delete());
    }
  }

  public void deleteNodesConf(String pod) throws IOException {
    Files.deleteIfExists(nodes.get(pod).data.resolve("nodes.conf"));
  }

  /** The pod comes back on a new address (new ports here), volume kept. */
  public void moveToNewAddress(String pod) {
    Node n = nodes.get(pod);
    releasePorts(n);
    allocatePorts(n);
  }

  /** A node outside the pods (say, a pod of a removed ordinal) on its own ports: for ghosts. */
  public Node extraNode(String pod) throws IOException {
    Node n = new Node(pod, Files.createDirectories(root.resolve(pod)));
    Files.createDirectories(n.data);
    allocatePorts(n);
    launch(n, false);
    awaitUp(n);
    extras.add(n);
    return n;
  }

  private final List<Node> extras = new ArrayList<>();

  public void killExtra(Node n) {
    killProcess(n);
    releasePorts(n);
  }

  private void launch(Node n, boolean withPeers) {
    try {
      deleteRecursively(n.run);
      Files.createDirectories(n.run);
      List<String> peers = new ArrayList<>();
      for (Node other : nodes.values()) {
        peers.add("127.0.0.1:" + other.port);
      }
      ProcessBuilder pb = new ProcessBuilder(shell, script.toString());
      Map<String, String> env = pb.environment();
      env.put("REDIS_PASSWORD", password);
      env.put("POD_NAME", n.pod);
      env.put("REDIS_BASE_CONF", baseConf.toString());
      env.put("REDIS_DATA_DIR", n.data.toString());
      env.put("REDIS_RUN_DIR", n.run.toString());
      env.put("REDIS_PORT", Integer.toString(n.port));
      env.put("REDIS_GATE_PORT", Integer.toString(n.gatePort));
      env.put("REDIS_BIND", "127.0.0.1");
      env.put("REDIS_PEERS", withPeers ? String.join(" ", peers) : "");
      env.put("REDIS_GATE_POLL_SECONDS", "0.05");
      env.put("REDIS_PEER_TIMEOUT_SECONDS", "1");
      if (marker != null) {
        env.put("REDIS_CLUSTER_MARKER", marker.toString());
      }
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(n.log.toFile()));
      n.process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitUp(Node n) {
    await("node " + n.pod + " answering")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              if (!n.process.isAlive()) {
                throw new IllegalStateException(n.pod + " exited: " + tail(n));
              }
              return answers(n.port)
                  || ClusterObserver.readGate(n.address(), credentials()) != null;
            });
  }

  private boolean answers(int port) {
    try (NodeClient c = NodeClient.connect("127.0.0.1", port, credentials())) {
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The last lines of the node's log, for failure messages (the log never holds the password). */
  public String tail(Node n) {
    try {
      List<String> lines = Files.readAllLines(n.log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  public String log(String pod) {
    try {
      return Files.readString(nodes.get(pod).log);
    } catch (IOException e) {
      return "";
    }
  }

  private static void killProcess(Node n) {
    if (n.process == null) {
      return;
    }
    n.process.descendants().forEach(ProcessHandle::destroyForcibly);
    n.process.destroyForcibly();
    try {
      n.process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    n.process.descendants().forEach(ProcessHandle::destroyForcibly);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** A free port below 55536 whose bus port (+10000) is free too, and a free gate port. */
  private static void allocatePorts(Node n) {
    synchronized (PORTS_IN_USE) {
      n.port = pick(true);
      n.gatePort = pick(false);
    }
  }

  private static void releasePorts(Node n) {
    synchronized (PORTS_IN_USE) {
      PORTS_IN_USE.remove(n.port);
      PORTS_IN_USE.remove(n.port + NodeAddress.BUS_PORT_OFFSET);
      PORTS_IN_USE.remove(n.gatePort);
    }
  }

  private static int pick(boolean withBus) {
    for (int attempt = 0; attempt < 1000; attempt++) {
      // Below Linux's ephemeral range (32768-60999) for the port and its bus port (+10000): a port
      // found free there can be taken a moment later by any outgoing connection (seen: "bind:
      // Address
      // already in use").
      int port = ThreadLocalRandom.current().nextInt(12000, 22000);
      if (PORTS_IN_USE.contains(port) || !free(port)) {
        continue;
      }
      if (withBus
          && (PORTS_IN_USE.contains(port + NodeAddress.BUS_PORT_OFFSET)
              || !free(port + NodeAddress.BUS_PORT_OFFSET))) {
        continue;
      }
      PORTS_IN_USE.add(port);
      if (withBus) {
        PORTS_IN_USE.add(port + NodeAddress.BUS_PORT_OFFSET);
      }
      return port;
    }
    throw new IllegalStateException("no free port found");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      s.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return "t" + java.util.HexFormat.of().formatHex(bytes);
  }
}
