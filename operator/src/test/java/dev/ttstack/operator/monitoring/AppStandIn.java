package dev.ttstack.operator.monitoring;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for one TT app pod's {@code /actuator/prometheus}, for the live Prometheus test: the
 * app itself is another module's (and branch's) business, so this serves what it serves, built the
 * same way — Micrometer's Prometheus registry with the same binders and meter names as Spring Boot
 * Actuator, HikariCP's tracker and the app's own meters ({@code tt.queue.waiting}, {@code
 * tt.seat.holds}, {@code tt.seat.hold.expirations}, {@code tt.reservations}). Every scrape also
 * records some traffic, so that rates move.
 */
final class AppStandIn implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final HttpServer server;
  private final Timer ok;
  private final Timer failed;
  private final Timer actuator;
  private final Counter holds;
  private final Counter expirations;
  private final Counter confirmed;
  private final Counter conflicts;
  private final AtomicLong waiting = new AtomicLong(42);

  AppStandIn() throws IOException {
    registry.config().commonTags("application", "tt-app");
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    ok = request("POST", "/api/performances/{id}/reservations", "200", "SUCCESS");
    failed = request("POST", "/api/performances/{id}/reservations", "503", "SERVER_ERROR");
    actuator = request("GET", "/actuator/prometheus", "200", "SUCCESS");
    Gauge.builder("tt.queue.waiting", waiting, AtomicLong::get)
        .tag("performance", "1")
        .register(registry);
    holds = Counter.builder("tt.seat.holds").register(registry);
    expirations = Counter.builder("tt.seat.hold.expirations").register(registry);
    confirmed = Counter.builder("tt.reservations").tag("result", "confirmed").register(registry);
    conflicts = Counter.builder("tt.reservations").tag("result", "conflict").register(registry);
    // HikariCP's MicrometerMetricsTracker meters for pool "tt".
    for (String gauge :
        new String[] {
          "hikaricp.connections",
          "hikaricp.connections.active",
          "hikaricp.connections.idle",
          "hikaricp.connections.pending",
          "hikaricp.connections.max",
          "hikaricp.connections.min"
        }) {
      Gauge.builder(gauge, () -> gauge.endsWith("max") ? 10 : 2)
          .tag("pool", "tt")
          .register(registry);
    }
    Counter.builder("hikaricp.connections.timeout").tag("pool", "tt").register(registry);
    System.gc(); // a collection after binding, so that jvm_gc_pause_seconds exists

    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/actuator/prometheus",
        ex -> {
          traffic();
          byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
  }

  private Timer request(String method, String uri, String status, String outcome) {
    return Timer.builder("http.server.requests")
        .publishPercentileHistogram()
        .tags(
            "method",
            method,
            "uri",
            uri,
            "status",
            status,
            "outcome",
            outcome,
            "exception",
            "none",
            "error",
            "none")
        .register(registry);
  }

  private void traffic() {
    for (int i = 0; i < 20; i++) {
      ok.record(Duration.ofMillis(5 + i * 3));
    }
    failed.record(Duration.ofMillis(900));
    actuator.record(Duration.ofMillis(2));
    holds.increment(3);
    expirations.increment();
    confirmed.increment(2);
    conflicts.increment();
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    gc.close();
    registry.close();
  }
}
