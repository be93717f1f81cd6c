package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** The TT backend: a Spring Boot service, rolled out without downtime and rolled back on failure. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AppSpec {

  /**
   * Variables the operator wires itself (from the managed Secret or the other components). Setting
   * them in {@code env} would silently fight the operator, so the schema refuses them.
   */
  public static final List<String> RESERVED_ENV = List.of(
      "SPRING_PROFILES_ACTIVE",
      "SPRING_DATASOURCE_URL",
      "SPRING_DATASOURCE_USERNAME",
      "SPRING_DATASOURCE_PASSWORD",
      "SPRING_DATA_REDIS_CLUSTER_NODES",
      "SPRING_DATA_REDIS_PASSWORD");

  @Required
  @Size(max = 255)
  @Pattern(Patterns.IMAGE_REPOSITORY)
  @JsonPropertyDescription(
      "Image repository without a tag, e.g. ghcr.io/acme/tt-backend; the tag is spec.app.version.")
  public String image;

  @Required
  @Pattern(Patterns.IMAGE_TAG)
  @JsonPropertyDescription(
      "Version to run: the image tag. Changing it backs up PostgreSQL first (see"
          + " spec.postgres.backup.beforeUpgrade), then rolls out, and rolls back on failure.")
  public String version;

  @Default("1")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(0)
  @Max(50)
  @JsonPropertyDescription("Number of app pods (default 1).")
  public Integer replicas = 1;

  @Default("8080")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("HTTP port the app listens on; also serves /actuator (default 8080).")
  public Integer port = 8080;

  @Default("prod")
  @JsonSetter(nulls = Nulls.SKIP)
  @Pattern(Patterns.SPRING_PROFILES)
  @JsonPropertyDescription("Spring profiles, comma-separated (SPRING_PROFILES_ACTIVE; default prod).")
  public String profile = "prod";

  @JsonPropertyDescription("CPU and memory of the app container.")
  public ResourcesSpec resources;

  @Size(max = 100)
  @ValidationRule(
      value = "self.all(e, !(e.name in ['SPRING_PROFILES_ACTIVE', 'SPRING_DATASOURCE_URL',"
          + " 'SPRING_DATASOURCE_USERNAME', 'SPRING_DATASOURCE_PASSWORD',"
          + " 'SPRING_DATA_REDIS_CLUSTER_NODES', 'SPRING_DATA_REDIS_PASSWORD']))",
      message = "env must not set variables the operator wires itself (SPRING_PROFILES_ACTIVE,"
          + " SPRING_DATASOURCE_*, SPRING_DATA_REDIS_CLUSTER_NODES, SPRING_DATA_REDIS_PASSWORD)")
  @ValidationRule(
      value = "self.all(x, self.exists_one(y, y.name == x.name))",
      message = "env names must be unique")
  @JsonPropertyDescription(
      "Extra, non-secret environment variables. Secret values belong in Doppler (or the secretRef"
          + " Secret): every key there reaches the app through envFrom.")
  public List<EnvVarSpec> env = new ArrayList<>();

  @Size(max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription(
      "Name of a kubernetes.io/dockerconfigjson Secret for pulling a private image (e.g. from GHCR).")
  public String imagePullSecret;

  @JsonPropertyDescription("Expose the app through an Ingress; unset means no Ingress.")
  public IngressSpec ingress;

  @Default("{}")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription("How new versions are rolled out and, on failure, rolled back.")
  public RolloutSpec rollout = new RolloutSpec();
}
