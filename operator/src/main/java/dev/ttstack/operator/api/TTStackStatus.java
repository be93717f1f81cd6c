package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed; never holds a secret value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TTStackStatus {

  @JsonPropertyDescription("The metadata.generation the operator last acted on.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "The last spec that passed validation, as JSON: while metadata.generation holds a spec the"
          + " operator refuses (Ready=False, reason InvalidSpec), this one keeps being reconciled"
          + " and healed. Never holds a secret value (the spec only names Secrets).")
  public String lastValidSpec;

  @JsonPropertyDescription("The metadata.generation lastValidSpec was taken from.")
  public Long lastValidGeneration;

  @JsonPropertyDescription(
      "Ready plus one condition per component: SecretsSynced, PostgresReady, RedisClusterReady,"
          + " AppReady, MonitoringReady.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Facts about the app rollout.")
  public AppStatus app;

  @JsonPropertyDescription("Facts about PostgreSQL and its backups.")
  public PostgresStatus postgres;

  @JsonPropertyDescription("Facts about the Redis Cluster.")
  public RedisStatus redis;

  @JsonPropertyDescription("Facts about the last secret sync (never a value).")
  public SecretsStatus secrets;

  @JsonPropertyDescription("Facts about the monitoring stack.")
  public MonitoringStatus monitoring;

  /** The condition of that type, or null. */
  public Condition condition(String type) {
    return conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
  }
}
