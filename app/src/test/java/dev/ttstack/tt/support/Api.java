package dev.ttstack.tt.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain HTTP client for the app's API: tests see exactly what a real client sees (status, content
 * type, JSON), nothing goes through Spring's test shortcuts.
 */
public final class Api {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final String base;

  public Api(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** One response: status, content type, the body as JSON (empty node when none) and as text. */
  public record Response(int status, String contentType, JsonNode json, String text) {

    /** The problem's {@code code}, for error responses. */
    public String code() {
      return json.path("code").asString();
    }
  }

  public Response get(String path, String... headers) {
    return send(request(path, headers).GET());
  }

  public Response post(String path, Object body, String... headers) {
    return send(withBody(request(path, headers), body));
  }

  public Response delete(String path, String... headers) {
    return send(request(path, headers).DELETE());
  }

  public CompletableFuture<Response> postAsync(String path, Object body, String... headers) {
    return http.sendAsync(
            withBody(request(path, headers), body).build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(Api::toResponse);
  }

  public static String json(Object value) {
    return JSON.writeValueAsString(value);
  }

  private HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return b;
  }

  private static HttpRequest.Builder withBody(HttpRequest.Builder b, Object body) {
    String text = body instanceof String s ? s : json(body);
    return b.header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(text));
  }

  private Response send(HttpRequest.Builder request) {
    try {
      return toResponse(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Response toResponse(HttpResponse<String> r) {
    String text = r.body() == null ? "" : r.body();
    JsonNode json = JSON.missingNode();
    if (!text.isBlank() && text.trim().matches("(?s)^[\\[{].*")) {
      json = JSON.readTree(text);
    }
    return new Response(
        r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), json, text);
  }
}
