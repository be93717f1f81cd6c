package dev.ttstack.operator.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every heal case against six real redis-server processes started through the start-up gate:
 * bootstrap, write keys across all slots, break something, reconcile until healthy, then check that
 * every node is ok, every slot served, every link up and every key still there. Prints the time of
 * each case from fault to healthy.
 */
class ClusterHealTest {
  static final int KEYS = 3000;
  private static final Map<String, Duration> TIMINGS = new LinkedHashMap<>();

  @RegisterExtension final LocalRedisCluster cluster = new LocalRedisCluster(6);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RedisClusterManager manager = new RedisClusterManager(registry);
  private final Reconciles loop = new Reconciles();
  private String testName;
  private long faultAt;

  @BeforeEach
  void bootstrapWithData(TestInfo info) {
    testName = info.getTestMethod().orElseThrow().getName();
    cluster.startAll();
    new Reconciles().untilHealthy(manager, request(false), Duration.ofSeconds(30));
    ClusterData.write(cluster, KEYS);
  }

  @AfterAll
  static void printTimings() {
    StringBuilder table =
        new StringBuilder("\nRedis heal cases, fault to healthy (cluster-node-timeout 2000 ms):\n");
    table.append(String.format("| %-68s | %9s |%n", "case", "seconds"));
    table.append(String.format("|%s|%s|%n", "-".repeat(70), "-".repeat(11)));
    TIMINGS.forEach(
        (name, d) ->
            table.append(String.format("| %-68s | %9.2f |%n", name, d.toMillis() / 1000.0)));
    System.out.println(table);
  }

  private ClusterRequest request(boolean allowDataLoss) {
    return Reconciles.request(cluster, allowDataLoss);
  }

  private void fault() {
    faultAt = System.nanoTime();
  }

  private ClusterReport healUntilHealthy(boolean allowDataLoss) {
    ClusterReport report =
        loop.untilHealthy(manager, request(allowDataLoss), Duration.ofSeconds(60));
    TIMINGS.put(testName, Duration.ofNanos(System.nanoTime() - faultAt));
    assertHealthy(report);
    return report;
  }

  private void assertHealthy(ClusterReport report) {
    assertThat(report.healthy()).isTrue();
    assertThat(report.condition().status).isEqualTo("True");
    assertThat(report.slotsAssigned()).isEqualTo(16384);
    assertThat(report.slotsOk()).isEqualTo(16384);
    assertThat(report.masters()).isEqualTo(3);
    assertThat(report.replicas()).isEqualTo(3);
    ClusterSnapshot s = manager.observe(request(false));
    assertThat(s.members()).hasSize(6);
    for (NodeState n : s.members()) {
      assertThat(n.clusterState()).as(n.pod()).isEqualTo("ok");
      assertThat(n.knownNodes()).as(n.pod() + " knows only the six pods").isEqualTo(6);
      if (n.isReplica()) {
        assertThat(n.replicaLinkUp()).as(n.pod() + " link").isTrue();
      }
    }
  }

  private String masterPodOf(String replicaPod) {
    ClusterSnapshot s = manager.observe(request(false));
    return s.podOfLiveId(s.node(replicaPod).self().masterId());
  }

  @Test
  void onePodBackOnANewAddressRejoinsByItself() {
    String pod = cluster.pod(1);
    cluster.stop(pod);
    cluster.moveToNewAddress(pod);
    fault();
    cluster.start(pod);

    healUntilHealthy(false);

    assertThat(loop.actions)
        .as("nothing to do: the node finds the others and they learn its address")
        .isEmpty();
    assertThat(ClusterData.missing(cluster, KEYS)).isEmpty();
  }

  @Test
  void allPodsBackOnNewAddressesAreMetAgain() {
    for (String pod : cluster.pods()) {
      cluster.stop(pod);
      cluster.moveToNewAddress(pod);
    }
    fault();
    cluster.pods().forEach(cluster::start);

    healUntilHealthy(false);

    assertThat(loop.types()).contains(HealAction.Type.MeetNode);
    assertThat(loop.types())
        .doesNotContain(
            HealAction.Type.ForgetNode,
            HealAction.Type.PromoteReplica,
            HealAction.Type.ReleaseGate,
            HealAction.Type.ResetRogueNode,
            HealAction.Type.AssignSlots);
    assertThat(ClusterData.missing(cluster, KEYS)).isEmpty();
  }

