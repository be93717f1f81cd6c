package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** Grafana, provisioned with the Prometheus data source and the stack's dashboards. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GrafanaSpec {

  @Default("true")
  @JsonPropertyDescription("Run Grafana (default true).")
  public Boolean enabled = true;

  @Default("GRAFANA_PASSWORD")
  @Pattern(Patterns.SECRET_KEY)
  @JsonPropertyDescription("Key of the managed Secret that holds Grafana's admin password (default GRAFANA_PASSWORD).")
  public String adminPasswordKey = "GRAFANA_PASSWORD";
}
