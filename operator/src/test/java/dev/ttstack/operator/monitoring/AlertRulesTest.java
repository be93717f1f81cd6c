package dev.ttstack.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttstack.operator.api.ResourceAmounts;
import dev.ttstack.operator.api.ResourcesSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.testing.Stacks;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules as shipped: rendered from the spec, checked by {@code promtool check rules}, and
 * exercised by {@code promtool test rules} with a firing and a silent case for every alert.
 */
class AlertRulesTest {
  static final String OPERATOR = "tt-operator-metrics.ttstack-system.svc:8080";
  static final Set<String> ALL_ALERTS =
      Set.of(
          "TTAppDown",
          "TTAppInstanceDown",
          "TTAppHighCpu",
          "TTAppHighHeap",
          "TTAppMemoryNearLimit",
          "TTAppHighErrorRate",
          "TTAppDatabaseConnectionTimeouts",
          "TTPostgresDown",
          "TTRedisNodeDown",
          "TTRedisNodesMissing",
          "TTRedisClusterStateFail",
          "TTRedisSlotsNotCovered",
          "TTOperatorDown",
          "TTSecretsSyncFailing",
          "TTAppRolledBack",
          "TTPostgresBackupFailed",
          "TTPostgresBackupTooOld");

  /**
   * The unit tests of the rules rendered from the example (the backup age in its own file: days of
   * samples).
   */
  static final String[] MAIN_TESTS = {"rules-test.yml", "rules-backup-age-test.yml"};

  @TempDir Path dir;

  /**
   * examples/ttstack.yaml: limits 1 core and 1Gi, 6 Redis nodes, daily backups, default thresholds.
   */
  static TTStack example() {
    return Stacks.example("ttstack.yaml");
  }

  /** Other thresholds everywhere: what rules-thresholds-test.yml expects. */
  static TTStack otherThresholds() {
    TTStack s = example();
    s.getSpec().monitoring.alerts.cpuPercent = 50;
    s.getSpec().monitoring.alerts.memoryPercent = 60;
    s.getSpec().monitoring.alerts.errorRatePercent = 5.0;
    s.getSpec().app.resources =
        new ResourcesSpec(
            new ResourceAmounts("250m", "256Mi"), new ResourceAmounts("500m", "512Mi"));
    s.getSpec().redis.replicasPerMaster = 2;
    s.getSpec().postgres.backup.schedule = "0 */6 * * *";
    return s;
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }

  private void copyTestFile(String name) throws IOException {
    try (InputStream in = AlertRulesTest.class.getResourceAsStream("/monitoring/" + name)) {
      assertThat(in).as(name).isNotNull();
      Files.write(dir.resolve(name), in.readAllBytes());
    }
  }

  private Tools.Result promtoolTest(String rules, String... testFiles) throws IOException {
    write("rules.yml", rules);
    List<String> command = new ArrayList<>(List.of(Tools.promtool(), "test", "rules"));
    for (String file : testFiles) {
      copyTestFile(file);
      command.add(file);
    }
    return Tools.run(dir, command.toArray(String[]::new));
  }

  static List<JsonNode> alerts(String rules) {
    List<JsonNode> all = new ArrayList<>();
    LocalConfig.parse(rules).get("groups").forEach(g -> g.get("rules").forEach(all::add));
    return all;
  }

  static Set<String> alertNames(String rules) {
    Set<String> names = new TreeSet<>();
    alerts(rules).forEach(r -> names.add(r.get("alert").asText()));
    return names;
  }

  @Test
  void shippedRulesPassPromtoolCheckAndTheirUnitTests() throws IOException {
    String rules = AlertRules.render(example(), true);
    assertThat(alertNames(rules)).isEqualTo(ALL_ALERTS);

    Tools.Result check =
        Tools.run(dir, Tools.promtool(), "check", "rules", write("rules.yml", rules).toString());
    assertThat(check.ok()).as("promtool check rules: %s", check).isTrue();
    assertThat(check.output()).contains("SUCCESS: " + ALL_ALERTS.size() + " rules found");

    Tools.Result test = promtoolTest(rules, MAIN_TESTS);
    assertThat(test.ok()).as("promtool test rules: %s", test).isTrue();
    assertThat(test.output()).contains("SUCCESS");
  }