  @Test
  void replicaThatLostItsVolumeIsForgottenAndJoinsAgain() throws Exception {
    String replica = cluster.pod(3);
    String oldId = manager.observe(request(false)).node(replica).myId();
    fault();
    cluster.restartWithLostVolume(replica);

    assertThat(manager.observe(request(false)).node(replica).gated())
        .as("held at its gate; log:\n%s", cluster.tail(cluster.node(replica)))
        .isTrue();
    healUntilHealthy(false);

    assertThat(loop.types())
        .containsSubsequence(
            HealAction.Type.ForgetNode, HealAction.Type.ReleaseGate, HealAction.Type.JoinNode);
    assertThat(loop.types()).doesNotContain(HealAction.Type.PromoteReplica);
    ClusterSnapshot s = manager.observe(request(false));
    assertThat(s.node(replica).myId()).isNotEqualTo(oldId);
    assertThat(s.entries()).doesNotContainKey(oldId);
    assertThat(ClusterData.missing(cluster, KEYS)).isEmpty();
    assertThat(
            registry
                .get("ttstack.redis.heal.actions")
                .tag("action", "ForgetNode")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void masterThatLostItsVolumeLosesNoKey() throws Exception {
    String master = cluster.pod(0);
    String replica = cluster.pod(3);
    assertThat(masterPodOf(replica)).isEqualTo(master);
    long replicaKeys = manager.observe(request(false)).node(replica).keys();
    assertThat(replicaKeys).isPositive();
    fault();
    cluster.restartWithLostVolume(master);

    NodeState gated = manager.observe(request(false)).node(master);
    assertThat(gated.gated()).as("the empty node does not serve").isTrue();
    assertThat(gated.gate().dataFiles()).isFalse();
    assertThat(gated.gate().reason()).contains("nodes.conf is missing");
    healUntilHealthy(false);

    assertThat(loop.types())
        .containsSubsequence(
            HealAction.Type.ForgetNode, HealAction.Type.ReleaseGate, HealAction.Type.JoinNode);
    ClusterSnapshot s = manager.observe(request(false));
    assertThat(s.node(replica).self().isMaster())
        .as("the former replica serves the shard")
        .isTrue();
    assertThat(masterPodOf(master)).as("the emptied pod is now its replica").isEqualTo(replica);
    assertThat(ClusterData.missing(cluster, KEYS)).as("keys lost").isEmpty();
  }

  @Test
  void nodesConfLostButDataKeptWaitsAtTheGateThenRejoinsEmpty() throws Exception {
    String master = cluster.pod(1);
    String replica = cluster.pod(4);
    fault();
    cluster.restartWithLostNodesConf(master, true);

    NodeState gated = manager.observe(request(false)).node(master);
    assertThat(gated.gated()).isTrue();
    assertThat(gated.gate().dataFiles()).as("its AOF is still there").isTrue();
    healUntilHealthy(false);

    assertThat(loop.types())
        .containsSubsequence(
            HealAction.Type.ForgetNode, HealAction.Type.ReleaseGate, HealAction.Type.JoinNode);
    assertThat(masterPodOf(master)).isEqualTo(replica);
    assertThat(
            java.nio.file.Files.exists(
                cluster.node(master).data.resolve("ttstack-stale/appendonlydir")))
        .as("old AOF moved aside, not deleted")
        .isTrue();
    assertThat(ClusterData.missing(cluster, KEYS)).isEmpty();
  }

  @Test
  void rogueNodeWithDataButNoNodesConfIsPromotedAroundFlushedAndRejoined() throws Exception {
    String master = cluster.pod(2);
    String replica = cluster.pod(5);
    fault();
    cluster.restartWithLostNodesConf(
        master, false); // the gate cannot tell: it runs alone, claiming its keys' slots

    NodeState rogue = manager.observe(request(false)).node(master);
    assertThat(rogue.running()).isTrue();
    assertThat(rogue.alone()).isTrue();
    assertThat(rogue.keys()).isPositive();
    healUntilHealthy(false);

    assertThat(loop.types())
        .contains(
            HealAction.Type.PromoteReplica,
            HealAction.Type.ForgetNode,
            HealAction.Type.ResetRogueNode,
            HealAction.Type.JoinNode);
    assertThat(masterPodOf(master)).isEqualTo(replica);
    assertThat(ClusterData.missing(cluster, KEYS)).isEmpty();
  }

  @Test
  void ghostEntriesAreForgotten() throws Exception {
    LocalRedisCluster.Node extra = cluster.extraNode("tt-redis-6");
    try (NodeClient c =
        NodeClient.connect(cluster.node(cluster.pod(0)).address(), cluster.credentials())) {
      c.meet(extra.address());
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                manager.observe(request(false)).members().stream()
                    .allMatch(n -> n.knownNodes() == 7));
    fault();
    cluster.killExtra(extra);

    healUntilHealthy(false);

    assertThat(loop.types()).containsOnly(HealAction.Type.ForgetNode);
    assertThat(loop.actions.get(0).detail()).contains("ghost");
    assertThat(ClusterData.missing(cluster, KEYS)).isEmpty();
  }

  @Test
  void bothCopiesOfAShardLostAreReportedAndServedEmptyOnlyWithAllowDataLoss() throws Exception {
    String master = cluster.pod(1);
    String replica = cluster.pod(4);
    List<SlotRange> shard = manager.observe(request(false)).node(master).self().slots();
    cluster.kill(master);
    cluster.kill(replica);
    cluster.wipeVolume(master);
    cluster.wipeVolume(replica);
    fault();
    cluster.start(master);
    cluster.start(replica);

    ClusterReport refused = null;
    for (int i = 0; i < 3; i++) {
      refused = manager.reconcile(request(false));
      assertThat(refused.actions()).as("nothing forgotten, released or assigned").isEmpty();
    }
    assertThat(refused.healthy()).isFalse();
    assertThat(refused.reason()).isEqualTo(ClusterReasons.SLOTS_LOST);
    assertThat(refused.lostSlots()).isEqualTo(shard);
    assertThat(refused.message()).contains(SlotRange.format(shard), "allowDataLoss");
    assertThat(manager.observe(request(false)).node(master).gated()).isTrue();

    healUntilHealthy(true);

    assertThat(loop.types())
        .contains(
            HealAction.Type.ForgetNode,
            HealAction.Type.ReleaseGate,
            HealAction.Type.AssignSlots,
            HealAction.Type.JoinNode);
    List<String> missing = ClusterData.missing(cluster, KEYS);
    java.util.BitSet lost = SlotRange.toBits(shard);
    for (int i = 0; i < KEYS; i++) {
      boolean inLostShard =
          lost.get(redis.clients.jedis.util.JedisClusterCRC16.getSlot(ClusterData.key(i)));
      assertThat(missing.contains(ClusterData.key(i)))
          .as(ClusterData.key(i))
          .isEqualTo(inLostShard);
    }
  }
}
