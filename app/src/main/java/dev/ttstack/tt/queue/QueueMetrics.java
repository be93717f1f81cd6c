package dev.ttstack.tt.queue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * {@code tt_queue_waiting{performance}}: users waiting per performance. Set from the queue length
 * that every join and admission script returns anyway, so a Prometheus scrape never calls Redis (a
 * scrape must stay fast while Redis fails over).
 */
@Component
class QueueMetrics {

  private final MeterRegistry registry;
  private final Map<Long, AtomicLong> waiting = new ConcurrentHashMap<>();

  QueueMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void waiting(long performanceId, long count) {
    waiting.computeIfAbsent(performanceId, this::register).set(count);
  }

  private AtomicLong register(long performanceId) {
    AtomicLong value = new AtomicLong();
    Gauge.builder("tt.queue.waiting", value, AtomicLong::get)
        .description("Users waiting in a performance's queue")
        .tag("performance", Long.toString(performanceId))
        .register(registry);
    return value;
  }
}
