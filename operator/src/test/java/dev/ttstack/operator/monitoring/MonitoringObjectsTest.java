package dev.ttstack.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.StorageSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The monitoring objects as pure functions of the spec (what {@code render} prints). */
class MonitoringObjectsTest {

  private static Container container(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void renderListsEveryMonitoringObject() {
    List<HasMetadata> objects =
        new MonitoringComponent((String) null).desiredObjects(Stacks.example("ttstack.yaml"));
    assertThat(objects)
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactly(
            "ServiceAccount/tt-prometheus",
            "Role/tt-prometheus",
            "RoleBinding/tt-prometheus",
            "ConfigMap/tt-prometheus",
            "PersistentVolumeClaim/tt-prometheus",
            "Deployment/tt-prometheus",
            "Service/tt-prometheus",
            "ConfigMap/tt-alertmanager",
            "Deployment/tt-alertmanager",
            "Service/tt-alertmanager",
            "ConfigMap/tt-grafana",
            "ConfigMap/tt-grafana-dashboards",
            "Deployment/tt-grafana",
            "Service/tt-grafana");
    assertThat(objects)
        .allSatisfy(
            o -> {
              assertThat(o.getMetadata().getNamespace()).isEqualTo("tt");
              assertThat(o.getMetadata().getLabels())
                  .containsEntry("app.kubernetes.io/instance", "tt")
                  .containsEntry("app.kubernetes.io/managed-by", "ttstack-operator");
            });

    TTStack off = Stacks.example("ttstack.yaml");
    off.getSpec().monitoring.grafana.enabled = false;
    assertThat(new MonitoringComponent((String) null).desiredObjects(off))
        .hasSize(10)
        .noneMatch(o -> o.getMetadata().getName().contains("grafana"));
    off.getSpec().monitoring.enabled = false;
    assertThat(new MonitoringComponent((String) null).desiredObjects(off)).isEmpty();
  }

  @Test
  void prometheusKeepsWhatTheSpecSaysOnItsOwnVolume() {
    TTStack stack = Stacks.example("ttstack.yaml"); // retention 15d, storage 20Gi
    stack.getSpec().monitoring.prometheus.retention = "30d";
    MonitoringConfig config = MonitoringConfig.render(stack, null);
    Deployment prometheus = MonitoringObjects.prometheusDeployment(stack, config);

    assertThat(container(prometheus).getArgs())
        .contains(
            "--config.file=/etc/prometheus/prometheus.yml",
            "--storage.tsdb.retention.time=30d",
            "--storage.tsdb.retention.size=16384MB",
            "--storage.tsdb.path=/prometheus");
    assertThat(prometheus.getSpec().getStrategy().getType())
        .as("one pod at a time on a ReadWriteOnce volume")
        .isEqualTo("Recreate");
    assertThat(prometheus.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("tt-prometheus");
    assertThat(prometheus.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
        .isTrue();
    assertThat(prometheus.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry(MonitoringObjects.CONFIG_HASH_ANNOTATION, config.prometheusHash());
    assertThat(prometheus.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("tt-prometheus"));
    assertThat(container(prometheus).getReadinessProbe().getHttpGet().getPath())
        .isEqualTo("/-/ready");
    assertThat(container(prometheus).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(prometheus.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot())
        .isTrue();

    var volume = MonitoringObjects.prometheusVolume(stack);
    assertThat(volume.getSpec().getResources().getRequests().get("storage").toString())
        .isEqualTo("20Gi");
    stack.getSpec().monitoring.prometheus.storage = null;
    assertThat(
            MonitoringObjects.prometheusVolume(stack)
                .getSpec()
                .getResources()
                .getRequests()
                .get("storage")
                .toString())
        .isEqualTo("10Gi");
    assertThat(MonitoringObjects.retentionSize(stack)).isEqualTo("8192MB");
    stack.getSpec().monitoring.prometheus.storage = new StorageSpec("500Mi");
    assertThat(MonitoringObjects.retentionSize(stack)).isEqualTo("400MB");

    var role = MonitoringObjects.prometheusRole(stack);
    assertThat(role.getRules())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getResources()).containsExactly("pods");
              assertThat(r.getVerbs()).containsExactly("list", "watch");
            });
  }

  @Test
  void secretsAreReferencesOnly() {
    TTStack stack = Stacks.example("ttstack.yaml");
    MonitoringConfig config = MonitoringConfig.render(stack, null);

    Deployment alertmanager = MonitoringObjects.alertmanagerDeployment(stack, config, "tt-secrets");
    assertThat(alertmanager.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getSecret().getSecretName()).isEqualTo("tt-secrets");
              assertThat(v.getSecret().getItems())
                  .singleElement()
                  .satisfies(
                      i -> {
                        assertThat(i.getKey()).isEqualTo("SLACK_WEBHOOK_URL");
                        assertThat(i.getPath()).isEqualTo("webhook-url");
                      });
            });
    assertThat(container(alertmanager).getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/alertmanager/slack"));
    assertThat(alertmanager.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
        .isFalse();

    stack.getSpec().monitoring.alertmanager.slack.webhookKey = "TT_SLACK_HOOK";
    assertThat(
            MonitoringObjects.alertmanagerDeployment(stack, config, "tt-secrets")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getVolumes()
                .toString())
        .contains("key=TT_SLACK_HOOK");
    stack.getSpec().monitoring.alertmanager.slack = null;
    assertThat(
            MonitoringObjects.alertmanagerDeployment(
                    stack, MonitoringConfig.render(stack, null), "tt-secrets")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getVolumes())
        .noneMatch(v -> v.getSecret() != null);

    Deployment grafana = MonitoringObjects.grafanaDeployment(stack, config, "tt-secrets", "abc");
    List<EnvVar> env = container(grafana).getEnv();
    assertThat(env)
        .filteredOn(e -> e.getName().equals("GF_SECURITY_ADMIN_PASSWORD"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getValue()).isNull();
              assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("tt-secrets");
              assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("GRAFANA_PASSWORD");
            });
    assertThat(env)
        .filteredOn(e -> e.getName().equals("GF_USERS_ALLOW_SIGN_UP"))
        .singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("false"));
    assertThat(env)
        .filteredOn(e -> e.getName().equals("GF_AUTH_ANONYMOUS_ENABLED"))
        .singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("false"));
    assertThat(grafana.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry(MonitoringObjects.SECRET_HASH_ANNOTATION, "abc");
  }

