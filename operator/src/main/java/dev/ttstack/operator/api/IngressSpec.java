package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An Ingress for the app. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IngressSpec {

  @Required
  @Size(max = 253)
  @Pattern(Patterns.HOSTNAME)
  @JsonPropertyDescription("Public host name, e.g. api.tt.example.com.")
  public String host;

  @Size(max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Secret of type kubernetes.io/tls for HTTPS; unset serves plain HTTP.")
  public String tlsSecret;

  @Default("traefik")
  @JsonSetter(nulls = Nulls.SKIP)
  @Size(max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("IngressClass (default traefik, as shipped with k3s).")
  public String className = "traefik";
}
