package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** One persistent PostgreSQL instance with its exporter and backups. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresSpec {
  public static final String DEFAULT_STORAGE_SIZE = "10Gi";

  @Default("16")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(14)
  @Max(17)
  @JsonPropertyDescription(
      "PostgreSQL major version (default 16). Selects the default image postgres:<version>-alpine.")
  public Integer version = 16;

  @Size(max = 255)
  @Pattern(Patterns.IMAGE_REFERENCE)
  @JsonPropertyDescription(
      "Full image reference with a tag or digest, overriding the default postgres:<version>-alpine."
          + " It must run the major version given in spec.postgres.version.")
  public String image;

  @JsonPropertyDescription(
      "The postgres-exporter sidecar that serves PostgreSQL's metrics to Prometheus.")
  public PostgresExporterSpec exporter;

  @JsonPropertyDescription("Data volume (default 10Gi on the cluster's default StorageClass).")
  public StorageSpec storage;

  @JsonPropertyDescription("CPU and memory of the PostgreSQL container.")
  public ResourcesSpec resources;

  @Default("{}")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription("Logical backups (pg_dump) on a schedule and before every app upgrade.")
  public BackupSpec backup = new BackupSpec();

  /** The image to run: the explicit one, else the official Alpine image of {@link #version}. */
  public String effectiveImage() {
    return image != null ? image : "postgres:" + version + "-alpine";
  }

  /**
   * The exporter sidecar's image: spec.postgres.exporter.image, else {@link
   * PostgresExporterSpec#DEFAULT_IMAGE}.
   */
  public String effectiveExporterImage() {
    return PostgresExporterSpec.effectiveImage(exporter);
  }
}
