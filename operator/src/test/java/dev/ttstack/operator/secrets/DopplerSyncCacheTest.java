package dev.ttstack.operator.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.demo.FakeDoppler;
import dev.ttstack.operator.demo.FakeDoppler.Fault;
import dev.ttstack.operator.secrets.DopplerResponse.FailureKind;
import dev.ttstack.operator.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared fetch and its failure policy, against the local Doppler, with a clock the test moves.
 */
class DopplerSyncCacheTest {
  static final String TOKEN = "dp.st.prd.cache-test-token-0001";
  static final Duration RESYNC = Duration.ofSeconds(60);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private FakeDoppler doppler;
  private DopplerSyncCache cache;

  @BeforeEach
  void start() throws Exception {
    doppler = new FakeDoppler();
    doppler.setConfig("tt-backend", "prd", Map.of("POSTGRES_PASSWORD", "pg-secret"));
    doppler.addToken(TOKEN, "tt-backend", "prd");
    cache =
        new DopplerSyncCache(
            new DopplerClient(Duration.ofMillis(500), clock),
            new RetryPolicy(() -> 1.0),
            clock,
            registry);
  }

  @AfterEach
  void stop() {
    doppler.close();
  }

  private DopplerSyncCache.Result sync(String token) {
    return cache.sync(doppler.url(), token, "tt-backend", "prd", RESYNC, null);
  }

  @Test
  void oneDownloadPerWindowThenConditional() {
    assertThat(sync(TOKEN).content()).containsEntry("POSTGRES_PASSWORD", "pg-secret");
    clock.advance(Duration.ofSeconds(59));
    sync(TOKEN);
    assertThat(doppler.requests()).hasSize(1);

    clock.advance(Duration.ofSeconds(1));
    DopplerSyncCache.Result again = sync(TOKEN);

    assertThat(doppler.requests()).hasSize(2);
    assertThat(doppler.requests().get(1).status()).isEqualTo(304);
    assertThat(again.content()).containsEntry("POSTGRES_PASSWORD", "pg-secret");
    assertThat(again.failure()).isNull();
    assertThat(registry.counter("ttstack.secrets.sync", "result", "not_modified").count())
        .isEqualTo(1.0);
  }

  @Test
  void stacksSharingAConfigShareTheDownload() {
    for (int stack = 0; stack < 10; stack++) {
      sync(TOKEN);
    }
    assertThat(doppler.requests()).hasSize(1);
  }

  @Test
  void permanentErrorWaitsForTheNextWindowButANewTokenIsTriedAtOnce() {
    DopplerSyncCache.Result bad = sync("dp.st.revoked");
    assertThat(bad.failure().kind()).isEqualTo(FailureKind.UNAUTHORIZED);
    clock.advance(Duration.ofSeconds(30));
    sync("dp.st.revoked");
    assertThat(doppler.requests()).hasSize(1); // no hammering

    DopplerSyncCache.Result rotated = sync(TOKEN);

    assertThat(doppler.requests()).hasSize(2);
    assertThat(rotated.failure()).isNull();
    clock.advance(Duration.ofSeconds(31));
    sync("dp.st.revoked");
    assertThat(doppler.requests()).hasSize(3); // the window passed: tried again
  }

  @Test
  void rateLimitWaitsWhatDopplerSaysAndKeepsContent() {
    sync(TOKEN);
    clock.advance(RESYNC);
    doppler.failNext(Fault.rateLimited(120));

    DopplerSyncCache.Result limited = sync(TOKEN);
    assertThat(limited.failure().kind()).isEqualTo(FailureKind.RATE_LIMITED);
    assertThat(limited.content()).containsEntry("POSTGRES_PASSWORD", "pg-secret");
    assertThat(limited.nextSyncAt()).isEqualTo(clock.instant().plusSeconds(120));

    clock.advance(Duration.ofSeconds(119));
    sync(TOKEN);
    assertThat(doppler.requests()).hasSize(2);
    clock.advance(Duration.ofSeconds(1));
    assertThat(sync(TOKEN).failure()).isNull();
    assertThat(doppler.requests()).hasSize(3);
    assertThat(registry.counter("ttstack.secrets.rate.limited").count()).isEqualTo(1.0);
  }

  @Test
  void transientErrorsBackOffExponentiallyToFiveMinutesKeepingTheLastGoodContent() {
    sync(TOKEN);
    clock.advance(RESYNC);
    doppler.failAlways(Fault.status(503, "maintenance"));

    Duration[] expected = {
      Duration.ofSeconds(5),
      Duration.ofSeconds(10),
      Duration.ofSeconds(20),
      Duration.ofSeconds(40),
      Duration.ofSeconds(80),
      Duration.ofSeconds(160),
      Duration.ofMinutes(5),
      Duration.ofMinutes(5)
    };
    for (Duration wait : expected) {
      DopplerSyncCache.Result r = sync(TOKEN);
      assertThat(r.failure().kind()).isEqualTo(FailureKind.UNAVAILABLE);
      assertThat(r.content()).containsEntry("POSTGRES_PASSWORD", "pg-secret");
      assertThat(Duration.between(clock.instant(), r.nextSyncAt())).isEqualTo(wait);
      clock.advance(wait);
    }

    doppler.heal();
    assertThat(sync(TOKEN).failure()).isNull();
    assertThat(doppler.requests()).hasSize(1 + expected.length + 1);
  }

  @Test
  void aSeedFromTheClusterMakesTheFirstRequestConditional() {
    DopplerSyncCache.Result first = sync(TOKEN);
    DopplerSyncCache restarted =
        new DopplerSyncCache(new DopplerClient(clock), new RetryPolicy(() -> 1.0), clock, registry);

    DopplerSyncCache.Result r =
        restarted.sync(
            doppler.url(),
            TOKEN,
            "tt-backend",
            "prd",
            RESYNC,
            new DopplerSyncCache.Seed(first.content(), first.etag()));

    assertThat(doppler.requests().get(1).status()).isEqualTo(304);
    assertThat(r.content()).isEqualTo(first.content());
  }

  @Test
  void aSeedWithoutDataIsAskedForAgainInFull() {
    String etag = sync(TOKEN).etag();
    DopplerSyncCache restarted =
        new DopplerSyncCache(new DopplerClient(clock), new RetryPolicy(() -> 1.0), clock, registry);

    DopplerSyncCache.Result r =
        restarted.sync(
            doppler.url(),
            TOKEN,
            "tt-backend",
            "prd",
            RESYNC,
            new DopplerSyncCache.Seed(null, etag));

    assertThat(r.content()).containsEntry("POSTGRES_PASSWORD", "pg-secret");
    assertThat(doppler.requests())
        .extracting(FakeDoppler.Request::status)
        .containsExactly(200, 304, 200);
  }
}
