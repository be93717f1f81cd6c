package dev.ttstack.operator.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock tests can move forward. {@link #fixed} stands still unless moved (pure unit tests);
 * {@link #ticking} follows real time plus whatever the test added, for code that also waits in real
 * time (JOSDK's rescheduling), so that "three hours later" needs no three hours.
 */
public final class MutableClock extends Clock {
  private final AtomicReference<Instant> base;
  private final boolean ticking;

  public MutableClock(Instant start) {
    this(start, false);
  }

  private MutableClock(Instant start, boolean ticking) {
    this.base = new AtomicReference<>(start);
    this.ticking = ticking;
  }

  public static MutableClock fixed(Instant start) {
    return new MutableClock(start, false);
  }

  /** Real time, plus the offsets given to {@link #advance}. */
  public static MutableClock ticking() {
    return new MutableClock(Instant.EPOCH, true);
  }

  public void advance(Duration by) {
    base.updateAndGet(t -> t.plus(by));
  }

  @Override
  public Instant instant() {
    return ticking ? Instant.now().plus(Duration.between(Instant.EPOCH, base.get())) : base.get();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
