package dev.ttstack.tt.queue;

import dev.ttstack.tt.api.ConflictException;
import dev.ttstack.tt.api.InvalidInputException;
import org.springframework.stereotype.Component;

/**
 * What the seat endpoints ask the queue: is this entry token valid for this performance, and whose
 * is it?
 */
@Component
public class EntryTokens {

  /** The HTTP header that carries the entry token. */
  public static final String HEADER = "X-Entry-Token";

  private static final String SHAPE = "[A-Za-z0-9_-]{16,128}";

  private final QueueStore store;

  EntryTokens(QueueStore store) {
    this.store = store;
  }

  /** The admitted user the token belongs to; 409 NOT_ADMITTED when unknown or expired. */
  public String requireAdmitted(long performanceId, String token) {
    if (!token.matches(SHAPE)) {
      throw new InvalidInputException(HEADER, "is not an entry token");
    }
    return store
        .userForToken(performanceId, token)
        .orElseThrow(
            () ->
                new ConflictException(
                    "NOT_ADMITTED",
                    "the entry token is not valid for performance "
                        + performanceId
                        + " (expired, or never admitted)"));
  }
}
