package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A condition in the Kubernetes API convention (as kubectl wait, Argo CD and Flux read them). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  @Required
  @JsonPropertyDescription(
      "Ready, SecretsSynced, PostgresReady, RedisClusterReady, AppReady or MonitoringReady.")
  public String type;

  @Required
  @JsonPropertyDescription("True, False or Unknown.")
  public String status;

  @JsonPropertyDescription("One CamelCase word saying why, e.g. InvalidSpec or NotImplemented.")
  public String reason;

  @JsonPropertyDescription("Human-readable details. Never contains a secret value.")
  public String message;

  @JsonPropertyDescription("When status last changed (RFC 3339).")
  public String lastTransitionTime;

  @JsonPropertyDescription("The metadata.generation this condition was computed from.")
  public Long observedGeneration;

  public Condition() {}

  public Condition(String type, String status, String reason, String message) {
    this.type = type;
    this.status = status;
    this.reason = reason;
    this.message = message;
  }

  @JsonIgnore
  public boolean isTrue() {
    return TRUE.equals(status);
  }

  /**
   * As kubectl describe shows it; what a failed assertion or a log line should say about a
   * condition.
   */
  @Override
  public String toString() {
    return type
        + "="
        + status
        + (reason == null ? "" : " " + reason)
        + (message == null ? "" : ": " + message);
  }
}
