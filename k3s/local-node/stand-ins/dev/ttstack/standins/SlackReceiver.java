package dev.ttstack.standins;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A Slack incoming webhook as Alertmanager uses one: {@code POST /<any path>} with a JSON body is
 * recorded and answered 200 {@code ok} (Slack's answer); a body that is not JSON gets 400
 * {@code invalid_payload}, as Slack answers it. Plain HTTP: the webhook URL is the test's own
 * ({@code http://slack-receiver.NS.svc/services/...}). {@code GET /_received} returns a JSON array
 * of every recorded {@code {"path": ..., "body": <the parsed JSON>}}, oldest first (the last 1000:
 * Alertmanager repeats, and the heap is small); {@code DELETE /_received} empties it; {@code GET
 * /_health} is 200.
 *
 * <p>A webhook's path is its secret (Slack's /services/T/B/XXXX), so the log line of a POST names
 * only a hash of it; the bodies are never logged.
 */
final class SlackReceiver {
  private static final String NAME = "slack-receiver";
  private static final int KEEP = 1000;
  private static final int MAX_BODY = 1 << 20;

  private final Deque<Map<String, Object>> received = new ArrayDeque<>();

  static void start(Main.Options o) throws IOException {
    int port = Integer.parseInt(o.get("port", "PORT", "8080"));
    String bind = o.get("bind", "BIND", "0.0.0.0");
    SlackReceiver receiver = new SlackReceiver();
    HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 0);
    server.createContext("/", receiver::handle);
    server.setExecutor(Executors.newFixedThreadPool(4));
    Main.stopOnTerm(server, NAME);
    server.start();
    System.out.println(NAME + " listening on http://" + bind + ":" + server.getAddress().getPort());
    System.out.flush();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      String path = ex.getRequestURI().getRawPath();
      boolean own = path.equals("/_received") || path.equals("/_health");
      int status = own ? own(ex, method, path) : webhook(ex, method, path);
      Main.log(NAME, method, own ? path : "<path sha256:" + Main.sha256(path).substring(0, 12) + ">", status);
    }
  }

  private int own(HttpExchange ex, String method, String path) throws IOException {
    if (path.equals("/_health") && method.equals("GET")) {
      Main.send(ex, 200, "text/plain", "ok\n");
      return 200;
    }
    if (method.equals("GET")) {
      List<Object> all;
      synchronized (received) {
        all = new ArrayList<>(received);
      }
      Main.send(ex, 200, "application/json", Json.write(all));
      return 200;
    }
    if (method.equals("DELETE")) {
      synchronized (received) {
        received.clear();
      }
      Main.send(ex, 200, "text/plain", "ok\n");
      return 200;
    }
    Main.send(ex, 405, "text/plain", "method_not_allowed\n");
    return 405;
  }

  private int webhook(HttpExchange ex, String method, String path) throws IOException {
    if (!method.equals("POST")) {
      Main.send(ex, 404, "text/plain", "no_service\n");
      return 404;
    }
    byte[] bytes = Main.body(ex, MAX_BODY);
    if (bytes == null) {
      Main.send(ex, 413, "text/plain", "request_too_large\n");
      return 413;
    }
    Object body;
    try {
      String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      body = Json.parse(text);
    } catch (CharacterCodingException | IllegalArgumentException e) {
      Main.send(ex, 400, "text/plain", "invalid_payload");
      return 400;
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("path", path);
    entry.put("body", body);
    synchronized (received) {
      received.addLast(entry);
      while (received.size() > KEEP) {
        received.removeFirst();
      }
    }
    // Slack answers 200 with the two letters "ok" as text/html.
    Main.send(ex, 200, "text/html", "ok");
    return 200;
  }
}
