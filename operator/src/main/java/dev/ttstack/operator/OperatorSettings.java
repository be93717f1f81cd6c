package dev.ttstack.operator;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings, read from environment variables (the Helm chart sets them).
 *
 * @param watchNamespaces namespaces to watch ({@code WATCH_NAMESPACES}, comma-separated); empty =
 *     all
 * @param httpAddress address of the metrics/health endpoint ({@code HTTP_ADDRESS}, default 0.0.0.0)
 * @param httpPort port of {@code /metrics}, {@code /healthz}, {@code /readyz} ({@code
 *     METRICS_PORT}, 8080)
 * @param logLevel root log level ({@code LOG_LEVEL}, INFO)
 * @param jsonLogs one JSON object per line instead of plain text ({@code LOG_FORMAT=json})
 * @param useServerSideApply use Server-Side Apply for the primary and dependents ({@code USE_SSA},
 *     true)
 * @param leaderElection take a Lease before reconciling ({@code LEADER_ELECTION}, true)
 * @param leaseName name of the Lease ({@code LEASE_NAME}, ttstack-operator)
 * @param leaseNamespace namespace of the Lease ({@code LEASE_NAMESPACE}, else {@code
 *     POD_NAMESPACE}, else the client's namespace); null = let the client decide
 * @param identity this replica's identity in the Lease ({@code POD_NAME}, else the host name)
 */
public record OperatorSettings(
    Set<String> watchNamespaces,
    String httpAddress,
    int httpPort,
    String logLevel,
    boolean jsonLogs,
    boolean useServerSideApply,
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    String identity) {

  public static OperatorSettings fromEnvironment() {
    return from(System.getenv());
  }

  /** Parses settings; a malformed value fails with a message naming the variable. */
  public static OperatorSettings from(Map<String, String> env) {
    Set<String> namespaces =
        Arrays.stream(env.getOrDefault("WATCH_NAMESPACES", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toCollection(java.util.TreeSet::new));
    String format = env.getOrDefault("LOG_FORMAT", "text").trim().toLowerCase();
    if (!format.equals("text") && !format.equals("json")) {
      throw new IllegalArgumentException("LOG_FORMAT must be text or json, got '" + format + "'");
    }
    String level = env.getOrDefault("LOG_LEVEL", "INFO").trim().toUpperCase();
    if (!Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
      throw new IllegalArgumentException(
          "LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, got '" + level + "'");
    }
    String leaseNamespace = firstNonBlank(env.get("LEASE_NAMESPACE"), env.get("POD_NAMESPACE"));
    String identity = firstNonBlank(env.get("POD_NAME"), env.get("HOSTNAME"));
    return new OperatorSettings(
        Set.copyOf(namespaces),
        env.getOrDefault("HTTP_ADDRESS", "0.0.0.0"),
        port(env, "METRICS_PORT", 8080),
        level,
        format.equals("json"),
        bool(env, "USE_SSA", true),
        bool(env, "LEADER_ELECTION", true),
        env.getOrDefault("LEASE_NAME", "ttstack-operator"),
        leaseNamespace,
        identity);
  }

  /** The same settings with another HTTP endpoint (tests bind 127.0.0.1 on a free port). */
  public OperatorSettings withHttp(String address, int port) {
    return new OperatorSettings(
        watchNamespaces,
        address,
        port,
        logLevel,
        jsonLogs,
        useServerSideApply,
        leaderElection,
        leaseName,
        leaseNamespace,
        identity);
  }

  /** The same settings with Server-Side Apply switched; the fabric8 mock server needs it off. */
  public OperatorSettings withServerSideApply(boolean on) {
    return new OperatorSettings(
        watchNamespaces,
        httpAddress,
        httpPort,
        logLevel,
        jsonLogs,
        on,
        leaderElection,
        leaseName,
        leaseNamespace,
        identity);
  }

  /** The same settings with leader election switched and the Lease in that namespace. */
  public OperatorSettings withLeaderElection(boolean on, String namespace) {
    return new OperatorSettings(
        watchNamespaces,
        httpAddress,
        httpPort,
        logLevel,
        jsonLogs,
        useServerSideApply,
        on,
        leaseName,
        namespace,
        identity);
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(raw.trim());
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be a port number (0-65535), got '" + raw + "'");
    }
  }

  private static boolean bool(Map<String, String> env, String name, boolean fallback) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    return switch (raw.trim().toLowerCase()) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default ->
          throw new IllegalArgumentException(name + " must be true or false, got '" + raw + "'");
    };
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }
}
