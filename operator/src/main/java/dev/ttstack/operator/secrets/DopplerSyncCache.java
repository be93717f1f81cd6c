package dev.ttstack.operator.secrets;

import dev.ttstack.operator.secrets.DopplerResponse.Failed;
import dev.ttstack.operator.secrets.DopplerResponse.FailureKind;
import dev.ttstack.operator.support.Hashes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one place that talks to Doppler, shared by every TTStack: at most one download per (host,
 * token, project, config) per resync window, whatever the number of stacks using it (Doppler limits
 * reads per token and per IP), with the failure policy of issue #3.
 *
 * <ul>
 *   <li>Success (200 or 304) is reused until the window ends.
 *   <li>401/403/400/404 are not retried before the next window; a new token is a new key, so a
 *       rotated token is tried at once.
 *   <li>429 waits what Doppler says; 5xx, timeouts and malformed bodies back off exponentially.
 *   <li>On any failure the last good content is kept and returned alongside the failure.
 * </ul>
 *
 * <p>The token is held in memory (it must be sent) but never used as a map key, logged or returned:
 * keys carry its SHA-256.
 */
public class DopplerSyncCache {
  /** Entries nobody asked for during this long are dropped (the stack was deleted or changed). */
  static final Duration EVICT_AFTER = Duration.ofHours(1);

  private final DopplerClient client;
  private final RetryPolicy retryPolicy;
  private final Clock clock;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final Timer duration;
  private final Counter rateLimited;
  private final AtomicLong lastSuccessEpoch = new AtomicLong();

  public DopplerSyncCache(
      DopplerClient client, RetryPolicy retryPolicy, Clock clock, MeterRegistry registry) {
    this.client = client;
    this.retryPolicy = retryPolicy;
    this.clock = clock;
    this.registry = registry;
    this.duration =
        Timer.builder("ttstack.secrets.sync.duration")
            .description("Time of one Doppler download, whatever its outcome")
            .register(registry);
    this.rateLimited =
        Counter.builder("ttstack.secrets.rate.limited")
            .description("Doppler answers 429 (rate limited)")
            .register(registry);
    registry.gauge("ttstack.secrets.last.success.timestamp.seconds", lastSuccessEpoch);
  }

  /** Which Doppler config; the token is only in {@link #tokenSha256}. */
  public record Key(String host, String tokenSha256, String project, String config) {}

  /**
   * The state of one config after a sync attempt (or without one, inside the window). {@code
   * content} is the last good download (null if none yet); {@code failure} the last attempt's
   * failure, null if it succeeded; {@code nextSyncAt} when a new attempt is worth making.
   */
  public record Result(
      Map<String, String> content, String etag, Failed failure, Instant nextSyncAt) {
    @Override
    public String toString() {
      return "Result["
          + (content == null ? "no content" : content.size() + " keys")
          + ", failure="
          + failure
          + ", nextSyncAt="
          + nextSyncAt
          + "]";
    }
  }

  /** The key for these coordinates and token. */
  public static Key key(String host, String token, String project, String config) {
    return new Key(host, Hashes.sha256(token), project, config);
  }

  /**
   * Returns the current content of the config, downloading only if the window has passed or the
   * last attempt's retry time has come. {@code seed} (content and ETag of the managed Secret the
   * cluster already has, may be null) lets a restarted operator start with a conditional request.
   */
  public Result sync(
      String host, String token, String project, String config, Duration resync, Seed seed) {
    Instant now = clock.instant();
    evictIdle(now);
    Key key = key(host, token, project, config);
    Entry entry = entries.computeIfAbsent(key, k -> new Entry());
    synchronized (entry) {
      entry.lastUsed = now;
      if (entry.content == null && seed != null) {
        entry.content = seed.content();
        entry.etag = seed.etag();
      }
      if (entry.nextAttemptAt != null && now.isBefore(entry.nextAttemptAt)) {
        return entry.result();
      }
      DopplerResponse response =
          timed(() -> client.download(host, token, project, config, entry.etag));
      if (response instanceof DopplerResponse.Fetched fetched) {
        entry.content = Map.copyOf(fetched.secrets());
        entry.etag = fetched.etag();
        succeeded(entry, now, resync, "fetched");
      } else if (response instanceof DopplerResponse.NotModified) {
        if (entry.content == null) {
          // A 304 without content we hold (a seed without data): ask again unconditionally.
          entry.etag = null;
          entry.nextAttemptAt = null;
          return sync(host, token, project, config, resync, null);
        }
        succeeded(entry, now, resync, "not_modified");
      } else {
        failed(entry, (Failed) response, now, resync);
      }
      return entry.result();
    }
  }

  /** The content and ETag already in the cluster's managed Secret. */
  public record Seed(Map<String, String> content, String etag) {}

  private void succeeded(Entry entry, Instant now, Duration resync, String result) {
    entry.failure = null;
    entry.consecutiveTransientFailures = 0;
    entry.nextAttemptAt = now.plus(resync);
    lastSuccessEpoch.set(now.getEpochSecond());
    count(result);
  }

  private void failed(Entry entry, Failed failed, Instant now, Duration resync) {
    entry.failure = failed;
    count(failed.kind().metricResult());
    if (failed.kind() == FailureKind.RATE_LIMITED) {
      rateLimited.increment();
      entry.nextAttemptAt = now.plus(failed.retryAfter());
    } else if (failed.kind().isTransient()) {
      entry.consecutiveTransientFailures++;
      entry.nextAttemptAt = now.plus(retryPolicy.backoff(entry.consecutiveTransientFailures));
    } else {
      // No hammering: a wrong token or config does not fix itself; the next window, a new token or
      // a
      // spec change (both new keys) will try again.
      entry.nextAttemptAt = now.plus(resync);
    }
  }

  private void count(String result) {
    Counter.builder("ttstack.secrets.sync")
        .description("Doppler downloads by result")
        .tag("result", result)
        .register(registry)
        .increment();
  }

  private DopplerResponse timed(java.util.function.Supplier<DopplerResponse> call) {
    return duration.record(call);
  }

  private void evictIdle(Instant now) {
    entries
        .entrySet()
        .removeIf(
            e ->
                e.getValue().lastUsed != null
                    && Duration.between(e.getValue().lastUsed, now).compareTo(EVICT_AFTER) > 0);
  }

  private static final class Entry {
    Map<String, String> content;
    String etag;
    Failed failure;
    Instant nextAttemptAt;
    Instant lastUsed;
    int consecutiveTransientFailures;

    Result result() {
      return new Result(content, etag, failure, nextAttemptAt);
    }
  }
}
