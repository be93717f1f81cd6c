package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** The stack's secret source: exactly one of {@code doppler} or {@code secretRef}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.doppler) != has(self.secretRef)",
    message = "exactly one of spec.secrets.doppler or spec.secrets.secretRef must be set")
public class SecretsSpec {

  @JsonPropertyDescription(
      "Sync the secrets of one Doppler config into the managed Secret <stack>-secrets. Values are"
          + " fetched over HTTPS and never written to disk.")
  public DopplerSpec doppler;

  @JsonPropertyDescription(
      "Use an existing Secret in the TTStack's namespace instead of Doppler (for users without"
          + " Doppler). It is read, never modified.")
  public LocalSecretReference secretRef;
}
