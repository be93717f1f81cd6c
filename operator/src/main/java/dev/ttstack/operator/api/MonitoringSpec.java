package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.fabric8.generator.annotation.Default;

/** Prometheus, Alertmanager, Grafana and the alert thresholds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MonitoringSpec {

  @Default("true")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription("Run the monitoring stack (default true).")
  public Boolean enabled = true;

  @Default("{}")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription(
      "The Prometheus server that scrapes the app, the exporters and the operator.")
  public PrometheusSpec prometheus = new PrometheusSpec();

  @Default("{}")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription("Grafana with the stack's dashboards.")
  public GrafanaSpec grafana = new GrafanaSpec();

  @Default("{}")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription("Alertmanager and where alerts go.")
  public AlertmanagerSpec alertmanager = new AlertmanagerSpec();

  @Default("{}")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription("Alert thresholds.")
  public AlertsSpec alerts = new AlertsSpec();
}
