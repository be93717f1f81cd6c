package dev.ttstack.tt.performance;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/performances")
@Tag(name = "performances", description = "Performances and their seats")
class PerformanceController {

  private final PerformanceCatalog catalog;

  PerformanceController(PerformanceCatalog catalog) {
    this.catalog = catalog;
  }

  @PostMapping
  @Operation(summary = "Create a performance with rows x seatsPerRow seats, all AVAILABLE")
  ResponseEntity<PerformanceView> create(@Valid @RequestBody CreatePerformanceRequest request) {
    PerformanceView created = catalog.create(request);
    return ResponseEntity.created(URI.create("/api/performances/" + created.id())).body(created);
  }

  @GetMapping("/{performanceId}")
  @Operation(summary = "A performance with its seat counts by status")
  PerformanceView get(@PathVariable long performanceId) {
    return catalog.view(performanceId);
  }

  @GetMapping("/{performanceId}/seats")
  @Operation(summary = "Every seat of a performance with its status")
  List<Seat> seats(@PathVariable long performanceId) {
    return catalog.seats(performanceId);
  }
}
