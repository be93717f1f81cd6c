package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.postgres.BackupJobs;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A full stack with every image overridden (as issue 16's e2e stack selects its {@code
 * ttstack.local/} images) on the real API server: the schema accepts every field, and every
 * Deployment, StatefulSet, CronJob and Job the operator makes, and every pod the real controllers
 * make from them, runs the spec's image and not one pinned default; a changed image after Ready
 * reaches its workload. (That the API server refuses a bad reference in each of these fields,
 * naming it, is proven by {@link ValidationKubeIT} on the rows of {@code SpecCases}.)
 */
class ImageOverridesKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();
  private static final Duration READY = Duration.ofSeconds(240);
  private static final YAMLMapper YAML = new YAMLMapper();

  static final String APP = "ttstack.local/tt-app";
  static final String POSTGRES = "ttstack.local/postgres:15";
  static final String POSTGRES_EXPORTER = "ttstack.local/postgres-exporter:0.15.0";
  static final String REDIS = "ttstack.local/redis:7";
  static final String REDIS_EXPORTER = "ttstack.local/redis-exporter:1.62.0";
  static final String PROMETHEUS = "ttstack.local/prometheus:2.53.3";
  static final String ALERTMANAGER = "ttstack.local/alertmanager:0.27.0";

  /** A registry with a port and a digest instead of a tag: the other form the pattern allows. */
  static final String GRAFANA = "registry.internal:5000/mirror/grafana@sha256:" + "c".repeat(64);

  @Test
  void everyWorkloadAndPodRunsTheSpecsImages() throws Exception {
    String ns = cluster.createNamespace("images");
    String name = "tt";
    FullStacks.createSecret(cluster, ns);
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      cluster.kubectl().withInput(manifest(name), "apply", "-n", ns, "-f", "-").orFail();
      TTStack s = FullStacks.awaitReady(cluster, ns, name, READY);
      assertThat(s.getStatus().postgres.image).isEqualTo(POSTGRES);
      assertThat(s.getStatus().condition("PostgresReady").message)
          .contains("PostgreSQL " + POSTGRES + " is ready");

      // An app upgrade: the pre-upgrade backup Job. And a Job from the nightly CronJob's template.
      cluster
          .kubectl()
          .run(
              "-n",
              ns,
              "patch",
              "tts",
              name,
              "--type=merge",
              "-p",
              "{\"spec\":{\"app\":{\"version\":\"e2e-2\"}}}")
          .orFail();
      s = FullStacks.awaitReady(cluster, ns, name, READY);
      assertThat(s.getStatus().app.version).isEqualTo("e2e-2");
      String preUpgrade = BackupJobs.preChangeJobName(s, "app e2e-2");
      cluster
          .kubectl()
          .run(
              "-n",
              ns,
              "create",
              "job",
              "backup-now",
              "--from=cronjob/" + name + "-postgres-backup")
          .orFail();
      await()
          .atMost(READY)
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () ->
                  assertThat(
                          cluster
                              .admin()
                              .batch()
                              .v1()
                              .jobs()
                              .inNamespace(ns)
                              .withName("backup-now")
                              .get()
                              .getStatus()
                              .getSucceeded())
                      .as("backup-now succeeded")
                      .isEqualTo(1));

      Map<String, String> expected = new TreeMap<>();
      expected.put("StatefulSet/tt-postgres/postgres", POSTGRES);
      expected.put("StatefulSet/tt-postgres/exporter", POSTGRES_EXPORTER);
      expected.put("CronJob/tt-postgres-backup/backup", POSTGRES);
      expected.put("Job/" + preUpgrade + "/backup", POSTGRES);
      expected.put("Job/backup-now/backup", POSTGRES);
      expected.put("StatefulSet/tt-redis/redis", REDIS);
      expected.put("StatefulSet/tt-redis/redis-exporter", REDIS_EXPORTER);
      expected.put("Deployment/tt-app/app", APP + ":e2e-2");
      expected.put("Deployment/tt-prometheus/prometheus", PROMETHEUS);
      expected.put("Deployment/tt-alertmanager/alertmanager", ALERTMANAGER);
      expected.put("Deployment/tt-grafana/grafana", GRAFANA);
      Map<String, String> workloads = workloadImages(ns);
      System.out.println("[images] workloads: " + workloads);
      assertThat(workloads).isEqualTo(expected);

      // The pods the real controllers made from those templates (the old app version's pods may be
      // on their way out: they ran ttstack.local/tt-app too).
      Map<String, String> pods = new TreeMap<>();
      for (Pod pod : cluster.admin().pods().inNamespace(ns).list().getItems()) {
        assertThat(pod.getSpec().getInitContainers())
            .as("init containers of %s", pod.getMetadata().getName())
            .isEmpty();
        for (Container c : pod.getSpec().getContainers()) {
          pods.put(pod.getMetadata().getName() + "/" + c.getName(), c.getImage());
        }
      }
      System.out.println("[images] pods: " + pods);
      java.util.Set<String> allowed = new java.util.HashSet<>(expected.values());
      allowed.add(APP + ":e2e-1");
      // postgres + exporter, 6 × (redis + exporter), 2 app pods, the 3 monitoring servers, 2 Jobs.
      assertThat(pods)
          .hasSizeGreaterThanOrEqualTo(2 + 2 * 6 + 2 + 3 + 2)
          .allSatisfy((container, image) -> assertThat(image).as(container).isIn(allowed));
      assertThat(pods.values())
          .contains(
              POSTGRES,
              POSTGRES_EXPORTER,
              REDIS,
              REDIS_EXPORTER,
              APP + ":e2e-2",
              PROMETHEUS,
              ALERTMANAGER,
              GRAFANA);

      // Changed after Ready: the new image reaches its workload (and only that container changes).
      cluster
          .kubectl()
          .run(
              "-n",
              ns,
              "patch",
              "tts",
              name,
              "--type=merge",
              "-p",
              "{\"spec\":{\"monitoring\":{\"prometheus\":{\"image\":\"ttstack.local/prometheus:2.53.4\"}},"
                  + "\"postgres\":{\"exporter\":{\"image\":\"ttstack.local/postgres-exporter:0.15.1\"}}}}")
          .orFail();
      FullStacks.awaitReady(cluster, ns, name, READY);
      expected.put("Deployment/tt-prometheus/prometheus", "ttstack.local/prometheus:2.53.4");
      expected.put("StatefulSet/tt-postgres/exporter", "ttstack.local/postgres-exporter:0.15.1");
      await()
          .atMost(READY)
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(() -> assertThat(workloadImages(ns)).isEqualTo(expected));
    }
  }

  /**
   * The full example, secrets from the test's Secret, PostgreSQL 15 as Debian ships it, every image
   * set.
   */
  @SuppressWarnings("unchecked")
  static String manifest(String name) throws Exception {
    Map<String, Object> stack =
        YAML.readValue(FullStacks.fullStack(name, "Delete"), new TypeReference<>() {});
    Map<String, Object> spec = (Map<String, Object>) stack.get("spec");
    Map<String, Object> app = section(spec, "app");
    app.put("image", APP);
    app.put("version", "e2e-1");
    Map<String, Object> postgres = section(spec, "postgres");
    postgres.put("version", 15);
    postgres.put("image", POSTGRES);
    section(postgres, "exporter").put("image", POSTGRES_EXPORTER);
    Map<String, Object> redis = section(spec, "redis");
    redis.put("image", REDIS);
    section(redis, "exporter").put("image", REDIS_EXPORTER);
    Map<String, Object> monitoring = section(spec, "monitoring");
    section(monitoring, "prometheus").put("image", PROMETHEUS);
    section(monitoring, "alertmanager").put("image", ALERTMANAGER);
    section(monitoring, "grafana").put("image", GRAFANA);
    String yaml = YAML.writeValueAsString(stack);
    System.out.println("[images] manifest:\n" + yaml);
    return yaml;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> parent, String key) {
    return (Map<String, Object>)
        parent.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
  }

  /**
   * "Kind/name/container" → image of every pod template in the namespace, as the API server holds
   * them.
   */
  private static Map<String, String> workloadImages(String ns) {
    Map<String, String> out = new TreeMap<>();
    var admin = cluster.admin();
    for (Deployment d : admin.apps().deployments().inNamespace(ns).list().getItems()) {
      put(out, "Deployment/" + d.getMetadata().getName(), d.getSpec().getTemplate());
    }
    for (StatefulSet st : admin.apps().statefulSets().inNamespace(ns).list().getItems()) {
      put(out, "StatefulSet/" + st.getMetadata().getName(), st.getSpec().getTemplate());
    }
    for (CronJob c : admin.batch().v1().cronjobs().inNamespace(ns).list().getItems()) {
      put(
          out,
          "CronJob/" + c.getMetadata().getName(),
          c.getSpec().getJobTemplate().getSpec().getTemplate());
    }
    for (Job j : admin.batch().v1().jobs().inNamespace(ns).list().getItems()) {
      put(out, "Job/" + j.getMetadata().getName(), j.getSpec().getTemplate());
    }
    return out;
  }

  private static void put(Map<String, String> out, String prefix, PodTemplateSpec template) {
    for (Container c : template.getSpec().getContainers()) {
      out.put(prefix + "/" + c.getName(), c.getImage());
    }
    for (Container c : template.getSpec().getInitContainers()) {
      out.put(prefix + "/init:" + c.getName(), c.getImage());
    }
  }
}
