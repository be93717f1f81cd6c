package dev.ttstack.operator.kit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.testing.Stacks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretContentTest {
  static final Map<String, String> DOWNLOAD =
      Map.of(
          "POSTGRES_PASSWORD",
          "pg",
          "REDIS_PASSWORD",
          "rd",
          "APP_KEY",
          "app",
          "DOPPLER_PROJECT",
          "tt-backend",
          "DOPPLER_CONFIG",
          "prd",
          "DOPPLER_ENVIRONMENT",
          "prd");

  @Test
  void dopplersOwnKeysAreFilteredOut() {
    assertThat(SecretContent.fromDoppler(DOWNLOAD).keys())
        .containsExactly("APP_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD");
  }

  @Test
  void componentHashChangesOnlyWithTheKeysItConsumes() {
    SecretContent before = SecretContent.fromDoppler(DOWNLOAD);
    Map<String, String> appChanged = new HashMap<>(DOWNLOAD);
    appChanged.put("APP_KEY", "app-2");
    SecretContent after = SecretContent.fromDoppler(appChanged);

    assertThat(after.hashOf(SecretKeys.redis())).isEqualTo(before.hashOf(SecretKeys.redis()));
    assertThat(after.hashOf(SecretKeys.postgres())).isEqualTo(before.hashOf(SecretKeys.postgres()));
    assertThat(after.hashOf(List.of("APP_KEY"))).isNotEqualTo(before.hashOf(List.of("APP_KEY")));
    assertThat(after.hash()).isNotEqualTo(before.hash());
    assertThat(SecretContent.fromDoppler(DOWNLOAD).hash())
        .as("same content, same hash")
        .isEqualTo(before.hash());
  }

  @Test
  void hashDistinguishesKeyValueBoundariesAndAbsence() {
    SecretContent a = SecretContent.fromSecretData(null, Map.of("A", "bc"));
    SecretContent b = SecretContent.fromSecretData(null, Map.of("AB", "c"));
    SecretContent empty = SecretContent.fromSecretData(null, Map.of("A", ""));
    SecretContent none = SecretContent.fromSecretData(null, Map.of());

    assertThat(a.hash()).isNotEqualTo(b.hash());
    assertThat(empty.hashOf(List.of("A"))).isNotEqualTo(none.hashOf(List.of("A")));
  }

  @Test
  void secretDataRoundTripsThroughBase64WithNewlinesAndUnicode() {
    SecretContent content = SecretContent.fromSecretData(null, Map.of("K", "line1\nGrüße ✓"));
    SecretContent back = SecretContent.fromSecretData(content.asSecretData(), null);

    assertThat(back).isEqualTo(content);
    assertThat(back.toString()).doesNotContain("Grüße").contains("K");
  }

  @Test
  void requiredKeysFollowTheEnabledComponents() {
    var spec = Stacks.minimal("tt").getSpec();
    assertThat(SecretKeys.required(spec))
        .containsExactly(
            "POSTGRES_USER",
            "POSTGRES_PASSWORD",
            "POSTGRES_DB",
            "REDIS_PASSWORD",
            "GRAFANA_PASSWORD");

    spec.monitoring.alertmanager.slack = new dev.ttstack.operator.api.SlackSpec();
    spec.monitoring.alertmanager.slack.webhookKey = "SLACK_HOOK";
    assertThat(SecretKeys.required(spec)).endsWith("SLACK_HOOK");

    spec.monitoring.enabled = false;
    assertThat(SecretKeys.required(spec))
        .containsExactly("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "REDIS_PASSWORD");
  }

  @Test
  void appRestartsOnItsKeysButNotOnMonitoringOnlyKeys() {
    var spec = Stacks.minimal("tt").getSpec();
    var all = java.util.Set.of("APP_KEY", "POSTGRES_PASSWORD", "GRAFANA_PASSWORD");

    assertThat(SecretKeys.app(spec, all)).containsExactly("APP_KEY", "POSTGRES_PASSWORD");
  }
}
