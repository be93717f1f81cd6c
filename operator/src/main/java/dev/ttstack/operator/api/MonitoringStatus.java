package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The monitoring stack as running. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MonitoringStatus {

  @JsonPropertyDescription("Whether Prometheus is ready.")
  public Boolean prometheus;

  @JsonPropertyDescription("Whether Alertmanager is ready.")
  public Boolean alertmanager;

  @JsonPropertyDescription("Whether Grafana is ready (absent when Grafana is disabled).")
  public Boolean grafana;

  @JsonPropertyDescription(
      "Whether alerts are routed to Slack; false means they stay in Alertmanager.")
  public Boolean slackReceiver;

  @JsonPropertyDescription("Hash of the generated Prometheus, Alertmanager and rule configuration.")
  public String configHash;
}
