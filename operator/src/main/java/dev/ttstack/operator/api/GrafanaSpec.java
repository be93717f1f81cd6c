package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Grafana, provisioned with the Prometheus data source and the stack's dashboards. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GrafanaSpec {

  /** Grafana's image unless its {@code image} field says otherwise. */
  public static final String DEFAULT_IMAGE = "grafana/grafana:11.3.0";

  @Size(max = 255)
  @Pattern(Patterns.IMAGE_REFERENCE)
  @JsonPropertyDescription(
      "Full image reference with a tag or digest, overriding the pinned default "
          + DEFAULT_IMAGE
          + ", e.g. for a private registry.")
  public String image;

  @Default("true")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription("Run Grafana (default true).")
  public Boolean enabled = true;

  @Default("GRAFANA_PASSWORD")
  @JsonSetter(nulls = Nulls.SKIP)
  @Pattern(Patterns.SECRET_KEY)
  @JsonPropertyDescription(
      "Key of the managed Secret that holds Grafana's admin password (default GRAFANA_PASSWORD).")
  public String adminPasswordKey = "GRAFANA_PASSWORD";

  /** The image to run: the explicit one, else {@link #DEFAULT_IMAGE}. */
  public String effectiveImage() {
    return image != null ? image : DEFAULT_IMAGE;
  }
}
