package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** The stack's Prometheus server. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrometheusSpec {
  public static final String DEFAULT_STORAGE_SIZE = "10Gi";

  /** Prometheus's image unless its {@code image} field says otherwise. */
  public static final String DEFAULT_IMAGE = "prom/prometheus:v2.53.3";

  @Size(max = 255)
  @Pattern(Patterns.IMAGE_REFERENCE)
  @JsonPropertyDescription(
      "Full image reference with a tag or digest, overriding the pinned default "
          + DEFAULT_IMAGE
          + ", e.g. for a private registry.")
  public String image;

  @Default("15d")
  @JsonSetter(nulls = Nulls.SKIP)
  @Pattern(Patterns.PROMETHEUS_DURATION)
  @JsonPropertyDescription("How long samples are kept (default 15d).")
  public String retention = "15d";

  @JsonPropertyDescription("Volume for the time-series database (default 10Gi).")
  public StorageSpec storage;

  @JsonPropertyDescription("CPU and memory of the Prometheus container.")
  public ResourcesSpec resources;

  /** The image to run: the explicit one, else {@link #DEFAULT_IMAGE}. */
  public String effectiveImage() {
    return image != null ? image : DEFAULT_IMAGE;
  }
}
