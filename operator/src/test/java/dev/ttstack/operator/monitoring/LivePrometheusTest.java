package dev.ttstack.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ttstack.operator.OperatorHttpServer;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.demo.FakeDoppler;
import dev.ttstack.operator.testing.LocalPostgres;
import dev.ttstack.operator.testing.OperatorHarness;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus runs the generated configuration and rules against real processes: PostgreSQL
 * with the real postgres-exporter, two redis-server nodes each with its own redis_exporter, two app
 * pods ({@link AppStandIn}), the real operator's {@code /metrics} (in-JVM, after a real Doppler
 * sync against {@link FakeDoppler}), the real Alertmanager and Prometheus itself. Pod discovery is
 * replaced by targets carrying the labels discovery would give them ({@link LocalConfig}); the
 * generated relabeling decides. Then: every target is up, every rule evaluates without error and
 * sees the real data, and every dashboard query runs through {@code promtool query instant}, with
 * data unless it reads a metric that is not published yet.
 */
class LivePrometheusTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Map<String, String> DOPPLER_VALUES =
      Map.of(
          "POSTGRES_USER",
          "tt",
          "POSTGRES_PASSWORD",
          "pg-live-test-pw",
          "POSTGRES_DB",
          "tt",
          "REDIS_PASSWORD",
          "redis-live-test-pw",
          "GRAFANA_PASSWORD",
          "grafana-live-test-pw",
          "SLACK_WEBHOOK_URL",
          "https://hooks.slack.invalid/services/T0/B0/live");
  static final String TOKEN = "dp.st.prd.live-test-token";

  /**
   * Dashboard queries that may return nothing here, and why. Each must come back empty: one that
   * gets data belongs off this list.
   */
  static final Map<String, String> EXPECTED_EMPTY =
      Map.of(
          "tt-postgres.json / Last backup age / A",
          "ttstack_postgres_last_backup_timestamp_seconds: published once a stack's first backup succeeded (none here)",
          "tt-operator.json / Redis heal actions (last hour) / A",
          "ttstack_redis_heal_actions_total: the Redis component",
          "tt-operator.json / Reconcile errors per minute / A",
          "reconciliations_failure_total: counted from the first failure",
          "tt-operator.json / Reconcile errors per minute / B",
          "reconciliations_retries_total: counted from the first retry");

  @RegisterExtension static final LocalPostgres POSTGRES = new LocalPostgres();

  @RegisterExtension final OperatorHarness k8s = new OperatorHarness().withoutLeaderElection();

  @TempDir Path dir;

  private final Tools.Processes processes = new Tools.Processes();

  @AfterEach
  void stop() {
    processes.close();
  }

  @Test
  void prometheusScrapesEverythingEvaluatesEveryRuleAndAnswersEveryDashboardQuery()
      throws Exception {
    String postgresExporter = startPostgresExporter();
    List<String> redisExporters = List.of(startRedisWithExporter(0), startRedisWithExporter(1));
    AppStandIn app0 = processes.add(new AppStandIn());
    AppStandIn app1 = processes.add(new AppStandIn());
    String operator = startOperatorMetrics();
    String alertmanager = startAlertmanager();
    int port = Tools.freePort();
    String prometheus = "127.0.0.1:" + port;

    TTStack stack =
        Stacks.example("ttstack.yaml"); // tt/tt: 6 Redis nodes expected, limits 1 core / 1Gi
    ObjectNode config = LocalConfig.parse(PrometheusConfig.render(stack, "operator.invalid:8080"));
    LocalConfig.podsFor(
        config,
        "app",
        "tt",
        List.of(
            new LocalConfig.Pod(app0.address(), "tt", "app", "tt-app-0", "http"),
            new LocalConfig.Pod(app1.address(), "tt", "app", "tt-app-1", "http"),
            // discovered, but not this stack's app: relabeling must drop them
            new LocalConfig.Pod("127.0.0.1:1", "tt", "redis", "tt-redis-9", "http"),
            new LocalConfig.Pod("127.0.0.1:2", "other", "app", "other-app-0", "http"),
            new LocalConfig.Pod("127.0.0.1:3", "tt", "app", "tt-app-0", "debug")));
    LocalConfig.podsFor(
        config,
        "postgres",
        "tt",
        List.of(
            new LocalConfig.Pod(postgresExporter, "tt", "postgres", "tt-postgres-0", "metrics")));
    LocalConfig.podsFor(
        config,
        "redis",
        "tt",
        List.of(
            new LocalConfig.Pod(redisExporters.get(0), "tt", "redis", "tt-redis-0", "metrics"),
            new LocalConfig.Pod(redisExporters.get(1), "tt", "redis", "tt-redis-1", "metrics")));
    LocalConfig.staticTarget(config, "alertmanager", alertmanager);
    LocalConfig.staticTarget(config, "prometheus", prometheus);
    LocalConfig.staticTarget(config, "operator", operator);
    LocalConfig.alertmanager(config, alertmanager);
    Path rules = dir.resolve("rules.yml");
    Files.writeString(rules, AlertRules.render(stack, true));
    LocalConfig.rules(config, rules);
    LocalConfig.everySecond(config);
    Path configFile = dir.resolve("prometheus.yml");
    Files.writeString(configFile, LocalConfig.write(config));

    String url = "http://" + prometheus;
    processes
        .start(
            "prometheus",
            dir,
            Map.of(),
            Tools.binary("prometheus", "prometheus"),
            "--config.file=" + configFile,
            "--storage.tsdb.path=" + dir.resolve("tsdb"),
            "--web.listen-address=" + prometheus)
        .awaitHttp(url + "/-/ready", Duration.ofSeconds(60));

    // Every target up: both app pods, PostgreSQL, both Redis nodes, Alertmanager, Prometheus,
    // operator.
    Map<String, String> health = new TreeMap<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              health.clear();
              JsonNode targets = JSON.readTree(Tools.get(url + "/api/v1/targets")).get("data");
              targets
                  .get("activeTargets")
                  .forEach(
                      t ->
                          health.put(
                              t.get("labels").get("job").asText()
                                  + " "
                                  + t.get("labels")
                                      .path("pod")
                                      .asText(t.get("labels").get("instance").asText()),
                              t.get("health").asText()));
              assertThat(health)
                  .as("active targets")
                  .containsOnlyKeys(
                      "app tt-app-0",
                      "app tt-app-1",
                      "postgres tt-postgres-0",
                      "redis tt-redis-0",
                      "redis tt-redis-1",
                      "alertmanager " + alertmanager,
                      "prometheus " + prometheus,
                      "operator " + operator);
              assertThat(health.values()).as(health.toString()).containsOnly("up");
              assertThat(targets.get("droppedTargets"))
                  .as("the other stack's, other component's and other port's pods")
                  .hasSize(3);
            });

    // Enough samples for rates: three scrapes of every target.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> query(url, "min(count_over_time(up[1m])) >= 3").size() == 1);

    // Every rule evaluated, without error, on the real data.
    Map<String, JsonNode> byName = new TreeMap<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              byName.clear();
              JSON.readTree(Tools.get(url + "/api/v1/rules"))
                  .get("data")
                  .get("groups")
                  .forEach(g -> g.get("rules").forEach(r -> byName.put(r.get("name").asText(), r)));
              assertThat(byName.keySet()).isEqualTo(new TreeSet<>(AlertRulesTest.ALL_ALERTS));
              byName.forEach(
                  (name, r) -> {
                    assertThat(r.get("health").asText())
                        .as(name + ": " + r.path("lastError").asText())
                        .isEqualTo("ok");
                    assertThat(r.get("lastEvaluation").asText()).as(name).doesNotStartWith("0001");
                  });
            });
    // What the real exporters and processes say reaches the rules: two of six Redis nodes exist...
    JsonNode missing = byName.get("TTRedisNodesMissing");
    assertThat(missing.get("state").asText()).isEqualTo("pending");
    assertThat(missing.get("alerts").get(0).get("value").asText()).isEqualTo("2e+00");
    // ... and nothing is down.
    for (String quiet :
        List.of(
            "TTAppDown",
            "TTAppInstanceDown",
            "TTPostgresDown",
            "TTRedisNodeDown",
            "TTRedisClusterStateFail",
            "TTRedisSlotsNotCovered",
            "TTOperatorDown",
            "TTSecretsSyncFailing")) {
      assertThat(byName.get(quiet).get("state").asText()).as(quiet).isEqualTo("inactive");
    }

    // Every dashboard query through promtool, against this Prometheus.
    List<String> failed = new ArrayList<>();
    List<String> empty = new ArrayList<>();
    for (DashboardsTest.Query q : DashboardsTest.queries()) {
      String key = q.dashboard() + " / " + q.panel() + " / " + q.refId();
      Tools.Result r = Tools.run(dir, Tools.promtool(), "query", "instant", url, q.resolved());
      if (!r.ok()) {
        failed.add(key + ": " + r);
      } else if (r.output().isBlank()) {
        empty.add(key);
      }
    }
    assertThat(failed).as("dashboard queries promtool could not run").isEmpty();
    assertThat(new TreeSet<>(empty))
        .as("dashboard queries without data")
        .isEqualTo(new TreeSet<>(EXPECTED_EMPTY.keySet()));
  }

  /** Instant query through the HTTP API: the result vector. */
  private static JsonNode query(String url, String promql) {
    try {
      return JSON.readTree(
              Tools.get(
                  url + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
          .get("data")
          .get("result");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private String startPostgresExporter() {
    int port = Tools.freePort();
    String dsn =
        "postgresql://"
            + LocalPostgres.USER
            + ":"
            + POSTGRES.password()
            + "@127.0.0.1:"
            + POSTGRES.port()
            + "/postgres?sslmode=disable";
    processes
        .start(
            "postgres-exporter",
            dir,
            Map.of("DATA_SOURCE_NAME", dsn),
            Tools.binary(
                "prometheus-postgres-exporter",
                "postgres_exporter",
                "prometheus-postgres-exporter"),
            "--web.listen-address=127.0.0.1:" + port)
        .awaitHttp("http://127.0.0.1:" + port + "/metrics", Duration.ofSeconds(30));
    return "127.0.0.1:" + port;
  }

  /** A one-node Redis Cluster serving every slot, a key in it, and its own exporter. */
  private String startRedisWithExporter(int node) throws Exception {
    int port = redisPort();
    Path data = Files.createDirectories(dir.resolve("redis-" + node));
    processes.start(
        "redis-" + node,
        data,
        Map.of(),
        Tools.binary("redis-server", "redis-server"),
        "--port",
        String.valueOf(port),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
        "--dir",
        data.toString(),
        "--save",
        "",
        "--appendonly",
        "no");
    String cli = Tools.binary("redis-server", "redis-cli");
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                Tools.run(dir, cli, "-p", String.valueOf(port), "ping").output().contains("PONG"));
    assertThat(
            Tools.run(
                    dir, cli, "-p", String.valueOf(port), "cluster", "addslotsrange", "0", "16383")
                .output())
        .contains("OK");
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                Tools.run(dir, cli, "-p", String.valueOf(port), "cluster", "info")
                    .output()
                    .contains("cluster_state:ok"));
    assertThat(
            Tools.run(
                    dir, cli, "-p", String.valueOf(port), "-c", "set", "performance:1:seats", "100")
                .output())
        .contains("OK");
    int exporter = Tools.freePort();
    processes
        .start(
            "redis-exporter-" + node,
            dir,
            Map.of(),
            Tools.binary(
                "prometheus-redis-exporter", "redis_exporter", "prometheus-redis-exporter"),
            "-redis.addr",
            "redis://127.0.0.1:" + port,
            "-web.listen-address",
            "127.0.0.1:" + exporter)
        .awaitHttp("http://127.0.0.1:" + exporter + "/metrics", Duration.ofSeconds(30));
    return "127.0.0.1:" + exporter;
  }

  /** A free port whose cluster bus port (+10000) is a valid port too. */
  private static int redisPort() {
    for (int i = 0; i < 100; i++) {
      int port = Tools.freePort();
      if (port < 55000) {
        return port;
      }
    }
    throw new AssertionError("no free port below 55000");
  }

  /** The real operator after a real Doppler sync, its /metrics served as in production. */
  private String startOperatorMetrics() throws Exception {
    FakeDoppler doppler = processes.add(new FakeDoppler());
    doppler.setConfig("tt-backend", "prd", DOPPLER_VALUES);
    doppler.addToken(TOKEN, "tt-backend", "prd");
    k8s.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("doppler-token")
                .withNamespace(k8s.namespace())
                .endMetadata()
                .withStringData(Map.of("serviceToken", TOKEN))
                .build())
        .create();
    TTStack stack = Stacks.minimal("tt");
    stack.getSpec().secrets.doppler.host = doppler.url();
    k8s.create(stack);
    k8s.awaitStack(
        "tt",
        s ->
            s.getStatus() != null
                && s.getStatus().condition(ConditionType.SECRETS_SYNCED) != null
                && s.getStatus().condition(ConditionType.SECRETS_SYNCED).isTrue());
    OperatorHttpServer http =
        processes.add(
            new OperatorHttpServer(
                "127.0.0.1", 0, k8s.operator().registry()::scrape, () -> true, () -> true));
    return "127.0.0.1:" + http.port();
  }

  /**
   * The real Alertmanager with the generated configuration (null receiver: nothing leaves this
   * machine).
   */
  private String startAlertmanager() throws Exception {
    TTStack stack = Stacks.example("ttstack.yaml");
    stack.getSpec().monitoring.alertmanager.slack = null;
    Path amDir = Files.createDirectories(dir.resolve("alertmanager"));
    Files.writeString(
        amDir.resolve(AlertmanagerConfig.TEMPLATE_FILE),
        dev.ttstack.operator.support.ClasspathText.read(AlertmanagerConfig.TEMPLATE_RESOURCE));
    Path config = amDir.resolve("alertmanager.yml");
    Files.writeString(
        config,
        LocalConfig.alertmanager(AlertmanagerConfig.render(stack), amDir.resolve("none"), amDir));
    int port = Tools.freePort();
    processes
        .start(
            "alertmanager",
            amDir,
            Map.of(),
            Tools.binary("prometheus-alertmanager", "alertmanager", "prometheus-alertmanager"),
            "--config.file=" + config,
            "--storage.path=" + amDir.resolve("data"),
            "--web.listen-address=127.0.0.1:" + port,
            "--cluster.listen-address=")
        .awaitHttp("http://127.0.0.1:" + port + "/-/ready", Duration.ofSeconds(30));
    return "127.0.0.1:" + port;
  }
}
