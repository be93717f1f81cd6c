package dev.ttstack.tt.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.tt.TtApplication;
import dev.ttstack.tt.support.Api;
import dev.ttstack.tt.support.FreePorts;
import dev.ttstack.tt.support.LocalServices;
import dev.ttstack.tt.support.LocalServicesExtension;
import dev.ttstack.tt.support.Prometheus;
import dev.ttstack.tt.support.Tt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app as its own process, configured by nothing but the environment variables the operator sets
 * (plus the port), with the production profile: it becomes ready, serves the whole flow with the
 * default admission schedule, never prints a secret, and shuts down gracefully on SIGTERM. Runs
 * last: its default admission schedule would admit other tests' queues.
 */
@ExtendWith(LocalServicesExtension.class)
@Order(Order.DEFAULT + 3)
class ProcessLevelIT {

  @TempDir Path tmp;

  @Test
  void runsFromTheOperatorsEnvironmentAloneAndShutsDownGracefully() throws Exception {
    LocalServices services = LocalServices.shared();
    int port = FreePorts.plain();
    Path log = tmp.resolve("app.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                TtApplication.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet()
        .removeIf(k -> k.startsWith("SPRING_") || k.startsWith("TT_") || k.startsWith("JAVA_TOOL"));
    env.putAll(services.appEnvironment());
    env.put("SPRING_PROFILES_ACTIVE", "prod");
    env.put("SERVER_PORT", Integer.toString(port));
    Process app = builder.start();
    try {
      Api api = new Api(port);
      await("app ready")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(() -> api.get("/actuator/health/readiness").status() == 200);

      Tt tt = new Tt(api);
      long performance = tt.performance(1, 3);
      assertThat(tt.join(performance, "proc-user").status()).isEqualTo(201);
      // Nobody calls the admissions endpoint: the default schedule (50 per second) lets the user
      // in.
      await("admitted by the schedule")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  "ADMITTED"
                      .equals(
                          tt.status(performance, "proc-user").json().path("status").asString()));
      String token = tt.status(performance, "proc-user").json().get("entryToken").asString();
      String holdId =
          tt.hold(performance, token, tt.seatIds(performance).get(0))
              .json()
              .get("holdId")
              .asString();
      assertThat(tt.confirm(performance, token, holdId, "proc-order").status()).isEqualTo(201);
      assertThat(
              Prometheus.value(
                  api.get("/actuator/prometheus").text(),
                  "tt_reservations_total",
                  Map.of("result", "confirmed")))
          .isEqualTo(1.0);
    } finally {
      app.destroy(); // SIGTERM, as the kubelet sends it
      if (!app.waitFor(40, TimeUnit.SECONDS)) {
        app.destroyForcibly();
      }
    }
    List<String> lines = Files.readAllLines(log);
    String output = String.join("\n", lines);
    assertThat(output).contains("Graceful shutdown complete");
    // Production profile: one JSON object per line (ECS), for the log shipper.
    assertThat(lines.stream().filter(l -> l.contains("Started TtApplication")))
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("{").contains("\"@timestamp\""));
    // Secrets never reach the logs.
    for (String secret : List.of(services.postgres().password(), services.redis().password())) {
      assertThat(output).doesNotContain(secret);
    }
  }
}
