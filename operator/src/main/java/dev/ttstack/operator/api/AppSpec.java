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
import java.util.stream.Stream;

/**
 * The TT backend: a Spring Boot service, rolled out without downtime and rolled back on failure.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AppSpec {

  /**
   * Every variable the operator puts on the app container: the ones {@code AppObjects.env} sets
   * (credentials by reference, the other components' endpoints, the Redis client's failover
   * settings, graceful shutdown), and the keys the operator requires in the managed Secret, which
   * reach the app through envFrom. A plain {@code env} entry of the same name would win over both
   * (Kubernetes gives {@code env} precedence over {@code envFrom}, and the later of two {@code env}
   * entries wins), so it would silently fight the operator: the schema refuses them.
   *
   * <p>One list, written once as a CEL list literal because an annotation (the CRD rule on {@link
   * EnvVarSpec}) can only take a compile-time constant; {@link #RESERVED_ENV} is parsed from it.
   * {@code AppObjectsTest} fails when the operator sets a name this list lacks, or the list names
   * one it no longer sets.
   */
  public static final String RESERVED_ENV_CEL =
      "["
          + "'SPRING_PROFILES_ACTIVE', "
          + "'POSTGRES_DB', "
          + "'SPRING_DATASOURCE_URL', "
          + "'SPRING_DATASOURCE_USERNAME', "
          + "'SPRING_DATASOURCE_PASSWORD', "
          + "'SPRING_DATA_REDIS_CLUSTER_NODES', "
          + "'SPRING_DATA_REDIS_PASSWORD', "
          + "'SPRING_DATA_REDIS_TIMEOUT', "
          + "'SPRING_DATA_REDIS_LETTUCE_CLUSTER_REFRESH_ADAPTIVE', "
          + "'SPRING_DATA_REDIS_LETTUCE_CLUSTER_REFRESH_PERIOD', "
          + "'SERVER_SHUTDOWN', "
          + "'POSTGRES_USER', "
          + "'POSTGRES_PASSWORD', "
          + "'REDIS_PASSWORD'"
          + "]";

  static final int MAX_ENV = 100;

  // An index as text, in CEL. Not string(i): the API server's cost estimate of string(int) is
  // unbounded, and a messageExpression using it is refused (measured on v1.36: "exceeds budget by
  // factor of more than 100x"; so is lastIndexOf; cel.bind is not offered). Two digits suffice
  // because env has at most MAX_ENV = 100 items.
  private static final String DIGITS = "['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']";
  private static final String DIGITS_OF_I =
      "(i < 10 ? " + DIGITS + "[i] : " + DIGITS + "[i / 10] + " + DIGITS + "[i % 10])";
  private static final String DIGITS_OF_J =
      "(j < 10 ? " + DIGITS + "[j] : " + DIGITS + "[j / 10] + " + DIGITS + "[j % 10])";

  /** {@link #RESERVED_ENV_CEL} as a Java list, in the same order. */
  public static final List<String> RESERVED_ENV =
      Stream.of(RESERVED_ENV_CEL.substring(1, RESERVED_ENV_CEL.length() - 1).split(","))
          .map(String::strip)
          .map(quoted -> quoted.substring(1, quoted.length() - 1))
          .toList();

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
  @JsonPropertyDescription(
      "Spring profiles, comma-separated (SPRING_PROFILES_ACTIVE; default prod).")
  public String profile = "prod";

  @JsonPropertyDescription(
      "CPU and memory of the app container (default: requests 250m and 512Mi, memory limit 1Gi, no"
          + " CPU limit).")
  public ResourcesSpec resources;

  /**
   * The app container's amounts: the spec's, else the defaults (memory limit 1Gi, no CPU limit).
   * Read by the app's Deployment and by the alert rules, which compare usage with the limits.
   */
  public ResourcesSpec effectiveResources() {
    return ResourcesSpec.withDefaults(resources, "250m", "512Mi", null, "1Gi");
  }

  @Size(max = MAX_ENV)
  // exists_one fails every copy of a duplicate. The message names the first later copy and the
  // entry it repeats, as SpecValidator's first violation does, so that the server and the operator
  // name the same field (spec.app.env[i].name).
  @ValidationRule(
      value = "self.all(x, self.exists_one(y, y.name == x.name))",
      messageExpression =
          "self.transformList(i, x, self.exists(j, y, j < i && y.name == x.name),"
              + " 'spec.app.env[' + "
              + DIGITS_OF_I
              + " + '].name duplicates spec.app.env['"
              + " + self.transformList(j, y, y.name == x.name, "
              + DIGITS_OF_J
              + ")[0]"
              + " + '].name (' + x.name + '): env names must be unique')[0]",
      message = "env names must be unique")
  @JsonPropertyDescription(
      "Extra, non-secret environment variables, with unique names. Names the operator sets"
          + " itself are refused: "
          + RESERVED_ENV_CEL
          + ". Secret values belong in Doppler (or the"
          + " secretRef Secret): every key there reaches the app through envFrom.")
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
