package dev.ttstack.operator.monitoring;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.support.ClasspathText;
import dev.ttstack.operator.support.Hashes;
import java.util.Map;

/**
 * Every generated file of the monitoring stack, rendered once per reconcile, with the hashes that
 * go on the pod templates (a changed file restarts only the server that reads it).
 *
 * @param operatorTarget the operator's metrics address ({@code host:port}), or null when not
 *     scraped
 */
public record MonitoringConfig(
    String prometheusYml,
    String rulesYml,
    String alertmanagerYml,
    String slackTemplate,
    String grafanaDatasources,
    String grafanaProviders,
    Map<String, String> dashboards,
    String operatorTarget) {

  public static MonitoringConfig render(TTStack stack, String operatorTarget) {
    return new MonitoringConfig(
        PrometheusConfig.render(stack, operatorTarget),
        AlertRules.render(stack, operatorTarget != null),
        AlertmanagerConfig.render(stack),
        ClasspathText.read(AlertmanagerConfig.TEMPLATE_RESOURCE),
        GrafanaConfig.datasources(stack),
        GrafanaConfig.providers(),
        GrafanaConfig.dashboards(),
        operatorTarget);
  }

  /** Hash of what Prometheus reads. */
  public String prometheusHash() {
    return hash(prometheusYml, rulesYml);
  }

  /** Hash of what Alertmanager reads. */
  public String alertmanagerHash() {
    return hash(alertmanagerYml, slackTemplate);
  }

  /** Hash of what Grafana reads. */
  public String grafanaHash() {
    return hash(grafanaDatasources, grafanaProviders, String.join("\u0000", dashboards.values()));
  }

  /** {@code status.monitoring.configHash}: Prometheus, rules and Alertmanager together. */
  public String configHash() {
    return hash(prometheusYml, rulesYml, alertmanagerYml, slackTemplate);
  }

  static String hash(String... parts) {
    return Hashes.sha256(String.join("\u0000", parts) + "\u0000").substring(0, 16);
  }
}
