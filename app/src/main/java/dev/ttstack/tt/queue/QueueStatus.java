package dev.ttstack.tt.queue;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A user's state in a performance's queue: WAITING with a 1-based position, or ADMITTED with the
 * entry token the seat endpoints require (header {@code X-Entry-Token}) and when it expires.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueueStatus(
    String userId,
    State status,
    Long position,
    Long waiting,
    String entryToken,
    Instant entryExpiresAt) {

  public enum State {
    WAITING,
    ADMITTED
  }

  static QueueStatus waiting(String userId, long position, long waiting) {
    return new QueueStatus(userId, State.WAITING, position, waiting, null, null);
  }

  static QueueStatus admitted(String userId, String token, Instant expiresAt) {
    return new QueueStatus(userId, State.ADMITTED, null, null, token, expiresAt);
  }
}
