package dev.ttstack.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.DeletionPolicy;
import dev.ttstack.operator.api.LocalSecretReference;
import dev.ttstack.operator.api.SlackSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.testing.OperatorHarness;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Monitoring with the real operator against the in-process API server, the simulator playing
 * Kubernetes.
 */
class MonitoringComponentTest {
  static final Map<String, String> SECRETS =
      Map.of(
          "POSTGRES_USER",
          "tt_pg_user_41",
          "POSTGRES_PASSWORD",
          "pg-secret-value-8842",
          "POSTGRES_DB",
          "tt_db_77",
          "REDIS_PASSWORD",
          "redis-secret-value-1177",
          "GRAFANA_PASSWORD",
          "grafana-secret-value-5521",
          "SLACK_WEBHOOK_URL",
          "https://hooks.slack.com/services/T0SECRET/B0SECRET/slack-secret-value-9931");
  static final List<String> DEPLOYMENTS = List.of("tt-prometheus", "tt-alertmanager", "tt-grafana");

  @RegisterExtension final OperatorHarness k8s = new OperatorHarness().withoutLeaderElection();

  private String ns;

  @BeforeEach
  void secrets() {
    ns = k8s.namespace();
    k8s.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("tt-own")
                .withNamespace(ns)
                .endMetadata()
                .withStringData(SECRETS)
                .build())
        .create();
  }

  private static TTStack stack(boolean slack) {
    TTStack stack = Stacks.minimal("tt");
    stack.getSpec().secrets.doppler = null;
    stack.getSpec().secrets.secretRef = new LocalSecretReference("tt-own");
    if (slack) {
      stack.getSpec().monitoring.alertmanager.slack = new SlackSpec();
      stack.getSpec().monitoring.alertmanager.slack.channel = "#tt-alerts";
    }
    return stack;
  }

  private Deployment deployment(String name) {
    return k8s.client().apps().deployments().inNamespace(ns).withName(name).get();
  }

  private ConfigMap configMap(String name) {
    return k8s.client().configMaps().inNamespace(ns).withName(name).get();
  }

  private PersistentVolumeClaim volume() {
    return k8s.client().persistentVolumeClaims().inNamespace(ns).withName("tt-prometheus").get();
  }

  private TTStack awaitMonitoring(Predicate<Condition> p) {
    return k8s.awaitStack(
        "tt",
        s ->
            s.getStatus() != null
                && s.getStatus().condition(ConditionType.MONITORING_READY) != null
                && p.test(s.getStatus().condition(ConditionType.MONITORING_READY)));
  }

  private void edit(Consumer<TTStack> change) {
    k8s.editStack("tt", change);
  }

  /** The Deployments exist and the operator has reported on the stack's current generation. */
  private void awaitDeployments(List<String> names) {
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(() -> names.stream().allMatch(n -> deployment(n) != null));
    k8s.awaitObserved("tt");
  }

  /** Every object of the monitoring stack, as the API server holds it. */
  private List<HasMetadata> monitoringObjects() {
    List<HasMetadata> all = new ArrayList<>();
    var selector = Map.of("app.kubernetes.io/instance", "tt");
    all.addAll(
        k8s.client().apps().deployments().inNamespace(ns).withLabels(selector).list().getItems());
    all.addAll(k8s.client().configMaps().inNamespace(ns).withLabels(selector).list().getItems());
    all.addAll(k8s.client().services().inNamespace(ns).withLabels(selector).list().getItems());
    all.addAll(
        k8s.client().serviceAccounts().inNamespace(ns).withLabels(selector).list().getItems());
    all.addAll(k8s.client().rbac().roles().inNamespace(ns).withLabels(selector).list().getItems());
    all.addAll(
        k8s.client().rbac().roleBindings().inNamespace(ns).withLabels(selector).list().getItems());
    all.addAll(
        k8s.client()
            .persistentVolumeClaims()
            .inNamespace(ns)
            .withLabels(selector)
            .list()
            .getItems());
    return all.stream()
        .filter(
            o ->
                List.of("prometheus", "alertmanager", "grafana")
                    .contains(o.getMetadata().getLabels().get("app.kubernetes.io/component")))
        .toList();
  }

  @Test
  void objectsAsSpecifiedWithNoSecretValueInAnySpecOrConfigMap() {
    TTStack created = k8s.create(stack(true));
    awaitDeployments(DEPLOYMENTS);
    await().atMost(OperatorHarness.TIMEOUT).until(() -> monitoringObjects().size() == 14);

    List<HasMetadata> objects = monitoringObjects();
    assertThat(objects)
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactlyInAnyOrder(
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
    for (HasMetadata o : objects) {
      if (o instanceof PersistentVolumeClaim) {
        assertThat(o.getMetadata().getOwnerReferences())
            .as("the volume outlives the TTStack")
            .isEmpty();
      } else {
        assertThat(o.getMetadata().getOwnerReferences())
            .as(o.getKind())
            .singleElement()
            .satisfies(r -> assertThat(r.getUid()).isEqualTo(created.getMetadata().getUid()));
      }
    }
    assertThat(configMap("tt-prometheus").getData().get("rules.yml")).contains("> 80\n", "< 6\n");
    assertThat(configMap("tt-prometheus").getData().get("prometheus.yml"))
        .contains("- tt-test", "job_name: app");
    assertThat(configMap("tt-alertmanager").getData().get("alertmanager.yml"))
        .contains("api_url_file: /etc/alertmanager/slack/webhook-url", "channel: \"#tt-alerts\"");
    assertThat(deployment("tt-grafana").getSpec().getTemplate().getMetadata().getAnnotations())
        .containsKey(MonitoringObjects.SECRET_HASH_ANNOTATION);

    // No secret value, nor its base64, in any object the operator wrote for monitoring.
    String everything = Serialization.asJson(objects);
    for (String value : SECRETS.values()) {
      String encoded =
          Base64.getEncoder()
              .encodeToString(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertThat(everything.contains(value) || everything.contains(encoded))
          .as("secret #%d in the monitoring objects", List.copyOf(SECRETS.values()).indexOf(value))
          .isFalse();
    }
  }

  @Test
  void readyOnceAllThreeServeAndTheStatusSaysWhereAlertsGo() {
    k8s.create(stack(true));
    awaitDeployments(DEPLOYMENTS);
    TTStack starting = awaitMonitoring(c -> "Starting".equals(c.reason));
    assertThat(starting.getStatus().condition(ConditionType.MONITORING_READY).message)
        .contains("tt-prometheus", "tt-alertmanager", "tt-grafana");

    k8s.simulator().markDeploymentAvailable(ns, "tt-prometheus");
    k8s.simulator().markDeploymentAvailable(ns, "tt-alertmanager");
    TTStack partly =
        k8s.awaitStack(
            "tt",
            s ->
                s.getStatus().monitoring != null
                    && Boolean.TRUE.equals(s.getStatus().monitoring.alertmanager));
    assertThat(partly.getStatus().condition(ConditionType.MONITORING_READY).message)
        .contains("tt-grafana")
        .doesNotContain("tt-prometheus");

    k8s.simulator().markDeploymentAvailable(ns, "tt-grafana");
    TTStack ready = awaitMonitoring(Condition::isTrue);
    Condition c = ready.getStatus().condition(ConditionType.MONITORING_READY);
    assertThat(c.reason).isEqualTo("Ready");
    assertThat(c.message).contains("Slack channel #tt-alerts", "OPERATOR_METRICS_TARGET");
    var status = ready.getStatus().monitoring;
    assertThat(status.prometheus).isTrue();
    assertThat(status.alertmanager).isTrue();
    assertThat(status.grafana).isTrue();
    assertThat(status.slackReceiver).isTrue();
    assertThat(status.configHash).hasSize(16);

    // Without Slack: still ready, but the condition says the alerts go nowhere.
    edit(s -> s.getSpec().monitoring.alertmanager.slack = null);
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(
            () ->
                configMap("tt-alertmanager")
                        .getData()
                        .get("alertmanager.yml")
                        .contains("receiver: \"null\"")
                    && deployment("tt-alertmanager")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getVolumes()
                        .stream()
                        .noneMatch(v -> v.getSecret() != null));
    k8s.simulator()
        .markDeploymentAvailable(ns, "tt-alertmanager"); // rolled out with its new config
    TTStack nowhere = awaitMonitoring(x -> "ReadyWithoutReceiver".equals(x.reason));
    assertThat(nowhere.getStatus().condition(ConditionType.MONITORING_READY).status)
        .isEqualTo(Condition.TRUE);
    assertThat(nowhere.getStatus().condition(ConditionType.MONITORING_READY).message)
        .contains("alerts go nowhere");
    assertThat(nowhere.getStatus().monitoring.slackReceiver).isFalse();
    assertThat(nowhere.getStatus().monitoring.configHash).isNotEqualTo(status.configHash);
  }

  @Test
  void aThresholdChangeRestartsPrometheusOnly() {
    k8s.create(stack(true));
    awaitDeployments(DEPLOYMENTS);
    String prometheusHash =
        deployment("tt-prometheus")
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(MonitoringObjects.CONFIG_HASH_ANNOTATION);
    String alertmanagerHash =
        deployment("tt-alertmanager")
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(MonitoringObjects.CONFIG_HASH_ANNOTATION);

    edit(s -> s.getSpec().monitoring.alerts.errorRatePercent = 2.5);

    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(() -> configMap("tt-prometheus").getData().get("rules.yml").contains("> 2.5\n"));
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(
            () ->
                !prometheusHash.equals(
                    deployment("tt-prometheus")
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getAnnotations()
                        .get(MonitoringObjects.CONFIG_HASH_ANNOTATION)));
    assertThat(
            deployment("tt-alertmanager")
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(MonitoringObjects.CONFIG_HASH_ANNOTATION))
        .isEqualTo(alertmanagerHash);
  }

  @Test
  void disablingRemovesEverythingButThePrometheusVolume() {
    k8s.create(stack(true));
    await().atMost(OperatorHarness.TIMEOUT).until(() -> monitoringObjects().size() == 14);
    k8s.awaitObserved("tt");
    String volumeUid = volume().getMetadata().getUid();

    edit(s -> s.getSpec().monitoring.enabled = false);

    await().atMost(OperatorHarness.TIMEOUT).until(() -> monitoringObjects().size() == 1);
    assertThat(monitoringObjects()).singleElement().isInstanceOf(PersistentVolumeClaim.class);
    TTStack disabled = awaitMonitoring(c -> "Disabled".equals(c.reason));
    assertThat(disabled.getStatus().condition(ConditionType.MONITORING_READY).message)
        .contains("tt-prometheus is kept");
    assertThat(disabled.getStatus().monitoring).isNull();

    // Back on: the same volume, so the history is still there.
    edit(s -> s.getSpec().monitoring.enabled = true);
    await().atMost(OperatorHarness.TIMEOUT).until(() -> monitoringObjects().size() == 14);
    assertThat(volume().getMetadata().getUid()).isEqualTo(volumeUid);
    assertThat(
            deployment("tt-prometheus").getSpec().getTemplate().getSpec().getVolumes().toString())
        .contains("claimName=tt-prometheus");
  }

  @Test
  void grafanaCanBeSwitchedOffAlone() {
    k8s.create(stack(false));
    awaitDeployments(DEPLOYMENTS);

    edit(s -> s.getSpec().monitoring.grafana.enabled = false);

    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(
            () ->
                deployment("tt-grafana") == null
                    && configMap("tt-grafana") == null
                    && configMap("tt-grafana-dashboards") == null
                    && k8s.client().services().inNamespace(ns).withName("tt-grafana").get()
                        == null);
    assertThat(deployment("tt-prometheus")).isNotNull();
    k8s.simulator().markDeploymentAvailable(ns, "tt-prometheus");
    k8s.simulator().markDeploymentAvailable(ns, "tt-alertmanager");
    TTStack ready = awaitMonitoring(Condition::isTrue);
    assertThat(ready.getStatus().monitoring.grafana).isNull();
    assertThat(ready.getStatus().condition(ConditionType.MONITORING_READY).message)
        .startsWith("Prometheus and Alertmanager are available");
  }

  @Test
  void grafanaAndSlackWaitForTheirSecretKeysPrometheusDoesNot() {
    TTStack stack = stack(true);
    stack.getSpec().secrets.secretRef = null;
    stack.getSpec().secrets.doppler =
        Stacks.minimal("x").getSpec().secrets.doppler; // its token Secret is missing
    k8s.create(stack);

    TTStack waiting = awaitMonitoring(c -> "WaitingForSecrets".equals(c.reason));
    assertThat(waiting.getStatus().condition(ConditionType.MONITORING_READY).message)
        .contains(
            "Alertmanager (Slack webhook key SLACK_WEBHOOK_URL)",
            "Grafana (admin password key GRAFANA_PASSWORD)",
            "TokenNotFound");
    await().atMost(OperatorHarness.TIMEOUT).until(() -> deployment("tt-prometheus") != null);
    assertThat(deployment("tt-alertmanager")).isNull();
    assertThat(deployment("tt-grafana")).isNull();
  }

  @Test
  void theMonitoringDependentsShareOneWatchPerKind() {
    k8s.create(stack(true));
    awaitDeployments(DEPLOYMENTS);
    // Three Deployments, four ConfigMaps, three Services: one watch of each kind for all of them
    // (the
    // shared informers select managed-by; no informer of these kinds selects a monitoring
    // component).
    for (String kind : List.of("/deployments", "/configmaps", "/services")) {
      List<String> watches =
          k8s.api().requests().stream()
              .map(r -> r.path())
              .filter(p -> p.contains(kind + "?") && p.contains("watch=true"))
              .distinct()
              .toList();
      assertThat(watches).as(kind).filteredOn(p -> p.contains("managed-by")).hasSize(1);
      assertThat(watches)
          .as(kind)
          .noneMatch(p -> p.matches(".*component%3D(prometheus|alertmanager|grafana).*"));
    }
  }

  @Test
  void deletionPolicyDeleteMakesTheVolumeGoWithTheStack() {
    TTStack stack = stack(false);
    stack.getSpec().deletionPolicy = DeletionPolicy.Delete;
    TTStack created = k8s.create(stack);
    await().atMost(OperatorHarness.TIMEOUT).until(() -> volume() != null);
    assertThat(volume().getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(r -> assertThat(r.getUid()).isEqualTo(created.getMetadata().getUid()));
  }
}
