package dev.ttstack.tt.reservation;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Seat settings ({@code tt.seats.*}; defaults in application.yml).
 *
 * @param holdTtl how long a hold keeps a seat for its user
 * @param sweepInterval how often expired holds are returned to AVAILABLE
 * @param sweepBatch at most this many seats per sweep transaction (keeps row locks short)
 */
@Validated
@ConfigurationProperties("tt.seats")
public record SeatProperties(
    @NotNull Duration holdTtl,
    @NotNull Duration sweepInterval,
    @Min(1) @Max(10_000) int sweepBatch) {}
