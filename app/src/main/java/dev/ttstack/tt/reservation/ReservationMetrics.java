package dev.ttstack.tt.reservation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * {@code tt_seat_holds_total} (holds granted), {@code tt_reservations_total{result}} (confirm
 * outcomes) and {@code tt_seat_hold_expirations_total}. Every result is registered up front so it
 * is exported as 0 before it first happens: rate() and alert rules then see a series from the
 * start.
 */
@Component
class ReservationMetrics {

  enum Result {
    CONFIRMED,
    REPLAYED,
    EXPIRED,
    CONFLICT,
    NOT_FOUND
  }

  private final Counter holds;
  private final Counter expirations;
  private final Map<Result, Counter> reservations;

  ReservationMetrics(MeterRegistry registry) {
    holds = Counter.builder("tt.seat.holds").description("Seat holds granted").register(registry);
    expirations =
        Counter.builder("tt.seat.hold.expirations")
            .description("Holds returned to AVAILABLE by the expiry sweep")
            .register(registry);
    reservations =
        Stream.of(Result.values())
            .collect(
                Collectors.toUnmodifiableMap(
                    Function.identity(),
                    r ->
                        Counter.builder("tt.reservations")
                            .description("Confirm attempts by result")
                            .tag("result", r.name().toLowerCase())
                            .register(registry)));
  }

  void holdGranted() {
    holds.increment();
  }

  void reservation(Result result) {
    reservations.get(result).increment();
  }

  void expired(int count) {
    expirations.increment(count);
  }
}
