package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A plain (non-secret) environment variable of the app ({@code spec.app.env}). Secrets belong in
 * Doppler or the secretRef Secret.
 *
 * <p>The reserved-name rule sits on the item, not on the list, so that the API server's error names
 * the very field ({@code spec.app.env[i].name}) that {@link SpecValidator} names.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.name) || !(self.name in " + AppSpec.RESERVED_ENV_CEL + ")",
    fieldPath = ".name",
    messageExpression = "self.name + ' is reserved: the operator sets it itself'",
    message = "is reserved: the operator sets it itself")
public class EnvVarSpec {

  @Required
  @Size(min = 1, max = 256)
  @Pattern(Patterns.ENV_NAME)
  @JsonPropertyDescription("Variable name.")
  public String name;

  @JsonPropertyDescription(
      "Variable value (plain text: visible to anyone who can read the TTStack).")
  public String value;

  public EnvVarSpec() {}

  public EnvVarSpec(String name, String value) {
    this.name = name;
    this.value = value;
  }
}
