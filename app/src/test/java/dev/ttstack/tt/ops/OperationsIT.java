package dev.ttstack.tt.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.tt.support.Api;
import dev.ttstack.tt.support.AppIntegrationTest;
import dev.ttstack.tt.support.AppTestBase;
import dev.ttstack.tt.support.Prometheus;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What Kubernetes and Prometheus see: probes, metrics, and the API description. */
@AppIntegrationTest
class OperationsIT extends AppTestBase {

  @Test
  void probesReportLivenessAndReadinessWithDatabaseAndRedis() {
    Api.Response liveness = api.get("/actuator/health/liveness");
    assertThat(liveness.status()).isEqualTo(200);
    assertThat(liveness.json().get("status").asString()).isEqualTo("UP");

    Api.Response readiness = api.get("/actuator/health/readiness");
    assertThat(readiness.status()).isEqualTo(200);
    assertThat(readiness.json().get("status").asString()).isEqualTo("UP");
    assertThat(readiness.json().get("components").propertyNames())
        .contains("db", "redis", "readinessState");
    assertThat(readiness.json().at("/components/redis/status").asString()).isEqualTo("UP");
    assertThat(readiness.json().at("/components/db/status").asString()).isEqualTo("UP");
  }

  @Test
  void prometheusExportsHttpHistogramsHikariAndDomainMetrics() {
    long performance = tt.performance(1, 2);
    String before = scrape();
    String token = tt.token(performance, "metric-1");
    tt.join(performance, "metric-2");
    tt.join(performance, "metric-3");
    String holdId =
        tt.hold(performance, token, tt.seatIds(performance).get(0)).json().get("holdId").asString();
    tt.confirm(performance, token, holdId, "m-1");
    tt.confirm(performance, token, holdId, "m-1");
    tt.confirm(performance, token, "00000000-0000-0000-0000-000000000000", "m-2");
    String after = scrape();

    assertThat(
            Prometheus.value(
                after, "tt_queue_waiting", Map.of("performance", Long.toString(performance))))
        .as("metric-2 and metric-3 wait")
        .isEqualTo(2.0);
    assertThat(delta(before, after, "tt_seat_holds_total", Map.of())).isEqualTo(1.0);
    assertThat(delta(before, after, "tt_reservations_total", Map.of("result", "confirmed")))
        .isEqualTo(1.0);
    assertThat(delta(before, after, "tt_reservations_total", Map.of("result", "replayed")))
        .isEqualTo(1.0);
    assertThat(delta(before, after, "tt_reservations_total", Map.of("result", "not_found")))
        .isEqualTo(1.0);
    assertThat(Prometheus.value(after, "tt_reservations_total", Map.of("result", "expired")))
        .isNotNaN();
    assertThat(Prometheus.value(after, "tt_seat_hold_expirations_total", Map.of())).isNotNaN();

    // Percentile histogram on for HTTP server requests: le buckets per route.
    assertThat(
            Prometheus.value(
                after,
                "http_server_requests_seconds_bucket",
                Map.of(
                    "uri",
                    "/api/performances/{performanceId}/holds",
                    "status",
                    "201",
                    "le",
                    "+Inf")))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(Prometheus.value(after, "hikaricp_connections_max", Map.of("pool", "tt")))
        .isEqualTo(10.0);
    assertThat(Prometheus.value(after, "hikaricp_connections_active", Map.of("pool", "tt")))
        .isNotNaN();
  }

  @Test
  void theOpenApiDescriptionCoversTheApi() {
    Api.Response docs = api.get("/v3/api-docs");
    assertThat(docs.status()).isEqualTo(200);
    assertThat(docs.json().at("/info/title").asString()).isEqualTo("TT backend");
    assertThat(docs.json().get("paths").propertyNames())
        .contains(
            "/api/performances",
            "/api/performances/{performanceId}",
            "/api/performances/{performanceId}/seats",
            "/api/performances/{performanceId}/queue",
            "/api/performances/{performanceId}/queue/{userId}",
            "/api/performances/{performanceId}/queue/admissions",
            "/api/performances/{performanceId}/holds",
            "/api/performances/{performanceId}/holds/{holdId}/confirm",
            "/api/performances/{performanceId}/holds/{holdId}");
    assertThat(api.get("/swagger-ui/index.html").status()).isEqualTo(200);
  }

  private String scrape() {
    Api.Response r = api.get("/actuator/prometheus");
    assertThat(r.status()).isEqualTo(200);
    return r.text();
  }

  private static double delta(
      String before, String after, String name, Map<String, String> labels) {
    return Prometheus.value(after, name, labels) - Prometheus.value(before, name, labels);
  }
}