  @Test
  void grafanaIsProvisionedWithTheStacksPrometheusAndTheDashboards() {
    TTStack stack = Stacks.example("ttstack.yaml");
    MonitoringConfig config = MonitoringConfig.render(stack, null);
    var provisioning = MonitoringObjects.grafanaConfig(stack, config).getData();
    assertThat(provisioning.get("datasources.yml"))
        .contains(
            "url: http://tt-prometheus.tt.svc:9090",
            "uid: prometheus",
            "type: prometheus",
            "isDefault: true");
    assertThat(provisioning.get("dashboards.yml"))
        .contains("path: /var/lib/grafana-dashboards", "allowUiUpdates: false");
    assertThat(MonitoringObjects.grafanaDashboards(stack, config).getData())
        .containsOnlyKeys(GrafanaConfig.DASHBOARDS);
    Deployment grafana = MonitoringObjects.grafanaDeployment(stack, config, "tt-secrets", null);
    assertThat(container(grafana).getVolumeMounts())
        .extracting(m -> m.getMountPath())
        .contains(
            "/etc/grafana/provisioning/datasources",
            "/etc/grafana/provisioning/dashboards",
            "/var/lib/grafana-dashboards");
  }

  @Test
  void aChangeRestartsOnlyTheServerThatReadsIt() {
    TTStack stack = Stacks.example("ttstack.yaml");
    MonitoringConfig before = MonitoringConfig.render(stack, null);
    stack.getSpec().monitoring.alerts.cpuPercent = 70;
    MonitoringConfig after = MonitoringConfig.render(stack, null);

    assertThat(after.prometheusHash()).isNotEqualTo(before.prometheusHash());
    assertThat(after.configHash()).isNotEqualTo(before.configHash());
    assertThat(after.alertmanagerHash()).isEqualTo(before.alertmanagerHash());
    assertThat(after.grafanaHash()).isEqualTo(before.grafanaHash());

    stack.getSpec().monitoring.alertmanager.slack.channel = "#tt-oncall";
    assertThat(MonitoringConfig.render(stack, null).alertmanagerHash())
        .isNotEqualTo(after.alertmanagerHash());
    assertThat(MonitoringConfig.render(stack, null).prometheusHash())
        .isEqualTo(after.prometheusHash());
    assertThat(MonitoringConfig.render(stack, "op:8080").prometheusHash())
        .isNotEqualTo(after.prometheusHash());
  }

  @Test
  void aStackWithoutNamespaceRendersForTheDefaultOne() {
    TTStack stack = Stacks.minimal("tt");
    MonitoringConfig config = MonitoringConfig.render(stack, null);
    assertThat(config.prometheusYml())
        .contains("- default", "tt-alertmanager.default.svc:9093")
        .doesNotContain("null");
    assertThat(MonitoringObjects.prometheusRoleBinding(stack).getSubjects().get(0).getNamespace())
        .isEqualTo("default");
  }
}
