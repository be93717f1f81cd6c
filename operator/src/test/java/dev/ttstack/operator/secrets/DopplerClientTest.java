package dev.ttstack.operator.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.demo.FakeDoppler;
import dev.ttstack.operator.demo.FakeDoppler.Fault;
import dev.ttstack.operator.secrets.DopplerResponse.Failed;
import dev.ttstack.operator.secrets.DopplerResponse.FailureKind;
import dev.ttstack.operator.secrets.DopplerResponse.Fetched;
import dev.ttstack.operator.testing.MutableClock;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Doppler client against a local server that follows Doppler's documented contract. */
class DopplerClientTest {
  static final String TOKEN = "dp.st.prd.client-test-token-0001";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));
  private FakeDoppler doppler;
  private DopplerClient client;

  @BeforeEach
  void start() throws Exception {
    doppler = new FakeDoppler();
    doppler.setConfig(
        "tt-backend",
        "prd",
        Map.of(
            "POSTGRES_PASSWORD",
            "pg-secret",
            "MULTILINE",
            "line1\nline2",
            "UNICODE",
            "Grüße, 東京 ✓"));
    doppler.addToken(TOKEN, "tt-backend", "prd");
    client = new DopplerClient(Duration.ofMillis(500), clock);
  }

  @AfterEach
  void stop() {
    doppler.close();
  }

  private DopplerResponse download(String etag) {
    return client.download(doppler.url(), TOKEN, "tt-backend", "prd", etag);
  }

  @Test
  void downloadsTheWholeConfigWithAWeakEtag() {
    DopplerResponse r = download(null);

    assertThat(r).isInstanceOf(Fetched.class);
    Fetched fetched = (Fetched) r;
    assertThat(fetched.etag()).startsWith("W/\"");
    assertThat(fetched.secrets())
        .containsEntry("MULTILINE", "line1\nline2")
        .containsEntry("UNICODE", "Grüße, 東京 ✓")
        .containsEntry("DOPPLER_CONFIG", "prd");
    FakeDoppler.Request request = doppler.requests().get(0);
    assertThat(request.project()).isEqualTo("tt-backend");
    assertThat(request.config()).isEqualTo("prd");
    assertThat(request.tokenSha256()).isEqualTo(dev.ttstack.operator.support.Hashes.sha256(TOKEN));
  }

  @Test
  void matchingEtagGives304AndAStaleOneTheNewContent() {
    String etag = ((Fetched) download(null)).etag();

    assertThat(download(etag)).isInstanceOf(DopplerResponse.NotModified.class);
    assertThat(doppler.requests().get(1).ifNoneMatch()).isEqualTo(etag);

    doppler.setConfig("tt-backend", "prd", Map.of("POSTGRES_PASSWORD", "rotated"));
    assertThat(download(etag)).isInstanceOf(Fetched.class);
  }

  @Test
  void errorEnvelopesBecomeReasonsWithDopplersMessage() {
    Failed unauthorized =
        (Failed) client.download(doppler.url(), "dp.st.wrong", "tt-backend", "prd", null);
    assertThat(unauthorized.kind()).isEqualTo(FailureKind.UNAUTHORIZED);
    assertThat(unauthorized.message()).isEqualTo("Invalid Auth token");

    Failed notFound = (Failed) client.download(doppler.url(), TOKEN, "tt-backend", "nope", null);
    assertThat(notFound.kind()).isEqualTo(FailureKind.NOT_FOUND);
    assertThat(notFound.message()).contains("nope");

    doppler.setConfig("tt-backend", "stg", Map.of("A", "b"));
    Failed invalid = (Failed) client.download(doppler.url(), TOKEN, "tt-backend", "stg", null);
    assertThat(invalid.kind()).isEqualTo(FailureKind.INVALID_CONFIG);
    assertThat(invalid.httpStatus()).isEqualTo(400);

    doppler.failNext(Fault.status(403, "Forbidden for this workplace"));
    Failed forbidden = (Failed) download(null);
    assertThat(forbidden.kind()).isEqualTo(FailureKind.FORBIDDEN);
    assertThat(forbidden.kind().isTransient()).isFalse();
  }

  @Test
  void rateLimitHonoursRetryAfterOrTheResetTime() {
    doppler.failNext(Fault.rateLimited(7));
    Failed withRetryAfter = (Failed) download(null);
    assertThat(withRetryAfter.kind()).isEqualTo(FailureKind.RATE_LIMITED);
    assertThat(withRetryAfter.retryAfter()).isEqualTo(Duration.ofSeconds(7));

    doppler.failNext(Fault.rateLimitedUntil(clock.instant().getEpochSecond() + 42));
    assertThat(((Failed) download(null)).retryAfter()).isEqualTo(Duration.ofSeconds(42));
  }

  @Test
  void serverErrorsTruncatedAndMalformedBodiesAreTransientAndQuoteNothing() {
    doppler.failNext(Fault.status(502, "upstream exploded"));
    Failed serverError = (Failed) download(null);
    assertThat(serverError.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(serverError.kind().isTransient()).isTrue();

    doppler.failNext(Fault.truncatedBody());
    Failed truncated = (Failed) download(null);
    assertThat(truncated.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(truncated.message()).doesNotContain("abc", "POSTGRES_PASSWORD");

    doppler.failNext(Fault.malformedBody());
    Failed malformed = (Failed) download(null);
    assertThat(malformed.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(malformed.message()).contains("malformed").doesNotContain("Bad Gateway");
  }

  @Test
  void slowAnswerTimesOut() {
    doppler.failNext(Fault.slow(Duration.ofSeconds(3)));

    long t0 = System.nanoTime();
    Failed slow = (Failed) download(null);

    assertThat(slow.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(slow.message()).contains("no answer");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void unreachableHostIsTransient() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Failed failed =
        (Failed)
            client.download("http://127.0.0.1:" + closedPort, TOKEN, "tt-backend", "prd", null);
    assertThat(failed.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(failed.message()).contains("cannot reach");
  }

  @Test
  void fiveThousandKeys() {
    Map<String, String> big = new HashMap<>();
    for (int i = 0; i < 5000; i++) {
      big.put("KEY_" + i, "value-" + i + "-" + "x".repeat(40));
    }
    doppler.setConfig("tt-backend", "prd", big);

    // The production timeout, not the 500 ms the other tests use to prove timeouts: on a loaded CI
    // machine, serving 5000 keys took longer than 500 ms (seen once while a Go build ran beside
    // it).
    DopplerResponse r =
        new DopplerClient(DopplerClient.DEFAULT_TIMEOUT, clock)
            .download(doppler.url(), TOKEN, "tt-backend", "prd", null);
    assertThat(r).isInstanceOf(Fetched.class);
    Fetched fetched = (Fetched) r;

    assertThat(fetched.secrets())
        .hasSize(5003)
        .containsEntry("KEY_4999", "value-4999-" + "x".repeat(40));
  }

  @Test
  void toStringNeverShowsValues() {
    assertThat(download(null).toString()).doesNotContain("pg-secret").contains("keys");
  }
}
