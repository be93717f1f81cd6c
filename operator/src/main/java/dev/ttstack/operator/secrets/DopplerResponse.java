package dev.ttstack.operator.secrets;

import java.time.Duration;
import java.util.Map;

/** What one download from Doppler gave. Never carries the token; values only in {@link Fetched}. */
public sealed interface DopplerResponse {

  /** 200: the whole config, as Doppler sent it (its own DOPPLER_* keys included), and its ETag. */
  record Fetched(Map<String, String> secrets, String etag) implements DopplerResponse {
    @Override
    public String toString() {
      return "Fetched[" + secrets.size() + " keys, etag=" + etag + "]"; // never the values
    }
  }

  /** 304: the ETag we sent is still current. */
  record NotModified() implements DopplerResponse {}

  /**
   * Anything else. {@code message} is Doppler's own error text (or a description of the transport
   * failure), never a secret; {@code retryAfter} is set for rate limiting.
   */
  record Failed(FailureKind kind, int httpStatus, String message, Duration retryAfter)
      implements DopplerResponse {}

  /** How a failure is handled: its condition reason and its retry policy. */
  enum FailureKind {
    /**
     * 401: the token is wrong or revoked. Retried on the normal resync or when the token changes.
     */
    UNAUTHORIZED("Unauthorized", false),
    /** 403: the token may not read that config. */
    FORBIDDEN("Forbidden", false),
    /** 400: e.g. a service token used for another config. */
    INVALID_CONFIG("InvalidConfig", false),
    /** 404: unknown project or config. */
    NOT_FOUND("NotFound", false),
    /** 429: wait what Doppler says. */
    RATE_LIMITED("RateLimited", false),
    /** 5xx, timeouts, connection errors, malformed bodies: exponential backoff. */
    UNAVAILABLE("DopplerUnavailable", true);

    private final String reason;
    private final boolean transientFailure;

    FailureKind(String reason, boolean transientFailure) {
      this.reason = reason;
      this.transientFailure = transientFailure;
    }

    /** The condition reason. */
    public String reason() {
      return reason;
    }

    /** Retried with exponential backoff, rather than on the normal resync. */
    public boolean isTransient() {
      return transientFailure;
    }

    /** The metric label: lower-case reason. */
    public String metricResult() {
      return name().toLowerCase();
    }
  }
}
