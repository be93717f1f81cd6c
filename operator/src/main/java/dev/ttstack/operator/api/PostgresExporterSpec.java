package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * PostgreSQL's postgres-exporter sidecar. A section of its own (not a flat {@code exporterImage}),
 * as {@code spec.monitoring.prometheus} is, so that the exporter's other settings, should they ever
 * be needed, sit next to its image. Optional and without a default: absent means the pinned image.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresExporterSpec {
  /** The exporter's image unless spec.postgres.exporter.image says otherwise. */
  public static final String DEFAULT_IMAGE =
      "quay.io/prometheuscommunity/postgres-exporter:v0.15.0";

  @Size(max = 255)
  @Pattern(Patterns.IMAGE_REFERENCE)
  @JsonPropertyDescription(
      "Full image reference with a tag or digest, overriding the pinned default "
          + DEFAULT_IMAGE
          + ", e.g. for a private registry.")
  public String image;

  /** The image to run: {@code spec}'s, else {@link #DEFAULT_IMAGE}; {@code spec} may be null. */
  static String effectiveImage(PostgresExporterSpec spec) {
    return spec != null && spec.image != null ? spec.image : DEFAULT_IMAGE;
  }
}
