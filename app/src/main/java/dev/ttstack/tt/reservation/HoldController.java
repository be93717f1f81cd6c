package dev.ttstack.tt.reservation;

import dev.ttstack.tt.queue.EntryTokens;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Seat holds and their confirmation. Every endpoint requires the caller's entry token from the
 * queue.
 */
@RestController
@RequestMapping("/api/performances/{performanceId}/holds")
@Tag(
    name = "holds",
    description = "Hold a seat, then confirm (buy) or release it; requires an entry token")
class HoldController {

  private final ReservationService reservations;

  HoldController(ReservationService reservations) {
    this.reservations = reservations;
  }

  @PostMapping
  @Operation(summary = "Hold an AVAILABLE seat for the admitted user (409 SEAT_TAKEN otherwise)")
  ResponseEntity<HoldView> hold(
      @PathVariable long performanceId,
      @RequestHeader(EntryTokens.HEADER) String entryToken,
      @Valid @RequestBody HoldRequest request) {
    HoldView hold = reservations.hold(performanceId, entryToken, request.seatId());
    return ResponseEntity.created(
            URI.create("/api/performances/" + performanceId + "/holds/" + hold.holdId()))
        .body(hold);
  }

  @PostMapping("/{holdId}/confirm")
  @Operation(
      summary =
          "Buy the held seat (201; a retry with the same Idempotency-Key gets 200 and the same body)")
  ResponseEntity<ReservationView> confirm(
      @PathVariable long performanceId,
      @PathVariable UUID holdId,
      @RequestHeader(EntryTokens.HEADER) String entryToken,
      @RequestHeader(ReservationService.IDEMPOTENCY_HEADER) String idempotencyKey) {
    ReservationService.Confirmation c =
        reservations.confirm(performanceId, entryToken, holdId, idempotencyKey);
    return ResponseEntity.status(c.replayed() ? HttpStatus.OK : HttpStatus.CREATED)
        .body(c.reservation());
  }

  @DeleteMapping("/{holdId}")
  @Operation(summary = "Release the hold: the seat is AVAILABLE again")
  ResponseEntity<Void> release(
      @PathVariable long performanceId,
      @PathVariable UUID holdId,
      @RequestHeader(EntryTokens.HEADER) String entryToken) {
    reservations.release(performanceId, entryToken, holdId);
    return ResponseEntity.noContent().build();
  }
}
