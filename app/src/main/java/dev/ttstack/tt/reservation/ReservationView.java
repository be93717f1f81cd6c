package dev.ttstack.tt.reservation;

import java.time.Instant;
import java.util.UUID;

/** A sold seat. Returned identically to every retry of the confirm that created it. */
public record ReservationView(
    long reservationId,
    UUID holdId,
    long seatId,
    String seatLabel,
    String userId,
    Instant confirmedAt) {}
