package dev.ttstack.tt.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.tt.support.Api;
import dev.ttstack.tt.support.AppIntegrationTest;
import dev.ttstack.tt.support.AppTestBase;
import dev.ttstack.tt.support.Tt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints throughput and latency figures; asserts only that the runs did real work without errors.
 * Not part of the default build (tag "benchmark"): run it with {@code ./mvnw -B -pl app test
 * -Pbenchmark}. Results go to stdout and to {@code app/target/benchmark-results.md}; BENCHMARKS.md
 * records a run with the machine it ran on.
 *
 * <p>Client and server share the machine: every figure includes the load generator's own CPU use.
 */
@Tag("benchmark")
@AppIntegrationTest
class ReservationBenchmark extends AppTestBase {

  private static final double SECONDS =
      Double.parseDouble(System.getProperty("tt.bench.seconds", "10"));
  private static final int[] CONCURRENCY = {1, 8, 32};

  @Test
  void holdConfirmAndJoinThroughput() throws Exception {
    String loadBefore = loadAverage();
    List<String> report = new ArrayList<>();
    report.add("| operation | clients | ops/s | p50 ms | p99 ms | max ms | ops | errors |");
    report.add("|---|---:|---:|---:|---:|---:|---:|---:|");

    holdConfirm(tt, 8, 3); // warm-up: JIT, connection pools; not reported
    for (int clients : CONCURRENCY) {
      LoadRun.Result r = holdConfirm(tt, clients, SECONDS);
      report.add(row("hold + confirm", r));
    }
    joins(tt, 8, 3);
    for (int clients : CONCURRENCY) {
      report.add(row("queue join", joins(tt, clients, SECONDS)));
    }

    // The machine may be shared: its load average says how much of it the run really had.
    report.add("");
    report.add(
        String.format(
            Locale.ROOT,
            "%s s per run; %d CPUs; Java %s; PostgreSQL fsync %s; load average "
                + "(1/5/15 min) before: %s, after: %s; finished %s",
            SECONDS,
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            Boolean.getBoolean("tt.services.durable") ? "on" : "off",
            loadBefore,
            loadAverage(),
            Instant.now()));
    String text = String.join("\n", report);
    System.out.println("\n[benchmark]\n" + text + "\n");
    Files.writeString(Path.of("target", "benchmark-results.md"), text + "\n");
  }

  /** Each call: hold the next free seat, then confirm it with a fresh idempotency key. */
  private LoadRun.Result holdConfirm(Tt tt, int clients, double seconds) throws Exception {
    long performance = tt.performance(26, 500);
    List<Long> seats = tt.seatIds(performance);
    List<String> tokens =
        new ArrayList<>(
            tt.admitted(
                    performance, IntStream.range(0, clients).mapToObj(i -> "bench-" + i).toList())
                .values());
    AtomicInteger nextSeat = new AtomicInteger();
    LoadRun.Result r =
        LoadRun.run(
            clients,
            seconds,
            seats.size() / clients,
            (client, seq) -> {
              String token = tokens.get(client);
              Api.Response hold =
                  tt.hold(performance, token, seats.get(nextSeat.getAndIncrement()));
              if (hold.status() != 201) {
                return failed(hold);
              }
              Api.Response confirm =
                  tt.confirm(
                      performance,
                      token,
                      hold.json().get("holdId").asString(),
                      "b-" + performance + "-" + client + "-" + seq);
              return confirm.status() == 201 || failed(confirm);
            });
    assertThat(r.errors()).isZero();
    long sold =
        db.sql("select count(*) from reservation where performance_id = :p")
            .param("p", performance)
            .query(Long.class)
            .single();
    assertThat(sold).isEqualTo(r.calls());
    return r;
  }

  /** Each call: a new user joins one performance's queue. */
  private LoadRun.Result joins(Tt tt, int clients, double seconds) throws Exception {
    long performance = tt.performance(1, 1);
    LoadRun.Result r =
        LoadRun.run(
            clients,
            seconds,
            1_000_000,
            (client, seq) -> {
              Api.Response join = tt.join(performance, "j-" + client + "-" + seq);
              return join.status() == 201 || failed(join);
            });
    assertThat(r.errors()).isZero();
    assertThat(tt.join(performance, "last").json().get("position").asLong())
        .isEqualTo(r.calls() + 1);
    return r;
  }

  private static String loadAverage() throws Exception {
    String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return fields[0] + " " + fields[1] + " " + fields[2];
  }

  /** Shows what went wrong (the run then fails on its error count). */
  private static boolean failed(Api.Response r) {
    System.out.println("[benchmark] failed call: " + r.status() + " " + r.text());
    return false;
  }

  private static String row(String operation, LoadRun.Result r) {
    return String.format(
        Locale.ROOT,
        "| %s | %d | %.0f | %.1f | %.1f | %.1f | %d | %d |",
        operation,
        r.clients(),
        r.perSecond(),
        r.p50Millis(),
        r.p99Millis(),
        r.maxMillis(),
        r.calls(),
        r.errors());
  }
}
