package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.ResourcesSpec;
import dev.ttstack.operator.support.Quantities;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Pieces every component's pod templates are made of, so that they are made one way. */
public final class PodParts {
  /**
   * The pod-template annotation holding the hash of the secret keys a component consumes: a new
   * value rolls its pods.
   */
  public static final String SECRET_HASH_ANNOTATION = "ttstack.dev/secret-hash";

  private PodParts() {}

  public static EnvVar plainEnv(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  /** An environment variable from one key of a Secret, which must exist. */
  public static EnvVar secretEnv(String name, String secretName, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secretName)
        .withKey(key)
        .withOptional(false)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  /** No privilege escalation and no capabilities: what the restricted Pod Security level asks. */
  public static SecurityContext containerSecurity() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }

  /**
   * The spec's resources, each unset amount falling back to the component default (null = none).
   */
  public static ResourceRequirements resources(
      ResourcesSpec spec,
      String cpuRequest,
      String memoryRequest,
      String cpuLimit,
      String memoryLimit) {
    return resources(
        ResourcesSpec.withDefaults(spec, cpuRequest, memoryRequest, cpuLimit, memoryLimit));
  }

  /** The amounts that are set, as the container's requests and limits. */
  public static ResourceRequirements resources(ResourcesSpec amounts) {
    Map<String, Quantity> requests = new LinkedHashMap<>();
    Map<String, Quantity> limits = new LinkedHashMap<>();
    put(requests, "cpu", amounts.requests.cpu);
    put(requests, "memory", amounts.requests.memory);
    put(limits, "cpu", amounts.limits.cpu);
    put(limits, "memory", amounts.limits.memory);
    return new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits).build();
  }

  private static void put(Map<String, Quantity> map, String key, String value) {
    if (value != null) {
      map.put(key, Quantities.of(value));
    }
  }
}
