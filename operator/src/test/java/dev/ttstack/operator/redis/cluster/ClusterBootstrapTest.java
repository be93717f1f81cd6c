package dev.ttstack.operator.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClusterBootstrapTest {
  @RegisterExtension final LocalRedisCluster cluster = new LocalRedisCluster(6);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RedisClusterManager manager = new RedisClusterManager(registry);

  @Test
  void bootstrapsSixEmptyNodesIntoThreeShardsWithOneReplicaEach() {
    cluster.startAll();
    ClusterRequest req = Reconciles.request(cluster, false);
    Reconciles loop = new Reconciles();

    ClusterReport report = loop.untilHealthy(manager, req, Duration.ofSeconds(30));

    assertThat(loop.types()).containsExactly(HealAction.Type.Bootstrap);
    assertThat(report.condition().status).isEqualTo("True");
    assertThat(report.reason()).isEqualTo(ClusterReasons.HEALTHY);
    assertThat(report.clusterState()).isEqualTo("ok");
    assertThat(report.slotsAssigned()).isEqualTo(16384);
    assertThat(report.slotsOk()).isEqualTo(16384);
    assertThat(report.masters()).isEqualTo(3);
    assertThat(report.replicas()).isEqualTo(3);
    assertThat(report.nodes())
        .extracting(n -> n.role)
        .containsExactly("master", "master", "master", "replica", "replica", "replica");
    assertThat(report.nodes())
        .extracting(n -> n.slots)
        .containsExactly("0-5461", "5462-10922", "10923-16383", null, null, null);
    assertThat(report.nodes())
        .extracting(n -> n.master)
        .containsExactly(null, null, null, cluster.pod(0), cluster.pod(1), cluster.pod(2));
    assertThat(report.nodes())
        .extracting(n -> n.linkUp)
        .containsExactly(null, null, null, true, true, true);

    ClusterSnapshot s = manager.observe(req);
    for (NodeState n : s.members()) {
      assertThat(n.clusterState()).as(n.pod()).isEqualTo("ok");
      assertThat(n.slotsOk()).as(n.pod()).isEqualTo(16384);
      assertThat(n.knownNodes()).as(n.pod()).isEqualTo(6);
      assertThat(n.self().hostname()).as("announced hostname").isEqualTo(n.pod());
    }
    assertThat(
            registry.get("ttstack.redis.heal.actions").tag("action", "Bootstrap").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("ttstack.redis.cluster.healthy").gauge().value()).isEqualTo(1);

    ClusterData.write(cluster, 3000);
    assertThat(ClusterData.missing(cluster, 3000)).isEmpty();
  }

  @Test
  void neverRecreatesAClusterThatExists() {
    cluster.startAll();
    ClusterRequest req = Reconciles.request(cluster, false);
    new Reconciles().untilHealthy(manager, req, Duration.ofSeconds(30));
    ClusterData.write(cluster, 500);
    List<String> idsBefore = manager.observe(req).nodes().stream().map(NodeState::myId).toList();

    ClusterReport again = manager.reconcile(req);

    assertThat(again.actions()).isEmpty();
    assertThat(again.healthy()).isTrue();
    assertThat(manager.observe(req).nodes().stream().map(NodeState::myId).toList())
        .isEqualTo(idsBefore);
    assertThat(ClusterData.missing(cluster, 500)).isEmpty();
  }

  @Test
  void waitsForEveryPodBeforeBootstrapping() {
    cluster.startAll();
    cluster.kill(cluster.pod(5));
    ClusterRequest req = Reconciles.request(cluster, false);

    ClusterReport report = manager.reconcile(req);

    assertThat(report.actions()).isEmpty();
    assertThat(report.reason()).isEqualTo(ClusterReasons.WAITING_FOR_PODS);
    assertThat(report.condition().status).isEqualTo("False");
    cluster.start(cluster.pod(5));
    assertThat(new Reconciles().untilHealthy(manager, req, Duration.ofSeconds(30)).healthy())
        .isTrue();
  }

  @Test
  void aClusterOnceCreatedIsNotSilentlyRecreatedEmpty() {
    cluster.startAll();
    ClusterRequest created =
        new ClusterRequest(
            "tt",
            cluster.pods(),
            cluster.resolver(),
            new ClusterSpec(3, 1, false),
            cluster.credentials(),
            true);

    ClusterReport report = manager.reconcile(created);

    assertThat(report.actions()).isEmpty();
    assertThat(report.reason()).isEqualTo(ClusterReasons.CLUSTER_LOST);
    assertThat(report.lostSlots()).containsExactly(new SlotRange(0, 16383));
    assertThat(report.message()).contains("0-16383", "allowDataLoss");
  }
}
