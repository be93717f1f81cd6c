package dev.ttstack.tt.queue;

import dev.ttstack.tt.api.NotFoundException;
import dev.ttstack.tt.performance.PerformanceCatalog;
import java.time.Duration;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** Joining, reading a position, and admitting: the queue's use cases over {@link QueueStore}. */
@Service
public class QueueService {

  private final PerformanceCatalog catalog;
  private final QueueStore store;
  private final QueueMetrics metrics;
  private final QueueProperties properties;

  QueueService(
      PerformanceCatalog catalog,
      QueueStore store,
      QueueMetrics metrics,
      QueueProperties properties) {
    this.catalog = catalog;
    this.store = store;
    this.metrics = metrics;
    this.properties = properties;
  }

  /** Joins the queue (idempotent: a waiting or admitted user keeps their place or token). */
  public QueueStore.Placement join(long performanceId, String userId) {
    catalog.require(performanceId);
    QueueStore.Placement placement = store.position(performanceId, userId, true).orElseThrow();
    if (placement.waiting() >= 0) {
      metrics.waiting(performanceId, placement.waiting());
    }
    return placement;
  }

  public QueueStatus status(long performanceId, String userId) {
    catalog.require(performanceId);
    return store
        .position(performanceId, userId, false)
        .map(QueueStore.Placement::status)
        .orElseThrow(
            () ->
                new NotFoundException(
                    "NOT_IN_QUEUE",
                    "user "
                        + userId
                        + " is neither waiting nor admitted for performance "
                        + performanceId));
  }

  /**
   * Admits the next {@code count} users now, whatever the automatic rate (an operator's action).
   */
  public AdmissionResult admitNow(long performanceId, int count) {
    catalog.require(performanceId);
    return admit(performanceId, count, Duration.ZERO).orElseThrow();
  }

  /**
   * One automatic step: the configured batch, unless any replica already admitted within the
   * interval.
   */
  Optional<AdmissionResult> admitScheduled(long performanceId) {
    QueueProperties.Admission admission = properties.admission();
    return admit(performanceId, admission.batchSize(), admission.interval());
  }

  private Optional<AdmissionResult> admit(long performanceId, int count, Duration minInterval) {
    return store
        .admit(
            performanceId,
            count,
            properties.entryTokenTtl(),
            minInterval,
            properties.replicationWait())
        .map(
            a -> {
              metrics.waiting(performanceId, a.waiting());
              return new AdmissionResult(a.users(), a.waiting());
            });
  }
}
