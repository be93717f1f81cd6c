package dev.ttstack.tt.queue;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Queue settings ({@code tt.queue.*}; defaults in application.yml).
 *
 * @param entryTokenTtl how long an admitted user may use the seat endpoints
 * @param replicationWait how long an admission step waits for a replica to acknowledge it (WAIT),
 *     so that a master failing right after admitting does not take the admission with it
 * @param admission the automatic admission step: {@code batchSize} users every {@code interval},
 *     cluster-wide whatever the number of app replicas
 */
@Validated
@ConfigurationProperties("tt.queue")
public record QueueProperties(
    @NotNull Duration entryTokenTtl,
    @NotNull Duration replicationWait,
    @Valid @NotNull Admission admission) {

  public record Admission(
      boolean enabled, @Min(1) @Max(1000) int batchSize, @NotNull Duration interval) {}
}
