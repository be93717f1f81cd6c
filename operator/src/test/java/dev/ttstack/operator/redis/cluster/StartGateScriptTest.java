package dev.ttstack.operator.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code redis-start.sh} itself, run with bash and with sh (dash, POSIX like the image's busybox
 * ash) against real redis-server processes: when it lets redis-server start, when it holds the node
 * at its gate, what the gate tells the operator, and what the release does.
 */
class StartGateScriptTest {
  /** A password with the characters redis.conf quoting must survive. */
  private static final String AWKWARD_PASSWORD = "p a\"s\\s'w$rd";

  @RegisterExtension
  final LocalRedisCluster cluster = new LocalRedisCluster("tt", 3, AWKWARD_PASSWORD);

  @RegisterExtension final LocalRedisCluster dash = new LocalRedisCluster("sh", 3).shell("sh");

  /** Nodes 0 and 1 form a two-node cluster; node 2 stays alone. */
  private static void formPair(LocalRedisCluster c) {
    c.startAll();
    try (NodeClient n0 = NodeClient.connect(c.node(c.pod(0)).address(), c.credentials())) {
      n0.meet(c.node(c.pod(1)).address());
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> knownNodes(c, c.pod(1)) == 2);
  }

  private static int knownNodes(LocalRedisCluster c, String pod) {
    try (NodeClient n = NodeClient.connect(c.node(pod).address(), c.credentials())) {
      return Integer.parseInt(n.clusterInfo().get("cluster_known_nodes"));
    }
  }

  private static NodeState observe(LocalRedisCluster c, String pod) {
    return ClusterObserver.observe(pod, c.node(pod).address(), c.credentials());
  }

  @Test
  void firstStartWithoutNodesConfAndNoClusterStartsRedis() {
    cluster.startAll();
    for (String pod : cluster.pods()) {
      NodeState n = observe(cluster, pod);
      assertThat(n.running()).isTrue();
      assertThat(n.empty()).isTrue();
      assertThat(cluster.log(pod))
          .contains("nodes.conf missing and no cluster known: starting redis-server");
    }
  }

  @Test
  void nodeWithoutNodesConfIsHeldAtTheGateWhileAPeerKnowsTheCluster() throws Exception {
    formPair(cluster);
    String pod = cluster.pod(2);
    cluster.restartWithLostVolume(pod);

    NodeState n = observe(cluster, pod);
    assertThat(n.gated()).isTrue();
    assertThat(n.gate().reason()).contains("nodes.conf is missing", "knows 2 nodes");
    assertThat(n.gate().dataFiles()).isFalse();
    // redis-start.sh records the closed gate in the gate server first and logs it just after: under
    // load
    // the observer can see the gate before the line is in the log.
    await().atMost(Duration.ofSeconds(5)).until(() -> cluster.log(pod).contains("GATE CLOSED"));
    assertPasswordNowhereVisible(cluster, pod);

    Gate.releaseFresh(cluster.node(pod).address(), cluster.credentials());
    await().atMost(Duration.ofSeconds(10)).until(() -> observe(cluster, pod).running());
    assertThat(observe(cluster, pod).empty()).isTrue();
    assertThat(ClusterObserver.readGate(cluster.node(pod).address(), cluster.credentials()))
        .as("the gate server is gone")
        .isNull();
    assertThat(cluster.node(pod).process.descendants().count())
        .as("no gate server left behind")
        .isZero();
  }

  @Test
  void dataWithoutNodesConfIsReportedAndMovedAsideOnRelease() throws Exception {
    formPair(cluster);
    String pod = cluster.pod(1);
    cluster.restartWithLostNodesConf(pod, true);

    NodeState n = observe(cluster, pod);
    assertThat(n.gated()).isTrue();
    assertThat(n.gate().dataFiles()).isTrue();

    Gate.releaseFresh(cluster.node(pod).address(), cluster.credentials());
    await().atMost(Duration.ofSeconds(10)).until(() -> observe(cluster, pod).running());
    NodeState fresh = observe(cluster, pod);
    assertThat(fresh.empty()).isTrue();
    Path data = cluster.node(pod).data;
    assertThat(data.resolve("ttstack-stale/appendonlydir")).isDirectory();
  }

  @Test
  void nodesConfPresentStartsRedisEvenThoughTheClusterExists() {
    formPair(cluster);
    String pod = cluster.pod(0);
    cluster.stop(pod);
    cluster.start(pod);

    assertThat(observe(cluster, pod).running()).isTrue();
    assertThat(cluster.log(pod)).contains("nodes.conf present: starting redis-server");
  }

  @Test
  void markerFileClosesTheGateWhenNoPeerAnswers() throws Exception {
    cluster.startAll();
    String pod = cluster.pod(0);
    cluster.useMarker();
    Files.writeString(cluster.marker(), "created 2026-11-26T00:00:00Z\n");
    cluster.kill(pod);
    cluster.wipeVolume(pod);
    cluster.startWithoutPeers(pod);

    NodeState n = observe(cluster, pod);
    assertThat(n.gated()).isTrue();
    assertThat(n.gate().reason()).contains("marker");
  }

  @Test
  void sigtermAtTheGateStopsTheGateServerAndExits() throws Exception {
    formPair(cluster);
    String pod = cluster.pod(2);
    cluster.restartWithLostVolume(pod);
    LocalRedisCluster.Node node = cluster.node(pod);
    List<ProcessHandle> children = node.process.descendants().toList();
    assertThat(children).isNotEmpty();

    node.process.destroy(); // SIGTERM to the script

    assertThat(node.process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(node.process.exitValue()).isEqualTo(143);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
  }

  @Test
  void runsUnderPosixShToo() throws Exception {
    formPair(dash);
    String pod = dash.pod(2);
    dash.restartWithLostVolume(pod);

    assertThat(observe(dash, pod).gated()).isTrue();
    Gate.releaseFresh(dash.node(pod).address(), dash.credentials());
    await().atMost(Duration.ofSeconds(10)).until(() -> observe(dash, pod).running());
  }

  @Test
  void runtimeConfigHoldsThePasswordQuotedAndPrivate() throws Exception {
    cluster.startAll();
    Path conf = cluster.node(cluster.pod(0)).run.resolve("redis.conf");
    assertThat(Files.getPosixFilePermissions(conf))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.readString(conf)).startsWith("include " + cluster.baseConf());
    // the awkward password was accepted: every node answered with it
    assertThat(observe(cluster, cluster.pod(0)).running()).isTrue();
    assertPasswordNowhereVisible(cluster, cluster.pod(0));
  }

  /** Not in any process's command line, not in the node's log. */
  private static void assertPasswordNowhereVisible(LocalRedisCluster c, String pod)
      throws Exception {
    LocalRedisCluster.Node node = c.node(pod);
    List<ProcessHandle> processes =
        Stream.concat(Stream.of(node.process.toHandle()), node.process.descendants()).toList();
    for (ProcessHandle p : processes) {
      Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
      if (Files.exists(cmdline)) {
        assertThat(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8))
            .doesNotContain(c.password());
      }
    }
    assertThat(c.log(pod)).doesNotContain(c.password());
  }
}
