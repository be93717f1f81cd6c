package dev.ttstack.tt.performance;

import dev.ttstack.tt.api.NotFoundException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Performances and their seats. Every queue and seat request first checks that its performance
 * exists; performances are never changed or deleted, so found ones are cached and a queue join
 * costs no database round trip.
 */
@Service
public class PerformanceCatalog {

  private final PerformanceRepository repository;
  private final Map<Long, Performance> known = new ConcurrentHashMap<>();

  PerformanceCatalog(PerformanceRepository repository) {
    this.repository = repository;
  }

  @Transactional
  public PerformanceView create(CreatePerformanceRequest request) {
    long id = repository.insert(request.name(), request.startsAt());
    int seats = repository.insertSeats(id, request.rows(), request.seatsPerRow());
    return new PerformanceView(id, request.name(), request.startsAt(), seats, 0, 0);
  }

  /** The performance, or 404 with code PERFORMANCE_NOT_FOUND. */
  public Performance require(long id) {
    Performance cached = known.get(id);
    if (cached != null) {
      return cached;
    }
    Performance found =
        repository
            .find(id)
            .orElseThrow(
                () ->
                    new NotFoundException(
                        "PERFORMANCE_NOT_FOUND", "performance " + id + " does not exist"));
    known.put(id, found);
    return found;
  }

  public PerformanceView view(long id) {
    Performance p = require(id);
    Map<String, Long> counts = repository.seatCountsByStatus(id);
    return new PerformanceView(
        p.id(),
        p.name(),
        p.startsAt(),
        counts.getOrDefault("AVAILABLE", 0L),
        counts.getOrDefault("HELD", 0L),
        counts.getOrDefault("SOLD", 0L));
  }

  public List<Seat> seats(long id) {
    require(id);
    return repository.seats(id);
  }

  public List<Long> upcomingIds() {
    return repository.upcomingIds();
  }
}
