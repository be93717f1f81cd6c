package dev.ttstack.tt.reservation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Returns expired holds to AVAILABLE every {@code tt.seats.sweep-interval}. Holding an expired seat
 * works even before the sweep (the grant takes it over); the sweep makes seat listings and counts
 * truthful and ends the hold records. Safe on every replica at once (SKIP LOCKED).
 */
@Component
class HoldSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(HoldSweeper.class);

  private final SeatHoldRepository repository;
  private final ReservationMetrics metrics;
  private final SeatProperties properties;

  HoldSweeper(
      SeatHoldRepository repository, ReservationMetrics metrics, SeatProperties properties) {
    this.repository = repository;
    this.metrics = metrics;
    this.properties = properties;
  }

  /** Sweeps until no expired hold is left, one bounded transaction at a time. */
  @Scheduled(fixedDelayString = "${tt.seats.sweep-interval}")
  void sweep() {
    int total = 0;
    try {
      int swept;
      do {
        swept = repository.sweepExpired(properties.sweepBatch());
        total += swept;
      } while (swept == properties.sweepBatch());
    } catch (RuntimeException e) {
      LOG.warn(
          "hold expiry sweep failed, next try in {}: {}", properties.sweepInterval(), e.toString());
    }
    if (total > 0) {
      metrics.expired(total);
      LOG.info("returned {} expired hold(s) to AVAILABLE", total);
    }
  }
}
