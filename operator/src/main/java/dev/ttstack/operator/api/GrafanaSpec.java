package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** Grafana, provisioned with the Prometheus data source and the stack's dashboards. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GrafanaSpec {

  @Default("true")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription("Run Grafana (default true).")
  public Boolean enabled = true;

  @Default("GRAFANA_PASSWORD")
  @JsonSetter(nulls = Nulls.SKIP)
  @Pattern(Patterns.SECRET_KEY)
  @JsonPropertyDescription("Key of the managed Secret that holds Grafana's admin password (default GRAFANA_PASSWORD).")
  public String adminPasswordKey = "GRAFANA_PASSWORD";
}
