package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.AlertmanagerSpec;
import dev.ttstack.operator.api.GrafanaSpec;
import dev.ttstack.operator.api.PostgresExporterSpec;
import dev.ttstack.operator.api.PrometheusSpec;
import dev.ttstack.operator.api.RedisExporterSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.postgres.PostgresObjects;
import dev.ttstack.operator.reconciler.StackComposition;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every image the stack runs comes from the spec: each {@code image} field reaches its containers,
 * and a spec that sets none renders exactly what it did before those fields existed (the pinned
 * defaults, written out here as literals so that a changed default fails this test, not only the
 * README).
 */
class ImageOverridesTest {

  /**
   * Every container of every pod template the operator renders, as "Kind/object/container" → image.
   */
  static Map<String, String> images(List<HasMetadata> objects) {
    Map<String, String> out = new TreeMap<>();
    for (HasMetadata o : objects) {
      PodTemplateSpec template = null;
      if (o instanceof Deployment d) {
        template = d.getSpec().getTemplate();
      } else if (o instanceof StatefulSet s) {
        template = s.getSpec().getTemplate();
      } else if (o instanceof CronJob c) {
        template = c.getSpec().getJobTemplate().getSpec().getTemplate();
      } else if (o instanceof Job j) {
        template = j.getSpec().getTemplate();
      } else {
        assertThat(o.getKind())
            .as("a kind that carries pods must be listed above")
            .isNotIn("Pod", "DaemonSet", "ReplicaSet");
      }
      if (template == null) {
        continue;
      }
      String prefix = o.getKind() + "/" + o.getMetadata().getName() + "/";
      for (Container c : template.getSpec().getContainers()) {
        out.put(prefix + c.getName(), c.getImage());
      }
      assertThat(template.getSpec().getInitContainers())
          .as("%s has no init containers to cover", prefix)
          .isEmpty();
      assertThat(template.getSpec().getEphemeralContainers()).as(prefix).isEmpty();
    }
    return out;
  }

  static List<HasMetadata> render(TTStack stack) {
    return RenderCommand.render(
        stack, StackComposition.defaultComponents(Clock.systemUTC(), new SimpleMeterRegistry()));
  }

  /**
   * The full example with every image field set to a ttstack.local/ image, as the e2e stack sets
   * them.
   */
  static TTStack everyImageOverridden() {
    TTStack stack = Stacks.example("ttstack.yaml");
    stack.getSpec().app.image = "ttstack.local/tt-app";
    stack.getSpec().app.version = "e2e";
    stack.getSpec().postgres.image = "ttstack.local/postgres:15";
    stack.getSpec().postgres.exporter = new PostgresExporterSpec();
    stack.getSpec().postgres.exporter.image = "ttstack.local/postgres-exporter:1";
    stack.getSpec().redis.image = "ttstack.local/redis:7";
    stack.getSpec().redis.exporter = new RedisExporterSpec();
    stack.getSpec().redis.exporter.image = "ttstack.local/redis-exporter:2";
    stack.getSpec().monitoring.prometheus.image = "ttstack.local/prometheus:3";
    stack.getSpec().monitoring.alertmanager.image = "ttstack.local/alertmanager:4";
    stack.getSpec().monitoring.grafana.image =
        "registry.internal:5000/mirror/grafana@sha256:" + "b".repeat(64);
    return stack;
  }

