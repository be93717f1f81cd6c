package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** An amount of CPU and memory, in Kubernetes quantity notation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourceAmounts {

  @Pattern(Patterns.CPU)
  @JsonPropertyDescription("CPU, in cores (1, 0.5) or millicores (500m).")
  public String cpu;

  @Pattern(Patterns.MEMORY)
  @JsonPropertyDescription("Memory, e.g. 512Mi or 1Gi.")
  public String memory;

  public ResourceAmounts() {}

  public ResourceAmounts(String cpu, String memory) {
    this.cpu = cpu;
    this.memory = memory;
  }
}
