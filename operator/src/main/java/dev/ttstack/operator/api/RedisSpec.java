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

/** A Redis Cluster of {@code masters × (1 + replicasPerMaster)} nodes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RedisSpec {
  public static final String DEFAULT_STORAGE_SIZE = "1Gi";

  @Default("7")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(7)
  @Max(8)
  @JsonPropertyDescription(
      "Redis major version (default 7). Selects the default image redis:<version>-alpine.")
  public Integer version = 7;

  @Size(max = 255)
  @Pattern(Patterns.IMAGE_REFERENCE)
  @JsonPropertyDescription(
      "Full image reference with a tag or digest, overriding the default redis:<version>-alpine.")
  public String image;

  @JsonPropertyDescription(
      "The redis_exporter sidecar next to every Redis node, serving its metrics to Prometheus.")
  public RedisExporterSpec exporter;

  @Default("3")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(3)
  @Max(16)
  @JsonPropertyDescription(
      "Number of masters; the 16384 slots are split evenly between them (default 3, at least 3).")
  public Integer masters = 3;

  @Default("1")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(1)
  @Max(5)
  @JsonPropertyDescription(
      "Replicas of each master, each on a different pod than its master (default 1).")
  public Integer replicasPerMaster = 1;

  @Default("5000")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(1000)
  @Max(60000)
  @JsonPropertyDescription(
      "cluster-node-timeout in milliseconds: how long a node may be unreachable before its replica"
          + " takes over (default 5000).")
  public Integer nodeTimeoutMillis = 5000;

  @Default("false")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription(
      "When both copies of a shard are lost, reassign its now-empty slots so the cluster serves again"
          + " (default false: the cluster stays down and the condition names the lost slot ranges).")
  public Boolean allowDataLoss = false;

  @JsonPropertyDescription("Volume of each node, holding its AOF and nodes.conf (default 1Gi).")
  public StorageSpec storage;

  @JsonPropertyDescription("CPU and memory of each Redis container.")
  public ResourcesSpec resources;

  /** The image to run: the explicit one, else the official Alpine image of {@link #version}. */
  public String effectiveImage() {
    return image != null ? image : "redis:" + version + "-alpine";
  }

  /**
   * The exporter sidecar's image: spec.redis.exporter.image, else {@link
   * RedisExporterSpec#DEFAULT_IMAGE}.
   */
  public String effectiveExporterImage() {
    return RedisExporterSpec.effectiveImage(exporter);
  }

  /** Total number of Redis nodes (pods). */
  public int nodeCount() {
    return masters * (1 + replicasPerMaster);
  }
}
