package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A plain (non-secret) environment variable. Secrets belong in Doppler or the secretRef Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EnvVarSpec {

  @Required
  @Size(min = 1, max = 256)
  @Pattern(Patterns.ENV_NAME)
  @JsonPropertyDescription("Variable name.")
  public String name;

  @JsonPropertyDescription("Variable value (plain text: visible to anyone who can read the TTStack).")
  public String value;

  public EnvVarSpec() {}

  public EnvVarSpec(String name, String value) {
    this.name = name;
    this.value = value;
  }
}
