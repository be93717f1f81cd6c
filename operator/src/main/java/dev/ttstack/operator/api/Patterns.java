package dev.ttstack.operator.api;

/**
 * Regular expressions shared by the CRD schema ({@code @Pattern}) and by {@code SpecValidator}, so
 * that the API server and the operator enforce exactly the same rules (the mock API server in
 * tests, and clusters where the CRD was installed by hand, check no schema at all).
 */
public final class Patterns {
  private Patterns() {}

  /** A DNS-1123 subdomain: the name of a Secret or another namespaced object. */
  public static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /**
   * A TTStack name: a DNS-1035 label, because it prefixes the names of Services ({@code
   * <stack>-app}, ...), which must start with a letter and contain no dots.
   */
  public static final String STACK_NAME = "^[a-z]([-a-z0-9]*[a-z0-9])?$";

  /** A key inside a Secret or ConfigMap. */
  public static final String SECRET_KEY = "^[-._a-zA-Z0-9]+$";

  /** An environment variable name (POSIX-ish, as Kubernetes accepts it). */
  public static final String ENV_NAME = "^[A-Za-z_][A-Za-z0-9_.-]*$";

  /** Image repository without tag or digest, e.g. {@code ghcr.io/acme/tt-backend}. */
  public static final String IMAGE_REPOSITORY =
      "^[a-z0-9][a-z0-9._-]*((:[0-9]+)?/[a-z0-9][a-z0-9._-]*)?(/[a-z0-9][a-z0-9._-]*)*$";

  /** A full image reference that pins a tag and/or a digest, e.g. {@code postgres:16-alpine}. */
  public static final String IMAGE_REFERENCE =
      "^[a-z0-9][a-z0-9._-]*((:[0-9]+)?/[a-z0-9][a-z0-9._-]*)?(/[a-z0-9][a-z0-9._-]*)*"
          + "((:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$";

  /** An image tag as the OCI distribution spec defines it. */
  public static final String IMAGE_TAG = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";

  /** A storage size in binary or decimal units, e.g. {@code 10Gi} or {@code 500M}. */
  public static final String STORAGE_SIZE = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$";

  /** A CPU amount: cores ({@code 1}, {@code 0.5}) or millicores ({@code 500m}). */
  public static final String CPU = "^([0-9]+(\\.[0-9]+)?|[0-9]+m)$";

  /** A memory amount, e.g. {@code 512Mi}, {@code 1Gi}. */
  public static final String MEMORY = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$";

  /**
   * A CronJob schedule: five fields (minute hour day-of-month month day-of-week) or one of the
   * {@code @hourly}-style macros Kubernetes accepts.
   */
  public static final String CRON =
      "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)"
          + "|([0-9*/,?LW#A-Za-z-]+\\s+){4}[0-9*/,?LW#A-Za-z-]+)$";

  /** A Prometheus duration such as {@code 15d} or {@code 1w2d}. */
  public static final String PROMETHEUS_DURATION = "^([0-9]+(ms|s|m|h|d|w|y))+$";

  /**
   * Doppler API base URL: HTTPS, or plain HTTP to a loopback address only (tests, port-forwards),
   * so a Doppler token is never sent in clear over a network.
   */
  public static final String DOPPLER_HOST =
      "^(https://[A-Za-z0-9.-]+(:[0-9]+)?|http://(localhost|127\\.0\\.0\\.1|\\[::1\\])(:[0-9]+)?)/?$";

  /** An Ingress host name (DNS name, optionally with a leading wildcard label). */
  public static final String HOSTNAME =
      "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** A Slack channel: {@code #name}; Slack allows lower-case letters, digits, '-' and '_'. */
  public static final String SLACK_CHANNEL = "^#[a-z0-9][a-z0-9_-]{0,79}$";

  /** A Spring profile list such as {@code prod} or {@code prod,metrics}. */
  public static final String SPRING_PROFILES = "^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$";
}
