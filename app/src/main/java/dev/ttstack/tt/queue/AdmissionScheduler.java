package dev.ttstack.tt.queue;

import dev.ttstack.tt.performance.PerformanceCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Lets the next batch of every upcoming performance's queue in, every {@code
 * tt.queue.admission.interval}. Every app replica runs this; the admission script's rate-limit
 * marker makes it one batch per interval cluster-wide, so scaling the app does not speed up
 * admissions.
 */
@Component
@ConditionalOnProperty(name = "tt.queue.admission.enabled", havingValue = "true")
class AdmissionScheduler {

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionScheduler.class);

  private final PerformanceCatalog catalog;
  private final QueueService queue;

  AdmissionScheduler(PerformanceCatalog catalog, QueueService queue) {
    this.catalog = catalog;
    this.queue = queue;
  }

  @Scheduled(fixedDelayString = "${tt.queue.admission.interval}")
  void admitNextBatches() {
    for (long performanceId : catalog.upcomingIds()) {
      try {
        queue
            .admitScheduled(performanceId)
            .ifPresent(
                r -> {
                  if (!r.admitted().isEmpty()) {
                    LOG.debug(
                        "performance {}: admitted {}, {} waiting",
                        performanceId,
                        r.admitted().size(),
                        r.waiting());
                  }
                });
      } catch (RuntimeException e) {
        // One shard failing over must not stop admissions for the performances on the others.
        LOG.warn("performance {}: admission step failed: {}", performanceId, e.toString());
      }
    }
  }
}
