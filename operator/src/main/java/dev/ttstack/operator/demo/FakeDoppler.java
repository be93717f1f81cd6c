package dev.ttstack.operator.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local Doppler that follows the documented contract of {@code GET
 * /v3/configs/config/secrets/download}: Bearer service tokens pinned to one config, a flat JSON
 * body including DOPPLER_PROJECT/CONFIG/ENVIRONMENT, a weak ETag and 304 on If-None-Match, the
 * {@code {"messages": [...], "success": false}} error envelope (400, 401, 404), and 429 with
 * retry-after and the x-ratelimit-* headers. Faults are queued by the test. 127.0.0.1, free port.
 *
 * <p>Requests are recorded with the token's SHA-256 only, so a failing assertion can never print a
 * token.
 *
 * <p>In the jar because the demo serves its stack's secrets from it; the secrets tests use it as
 * their Doppler. (The container stand-in of the real-node tests is its own copy in
 * k3s/local-node/stand-ins: it runs without this project's classpath, with TLS.)
 */
public final class FakeDoppler implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as received. */
  public record Request(
      String project, String config, String tokenSha256, String ifNoneMatch, int status) {}

  /** A canned answer that replaces the normal one. */
  public record Fault(
      int status, Map<String, String> headers, String body, Duration delay, boolean truncate) {
    public static Fault status(int status, String message) {
      return new Fault(status, Map.of(), envelope(message), Duration.ZERO, false);
    }

    public static Fault rateLimited(long retryAfterSeconds) {
      return new Fault(
          429,
          Map.of(
              "retry-after",
              String.valueOf(retryAfterSeconds),
              "x-ratelimit-limit",
              "240",
              "x-ratelimit-remaining",
              "0"),
          envelope("You have exceeded the rate limit"),
          Duration.ZERO,
          false);
    }

    public static Fault rateLimitedUntil(long resetEpochSeconds) {
      return new Fault(
          429,
          Map.of(
              "x-ratelimit-reset",
              String.valueOf(resetEpochSeconds),
              "x-ratelimit-limit",
              "240",
              "x-ratelimit-remaining",
              "0"),
          envelope("You have exceeded the rate limit"),
          Duration.ZERO,
          false);
    }

    public static Fault slow(Duration delay) {
      return new Fault(0, Map.of(), null, delay, false);
    }

    public static Fault truncatedBody() {
      return new Fault(200, Map.of(), null, Duration.ZERO, true);
    }

    public static Fault malformedBody() {
      return new Fault(200, Map.of(), "<html>Bad Gateway</html>", Duration.ZERO, false);
    }
  }

  private final HttpServer server;
  private final Map<String, Map<String, String>> configs = new ConcurrentHashMap<>();
  private final Map<String, String> tokens = new ConcurrentHashMap<>(); // token -> "project/config"
  private final Deque<Fault> faults = new ArrayDeque<>();
  private volatile Fault always;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.ScheduledExecutorService delayed =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

  public FakeDoppler() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v3/configs/config/secrets/download", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Sets the whole content of a config (its DOPPLER_* keys are added as Doppler does). */
  public void setConfig(String project, String config, Map<String, String> secrets) {
    Map<String, String> content = new TreeMap<>(secrets);
    content.put("DOPPLER_PROJECT", project);
    content.put("DOPPLER_CONFIG", config);
    content.put("DOPPLER_ENVIRONMENT", config.replaceAll("_.*", ""));
    configs.put(project + "/" + config, content);
  }

  /** A service token that may read that one config. */
  public void addToken(String token, String project, String config) {
    tokens.put(token, project + "/" + config);
  }

  public void revokeToken(String token) {
    tokens.remove(token);
  }

  /** The next request gets this answer instead. */
  public synchronized void failNext(Fault fault) {
    faults.add(fault);
  }

  /** Every request gets this answer until {@link #heal()}. */
  public void failAlways(Fault fault) {
    always = fault;
  }

  public synchronized void heal() {
    always = null;
    faults.clear();
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  private synchronized Fault nextFault() {
    return faults.isEmpty() ? always : faults.poll();
  }

  private void handle(HttpExchange ex) throws IOException {
    Fault fault = nextFault();
    if (fault != null && !fault.delay().isZero()) {
      // A slow server: the answer goes out later, from another thread, while the client's timeout
      // runs.
      Fault late =
          new Fault(fault.status(), fault.headers(), fault.body(), Duration.ZERO, fault.truncate());
      delayed.schedule(
          () -> {
            try {
              respond(ex, late);
            } catch (IOException e) {
              // the client gave up first: that is the point
            }
          },
          fault.delay().toMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS);
      return;
    }
    respond(ex, fault);
  }

  private void respond(HttpExchange ex, Fault fault) throws IOException {
    try (ex) {
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      String project = query.get("project");
      String config = query.get("config");
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
      String ifNoneMatch = ex.getRequestHeaders().getFirst("If-None-Match");
      // Recorded before the answer is sent: once the client has its answer, the test sees the
      // request.
      answer(
          ex,
          project,
          config,
          token,
          ifNoneMatch,
          fault,
          status ->
              requests.add(
                  new Request(
                      project,
                      config,
                      token == null ? null : dev.ttstack.operator.support.Hashes.sha256(token),
                      ifNoneMatch,
                      status)));
    }
  }

  private void answer(
      HttpExchange ex,
      String project,
      String config,
      String token,
      String ifNoneMatch,
      Fault fault,
      java.util.function.IntConsumer record)
      throws IOException {
    if (fault != null) {
      if (fault.truncate()) {
        byte[] partial = "{\"POSTGRES_PASSWORD\": \"abc".getBytes(StandardCharsets.UTF_8);
        record.accept(200);
        ex.sendResponseHeaders(200, partial.length + 100L); // promises more than it sends
        ex.getResponseBody().write(partial);
        ex.getResponseBody().flush();
        return;
      }
      if (fault.status() != 0) {
        fault.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        send(ex, fault.status(), fault.body(), record);
        return;
      }
    }
    if (token == null || !tokens.containsKey(token)) {
      send(ex, 401, envelope("Invalid Auth token"), record);
      return;
    }
    String wanted = project + "/" + config;
    if (!configs.containsKey(wanted)) {
      send(ex, 404, envelope("Could not find requested config '" + config + "'"), record);
      return;
    }
    if (!tokens.get(token).equals(wanted)) {
      send(
          ex,
          400,
          envelope("This token does not have access to requested config '" + config + "'"),
          record);
      return;
    }
    String body = JSON.writeValueAsString(configs.get(wanted));
    String etag = "W/\"" + dev.ttstack.operator.support.Hashes.sha256(body).substring(0, 32) + "\"";
    ex.getResponseHeaders().set("ETag", etag);
    if (etag.equals(ifNoneMatch)) {
      record.accept(304);
      ex.sendResponseHeaders(304, -1);
      return;
    }
    send(ex, 200, body, record);
  }

  private static void send(
      HttpExchange ex, int status, String body, java.util.function.IntConsumer record)
      throws IOException {
    record.accept(status);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  static String envelope(String message) {
    try {
      return JSON.writeValueAsString(Map.of("messages", List.of(message), "success", false));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          q.put(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return q;
  }

  @Override
  public void close() {
    server.stop(0);
    delayed.shutdownNow();
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
