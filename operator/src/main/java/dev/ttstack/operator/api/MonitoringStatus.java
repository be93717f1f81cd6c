package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The monitoring stack as running. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MonitoringStatus {

  @JsonPropertyDescription("Hash of the generated Prometheus, Alertmanager and rule configuration.")
  public String configHash;

  @JsonPropertyDescription("Whether alerts are routed to Slack.")
  public Boolean slackReceiver;
}
