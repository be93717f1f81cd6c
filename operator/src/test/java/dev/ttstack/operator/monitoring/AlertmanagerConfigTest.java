package dev.ttstack.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.testing.Stacks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated alertmanager.yml and its Slack template, checked and routed by {@code amtool}. */
class AlertmanagerConfigTest {
  @TempDir Path dir;

  /**
   * The generated config with its two file paths local (the webhook file need not exist for
   * amtool).
   */
  private Path local(TTStack stack) throws IOException {
    Files.writeString(
        dir.resolve(AlertmanagerConfig.TEMPLATE_FILE),
        dev.ttstack.operator.support.ClasspathText.read(AlertmanagerConfig.TEMPLATE_RESOURCE));
    Path file = dir.resolve("alertmanager.yml");
    Files.writeString(
        file,
        LocalConfig.alertmanager(
            AlertmanagerConfig.render(stack), dir.resolve("webhook-url"), dir));
    return file;
  }

  /** The receiver {@code amtool config routes test} picks for an alert with those labels. */
  private String route(Path config, String... labels) {
    List<String> command =
        new ArrayList<>(
            List.of(Tools.amtool(), "config", "routes", "test", "--config.file=" + config));
    command.addAll(List.of(labels));
    Tools.Result r = Tools.run(dir, command.toArray(String[]::new));
    assertThat(r.ok()).as("amtool config routes test: %s", r).isTrue();
    return r.output()
        .lines()
        .filter(l -> !l.startsWith("Warning"))
        .reduce((a, b) -> b)
        .orElse("")
        .trim();
  }

  @Test
  void slackConfigPassesAmtoolAndRoutesBySeverity() throws IOException {
    Path config = local(Stacks.example("ttstack.yaml"));

    Tools.Result check = Tools.run(dir, Tools.amtool(), "check-config", config.toString());
    assertThat(check.ok()).as("amtool check-config: %s", check).isTrue();
    assertThat(check.output()).contains("2 inhibit rules", "2 receivers", "1 templates", "SUCCESS");

    assertThat(route(config, "alertname=TTAppDown", "severity=critical", "stack=tt"))
        .isEqualTo("slack-critical");
    assertThat(route(config, "alertname=TTRedisNodeDown", "severity=warning", "stack=tt"))
        .isEqualTo("slack-warning");
    assertThat(route(config, "alertname=Other", "stack=tt")).isEqualTo("slack-warning");
  }

  @Test
  void withoutSlackEverythingGoesToTheNullReceiver() throws IOException {
    TTStack stack = Stacks.example("ttstack.yaml");
    stack.getSpec().monitoring.alertmanager.slack = null;
    Path config = local(stack);

    Tools.Result check = Tools.run(dir, Tools.amtool(), "check-config", config.toString());
    assertThat(check.ok()).as("amtool check-config: %s", check).isTrue();
    assertThat(check.output()).contains("1 receivers");
    assertThat(Files.readString(config)).doesNotContain("slack");

    assertThat(route(config, "alertname=TTAppDown", "severity=critical")).isEqualTo("null");
    assertThat(route(config, "alertname=TTRedisNodeDown", "severity=warning")).isEqualTo("null");
  }

  @Test
  void theWebhookUrlIsAFileNeverAValue() {
    String config = AlertmanagerConfig.render(Stacks.example("ttstack.yaml"));
    assertThat(config)
        .contains("api_url_file: /etc/alertmanager/slack/webhook-url", "channel: \"#tt-alerts\"")
        .doesNotContain("api_url:", "${", "hooks.slack.com");
  }
}
