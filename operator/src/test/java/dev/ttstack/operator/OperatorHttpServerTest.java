package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.testing.OperatorHarness;
import dev.ttstack.operator.testing.Stacks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OperatorHttpServerTest {

  @RegisterExtension final OperatorHarness k8s = new OperatorHarness();

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String path, String method) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsHealthAndReadinessOfARunningOperator() throws Exception {
    TTStackOperator operator = k8s.operator();
    k8s.create(Stacks.minimal("tt"));
    k8s.awaitObserved("tt");
    k8s.awaitReconciliations(1);

    try (OperatorHttpServer server =
        new OperatorHttpServer(
            "127.0.0.1",
            0,
            operator.registry()::scrape,
            operator::isHealthy,
            operator::isStarted)) {
      HttpResponse<String> metrics = get(server.port(), "/metrics", "GET");

      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      assertThat(metrics.body())
          .contains(
              "reconciliations_started_total{controller_name=\"ttstack\"",
              "reconciliations_execution_duration_seconds",
              "jvm_memory_used_bytes",
              "process_cpu_usage",
              "ttstack_operator_leader 1.0");
      assertThat(get(server.port(), "/healthz", "GET").statusCode()).isEqualTo(200);
      assertThat(get(server.port(), "/readyz", "GET").statusCode()).isEqualTo(200);
      assertThat(get(server.port(), "/metrics", "POST").statusCode()).isEqualTo(405);
    }
  }

  @Test
  void probesFailWhenTheOperatorIsNotUp() throws Exception {
    AtomicBoolean up = new AtomicBoolean(false);
    try (OperatorHttpServer server =
        new OperatorHttpServer("127.0.0.1", 0, () -> "", up::get, up::get)) {
      assertThat(get(server.port(), "/readyz", "GET").statusCode()).isEqualTo(503);
      assertThat(get(server.port(), "/healthz", "GET").statusCode()).isEqualTo(503);
      up.set(true);
      assertThat(get(server.port(), "/readyz", "GET").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anOperatorThatWasNeverStartedIsNotReady() {
    try (TTStackOperator idle =
        TTStackOperator.create(
            OperatorSettings.from(Map.of())
                .withServerSideApply(false)
                .withLeaderElection(false, null),
            k8s.api().operatorClient(),
            Clock.systemUTC())) {
      assertThat(idle.isStarted()).isFalse();
    }
  }
}
