package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * CPU and memory for a component's containers. Unset values fall back to the component's defaults,
 * which the component documents.
 *
 * <p>The rules name the limit as their field (fieldPath), as SpecValidator does, rather than the
 * resources object that holds them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.requests) || !has(self.limits) || !has(self.requests.cpu)"
            + " || !has(self.limits.cpu)"
            + " || quantity(self.limits.cpu).compareTo(quantity(self.requests.cpu)) >= 0",
    fieldPath = ".limits.cpu",
    message = "limits.cpu must not be less than requests.cpu")
@ValidationRule(
    value =
        "!has(self.requests) || !has(self.limits) || !has(self.requests.memory)"
            + " || !has(self.limits.memory)"
            + " || quantity(self.limits.memory).compareTo(quantity(self.requests.memory)) >= 0",
    fieldPath = ".limits.memory",
    message = "limits.memory must not be less than requests.memory")
public class ResourcesSpec {

  @JsonPropertyDescription("What the scheduler reserves for the container.")
  public ResourceAmounts requests;

  @JsonPropertyDescription(
      "The most the container may use: CPU is throttled, memory is OOM-killed.")
  public ResourceAmounts limits;

  public ResourcesSpec() {}

  public ResourcesSpec(ResourceAmounts requests, ResourceAmounts limits) {
    this.requests = requests;
    this.limits = limits;
  }

  /**
   * {@code spec}'s amounts, each unset one taken from the component's default given here (null:
   * none). Never null, nor its requests or limits.
   */
  public static ResourcesSpec withDefaults(
      ResourcesSpec spec,
      String cpuRequest,
      String memoryRequest,
      String cpuLimit,
      String memoryLimit) {
    ResourceAmounts req = spec == null || spec.requests == null ? null : spec.requests;
    ResourceAmounts lim = spec == null || spec.limits == null ? null : spec.limits;
    return new ResourcesSpec(
        new ResourceAmounts(
            req != null && req.cpu != null ? req.cpu : cpuRequest,
            req != null && req.memory != null ? req.memory : memoryRequest),
        new ResourceAmounts(
            lim != null && lim.cpu != null ? lim.cpu : cpuLimit,
            lim != null && lim.memory != null ? lim.memory : memoryLimit));
  }
}
