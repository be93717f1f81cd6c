package dev.ttstack.operator.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.redis.RedisConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code redis-probe.sh live|ready}, run with bash and sh against real nodes. */
class ProbeScriptTest {
  @RegisterExtension final LocalRedisCluster cluster = new LocalRedisCluster(6);

  private int probe(String shell, String pod, String mode)
      throws IOException, InterruptedException {
    LocalRedisCluster.Node n = cluster.node(pod);
    Path script = cluster.script().resolveSibling(RedisConfig.PROBE_SCRIPT);
    if (!Files.exists(script)) {
      Files.writeString(script, RedisConfig.probeScript());
    }
    ProcessBuilder pb = new ProcessBuilder(shell, script.toString(), mode);
    pb.environment().put("REDIS_PORT", Integer.toString(n.port));
    pb.environment().put("REDIS_GATE_PORT", Integer.toString(n.gatePort));
    pb.environment().put("REDIS_RUN_DIR", n.run.toString());
    pb.environment().put("REDIS_CLUSTER_MARKER", cluster.marker().toString());
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  @Test
  void probesFollowTheClusterLifecycle() throws Exception {
    cluster.startAll();
    String pod = cluster.pod(0);
    for (String shell : new String[] {"bash", "sh"}) {
      assertThat(probe(shell, pod, "live")).as(shell + " live").isZero();
      assertThat(probe(shell, pod, "ready"))
          .as(shell + ": a fresh node is ready, so it can be bootstrapped")
          .isZero();
    }
    Files.writeString(cluster.marker(), "created\n");
    assertThat(probe("bash", pod, "ready"))
        .as("alone while the marker says a cluster exists")
        .isEqualTo(1);
    Files.delete(cluster.marker());

    try (NodeClient c = NodeClient.connect(cluster.node(pod).address(), cluster.credentials())) {
      c.meet(cluster.node(cluster.pod(1)).address());
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              try (NodeClient c =
                  NodeClient.connect(cluster.node(pod).address(), cluster.credentials())) {
                return c.clusterInfo().get("cluster_known_nodes").equals("2");
              }
            });
    assertThat(probe("bash", pod, "ready"))
        .as("in a cluster whose slots are not covered")
        .isEqualTo(1);

    cluster.kill(pod);
    assertThat(probe("bash", pod, "live")).as("nothing answers").isEqualTo(1);
  }

  @Test
  void readyInAHealthyClusterAndAfterAPasswordRotation() throws Exception {
    cluster.startAll();
    new Reconciles()
        .untilHealthy(
            new RedisClusterManager(new SimpleMeterRegistry()),
            Reconciles.request(cluster, false),
            Duration.ofSeconds(30));
    for (String pod : cluster.pods()) {
      assertThat(probe("sh", pod, "ready")).as(pod).isZero();
    }
    assertThat(
            new PasswordRotation(cluster.pods(), cluster.resolver())
                .rotate(cluster.password(), "rotated-" + System.nanoTime())
                .complete())
        .isTrue();
    for (String pod : cluster.pods()) {
      assertThat(probe("bash", pod, "ready")).as(pod + " reads the rewritten password").isZero();
    }
  }

  @Test
  void liveWhileHeldAtTheGate() throws Exception {
    cluster.startAll();
    new Reconciles()
        .untilHealthy(
            new RedisClusterManager(new SimpleMeterRegistry()),
            Reconciles.request(cluster, false),
            Duration.ofSeconds(30));
    String pod = cluster.pod(4);
    cluster.restartWithLostVolume(pod);
    assertThat(
            ClusterObserver.observe(pod, cluster.node(pod).address(), cluster.credentials())
                .gated())
        .isTrue();

    assertThat(probe("sh", pod, "live")).isZero();
    assertThat(probe("sh", pod, "ready")).isEqualTo(1);
  }
}
