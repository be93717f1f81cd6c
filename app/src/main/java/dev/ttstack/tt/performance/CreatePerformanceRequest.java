package dev.ttstack.tt.performance;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;

/** A new performance with a rectangular hall: rows A.. and seats 1..seatsPerRow, labelled "A-1". */
public record CreatePerformanceRequest(
    @NotBlank @Size(max = 200) String name,
    @NotNull Instant startsAt,
    @NotNull @Min(1) @Max(26) Integer rows,
    @NotNull @Min(1) @Max(500) Integer seatsPerRow) {}
