package dev.ttstack.tt.reservation;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

/** Which seat to hold. */
public record HoldRequest(@NotNull @Positive Long seatId) {}
