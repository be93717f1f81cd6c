package dev.ttstack.operator.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generated configuration, moved from the cluster onto this machine with the smallest possible
 * change, so that the real tools run the very files the operator ships:
 *
 * <ul>
 *   <li>each pod-discovery block ({@code kubernetes_sd_configs}, which Debian's Prometheus is built
 *       without) becomes {@code static_configs} whose targets carry the {@code __meta_kubernetes_*}
 *       labels pod discovery would give them, so the generated relabeling still decides what is
 *       kept;
 *   <li>static targets (Services, the operator) and file paths are pointed at local ones.
 * </ul>
 *
 * Nothing else is touched.
 */
final class LocalConfig {
  static final YAMLMapper YAML = new YAMLMapper();

  private LocalConfig() {}

  /** A pod as Kubernetes pod discovery would report one of its container ports. */
  record Pod(String address, String instance, String component, String name, String portName) {
    Map<String, String> metaLabels(String namespace) {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("__meta_kubernetes_namespace", namespace);
      labels.put("__meta_kubernetes_pod_name", name);
      labels.put("__meta_kubernetes_pod_phase", "Running");
      labels.put("__meta_kubernetes_pod_label_app_kubernetes_io_instance", instance);
      labels.put("__meta_kubernetes_pod_label_app_kubernetes_io_component", component);
      labels.put("__meta_kubernetes_pod_container_name", component);
      labels.put("__meta_kubernetes_pod_container_port_name", portName);
      return labels;
    }
  }

  static ObjectNode parse(String yaml) {
    try {
      return (ObjectNode) YAML.readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String write(JsonNode node) {
    try {
      return YAML.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode job(ObjectNode prometheus, String name) {
    for (JsonNode job : prometheus.get("scrape_configs")) {
      if (name.equals(job.path("job_name").asText())) {
        return (ObjectNode) job;
      }
    }
    throw new AssertionError("no scrape job " + name);
  }

  /** Replaces the job's pod discovery by the given pods (each with its discovery labels). */
  static void podsFor(ObjectNode prometheus, String job, String namespace, List<Pod> pods) {
    ObjectNode config = job(prometheus, job);
    if (config.remove("kubernetes_sd_configs") == null) {
      throw new AssertionError("job " + job + " has no kubernetes_sd_configs");
    }
    ArrayNode statics = config.putArray("static_configs");
    for (Pod pod : pods) {
      ObjectNode group = statics.addObject();
      group.putArray("targets").add(pod.address());
      ObjectNode labels = group.putObject("labels");
      pod.metaLabels(namespace).forEach(labels::put);
    }
  }

  /** Points a static job at a local address instead of its Service. */
  static void staticTarget(ObjectNode prometheus, String job, String address) {
    ArrayNode targets =
        (ArrayNode) job(prometheus, job).get("static_configs").get(0).get("targets");
    targets.removeAll();
    targets.add(address);
  }

  static void alertmanager(ObjectNode prometheus, String address) {
    ArrayNode targets =
        (ArrayNode)
            prometheus
                .get("alerting")
                .get("alertmanagers")
                .get(0)
                .get("static_configs")
                .get(0)
                .get("targets");
    targets.removeAll();
    targets.add(address);
  }

  static void rules(ObjectNode prometheus, Path rules) {
    prometheus.putArray("rule_files").add(rules.toString());
  }

  /**
   * Scrapes and evaluates every second, so a test sees rates within seconds (the only timing
   * change).
   */
  static void everySecond(ObjectNode prometheus) {
    ObjectNode global = (ObjectNode) prometheus.get("global");
    global
        .put("scrape_interval", "1s")
        .put("scrape_timeout", "1s")
        .put("evaluation_interval", "1s");
    for (JsonNode job : prometheus.get("scrape_configs")) {
      if (job.has("scrape_interval")) {
        ((ObjectNode) job).put("scrape_interval", "1s");
      }
    }
  }

  /** Alertmanager's config with the webhook file and the templates at local paths. */
  static String alertmanager(String generated, Path webhookFile, Path templateDir) {
    String local =
        generated
            .replace(
                AlertmanagerConfig.SLACK_DIR + "/" + AlertmanagerConfig.SLACK_FILE,
                webhookFile.toString())
            .replace(AlertmanagerConfig.CONFIG_DIR + "/*.tmpl", templateDir + "/*.tmpl");
    if (local.equals(generated) && generated.contains("slack_configs")) {
      throw new AssertionError("the generated Alertmanager config has none of the expected paths");
    }
    return local;
  }
}
