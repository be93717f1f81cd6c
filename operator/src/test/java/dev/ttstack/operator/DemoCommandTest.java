package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.demo.DemoRedis;
import dev.ttstack.operator.testing.Stacks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo, as {@code java -jar ttstack-operator.jar demo FILE} runs it: its output and its exit
 * code; with real redis-servers (on PATH: .ci/run installs them; the test fails without) and with
 * the simulated Redis Cluster a machine without redis-server gets.
 */
class DemoCommandTest {
  private static final Duration STEP = Duration.ofSeconds(40);

  /** Known values, so that the test can look for them in the output. */
  private static final Map<String, String> VALUES =
      Map.of(
          "POSTGRES_USER",
          "tt",
          "POSTGRES_DB",
          "tt",
          "POSTGRES_PASSWORD",
          "pg-demo-test-7f3a9c",
          "REDIS_PASSWORD",
          "redis-demo-test-5b2e81",
          "GRAFANA_PASSWORD",
          "grafana-demo-test-c41d07",
          "SLACK_WEBHOOK_URL",
          "https://hooks.slack.com/services/T0TEST/B0TEST/slack-demo-test-9e",
          DemoCommand.APP_ONLY_KEY,
          "payment-demo-test-a8f6");

  record Run(int exit, String out, String err) {}

  private static Run demo(String example, boolean failingBackups, boolean simulatedRedis)
      throws Exception {
    if (!simulatedRedis) {
      assertThat(DemoRedis.redisServer())
          .as("redis-server on PATH (bash .ci/run installs it)")
          .isPresent();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        DemoCommand.run(
            Stacks.examplesDir().resolve(example),
            new DemoCommand.Options(STEP, failingBackups, simulatedRedis, VALUES),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    Run run =
        new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    System.out.println(run.out());
    for (var e : VALUES.entrySet()) {
      if (!e.getValue().equals("tt")) {
        assertThat(run.out() + run.err())
            .as("the value of " + e.getKey())
            .doesNotContain(e.getValue());
      }
    }
    return run;
  }

  @Test
  void theWholeLifecycleHappensInOrderAndExitsZero() throws Exception {
    Run run = demo("ttstack.yaml", false, false);
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Doppler     fake, in-process")
        .contains("Redis       real redis-server processes on 127.0.0.1");
    // Until the first edit, each step is reached after the apply, in whatever order the
    // components got there; from the first edit on, the demo's own order.
    String first = "edited spec.app.version: v1.4.2 -> v1.5.0";
    for (String reached :
        List.of(
            "SecretsSynced=True (Synced): 7 keys from Doppler tt-backend/prd",
            "PostgresReady=True",
            "RedisClusterReady=True",
            "Redis Cluster: 3 masters, 3 replicas, 16384/16384 slots, cluster_state ok",
            "AppReady=True (Available): version v1.4.2",
            "  Ready=True (AllComponentsReady)")) {
      inOrder(run.out(), "applied TTStack tt/tt (app v1.4.2)", reached, first);
    }
    inOrder(
        run.out(),
        first,
        "Job tt-postgres-backup-pre-",
        "AppReady=False (RollingOut): rolling out version v1.5.0",
        "v1.5.0 is available; last good v1.5.0; last backup tt-postgres-backup-pre-",
        "edited spec.app.version: v1.5.0 -> v1.6.0",
        "AppReady=False (RolledBack): version v1.6.0 failed (CrashLoopBackOff",
        "rolled back to v1.5.0: failed version v1.6.0, reason: CrashLoopBackOff",
        "changed " + DemoCommand.APP_ONLY_KEY + " at the source (doppler)",
        "restarted: [Deployment/tt-app]; unchanged: [",
        "--- kubectl ttstack status tt -n tt ---",
        "Ready: all components are ready",
        "--- steps ---",
        "every step happened");
    List<String> steps =
        run.out().lines().dropWhile(l -> !l.equals("--- steps ---")).skip(1).toList();
    assertThat(steps.subList(0, 9)).allMatch(l -> l.startsWith("  done     "), "done");
    assertThat(run.out()).doesNotContain("MISSING");
  }

  /** Each part found after the one before it. */
  private static void inOrder(String text, String... parts) {
    int from = 0;
    for (String part : parts) {
      int at = text.indexOf(part, from);
      assertThat(at).as("'" + part + "' after position " + from).isNotNegative();
      from = at + part.length();
    }
  }

  @Test
  void aStepThatDidNotHappenIsNamedAndTheExitIsOne() throws Exception {
    // The minimal example reads a Secret (no Doppler), its Redis pods are the simulated ones (as
    // on a machine without redis-server), and its backups fail, so no upgrade happens.
    Run run = demo("ttstack-minimal.yaml", true, true);
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out())
        .contains("Secret      tt-secrets created with 7 generated keys")
        .contains("Redis       SIMULATED: asked for; loopback ports answer as Redis Cluster nodes")
        .contains("Redis Cluster: 3 masters, 3 replicas, 16384/16384 slots, cluster_state ok")
        .contains("  done     Redis bootstrapped (masters, replicas, slots)\n")
        .contains("step did not happen: upgrade to v1.5.0: a backup Job first, then the rollout")
        .contains("  done     Ready\n")
        .contains(
            "  MISSING  upgrade to v1.5.0: a backup Job first, then the rollout  (last seen"
                + " AppReady=False (BackupFailed)")
        .contains(
            "  MISSING  broken v1.6.0 (crash loop) rolled back by itself, with the reason  (not"
                + " attempted)")
        .contains("a step did not happen");
  }
}
