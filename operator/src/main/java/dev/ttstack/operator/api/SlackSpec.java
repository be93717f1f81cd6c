package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Slack incoming-webhook receiver. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SlackSpec {

  @Required
  @Pattern(Patterns.SLACK_CHANNEL)
  @JsonPropertyDescription("Channel to post to, e.g. #tt-alerts.")
  public String channel;

  @Default("SLACK_WEBHOOK_URL")
  @JsonSetter(nulls = Nulls.SKIP)
  @Pattern(Patterns.SECRET_KEY)
  @JsonPropertyDescription(
      "Key of the managed Secret holding the webhook URL (default SLACK_WEBHOOK_URL). It is mounted"
          + " as a file for Alertmanager's api_url_file, never written into its config.")
  public String webhookKey = "SLACK_WEBHOOK_URL";
}
