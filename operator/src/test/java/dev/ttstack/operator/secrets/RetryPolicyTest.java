package dev.ttstack.operator.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  @Test
  void doublesFromFiveSecondsUpToFiveMinutesWithJitterInTheUpperHalf() {
    RetryPolicy highest = new RetryPolicy(() -> 1.0);
    RetryPolicy lowest = new RetryPolicy(() -> 0.0);

    assertThat(highest.backoff(1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(lowest.backoff(1)).isEqualTo(Duration.ofMillis(2500));
    assertThat(highest.backoff(2)).isEqualTo(Duration.ofSeconds(10));
    assertThat(highest.backoff(4)).isEqualTo(Duration.ofSeconds(40));
    assertThat(highest.backoff(7)).isEqualTo(Duration.ofMinutes(5));
    assertThat(highest.backoff(1000)).isEqualTo(Duration.ofMinutes(5));
    assertThat(lowest.backoff(1000)).isEqualTo(Duration.ofSeconds(150));
  }
}
