package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.TTStackSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which secret keys each component consumes. The required ones must be present before the
 * components that need them start; the per-component sets decide which change restarts what.
 */
public final class SecretKeys {
  public static final String POSTGRES_USER = "POSTGRES_USER";
  public static final String POSTGRES_PASSWORD = "POSTGRES_PASSWORD";
  public static final String POSTGRES_DB = "POSTGRES_DB";
  public static final String REDIS_PASSWORD = "REDIS_PASSWORD";

  private SecretKeys() {}

  public static List<String> postgres() {
    return List.of(POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB);
  }

  public static List<String> redis() {
    return List.of(REDIS_PASSWORD);
  }

  /** Grafana's admin password key, when Grafana runs. */
  public static List<String> grafana(TTStackSpec spec) {
    return monitoringOn(spec)
            && spec.monitoring.grafana != null
            && !Boolean.FALSE.equals(spec.monitoring.grafana.enabled)
        ? List.of(spec.monitoring.grafana.adminPasswordKey)
        : List.of();
  }

  /** The Slack webhook key, when alerts go to Slack. */
  public static List<String> alertmanager(TTStackSpec spec) {
    return monitoringOn(spec)
            && spec.monitoring.alertmanager != null
            && spec.monitoring.alertmanager.slack != null
        ? List.of(spec.monitoring.alertmanager.slack.webhookKey)
        : List.of();
  }

  /** Every key the enabled components need, in a stable order. */
  public static List<String> required(TTStackSpec spec) {
    Set<String> keys = new LinkedHashSet<>();
    keys.addAll(postgres());
    keys.addAll(redis());
    keys.addAll(grafana(spec));
    keys.addAll(alertmanager(spec));
    return new ArrayList<>(keys);
  }

  /**
   * The keys whose change restarts the app: every key it receives through envFrom except those only
   * monitoring uses (a new Grafana password must not roll the app).
   */
  public static Set<String> app(TTStackSpec spec, Set<String> allKeys) {
    Set<String> keys = new java.util.TreeSet<>(allKeys);
    grafana(spec).forEach(keys::remove);
    alertmanager(spec).forEach(keys::remove);
    return keys;
  }

  private static boolean monitoringOn(TTStackSpec spec) {
    return spec.monitoring != null && !Boolean.FALSE.equals(spec.monitoring.enabled);
  }
}
