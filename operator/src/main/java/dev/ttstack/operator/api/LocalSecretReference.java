package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Secret in the TTStack's own namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LocalSecretReference {

  @Required
  @Size(max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Name of the Secret, in the TTStack's namespace.")
  public String name;

  public LocalSecretReference() {}

  public LocalSecretReference(String name) {
    this.name = name;
  }
}
