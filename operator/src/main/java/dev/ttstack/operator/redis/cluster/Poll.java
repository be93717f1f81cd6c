package dev.ttstack.operator.redis.cluster;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a bound: the manager's only way to wait. */
final class Poll {
  private Poll() {}

  /** True as soon as the condition holds, false when the bound runs out first. */
  static boolean until(Duration bound, Duration interval, BooleanSupplier condition) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
