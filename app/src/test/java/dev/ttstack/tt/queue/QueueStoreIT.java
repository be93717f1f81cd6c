package dev.ttstack.tt.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.tt.support.AppIntegrationTest;
import dev.ttstack.tt.support.AppTestBase;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The admission script's rate limit, which keeps scheduled admissions at one batch per interval
 * cluster-wide.
 */
@AppIntegrationTest
class QueueStoreIT extends AppTestBase {

  @Autowired QueueStore store;

  @Test
  void aRateLimitedStepIsSkippedWhileAnotherRanWithinTheInterval() {
    long performance = tt.performance(1, 1);
    for (int i = 0; i < 4; i++) {
      tt.join(performance, "rate-" + i);
    }
    Duration ttl = Duration.ofMinutes(1);
    Duration wait = Duration.ofMillis(500);

    // As two replicas' schedules firing together: the first step admits, the second is skipped.
    assertThat(store.admit(performance, 1, ttl, Duration.ofMinutes(1), wait))
        .hasValueSatisfying(
            a -> {
              assertThat(a.users()).containsExactly("rate-0");
              assertThat(a.waiting()).isEqualTo(3);
            });
    assertThat(store.admit(performance, 1, ttl, Duration.ofMinutes(1), wait)).isEmpty();
    // A manual step (no minimum interval) is never rate-limited.
    assertThat(store.admit(performance, 2, ttl, Duration.ZERO, wait))
        .hasValueSatisfying(a -> assertThat(a.users()).containsExactly("rate-1", "rate-2"));
    assertThat(tt.status(performance, "rate-3").json().get("position").asLong()).isEqualTo(1);
  }
}
