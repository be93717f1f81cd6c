package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Alertmanager and its receivers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AlertmanagerSpec {

  @JsonPropertyDescription("Send alerts to Slack; unset keeps alerts in Alertmanager only.")
  public SlackSpec slack;
}
