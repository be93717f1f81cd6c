package dev.ttstack.tt.reservation;

import dev.ttstack.tt.api.ConflictException;
import dev.ttstack.tt.api.InvalidInputException;
import dev.ttstack.tt.api.NotFoundException;
import dev.ttstack.tt.performance.PerformanceCatalog;
import dev.ttstack.tt.queue.EntryTokens;
import dev.ttstack.tt.reservation.ReservationMetrics.Result;
import dev.ttstack.tt.reservation.SeatHoldRepository.Granted;
import dev.ttstack.tt.reservation.SeatHoldRepository.StoredHold;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/**
 * Hold, confirm and release. Each runs as: check the performance and the caller's entry token
 * (Redis), then ONE SQL statement that makes the whole state change or nothing (see {@link
 * SeatHoldRepository}): a rejected request leaves no partial write. Further reads only explain a
 * refusal.
 */
@Service
public class ReservationService {

  /** Header that makes confirm safe to retry. */
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

  private static final String KEY_SHAPE = "[\\x21-\\x7e]{1,100}";

  private final PerformanceCatalog catalog;
  private final EntryTokens tokens;
  private final SeatHoldRepository repository;
  private final ReservationMetrics metrics;
  private final SeatProperties properties;

  ReservationService(
      PerformanceCatalog catalog,
      EntryTokens tokens,
      SeatHoldRepository repository,
      ReservationMetrics metrics,
      SeatProperties properties) {
    this.catalog = catalog;
    this.tokens = tokens;
    this.repository = repository;
    this.metrics = metrics;
    this.properties = properties;
  }

  /** AVAILABLE -> HELD for {@code tt.seats.hold-ttl}, for the admitted user owning the token. */
  public HoldView hold(long performanceId, String entryToken, long seatId) {
    String userId = admittedUser(performanceId, entryToken);
    UUID holdId = UUID.randomUUID();
    Granted granted =
        repository
            .grant(performanceId, seatId, holdId, userId, properties.holdTtl())
            .orElseThrow(() -> seatUnavailable(performanceId, seatId));
    metrics.holdGranted();
    return new HoldView(holdId, seatId, granted.label(), userId, granted.heldUntil());
  }

  /**
   * HELD -> SOLD. Idempotent per (user, idempotency key): a retry, even one racing the original,
   * gets the same reservation back with {@code replayed = true}.
   */
  public Confirmation confirm(
      long performanceId, String entryToken, UUID holdId, String idempotencyKey) {
    if (!idempotencyKey.matches(KEY_SHAPE)) {
      throw new InvalidInputException(
          IDEMPOTENCY_HEADER, "must be 1-100 printable ASCII characters");
    }
    String userId = admittedUser(performanceId, entryToken);
    Confirmation outcome;
    try {
      outcome = confirmOnce(performanceId, holdId, userId, idempotencyKey);
    } catch (DuplicateKeyException e) {
      // Another confirm with the same key committed first, for a different hold (the unique
      // (user_id, idempotency_key) index decided): the statement failed whole.
      metrics.reservation(Result.CONFLICT);
      throw keyReused(idempotencyKey);
    } catch (ConflictException e) {
      metrics.reservation("HOLD_EXPIRED".equals(e.code()) ? Result.EXPIRED : Result.CONFLICT);
      throw e;
    } catch (NotFoundException e) {
      metrics.reservation(Result.NOT_FOUND);
      throw e;
    }
    metrics.reservation(outcome.replayed() ? Result.REPLAYED : Result.CONFIRMED);
    return outcome;
  }

  /** A confirm's reservation, and whether it was created by an earlier call with the same key. */
  public record Confirmation(ReservationView reservation, boolean replayed) {}

  /** HELD -> AVAILABLE. Releasing a hold that already expired or was released is a no-op. */
  public void release(long performanceId, String entryToken, UUID holdId) {
    String userId = admittedUser(performanceId, entryToken);
    if (repository.release(performanceId, holdId, userId)) {
      return;
    }
    StoredHold hold = ownHold(performanceId, holdId, userId);
    if ("CONFIRMED".equals(hold.status())) {
      throw new ConflictException(
          "ALREADY_CONFIRMED", "hold " + holdId + " was confirmed: the seat is sold");
    }
  }

  private Confirmation confirmOnce(long performanceId, UUID holdId, String userId, String key) {
    var earlier = repository.reservationByKey(userId, key);
    if (earlier.isPresent()) {
      if (!earlier.get().reservation().holdId().equals(holdId)) {
        throw keyReused(key);
      }
      return new Confirmation(earlier.get().reservation(), true);
    }
    var sold = repository.sell(performanceId, holdId, userId, key);
    if (sold.isPresent()) {
      return new Confirmation(sold.get(), false);
    }
    return explainUnconfirmable(performanceId, holdId, userId, key);
  }

  /**
   * The seat could not be sold: say why, or replay when a racing retry with this key already sold
   * it.
   */
  private Confirmation explainUnconfirmable(
      long performanceId, UUID holdId, String userId, String key) {
    StoredHold hold = ownHold(performanceId, holdId, userId);
    switch (hold.status()) {
      case "CONFIRMED" -> {
        var reservation = repository.reservationOfHold(holdId).orElseThrow();
        if (reservation.idempotencyKey().equals(key)) {
          return new Confirmation(reservation.reservation(), true);
        }
        throw new ConflictException(
            "ALREADY_CONFIRMED",
            "hold " + holdId + " was already confirmed with another idempotency key");
      }
      case "RELEASED" ->
          throw new ConflictException("HOLD_RELEASED", "hold " + holdId + " was released");
      default ->
          throw new ConflictException(
              "HOLD_EXPIRED",
              "hold " + holdId + " expired at " + hold.expiresAt() + "; hold the seat again");
    }
  }

  /**
   * The hold, if it exists for this performance and belongs to the caller; others' holds are 404
   * too.
   */
  private StoredHold ownHold(long performanceId, UUID holdId, String userId) {
    return repository
        .hold(performanceId, holdId)
        .filter(h -> h.userId().equals(userId))
        .orElseThrow(
            () ->
                new NotFoundException(
                    "HOLD_NOT_FOUND",
                    "hold " + holdId + " does not exist for this user and performance"));
  }

  private RuntimeException seatUnavailable(long performanceId, long seatId) {
    return repository
        .seatStatus(performanceId, seatId)
        .<RuntimeException>map(
            s ->
                new ConflictException(
                    "SEAT_TAKEN", "seat " + seatId + " is " + s.toLowerCase() + ", not available"))
        .orElseGet(
            () ->
                new NotFoundException(
                    "SEAT_NOT_FOUND",
                    "seat " + seatId + " does not exist in performance " + performanceId));
  }

  private static ConflictException keyReused(String key) {
    return new ConflictException(
        "IDEMPOTENCY_KEY_REUSED",
        "idempotency key '" + key + "' was already used to confirm another hold");
  }

  private String admittedUser(long performanceId, String entryToken) {
    catalog.require(performanceId);
    return tokens.requireAdmitted(performanceId, entryToken);
  }
}
