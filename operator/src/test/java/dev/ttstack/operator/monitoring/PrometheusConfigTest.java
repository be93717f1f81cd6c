package dev.ttstack.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.testing.Stacks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated prometheus.yml: what it scrapes, checked by {@code promtool check config}. */
class PrometheusConfigTest {
  @TempDir Path dir;

  private static TTStack example() {
    return Stacks.example("ttstack.yaml");
  }

  private Path localCopy(String config) throws IOException {
    Path rules = dir.resolve("rules.yml");
    Files.writeString(rules, AlertRules.render(example(), true));
    ObjectNode local = LocalConfig.parse(config);
    LocalConfig.rules(local, rules);
    Path file = dir.resolve("prometheus.yml");
    Files.writeString(file, LocalConfig.write(local));
    return file;
  }

  @Test
  void promtoolAcceptsTheGeneratedConfig() throws IOException {
    String config = PrometheusConfig.render(example(), AlertRulesTest.OPERATOR);

    // As generated (rule file path aside): Debian's promtool is built without Kubernetes discovery,
    // so
    // every error it may report must be about that block, and nothing else in the file.
    Tools.Result asGenerated =
        Tools.run(dir, Tools.promtool(), "check", "config", localCopy(config).toString());
    if (!asGenerated.ok()) {
      List<String> errors =
          asGenerated.output().lines().filter(l -> l.trim().startsWith("line ")).toList();
      assertThat(errors)
          .as(asGenerated.toString())
          .hasSize(3)
          .allSatisfy(l -> assertThat(l).contains("field kubernetes_sd_configs not found"));
    }

    // With each discovery block replaced by a discovered-looking target, promtool checks all the
    // rest
    // (relabeling regexes, intervals, the rule file).
    ObjectNode local = LocalConfig.parse(config);
    for (String job : List.of("app", "postgres", "redis")) {
      String port = job.equals("app") ? "http" : "metrics";
      LocalConfig.podsFor(
          local,
          job,
          "tt",
          List.of(new LocalConfig.Pod("10.42.0.9:1234", "tt", job, "tt-" + job + "-0", port)));
    }
    Tools.Result swapped =
        Tools.run(
            dir,
            Tools.promtool(),
            "check",
            "config",
            localCopy(LocalConfig.write(local)).toString());
    assertThat(swapped.ok()).as("promtool check config: %s", swapped).isTrue();
    assertThat(swapped.output()).contains("SUCCESS: 1 rule files found", "SUCCESS: 17 rules found");
  }

  @Test
  void everyComponentIsScrapedFromTheStacksNamespaceOnly() {
    JsonNode config =
        LocalConfig.parse(PrometheusConfig.render(example(), AlertRulesTest.OPERATOR));

    Map<String, JsonNode> jobs = new TreeMap<>();
    config.get("scrape_configs").forEach(j -> jobs.put(j.get("job_name").asText(), j));
    assertThat(jobs)
        .containsOnlyKeys("app", "postgres", "redis", "alertmanager", "prometheus", "operator");

    JsonNode app = jobs.get("app");
    assertThat(app.get("scrape_interval").asText()).isEqualTo("10s");
    assertThat(app.get("metrics_path").asText()).isEqualTo("/actuator/prometheus");
    for (String job : List.of("app", "postgres", "redis")) {
      JsonNode sd = jobs.get(job).get("kubernetes_sd_configs");
      assertThat(sd).as(job).hasSize(1);
      assertThat(sd.get(0).get("role").asText())
          .isEqualTo("pod"); // every pod, not a Service's one address
      assertThat(sd.get(0).get("namespaces").get("names"))
          .as(job)
          .singleElement()
          .satisfies(n -> assertThat(n.asText()).isEqualTo("tt"));
      assertThat(sd.get(0).get("selectors").get(0).get("label").asText())
          .isEqualTo("app.kubernetes.io/instance=tt,app.kubernetes.io/component=" + job);
      List<String> keeps = new ArrayList<>();
      jobs.get(job)
          .get("relabel_configs")
          .forEach(
              r -> {
                if ("keep".equals(r.path("action").asText())) {
                  keeps.add(r.get("source_labels").get(0).asText() + "=" + r.get("regex").asText());
                }
              });
      assertThat(keeps)
          .containsExactly(
              "__meta_kubernetes_pod_label_app_kubernetes_io_instance=tt",
              "__meta_kubernetes_pod_label_app_kubernetes_io_component=" + job,
              "__meta_kubernetes_pod_container_port_name="
                  + (job.equals("app") ? "http" : "metrics"),
              "__meta_kubernetes_pod_phase=Running");
    }
    assertThat(jobs.get("alertmanager").toString()).contains("tt-alertmanager.tt.svc:9093");
    assertThat(jobs.get("operator").toString()).contains(AlertRulesTest.OPERATOR);
    assertThat(config.get("global").get("external_labels").get("stack").asText()).isEqualTo("tt");
    assertThat(config.get("global").get("external_labels").get("namespace").asText())
        .isEqualTo("tt");
    assertThat(config.get("alerting").toString()).contains("tt-alertmanager.tt.svc:9093");
    assertThat(config.get("rule_files").get(0).asText()).isEqualTo("/etc/prometheus/rules.yml");
  }

  @Test
  void withoutOperatorTargetThereIsNoOperatorJob() {
    JsonNode config = LocalConfig.parse(PrometheusConfig.render(example(), null));
    List<String> jobs = new ArrayList<>();
    config.get("scrape_configs").forEach(j -> jobs.add(j.get("job_name").asText()));
    assertThat(jobs).containsExactly("app", "postgres", "redis", "alertmanager", "prometheus");
  }

  @Test
  void operatorTargetMustBeHostAndPort() {
    assertThat(PrometheusConfig.checkTarget(" tt-operator.ops.svc:8080 "))
        .isEqualTo("tt-operator.ops.svc:8080");
    assertThat(PrometheusConfig.checkTarget("10.0.0.7:9000")).isEqualTo("10.0.0.7:9000");
    assertThat(PrometheusConfig.checkTarget("")).isNull();
    assertThat(PrometheusConfig.checkTarget(null)).isNull();
    for (String bad : List.of("http://op:8080", "op", "op:8080/metrics", "op:80 80")) {
      assertThatThrownBy(() -> new MonitoringComponent(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("OPERATOR_METRICS_TARGET");
    }
  }

  @Test
  void namesWithRegexCharactersAreEscaped() {
    TTStack stack = example();
    stack.getMetadata().setName("tt.prod");
    JsonNode app = LocalConfig.job(LocalConfig.parse(PrometheusConfig.render(stack, null)), "app");
    assertThat(app.get("relabel_configs").get(0).get("regex").asText()).isEqualTo("tt\\.prod");
  }
}
