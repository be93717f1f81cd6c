package dev.ttstack.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ttstack.operator.testing.Stacks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: a real Alertmanager with the generated configuration and Slack template, its webhook
 * URL read from a file as in the pod (api_url_file), delivers a firing alert to a local stand-in
 * for Slack's incoming webhook; and holds back an app symptom while the app is down (inhibition).
 */
class AlertmanagerDeliveryTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final Tools.Processes processes = new Tools.Processes();
  private final List<String> slackPosts = new CopyOnWriteArrayList<>();
  private final List<String> slackPaths = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    processes.close();
  }

  /** Slack's incoming webhook, as far as Alertmanager can tell: POST JSON, answer 200 "ok". */
  private String slack() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          slackPaths.add(ex.getRequestURI().getPath());
          slackPosts.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, ok.length);
          ex.getResponseBody().write(ok);
          ex.close();
        });
    server.start();
    processes.add(() -> server.stop(0));
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static Map<String, Object> alert(
      String name, String severity, String component, String summary) {
    return Map.of(
        "labels",
            Map.of(
                "alertname",
                name,
                "severity",
                severity,
                "component",
                component,
                "stack",
                "tt",
                "namespace",
                "tt",
                "pod",
                "tt-app-7d9f-x2x"),
        "annotations", Map.of("summary", summary, "description", "description of " + name),
        "startsAt", Instant.now().minusSeconds(60).toString(),
        "generatorURL", "http://prometheus.example/graph");
  }

  private static int post(String url, Map<String, Object> alert) throws Exception {
    return Tools.post(
        url + "/api/v2/alerts", "application/json", JSON.writeValueAsString(List.of(alert)));
  }

  @Test
  void aFiringAlertReachesSlackAndAppDownHoldsBackItsSymptoms() throws Exception {
    String webhook = slack() + "/services/T0000/B0000/not-a-real-token";
    Path webhookFile = dir.resolve("webhook-url");
    Files.writeString(webhookFile, webhook + "\n"); // as a Secret key often ends: with a newline
    Files.writeString(
        dir.resolve(AlertmanagerConfig.TEMPLATE_FILE),
        dev.ttstack.operator.support.ClasspathText.read(AlertmanagerConfig.TEMPLATE_RESOURCE));
    String generated = AlertmanagerConfig.render(Stacks.example("ttstack.yaml"));
    Path config = dir.resolve("alertmanager.yml");
    Files.writeString(config, LocalConfig.alertmanager(generated, webhookFile, dir));
    int port = Tools.freePort();
    String url = "http://127.0.0.1:" + port;
    processes
        .start(
            "alertmanager",
            dir,
            Map.of(),
            Tools.binary("prometheus-alertmanager", "alertmanager", "prometheus-alertmanager"),
            "--config.file=" + config,
            "--storage.path=" + dir.resolve("data"),
            "--web.listen-address=127.0.0.1:" + port,
            "--cluster.listen-address=")
        .awaitHttp(url + "/-/ready", Duration.ofSeconds(30));

    // The cause first: Alertmanager can only hold back a symptom once it knows the cause.
    assertThat(
            post(
                url,
                alert(
                    "TTAppDown", "critical", "app", "TT app of stack tt is down: no pod answers")))
        .isEqualTo(200);

    // The critical route waits 10 s (group_wait) unless the alert started longer ago, as here.
    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> !slackPosts.isEmpty());
    JsonNode post = JSON.readTree(slackPosts.get(0));
    assertThat(slackPaths.get(0)).isEqualTo("/services/T0000/B0000/not-a-real-token");
    assertThat(post.get("channel").asText()).isEqualTo("#tt-alerts");
    JsonNode attachment = post.get("attachments").get(0);
    assertThat(attachment.get("title").asText()).isEqualTo("[FIRING:1] TTAppDown (tt/tt)");
    assertThat(attachment.get("text").asText())
        .startsWith(
            "*CRITICAL*: TT app of stack tt is down: no pod answers\ndescription of TTAppDown\n")
        .contains("pod: `tt-app-7d9f-x2x`");
    assertThat(attachment.get("color").asText()).isEqualTo("danger");

    // A symptom of the app being down is inhibited by it...
    assertThat(
            post(
                url,
                alert(
                    "TTAppHighCpu",
                    "warning",
                    "app",
                    "App pod tt-app-7d9f-x2x uses 93% of its CPU")))
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              JsonNode cpu =
                  JSON.readTree(
                      Tools.get(url + "/api/v2/alerts?filter=alertname%3D%22TTAppHighCpu%22"));
              assertThat(cpu).hasSize(1);
              assertThat(cpu.get(0).get("status").get("state").asText()).isEqualTo("suppressed");
              assertThat(cpu.get(0).get("status").get("inhibitedBy")).isNotEmpty();
            });
    JsonNode down =
        JSON.readTree(Tools.get(url + "/api/v2/alerts?filter=alertname%3D%22TTAppDown%22"));
    assertThat(down.get(0).get("status").get("state").asText()).isEqualTo("active");
    // ... while another component's warning, sent after it, gets through: by then the symptom's
    // group
    // has been flushed too, and muted.
    assertThat(
            post(
                url, alert("TTRedisNodeDown", "warning", "redis", "Redis node tt-redis-2 is down")))
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> slackPosts.stream().anyMatch(p -> p.contains("TTRedisNodeDown")));
    assertThat(
            slackPosts.stream()
                .filter(p -> p.contains("TTRedisNodeDown"))
                .findFirst()
                .orElseThrow())
        .contains("\"color\":\"warning\"", "*WARNING*: Redis node tt-redis-2 is down");
    assertThat(slackPosts).allSatisfy(p -> assertThat(p).doesNotContain("TTAppHighCpu"));
  }
}
