package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Alertmanager and its receivers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AlertmanagerSpec {

  /** Alertmanager's image unless its {@code image} field says otherwise. */
  public static final String DEFAULT_IMAGE = "prom/alertmanager:v0.27.0";

  @Size(max = 255)
  @Pattern(Patterns.IMAGE_REFERENCE)
  @JsonPropertyDescription(
      "Full image reference with a tag or digest, overriding the pinned default "
          + DEFAULT_IMAGE
          + ", e.g. for a private registry.")
  public String image;

  @JsonPropertyDescription("Send alerts to Slack; unset keeps alerts in Alertmanager only.")
  public SlackSpec slack;

  /** The image to run: the explicit one, else {@link #DEFAULT_IMAGE}. */
  public String effectiveImage() {
    return image != null ? image : DEFAULT_IMAGE;
  }
}
