package dev.ttstack.operator.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.demo.FakeDoppler;
import dev.ttstack.operator.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (prints figures): requests to Doppler in one simulated hour at the default resync of 60
 * s, each stack asking every 10 s as if reconciled often. Real HTTP to the local Doppler; only the
 * clock is simulated.
 */
class DopplerRequestBenchmarkTest {

  private static long[] simulateHour(int stacks) throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-26T00:00:00Z"));
    try (FakeDoppler doppler = new FakeDoppler()) {
      doppler.setConfig("tt-backend", "prd", Map.of("POSTGRES_PASSWORD", "pg-secret"));
      doppler.addToken("dp.st.bench", "tt-backend", "prd");
      DopplerSyncCache cache =
          new DopplerSyncCache(
              new DopplerClient(clock),
              new RetryPolicy(() -> 1.0),
              clock,
              new SimpleMeterRegistry());
      for (int second = 0; second < 3600; second += 10) {
        for (int s = 0; s < stacks; s++) {
          cache.sync(
              doppler.url(), "dp.st.bench", "tt-backend", "prd", Duration.ofSeconds(60), null);
        }
        clock.advance(Duration.ofSeconds(10));
      }
      long full = doppler.requests().stream().filter(r -> r.status() == 200).count();
      long notModified = doppler.requests().stream().filter(r -> r.status() == 304).count();
      return new long[] {doppler.requests().size(), full, notModified};
    }
  }

  @Test
  void requestsInOneHour() throws Exception {
    long[] one = simulateHour(1);
    long[] ten = simulateHour(10);

    System.out.printf(
        "%n[benchmark] Doppler requests in one simulated hour, resync 60 s, each stack asking every 10 s:%n"
            + "  1 stack unchanged:   %d requests (%d full downloads, %d x 304)%n"
            + "  10 stacks, 1 config: %d requests (%d full downloads, %d x 304); without sharing: %d%n",
        one[0], one[1], one[2], ten[0], ten[1], ten[2], 10 * 3600 / 60);
    assertThat(one[1]).isEqualTo(1);
    assertThat(one[0]).isEqualTo(60);
    assertThat(ten[0]).isEqualTo(60);
  }
}