  @Test
  void withoutOverridesEveryContainerRunsTodaysPinnedImage() {
    assertThat(images(render(Stacks.example("ttstack.yaml"))))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "StatefulSet/tt-postgres/postgres", "postgres:16-alpine",
                "StatefulSet/tt-postgres/exporter",
                    "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
                "CronJob/tt-postgres-backup/backup", "postgres:16-alpine",
                "StatefulSet/tt-redis/redis", "redis:7-alpine",
                "StatefulSet/tt-redis/redis-exporter", "oliver006/redis_exporter:v1.62.0-alpine",
                "Deployment/tt-app/app", "ghcr.io/tt-org/tt-backend:v1.4.2",
                "Deployment/tt-prometheus/prometheus", "prom/prometheus:v2.53.3",
                "Deployment/tt-alertmanager/alertmanager", "prom/alertmanager:v0.27.0",
                "Deployment/tt-grafana/grafana", "grafana/grafana:11.3.0"));
  }

  @Test
  void theDefaultsAreTheConstantsTheSchemaDescriptionsName() {
    assertThat(PostgresExporterSpec.DEFAULT_IMAGE)
        .isEqualTo("quay.io/prometheuscommunity/postgres-exporter:v0.15.0");
    assertThat(RedisExporterSpec.DEFAULT_IMAGE)
        .isEqualTo("oliver006/redis_exporter:v1.62.0-alpine");
    assertThat(PrometheusSpec.DEFAULT_IMAGE).isEqualTo("prom/prometheus:v2.53.3");
    assertThat(AlertmanagerSpec.DEFAULT_IMAGE).isEqualTo("prom/alertmanager:v0.27.0");
    assertThat(GrafanaSpec.DEFAULT_IMAGE).isEqualTo("grafana/grafana:11.3.0");
  }

  @Test
  void everyOverrideReachesItsContainersAndNoOther() {
    TTStack stack = everyImageOverridden();
    String grafana = stack.getSpec().monitoring.grafana.image;
    assertThat(images(render(stack)))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "StatefulSet/tt-postgres/postgres", "ttstack.local/postgres:15",
                "StatefulSet/tt-postgres/exporter", "ttstack.local/postgres-exporter:1",
                // The backup Jobs run pg_dump from the PostgreSQL image itself: spec.postgres.image
                // covers them.
                "CronJob/tt-postgres-backup/backup", "ttstack.local/postgres:15",
                "StatefulSet/tt-redis/redis", "ttstack.local/redis:7",
                "StatefulSet/tt-redis/redis-exporter", "ttstack.local/redis-exporter:2",
                "Deployment/tt-app/app", "ttstack.local/tt-app:e2e",
                "Deployment/tt-prometheus/prometheus", "ttstack.local/prometheus:3",
                "Deployment/tt-alertmanager/alertmanager", "ttstack.local/alertmanager:4",
                "Deployment/tt-grafana/grafana", grafana));

    // The one-off backup before an upgrade is built by the same function, with the image the
    // PostgreSQL component decided (the spec's, or the running one while an upgrade waits).
    Job before =
        PostgresObjects.backupJob(
            stack,
            "tt-postgres-backup-x",
            "tt-secrets",
            stack.getSpec().postgres.effectiveImage(),
            "test");
    assertThat(images(List.of(before)))
        .containsExactly(Map.entry("Job/tt-postgres-backup-x/backup", "ttstack.local/postgres:15"));
  }

  @Test
  void eachOverrideAloneChangesOnlyItsOwnContainers() {
    Map<String, String> defaults = images(render(Stacks.example("ttstack.yaml")));
    record Case(String field, java.util.function.Consumer<TTStack> set, List<String> containers) {}
    List<Case> cases =
        List.of(
            new Case(
                "spec.postgres.exporter.image",
                s -> {
                  s.getSpec().postgres.exporter = new PostgresExporterSpec();
                  s.getSpec().postgres.exporter.image = "ttstack.local/x:1";
                },
                List.of("StatefulSet/tt-postgres/exporter")),
            new Case(
                "spec.redis.exporter.image",
                s -> {
                  s.getSpec().redis.exporter = new RedisExporterSpec();
                  s.getSpec().redis.exporter.image = "ttstack.local/x:1";
                },
                List.of("StatefulSet/tt-redis/redis-exporter")),
            new Case(
                "spec.monitoring.prometheus.image",
                s -> s.getSpec().monitoring.prometheus.image = "ttstack.local/x:1",
                List.of("Deployment/tt-prometheus/prometheus")),
            new Case(
                "spec.monitoring.alertmanager.image",
                s -> s.getSpec().monitoring.alertmanager.image = "ttstack.local/x:1",
                List.of("Deployment/tt-alertmanager/alertmanager")),
            new Case(
                "spec.monitoring.grafana.image",
                s -> s.getSpec().monitoring.grafana.image = "ttstack.local/x:1",
                List.of("Deployment/tt-grafana/grafana")),
            new Case(
                "spec.postgres.image",
                s -> s.getSpec().postgres.image = "ttstack.local/x:1",
                List.of("StatefulSet/tt-postgres/postgres", "CronJob/tt-postgres-backup/backup")),
            new Case(
                "spec.redis.image",
                s -> s.getSpec().redis.image = "ttstack.local/x:1",
                List.of("StatefulSet/tt-redis/redis")));
    for (Case c : cases) {
      TTStack stack = Stacks.example("ttstack.yaml");
      c.set().accept(stack);
      Map<String, String> expected = new TreeMap<>(defaults);
      c.containers().forEach(name -> expected.put(name, "ttstack.local/x:1"));
      assertThat(images(render(stack))).as(c.field()).isEqualTo(expected);
    }
  }

  @Test
  void imagesSetToTheirDefaultsRenderByteForByteWhatNoImagesRender() {
    for (String example : List.of("ttstack.yaml", "ttstack-minimal.yaml")) {
      TTStack stack = Stacks.example(example);
      TTStack explicit = Stacks.example(example);
      explicit.getSpec().postgres.exporter = new PostgresExporterSpec();
      explicit.getSpec().postgres.exporter.image = PostgresExporterSpec.DEFAULT_IMAGE;
      explicit.getSpec().redis.exporter = new RedisExporterSpec();
      explicit.getSpec().redis.exporter.image = RedisExporterSpec.DEFAULT_IMAGE;
      explicit.getSpec().monitoring.prometheus.image = PrometheusSpec.DEFAULT_IMAGE;
      explicit.getSpec().monitoring.alertmanager.image = AlertmanagerSpec.DEFAULT_IMAGE;
      explicit.getSpec().monitoring.grafana.image = GrafanaSpec.DEFAULT_IMAGE;
      assertThat(yaml(render(explicit))).as(example).isEqualTo(yaml(render(stack)));
    }
  }

  private static String yaml(List<HasMetadata> objects) {
    StringBuilder out = new StringBuilder();
    objects.forEach(o -> out.append(Serialization.asYaml(o)));
    return out.toString();
  }
}
