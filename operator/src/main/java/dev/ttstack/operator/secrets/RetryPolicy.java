package dev.ttstack.operator.secrets;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter for transient Doppler failures: 5 s, 10 s, 20 s, ... capped at 5
 * minutes, each wait drawn uniformly from its upper half so that many stacks failing together do
 * not retry in lockstep.
 */
public final class RetryPolicy {
  static final Duration BASE = Duration.ofSeconds(5);
  static final Duration CAP = Duration.ofMinutes(5);

  private final DoubleSupplier random;

  public RetryPolicy(DoubleSupplier random) {
    this.random = random;
  }

  /** The wait after the {@code failures}-th consecutive transient failure (1 = first). */
  public Duration backoff(int failures) {
    long ceiling = BASE.toMillis() << Math.min(Math.max(failures - 1, 0), 16);
    ceiling = Math.min(ceiling, CAP.toMillis());
    long wait = ceiling / 2 + Math.round(random.getAsDouble() * (ceiling / 2.0));
    return Duration.ofMillis(Math.min(wait, CAP.toMillis()));
  }
}
