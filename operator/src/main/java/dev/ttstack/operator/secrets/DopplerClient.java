package dev.ttstack.operator.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttstack.operator.secrets.DopplerResponse.Failed;
import dev.ttstack.operator.secrets.DopplerResponse.FailureKind;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Downloads one Doppler config: {@code GET {host}/v3/configs/config/secrets/download?project&config
 * &format=json} with the token as a Bearer header, conditionally ({@code If-None-Match}).
 *
 * <p>Secret material stays in memory: the body is parsed from a byte array and never logged, and no
 * exception leaves this class (every failure becomes a {@link Failed} whose message is Doppler's
 * own error text or a transport description, never the token or a value).
 */
public class DopplerClient {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Doppler answers rate limits with retry-after; this is the fallback when it does not say. */
  private static final Duration DEFAULT_RATE_LIMIT_WAIT = Duration.ofSeconds(60);

  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;

  public DopplerClient(Clock clock) {
    this(DEFAULT_TIMEOUT, clock);
  }

  public DopplerClient(Duration timeout, Clock clock) {
    this.timeout = timeout;
    this.clock = clock;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(
                HttpClient.Redirect.NEVER) // a redirect could carry the token elsewhere
            .build();
  }

  /** Downloads the config; {@code etag} (may be null) makes it conditional. */
  public DopplerResponse download(
      String host, String token, String project, String config, String etag) {
    URI uri =
        URI.create(
            stripSlash(host)
                + "/v3/configs/config/secrets/download?project="
                + enc(project)
                + "&config="
                + enc(config)
                + "&format=json");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json")
            .GET();
    if (etag != null) {
      request.header("If-None-Match", etag);
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      return new Failed(
          FailureKind.UNAVAILABLE,
          0,
          "no answer from " + uri.getHost() + " within " + timeout.toSeconds() + " s",
          null);
    } catch (IOException e) {
      return new Failed(
          FailureKind.UNAVAILABLE,
          0,
          "cannot reach " + uri.getHost() + ": " + e.getClass().getSimpleName(),
          null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Failed(FailureKind.UNAVAILABLE, 0, "interrupted", null);
    }
    return interpret(response);
  }

  private DopplerResponse interpret(HttpResponse<byte[]> response) {
    int status = response.statusCode();
    if (status == 304) {
      return new DopplerResponse.NotModified();
    }
    if (status == 200) {
      Optional<Map<String, String>> secrets = parseSecrets(response.body());
      if (secrets.isEmpty()) {
        return new Failed(
            FailureKind.UNAVAILABLE,
            status,
            "malformed response body (not a JSON object of strings)",
            null);
      }
      return new DopplerResponse.Fetched(
          secrets.get(), response.headers().firstValue("ETag").orElse(null));
    }
    String message = errorMessage(response.body()).orElse("HTTP " + status);
    return switch (status) {
      case 400 -> new Failed(FailureKind.INVALID_CONFIG, status, message, null);
      case 401 -> new Failed(FailureKind.UNAUTHORIZED, status, message, null);
      case 403 -> new Failed(FailureKind.FORBIDDEN, status, message, null);
      case 404 -> new Failed(FailureKind.NOT_FOUND, status, message, null);
      case 429 -> new Failed(FailureKind.RATE_LIMITED, status, message, retryAfter(response));
      default -> new Failed(FailureKind.UNAVAILABLE, status, message, null);
    };
  }

  /** retry-after (seconds), else x-ratelimit-reset (epoch seconds), else a minute. */
  private Duration retryAfter(HttpResponse<?> response) {
    Optional<Long> after =
        response.headers().firstValue("retry-after").flatMap(DopplerClient::parseLong);
    if (after.isPresent()) {
      return Duration.ofSeconds(Math.max(1, after.get()));
    }
    Optional<Long> reset =
        response.headers().firstValue("x-ratelimit-reset").flatMap(DopplerClient::parseLong);
    if (reset.isPresent()) {
      long wait = reset.get() - clock.instant().getEpochSecond();
      return Duration.ofSeconds(Math.max(1, wait));
    }
    return DEFAULT_RATE_LIMIT_WAIT;
  }

  private static Optional<Map<String, String>> parseSecrets(byte[] body) {
    try {
      JsonNode root = JSON.readTree(body);
      if (root == null || !root.isObject()) {
        return Optional.empty();
      }
      Map<String, String> secrets = new LinkedHashMap<>();
      var fields = root.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        if (!field.getValue().isValueNode() || field.getValue().isNull()) {
          return Optional.empty();
        }
        secrets.put(field.getKey(), field.getValue().asText());
      }
      return Optional.of(secrets);
    } catch (IOException e) {
      return Optional.empty(); // cut off mid-stream, or not JSON; the message must not quote it
    }
  }

  /** Doppler's error envelope: {"messages": ["..."], "success": false}. */
  private static Optional<String> errorMessage(byte[] body) {
    try {
      JsonNode root = JSON.readTree(body);
      if (root != null && root.path("messages").isArray() && !root.path("messages").isEmpty()) {
        List<String> messages = new ArrayList<>();
        root.path("messages").forEach(m -> messages.add(m.asText()));
        return Optional.of(String.join("; ", messages));
      }
    } catch (IOException e) {
      // not the envelope: fall back to the status code
    }
    return Optional.empty();
  }

  private static Optional<Long> parseLong(String value) {
    try {
      return Optional.of(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String stripSlash(String host) {
    return host.endsWith("/") ? host.substring(0, host.length() - 1) : host;
  }
}
