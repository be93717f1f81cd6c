package dev.ttstack.standins;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Stand-ins for the outside services the TTStack end-to-end run talks to, run as pods of the local
 * node (image {@code ttstack.local/stand-ins}, built by {@code k3s/local-node/images.sh}):
 * <ul>
 *   <li>{@code fake-doppler}: Doppler's secrets download API over HTTPS ({@link FakeDoppler});
 *   <li>{@code slack-receiver}: a Slack incoming webhook that records what it gets ({@link SlackReceiver}).
 * </ul>
 * Options come from {@code --name=value} flags or, failing those, from environment variables
 * (PORT, BIND, TLS_CERT, TLS_KEY, CONFIG_DIR, FAKE_DOPPLER_PROJECT, FAKE_DOPPLER_CONFIG): a pod
 * sets them in its env, a test on its command line. One log line per request (method, path,
 * status) on stdout; never a body, a token or a secret value.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage();
      System.exit(64);
    }
    Map<String, String> options = new HashMap<>();
    for (int k = 1; k < args.length; k++) {
      String a = args[k];
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 3) {
        System.err.println("stand-ins: not an option of the form --name=value: " + a);
        System.exit(64);
      }
      options.put(a.substring(2, eq), a.substring(eq + 1));
    }
    Options o = new Options(options);
    switch (args[0]) {
      case "fake-doppler" -> FakeDoppler.start(o);
      case "slack-receiver" -> SlackReceiver.start(o);
      default -> {
        usage();
        System.exit(64);
      }
    }
  }

  private static void usage() {
    System.err.println("usage: stand-ins fake-doppler [--port=8443] [--bind=0.0.0.0] --tls-cert=FILE --tls-key=FILE"
        + " --config-dir=DIR [--project=tt-backend] [--config=prd]");
    System.err.println("       stand-ins slack-receiver [--port=8080] [--bind=0.0.0.0]");
    System.err.println("(each option also from the environment: PORT, BIND, TLS_CERT, TLS_KEY, CONFIG_DIR,"
        + " FAKE_DOPPLER_PROJECT, FAKE_DOPPLER_CONFIG)");
  }

  /** A flag, else an environment variable, else a default. */
  record Options(Map<String, String> flags) {
    String get(String flag, String env, String fallback) {
      String v = flags.get(flag);
      if (v == null) {
        v = System.getenv(env);
      }
      if (v == null || v.isEmpty()) {
        if (fallback == null) {
          throw new IllegalArgumentException("--" + flag + " (or " + env + ") is required");
        }
        return fallback;
      }
      return v;
    }
  }

  /** One line per request; callers pass a path that holds no secret. */
  static synchronized void log(String server, String method, String path, int status) {
    System.out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + server + " " + method + " " + path + " "
        + status);
    System.out.flush();
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads at most {@code limit} bytes of the request body; null if it is longer. */
  static byte[] body(HttpExchange ex, int limit) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(limit + 1);
      return b.length > limit ? null : b;
    }
  }

  static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Ends the server on SIGTERM at once (the pod's stop), answers in flight get a second. */
  static void stopOnTerm(com.sun.net.httpserver.HttpServer server, String name) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop(1);
      System.out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + name + " stopped");
      System.out.flush();
    }));
  }
}
