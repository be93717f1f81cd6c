package dev.ttstack.standins;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Doppler's secrets download, as the operator's DopplerClient speaks it and as the operator's own
 * tests fake it (operator/src/test/java/dev/ttstack/operator/secrets/FakeDoppler.java), over HTTPS
 * because the operator accepts plain http for loopback only:
 * {@code GET /v3/configs/config/secrets/download?project=P&config=C&format=json} with
 * {@code Authorization: Bearer TOKEN} answers
 * <ul>
 *   <li>200, a flat JSON object: the configured secrets plus DOPPLER_PROJECT, DOPPLER_CONFIG and
 *       DOPPLER_ENVIRONMENT, with a weak ETag; 304 (same ETag, no body) when If-None-Match matches;
 *   <li>401 for a missing or wrong token, 404 for another project or config, 400 for another format,
 *       all in Doppler's envelope {@code {"messages": ["..."], "success": false}}.
 * </ul>
 * Its configuration is a folder (a Kubernetes Secret mounted as a volume), read again on every
 * request so that changing the Secret changes the answers once the kubelet has updated the files:
 * {@code token} (the one service token), {@code secrets.json} (a flat JSON object of strings), and
 * optionally {@code project} and {@code config} (else --project/--config, default tt-backend/prd,
 * the README example's) and {@code fault} (an HTTP status, e.g. 503 or 429: every download gets
 * it, in the envelope, 429 with retry-after, until the file is gone; for "keeps the last good
 * Secret" checks). {@code GET /_health} is 200 while that folder reads as a valid configuration
 * (the readiness probe), {@code GET /_stats} counts requests by status (no token, no value).
 */
final class FakeDoppler {
  static final String DOWNLOAD = "/v3/configs/config/secrets/download";
  private static final String NAME = "fake-doppler";

  private record Config(String token, String project, String config, Map<String, String> secrets, int fault) {}

  private final Path dir;
  private final String defaultProject;
  private final String defaultConfig;
  private final Map<Integer, LongAdder> downloads = new ConcurrentHashMap<>();
  private final LongAdder conditional = new LongAdder();
  private final Map<Integer, LongAdder> other = new ConcurrentHashMap<>();

  private FakeDoppler(Path dir, String project, String config) {
    this.dir = dir;
    this.defaultProject = project;
    this.defaultConfig = config;
  }

  static void start(Main.Options o) throws Exception {
    int port = Integer.parseInt(o.get("port", "PORT", "8443"));
    String bind = o.get("bind", "BIND", "0.0.0.0");
    SSLContext tls = tls(Path.of(o.get("tls-cert", "TLS_CERT", null)), Path.of(o.get("tls-key", "TLS_KEY", null)));
    FakeDoppler doppler = new FakeDoppler(Path.of(o.get("config-dir", "CONFIG_DIR", null)),
        o.get("project", "FAKE_DOPPLER_PROJECT", "tt-backend"), o.get("config", "FAKE_DOPPLER_CONFIG", "prd"));
    HttpsServer server = HttpsServer.create(new InetSocketAddress(bind, port), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/", doppler::handle);
    server.setExecutor(Executors.newFixedThreadPool(4));
    Main.stopOnTerm(server, NAME);
    server.start();
    System.out.println(NAME + " listening on https://" + bind + ":" + server.getAddress().getPort());
    System.out.flush();
  }

  /**
   * The serving certificate (PEM, the leaf first, then any chain) and its unencrypted PKCS#8 key
   * (PEM "PRIVATE KEY", as {@code openssl req -x509 -newkey ec -noenc} and {@code openssl genpkey}
   * write it; EC or RSA, as the certificate's key says).
   */
  static SSLContext tls(Path cert, Path key) throws Exception {
    List<Certificate> chain;
    try (InputStream in = Files.newInputStream(cert)) {
      chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(cert + " holds no certificate");
    }
    String pem = Files.readString(key, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    int b = pem.indexOf(begin);
    int e = pem.indexOf(end);
    if (b < 0 || e < b) {
      throw new IllegalArgumentException(key + " is not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY)");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
    PrivateKey privateKey = KeyFactory.getInstance(chain.get(0).getPublicKey().getAlgorithm())
        .generatePrivate(new PKCS8EncodedKeySpec(der));
    char[] password = new char[0];
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("serving", privateKey, password, chain.toArray(Certificate[]::new));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }

  private Config read() throws IOException {
    String token = Files.readString(dir.resolve("token"), StandardCharsets.UTF_8).strip();
    if (token.isEmpty()) {
      throw new IOException("the token file is empty");
    }
    Object parsed = Json.parse(Files.readString(dir.resolve("secrets.json"), StandardCharsets.UTF_8));
    if (!(parsed instanceof Map<?, ?> map)) {
      throw new IOException("secrets.json is not a JSON object");
    }
    Map<String, String> secrets = new TreeMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getValue() instanceof String value)) {
        // Doppler's values are strings; the key may be named, the value never.
        throw new IOException("secrets.json: the value of " + entry.getKey() + " is not a string");
      }
      secrets.put((String) entry.getKey(), value);
    }
    String fault = optional("fault", null);
    return new Config(token, optional("project", defaultProject), optional("config", defaultConfig), secrets,
        fault == null ? 0 : Integer.parseInt(fault));
  }

  private String optional(String file, String fallback) throws IOException {
    Path p = dir.resolve(file);
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8).strip() : fallback;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      int status;
      if (path.equals(DOWNLOAD)) {
        status = download(ex);
        downloads.computeIfAbsent(status, s -> new LongAdder()).increment();
      } else {
        status = other(ex, path);
        other.computeIfAbsent(status, s -> new LongAdder()).increment();
      }
      Main.log(NAME, ex.getRequestMethod(), path, status);
    }
  }

  private int other(HttpExchange ex, String path) throws IOException {
    if (!ex.getRequestMethod().equals("GET")) {
      return error(ex, 405, "Method not allowed");
    }
    switch (path) {
      case "/_health" -> {
        try {
          read();
          Main.send(ex, 200, "text/plain", "ok\n");
          return 200;
        } catch (IOException | RuntimeException e) {
          Main.send(ex, 503, "text/plain", "configuration unreadable: " + e.getMessage() + "\n");
          return 503;
        }
      }
      case "/_stats" -> {
        Map<String, Object> stats = new TreeMap<>();
        Map<String, Object> d = new TreeMap<>();
        d.put("total", total(downloads));
        d.put("conditional", conditional.sum()); // requests that carried If-None-Match
        d.put("byStatus", byStatus(downloads));
        stats.put("downloads", d);
        stats.put("other", new TreeMap<>(Map.of("total", total(other), "byStatus", byStatus(other))));
        Main.send(ex, 200, "application/json", Json.write(stats));
        return 200;
      }
      default -> {
        return error(ex, 404, "Not found");
      }
    }
  }

  private int download(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("GET")) {
      return error(ex, 405, "Method not allowed");
    }
    Config c;
    try {
      c = read();
    } catch (IOException | RuntimeException e) {
      // The reason names files and keys, never a value: JSON errors give offsets only.
      System.out.println(NAME + ": configuration unreadable: " + e.getMessage());
      return error(ex, 500, "fake-doppler: configuration unreadable");
    }
    String ifNoneMatch = ex.getRequestHeaders().getFirst("If-None-Match");
    if (ifNoneMatch != null) {
      conditional.increment();
    }
    if (c.fault() != 0) {
      if (c.fault() == 429) {
        ex.getResponseHeaders().set("retry-after", "30");
        ex.getResponseHeaders().set("x-ratelimit-limit", "240");
        ex.getResponseHeaders().set("x-ratelimit-remaining", "0");
        return error(ex, 429, "You have exceeded the rate limit");
      }
      return error(ex, c.fault(), "fake-doppler: fault " + c.fault() + " configured");
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).strip() : "";
    if (!MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), c.token().getBytes(StandardCharsets.UTF_8))) {
      return error(ex, 401, "Invalid Auth token");
    }
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    String project = query.getOrDefault("project", "");
    String config = query.getOrDefault("config", "");
    if (!project.equals(c.project())) {
      return error(ex, 404, "Could not find requested project '" + project + "'");
    }
    if (!config.equals(c.config())) {
      return error(ex, 404, "Could not find requested config '" + config + "'");
    }
    String format = query.getOrDefault("format", "json");
    if (!format.equals("json")) {
      return error(ex, 400, "fake-doppler serves format=json only");
    }
    Map<String, String> content = new TreeMap<>(c.secrets());
    content.put("DOPPLER_PROJECT", c.project());
    content.put("DOPPLER_CONFIG", c.config());
    // As Doppler names environments by the config's root: prd, prd_eu -> prd.
    content.put("DOPPLER_ENVIRONMENT", c.config().replaceAll("_.*", ""));
    String body = Json.write(content);
    String etag = "W/\"" + Main.sha256(body).substring(0, 32) + "\"";
    ex.getResponseHeaders().set("ETag", etag);
    if (ifNoneMatch != null && List.of(ifNoneMatch.split(",")).stream().map(String::strip).anyMatch(etag::equals)) {
      ex.sendResponseHeaders(304, -1);
      return 304;
    }
    Main.send(ex, 200, "application/json", body);
    return 200;
  }

  private static int error(HttpExchange ex, int status, String message) throws IOException {
    Map<String, Object> envelope = new TreeMap<>();
    envelope.put("messages", List.of(message));
    envelope.put("success", false);
    Main.send(ex, status, "application/json", Json.write(envelope));
    return status;
  }

  private static long total(Map<Integer, LongAdder> counts) {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private static Map<String, Object> byStatus(Map<Integer, LongAdder> counts) {
    Map<String, Object> m = new TreeMap<>();
    counts.forEach((k, v) -> m.put(Integer.toString(k), v.sum()));
    return m;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return q;
  }
}
