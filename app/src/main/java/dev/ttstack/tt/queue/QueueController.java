package dev.ttstack.tt.queue;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/performances/{performanceId}/queue")
@Tag(name = "queue", description = "The waiting queue in front of a performance's seats")
class QueueController {

  private final QueueService queue;

  QueueController(QueueService queue) {
    this.queue = queue;
  }

  @PostMapping
  @Operation(
      summary = "Join the queue (201 when newly joined, 200 when already waiting or admitted)")
  ResponseEntity<QueueStatus> join(
      @PathVariable long performanceId, @Valid @RequestBody JoinRequest request) {
    QueueStore.Placement placement = queue.join(performanceId, request.userId());
    return ResponseEntity.status(placement.joinedNow() ? HttpStatus.CREATED : HttpStatus.OK)
        .body(placement.status());
  }

  @GetMapping("/{userId}")
  @Operation(summary = "A user's position, or their entry token once admitted")
  QueueStatus status(@PathVariable long performanceId, @PathVariable String userId) {
    return queue.status(performanceId, UserIds.require("userId", userId));
  }

  @PostMapping("/admissions")
  @Operation(summary = "Admit the next count users now, in arrival order (operator action)")
  AdmissionResult admit(
      @PathVariable long performanceId, @Valid @RequestBody AdmitRequest request) {
    return queue.admitNow(performanceId, request.count());
  }
}