  @Test
  void promtoolNoticesAWrongThreshold() throws IOException {
    // The unit tests are not vacuous: the same cases against rules with other thresholds fail.
    Tools.Result test = promtoolTest(AlertRules.render(otherThresholds(), true), MAIN_TESTS);
    assertThat(test.ok()).as(test.toString()).isFalse();
    assertThat(test.output())
        .contains("TTAppHighErrorRate", "TTRedisNodesMissing", "TTPostgresBackupTooOld");
  }

  @Test
  void thresholdsComeFromTheSpec() throws IOException {
    String rules = AlertRules.render(otherThresholds(), true);
    assertThat(rules).contains("/ 1e9 / 0.5 > 50", "> 60", "> 5\n", "< 9\n", "> 43200\n");

    Tools.Result test = promtoolTest(rules, "rules-thresholds-test.yml");
    assertThat(test.ok()).as("promtool test rules: %s", test).isTrue();
  }

  @Test
  void withoutLimitsTheAppDefaultsCountAndWithoutOperatorMetricsItsAlertsAreLeftOut()
      throws IOException {
    TTStack stack = example();
    stack.getSpec().app.resources = null;
    String rules = AlertRules.render(stack, false);

    assertThat(alertNames(rules))
        .doesNotContain(
            "TTOperatorDown",
            "TTSecretsSyncFailing",
            "TTAppRolledBack",
            "TTPostgresBackupFailed",
            "TTPostgresBackupTooOld")
        .hasSize(12);
    // The app component's default memory limit (1Gi); no CPU limit: the CPUs the JVM sees.
    assertThat(rules).contains("/ 1073741824 > 85", "/ 1e9 / system_cpu_count{job=\"app\"} > 80");
    assertThat(rules).doesNotContain("job=\"operator\"", "tt-operator", "ttstack:");
    Tools.Result check =
        Tools.run(dir, Tools.promtool(), "check", "rules", write("rules.yml", rules).toString());
    assertThat(check.ok()).as(check.toString()).isTrue();
    Tools.Result test = promtoolTest(rules, "rules-nolimits-test.yml");
    assertThat(test.ok()).as("promtool test rules: %s", test).isTrue();
  }

  @Test
  void disabledBackupsDropOnlyTheBackupAlerts() throws IOException {
    TTStack stack = example();
    stack.getSpec().postgres.backup.enabled = false;
    String rules = AlertRules.render(stack, true);

    Set<String> expected = new TreeSet<>(ALL_ALERTS);
    expected.removeAll(Set.of("TTPostgresBackupFailed", "TTPostgresBackupTooOld"));
    assertThat(alertNames(rules)).isEqualTo(expected);
    Tools.Result check =
        Tools.run(dir, Tools.promtool(), "check", "rules", write("rules.yml", rules).toString());
    assertThat(check.ok()).as(check.toString()).isTrue();
  }

  @Test
  void everyAlertHasAFiringAndASilentCase() throws IOException {
    Map<String, int[]> cases = new LinkedHashMap<>(); // alert -> {firing, silent}
    for (String file : MAIN_TESTS) {
      JsonNode tests;
      try (InputStream in = AlertRulesTest.class.getResourceAsStream("/monitoring/" + file)) {
        tests = LocalConfig.YAML.readTree(in);
      }
      for (JsonNode test : tests.get("tests")) {
        for (JsonNode check : test.get("alert_rule_test")) {
          int[] counts = cases.computeIfAbsent(check.get("alertname").asText(), k -> new int[2]);
          counts[check.get("exp_alerts").isEmpty() ? 1 : 0]++;
        }
      }
    }
    for (String alert : ALL_ALERTS) {
      assertThat(cases).as("cases of " + alert).containsKey(alert);
      assertThat(cases.get(alert)[0]).as(alert + ": cases where it fires").isPositive();
      assertThat(cases.get(alert)[1]).as(alert + ": cases where it stays silent").isPositive();
    }
    assertThat(cases.keySet()).as("cases for alerts that do not exist").isSubsetOf(ALL_ALERTS);
  }

