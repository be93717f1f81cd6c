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

/** A Doppler project/config whose secrets are synced into the managed Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DopplerSpec {
  public static final String DEFAULT_HOST = "https://api.doppler.com";

  @Required
  @Size(min = 1, max = 255)
  @Pattern("^[A-Za-z0-9_.-]+$")
  @JsonPropertyDescription("Doppler project name, e.g. tt-backend.")
  public String project;

  @Required
  @Size(min = 1, max = 255)
  @Pattern("^[A-Za-z0-9_.-]+$")
  @JsonPropertyDescription("Doppler config name within the project, e.g. prd.")
  public String config;

  @Required
  @JsonPropertyDescription(
      "The Secret key holding the Doppler service token (dp.st.…). The token is read by the operator"
          + " only and never copied anywhere.")
  public SecretKeyReference tokenSecretRef;

  @Default("60")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(10)
  @Max(86400)
  @JsonPropertyDescription(
      "Seconds between two syncs (default 60). Fetches are conditional (ETag), shared by every"
          + " TTStack using the same token and config, and back off on errors.")
  public Integer resyncSeconds = 60;

  @Default(DEFAULT_HOST)
  @JsonSetter(nulls = Nulls.SKIP)
  @Pattern(Patterns.DOPPLER_HOST)
  @JsonPropertyDescription(
      "Doppler API base URL (default https://api.doppler.com). Plain http is accepted for loopback"
          + " addresses only.")
  public String host = DEFAULT_HOST;
}
