package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttstack.operator.api.AppState;
import dev.ttstack.operator.api.AppStatus;
import dev.ttstack.operator.api.BackupStatus;
import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.MonitoringStatus;
import dev.ttstack.operator.api.PostgresStatus;
import dev.ttstack.operator.api.RedisNodeStatus;
import dev.ttstack.operator.api.RedisStatus;
import dev.ttstack.operator.api.SecretsStatus;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status} on the embedded API server (the real API server: {@code RecoveryKubeIT}). */
class StatusCommandTest {
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private EmbeddedApiServer server;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() {
    server = EmbeddedApiServer.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aReadyStackOnOneScreen() throws Exception {
    stackWithStatus(readyStatus());
    server
        .client()
        .secrets()
        .inNamespace("tt")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("tt-secrets")
                .endMetadata()
                .withStringData(Map.of("POSTGRES_PASSWORD", "pw-never-shown"))
                .build())
        .create();
    for (int i = 0; i < 12; i++) {
      event("e" + i, "TTStack", "tt", "Reconciled" + i, NOW.minusSeconds(600 - i * 10));
    }
    event("other", "Pod", "tt-app-0", "Pulled", NOW);

    Run run = status("tt", "-n", "tt");
    System.out.println(run.out());
    assertThat(run.exit()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("TTStack tt/tt");
    assertThat(lines.get(1)).isEqualTo("Ready: all components are ready");
    assertThat(run.out())
        .contains("Generation 1, observed 1, last valid 1")
        .containsPattern("Ready +True +AllComponentsReady +5m +all components are ready")
        .contains("App         Available: version v1.4.2, 2 ready; last good v1.4.2")
        .contains(
            "PostgreSQL  postgres:16.4-alpine (major 16); last backup 3h ago, 12.0 MiB,"
                + " tt-20261203-0900.dump (job tt-backup-1)")
        .contains("Redis       cluster ok, slots ok 16384/16384, 3 masters, 3 replicas")
        .containsPattern("tt-redis-0 +master +- +0-5460 +-\n")
        .containsPattern("tt-redis-3 +replica +tt-redis-0 +- +down")
        .contains(
            "Secrets     secretRef -> Secret tt-secrets, 5 keys, synced 2m ago, content sha256:0a1b2c")
        .contains("Monitoring  prometheus yes, alertmanager yes (Slack receiver no), grafana yes")
        .doesNotContain("pw-never-shown")
        .doesNotContain("Pulled");
    int events = lines.indexOf("Events (the 10 most recent)");
    assertThat(lines.subList(events + 2, lines.size())).hasSize(10);
    assertThat(lines.get(events + 2)).as("newest first").contains("Reconciled11");
  }

  @Test
  void jsonForScripts() throws Exception {
    stackWithStatus(readyStatus());
    event("e1", "TTStack", "tt", "Reconciled", NOW.minusSeconds(30));
    Run run = status("tt", "-n", "tt", "--output", "json");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode json = Serialization.jsonMapper().readTree(run.out());
    assertThat(json.path("ready").asBoolean()).isTrue();
    assertThat(json.path("headline").asText()).isEqualTo("Ready: all components are ready");
    assertThat(json.path("status").path("conditions").get(0).path("age").asText()).isEqualTo("5m");
    assertThat(json.path("status").has("lastValidSpec")).isFalse();
    assertThat(json.path("status").path("app").path("lastGoodVersion").asText())
        .isEqualTo("v1.4.2");
    assertThat(json.path("events")).hasSize(1);
  }

  @Test
  void theFirstLineSaysWhatBlocksReady() throws Exception {
    TTStackStatus s = readyStatus();
    s.conditions =
        List.of(
            condition(
                "Ready",
                "False",
                "ComponentsNotReady",
                "waiting for RedisClusterReady (Converging)"),
            condition(
                "RedisClusterReady", "False", "Converging", "3 of 6 nodes agree on the slots"),
            condition("AppReady", "True", "Available", "2 pods"));
    stackWithStatus(s);
    Run run = status("-n", "tt");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out().lines().toList().get(1))
        .isEqualTo("Not ready: RedisClusterReady (Converging): 3 of 6 nodes agree on the slots");

    TTStack edited =
        server.client().resources(TTStack.class).inNamespace("tt").withName("tt").get();
    edited.getStatus().conditions =
        List.of(
            condition("Ready", "False", "InvalidSpec", "spec.redis.masters: must be >= 3 (got 2)"));
    server.client().resources(TTStack.class).inNamespace("tt").resource(edited).updateStatus();
    assertThat(status("tt", "-n", "tt").out().lines().toList().get(1))
        .isEqualTo("Not ready (InvalidSpec): spec.redis.masters: must be >= 3 (got 2)");
  }