  @Test
  void everyAlertIsComplete() {
    for (JsonNode rule : alerts(AlertRules.render(example(), true))) {
      String name = rule.get("alert").asText();
      assertThat(rule.path("labels").path("severity").asText())
          .as(name)
          .isIn("critical", "warning");
      assertThat(rule.path("labels").path("component").asText()).as(name).isNotBlank();
      assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
      assertThat(rule.path("annotations").path("description").asText())
          .as(name)
          .hasSizeGreaterThan(60);
      Duration hold = promDuration(rule.path("for").asText());
      assertThat(hold).as(name + " for:").isGreaterThanOrEqualTo(Duration.ofMinutes(1));
    }
  }

  @Test
  void noPlaceholderIsLeftInAnyVariant() {
    TTStack noLimits = example();
    noLimits.getSpec().app.resources = null;
    for (String rules :
        List.of(
            AlertRules.render(example(), true),
            AlertRules.render(example(), false),
            AlertRules.render(otherThresholds(), true),
            AlertRules.render(noLimits, true))) {
      assertThat(rules).doesNotContain("${", "ttstack:if", "ttstack:end");
    }
  }

  @Test
  void theOperatorMetricsTheRulesReadAreTheDocumentedOnes() {
    String rules = AlertRules.render(example(), true);
    assertThat(rules)
        .contains(
            OperatorMetricNames.SECRETS_SYNC_TOTAL,
            OperatorMetricNames.APP_ROLLBACKS_TOTAL,
            OperatorMetricNames.POSTGRES_LAST_BACKUP_FAILED,
            OperatorMetricNames.POSTGRES_LAST_BACKUP_TIMESTAMP);
    Pattern operatorMetric = Pattern.compile("\\b(ttstack_[a-z_]+)");
    Matcher m = operatorMetric.matcher(rules);
    Set<String> documented =
        Set.of(
            OperatorMetricNames.SECRETS_SYNC_TOTAL,
            OperatorMetricNames.APP_ROLLBACKS_TOTAL,
            OperatorMetricNames.POSTGRES_LAST_BACKUP_FAILED,
            OperatorMetricNames.POSTGRES_LAST_BACKUP_TIMESTAMP);
    while (m.find()) {
      assertThat(documented).as("operator metric used by a rule").contains(m.group(1));
    }
  }

  @Test
  void theReadmeListsEveryAlert() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (String alert : ALL_ALERTS) {
      assertThat(readme).as("README's alert table").contains("| `" + alert + "` |");
    }
  }

  @Test
  void templateErrorsAreCaught() {
    assertThatThrownBy(() -> AlertRules.select("a\n# ttstack:if x\nb\n", Set.of()))
        .hasMessageContaining("unterminated");
    assertThatThrownBy(() -> AlertRules.select("a\n# ttstack:end\n", Set.of()))
        .hasMessageContaining("unbalanced");
    assertThatThrownBy(() -> AlertRules.substitute("x ${NOPE} y", Map.of()))
        .hasMessageContaining("${NOPE}");
    assertThat(
            AlertRules.select(
                "a\n  # ttstack:if x\nb\n  # ttstack:if y\nc\n  # ttstack:end\n  # ttstack:end\nd\n",
                Set.of("x")))
        .isEqualTo("a\nb\nd\n");
  }

  static Duration promDuration(String text) {
    Matcher m = Pattern.compile("^(\\d+)([smh])$").matcher(text);
    assertThat(m.matches()).as("a duration: " + text).isTrue();
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
