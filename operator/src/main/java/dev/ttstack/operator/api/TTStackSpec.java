package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/** Desired state of one TT environment. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TTStackSpec {

  @Required
  @JsonPropertyDescription(
      "Where the stack's secrets come from: Doppler (synced into a managed Secret) or an existing"
          + " Secret. Exactly one of the two.")
  public SecretsSpec secrets;

  @Required
  @JsonPropertyDescription("The TT backend (Spring Boot) Deployment.")
  public AppSpec app;

  @Default("{}")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription("PostgreSQL: one persistent instance, monitored and backed up.")
  public PostgresSpec postgres = new PostgresSpec();

  @Default("{}")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription(
      "The Redis Cluster (masters with replicas), bootstrapped and healed by the operator.")
  public RedisSpec redis = new RedisSpec();

  @Default("{}")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription("Prometheus, Alertmanager (Slack), Grafana and the exporters.")
  public MonitoringSpec monitoring = new MonitoringSpec();

  @Default("Retain")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription(
      "What happens to data volumes (PostgreSQL, Redis, backups, Prometheus) when the TTStack is"
          + " deleted. Retain (default) keeps them, and a TTStack re-created with the same name"
          + " re-attaches them; Delete removes them with the stack.")
  public DeletionPolicy deletionPolicy = DeletionPolicy.Retain;
}