  @Test
  void aRollbackShowsTheFailedVersionAndWhy() throws Exception {
    TTStackStatus s = readyStatus();
    s.conditions =
        List.of(
            condition("Ready", "False", "ComponentsNotReady", "waiting for AppReady (RolledBack)"),
            condition(
                "AppReady",
                "False",
                "RolledBack",
                "v1.5.0 rolled back to v1.4.2: CrashLoopBackOff"));
    s.app.state = AppState.RolledBack;
    s.app.failedVersion = "v1.5.0";
    s.app.failureReason = "CrashLoopBackOff: container app restarted 3 times";
    s.app.lastRollbackTime = NOW.minusSeconds(300).toString();
    stackWithStatus(s);
    Run run = status("tt", "-n", "tt");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out().lines().toList().get(1))
        .isEqualTo(
            "Not ready: AppReady (RolledBack): v1.5.0 rolled back to v1.4.2: CrashLoopBackOff");
    assertThat(run.out())
        .contains(
            "App         RolledBack: version v1.4.2, 2 ready; last good v1.4.2; failed v1.5.0"
                + " (CrashLoopBackOff: container app restarted 3 times); rolled back 5m ago");
  }

  @Test
  void aStackTheOperatorHasNotSeenSaysSo() throws Exception {
    TTStack stack = Stacks.minimal("tt");
    stack.getMetadata().setNamespace("tt");
    server.client().resources(TTStack.class).inNamespace("tt").resource(stack).create();
    Run run = status("tt", "-n", "tt");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("Not observed yet: the operator has not reconciled this stack");
  }

  @Test
  void missingStacksAndBadArgumentsAreClearErrors() throws Exception {
    Run missing = status("nope", "-n", "tt");
    assertThat(missing.exit()).isEqualTo(StatusCommand.FAILED);
    assertThat(missing.err()).isEqualTo("error: TTStack tt/nope not found\n");
    assertThat(status("-n", "empty").err()).isEqualTo("error: no TTStack in namespace empty\n");
    Run bad = status("tt", "--output", "yaml");
    assertThat(bad.exit()).isEqualTo(StatusCommand.USAGE);
    assertThat(bad.err()).contains("--output is text or json, got 'yaml'", "usage: status");
  }

  /** An API server that accepts the connection and never answers: the bound holds. */
  @Test
  void aSilentApiServerEndsWithinTheBound() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> held = new ArrayList<>();
      CompletableFuture.runAsync(
          () -> {
            try {
              while (!silent.isClosed()) {
                held.add(silent.accept());
              }
            } catch (java.io.IOException ignored) {
              // closed at the end of the test
            }
          });
      Config config =
          new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + silent.getLocalPort()).build();
      long t0 = System.nanoTime();
      Run run =
          CompletableFuture.supplyAsync(() -> status(config, "tt", "-n", "tt", "--timeout", "1"))
              .get(30, TimeUnit.SECONDS);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      System.out.println("silent API server: status ended after " + millis + " ms: " + run.err());
      assertThat(run.exit()).isEqualTo(StatusCommand.FAILED);
      assertThat(run.err())
          .isEqualTo(
              "error: no answer from the API server (http://127.0.0.1:"
                  + silent.getLocalPort()
                  + "/) within 1 s; nothing was changed\n");
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void anUnreachableApiServerIsAClearError() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    Config config = new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + port).build();
    Run run = status(config, "tt", "-n", "tt", "--timeout", "5");
    assertThat(run.exit()).isEqualTo(StatusCommand.FAILED);
    assertThat(run.err()).startsWith("error: ").doesNotContain("\tat ");
  }

  @Test
  void aKubeconfigFileAndContextAreReadAsKubectlReadsThem(@TempDir Path dir) throws Exception {
    stackWithStatus(readyStatus());
    Path kubeconfig = dir.resolve("config");
    java.nio.file.Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: demo
          cluster: {server: "%s"}
        - name: elsewhere
          cluster: {server: "http://127.0.0.1:9"}
        users:
        - name: demo
          user: {token: demo}
        contexts:
        - name: demo
          context: {cluster: demo, user: demo, namespace: tt}
        - name: elsewhere
          context: {cluster: elsewhere, user: demo}
        current-context: elsewhere
        """
            .formatted(server.client().getConfiguration().getMasterUrl()));
    Run run =
        statusWith(
            StatusCommand::kubeconfig,
            "tt",
            "--kubeconfig",
            kubeconfig.toString(),
            "--context",
            "demo");
    assertThat(run.err()).isEmpty();
    assertThat(run.exit()).isEqualTo(StatusCommand.OK);
    assertThat(run.out()).startsWith("TTStack tt/tt\nReady: ");

    Run missing =
        statusWith(StatusCommand::kubeconfig, "tt", "--kubeconfig", dir.resolve("none").toString());
    assertThat(missing.exit()).isEqualTo(StatusCommand.FAILED);
    assertThat(missing.err()).startsWith("error: ").doesNotContain("\tat ");
    System.out.println("a missing kubeconfig: " + missing.err());
  }

  private Run status(String... args) {
    return status(server.client().getConfiguration(), args);
  }

  private static Run status(Config config, String... args) {
    return statusWith((kubeconfig, context) -> config, args);
  }

  private static Run statusWith(StatusCommand.Connections connections, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        StatusCommand.run(
            List.of(args),
            connections,
            CLOCK,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private void stackWithStatus(TTStackStatus status) {
    TTStack stack = Stacks.minimal("tt");
    stack.getMetadata().setNamespace("tt");
    TTStack created =
        server.client().resources(TTStack.class).inNamespace("tt").resource(stack).create();
    created.setStatus(status);
    server.client().resources(TTStack.class).inNamespace("tt").resource(created).updateStatus();
  }

  private void event(String name, String kind, String object, String reason, Instant time) {
    server
        .client()
        .v1()
        .events()
        .inNamespace("tt")
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewInvolvedObject()
                .withKind(kind)
                .withName(object)
                .withNamespace("tt")
                .endInvolvedObject()
                .withType("Normal")
                .withReason(reason)
                .withMessage("message of " + name)
                .withLastTimestamp(time.toString())
                .build())
        .create();
  }

  private static Condition condition(String type, String status, String reason, String message) {
    Condition c = new Condition(type, status, reason, message);
    c.lastTransitionTime = NOW.minusSeconds(300).toString();
    return c;
  }

  private static TTStackStatus readyStatus() {
    TTStackStatus s = new TTStackStatus();
    s.observedGeneration = 1L;
    s.lastValidGeneration = 1L;
    s.lastValidSpec = "{\"app\":{}}";
    s.conditions =
        new ArrayList<>(
            List.of(
                condition("Ready", "True", "AllComponentsReady", "all components are ready"),
                condition(
                    "SecretsSynced", "True", "SecretAvailable", "5 keys in Secret tt-secrets")));
    s.app = new AppStatus();
    s.app.state = AppState.Available;
    s.app.version = "v1.4.2";
    s.app.lastGoodVersion = "v1.4.2";
    s.app.readyReplicas = 2;
    s.postgres = new PostgresStatus();
    s.postgres.image = "postgres:16.4-alpine";
    s.postgres.majorVersion = 16;
    s.postgres.lastBackup = new BackupStatus();
    s.postgres.lastBackup.time = NOW.minusSeconds(3 * 3600).toString();
    s.postgres.lastBackup.file = "tt-20261203-0900.dump";
    s.postgres.lastBackup.sizeBytes = 12L * 1024 * 1024;
    s.postgres.lastBackup.job = "tt-backup-1";
    s.redis = new RedisStatus();
    s.redis.clusterState = "ok";
    s.redis.slotsAssigned = 16384;
    s.redis.slotsOk = 16384;
    s.redis.masters = 3;
    s.redis.replicas = 3;
    RedisNodeStatus master = new RedisNodeStatus();
    master.pod = "tt-redis-0";
    master.role = "master";
    master.slots = "0-5460";
    // a master has no replication link: linkUp unset, as ClusterReport leaves it
    RedisNodeStatus replica = new RedisNodeStatus();
    replica.pod = "tt-redis-3";
    replica.role = "replica";
    replica.master = "tt-redis-0";
    replica.linkUp = false;
    s.redis.nodes = List.of(master, replica);
    s.secrets = new SecretsStatus();
    s.secrets.source = "secretRef";
    s.secrets.secretName = "tt-secrets";
    s.secrets.keyCount = 5;
    s.secrets.lastSyncTime = NOW.minusSeconds(150).toString();
    s.secrets.contentHash = "sha256:0a1b2c";
    s.monitoring = new MonitoringStatus();
    s.monitoring.prometheus = true;
    s.monitoring.alertmanager = true;
    s.monitoring.slackReceiver = false;
    s.monitoring.grafana = true;
    return s;
  }
}
