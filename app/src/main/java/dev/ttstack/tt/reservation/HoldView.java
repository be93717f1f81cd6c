package dev.ttstack.tt.reservation;

import java.time.Instant;
import java.util.UUID;

/** A granted hold: the seat is the user's until {@code expiresAt} unless confirmed or released. */
public record HoldView(
    UUID holdId, long seatId, String seatLabel, String userId, Instant expiresAt) {}
