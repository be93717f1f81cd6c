package dev.ttstack.operator.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Benchmark, not a timed test: it prints figures and asserts only that both tools converge. {@code
 * redis-cli --cluster create --cluster-replicas 1} versus the operator's bootstrap on the same six
 * local processes (emptied and restarted before each run, alternating tools), time from "all six
 * answer" to full convergence: every node cluster_state:ok with 16384 slots, knowing the six nodes,
 * three masters, three replicas with their link up. Median of the runs of each.
 *
 * <p>For its figures, run it alone with five runs: {@code ./mvnw -B -pl operator test
 * -Dtest=BootstrapBenchmarkTest -Dttstack.benchmark.runs=5}; the test command runs one. The heal
 * case timings are printed by {@link ClusterHealTest}.
 */
class BootstrapBenchmarkTest {
  /**
   * 1 in CI, a smoke run that proves both tools still converge; 5 (or more) for the figures: {@code
   * -Dttstack.benchmark.runs=5}.
   */
  private static final int RUNS = Integer.getInteger("ttstack.benchmark.runs", 1);

  @RegisterExtension final LocalRedisCluster cluster = new LocalRedisCluster(6);

  @Test
  void redisCliVersusOperatorBootstrap() throws Exception {
    cluster.startAll();
    StringBuilder out = new StringBuilder();
    out.append(
        table(
            "Redis 7.0 keeps a node from reporting cluster_state:ok until 2 s after its first cluster"
                + " state update (CLUSTER_WRITABLE_DELAY), a floor for both tools"));
    System.out.println(out);
  }

  private String table(String title) throws Exception {
    List<Double> cli = new ArrayList<>();
    List<Double> operator = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      cluster.restartAllEmpty();
      cli.add(timeRedisCli());
      cluster.restartAllEmpty();
      operator.add(timeOperator());
    }
    assertThat(cli).hasSize(RUNS);
    assertThat(operator).hasSize(RUNS);
    double cliMedian = median(cli);
    double opMedian = median(operator);
    StringBuilder out =
        new StringBuilder(
            "\nRedis Cluster bootstrap, six local redis-server processes (password, AOF,"
                + " cluster-node-timeout 2000, repl-diskless-sync-delay 0), seconds to full convergence;\n"
                + title
                + ":\n");
    out.append(
        String.format(
            "| %-4s | %-35s | %-22s |%n",
            "run", "redis-cli --cluster create (rep. 1)", "operator bootstrap"));
    out.append("|------|-------------------------------------|------------------------|\n");
    for (int i = 0; i < RUNS; i++) {
      out.append(String.format("| %-4d | %35.2f | %22.2f |%n", i + 1, cli.get(i), operator.get(i)));
    }
    out.append(String.format("| %-4s | %35.2f | %22.2f |%n", "med.", cliMedian, opMedian));
    out.append(String.format("operator / redis-cli = %.2f%n", opMedian / cliMedian));
    return out.toString();
  }

  private double timeRedisCli() throws Exception {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    for (String pod : cluster.pods()) {
      cmd.add("127.0.0.1:" + cluster.node(pod).port);
    }
    cmd.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    long t0 = System.nanoTime();
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("REDISCLI_AUTH", cluster.password());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("redis-cli --cluster create").isZero();
    awaitConverged();
    return (System.nanoTime() - t0) / 1e9;
  }

  private double timeOperator() {
    RedisClusterManager manager = new RedisClusterManager(new SimpleMeterRegistry());
    long t0 = System.nanoTime();
    ClusterReport r = manager.reconcile(Reconciles.request(cluster, false));
    assertThat(r.actions()).extracting(HealAction::type).containsExactly(HealAction.Type.Bootstrap);
    awaitConverged();
    return (System.nanoTime() - t0) / 1e9;
  }

  private void awaitConverged() {
    await("full convergence")
        .atMost(Duration.ofSeconds(60))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                ClusterObserver.observe(cluster.pods(), cluster.resolver(), cluster.credentials())
                    .healthy(3, 1));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
