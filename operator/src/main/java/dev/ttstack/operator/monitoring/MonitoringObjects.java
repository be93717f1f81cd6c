package dev.ttstack.operator.monitoring;

import dev.ttstack.operator.api.PrometheusSpec;
import dev.ttstack.operator.api.SlackSpec;
import dev.ttstack.operator.api.StorageSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.PodParts;
import dev.ttstack.operator.kit.StackLabels;
import dev.ttstack.operator.support.Quantities;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Desired state of the monitoring stack, as pure functions of the spec and the rendered {@link
 * MonitoringConfig} (used by the dependents and by {@code render}): Prometheus (ServiceAccount,
 * namespaced Role and RoleBinding for pod discovery, ConfigMap, volume, Deployment, Service),
 * Alertmanager (ConfigMap, Deployment, Service) and Grafana (provisioning and dashboards
 * ConfigMaps, Deployment, Service). Secret values only ever by reference: Grafana's password by
 * {@code secretKeyRef}, the Slack webhook as a mounted Secret key.
 */
public final class MonitoringObjects {
  public static final String PROMETHEUS = "prometheus";
  public static final String ALERTMANAGER = "alertmanager";
  public static final String GRAFANA = "grafana";

  /** On pod templates: the hash of the files the server reads, so that a change restarts it. */
  public static final String CONFIG_HASH_ANNOTATION = "ttstack.dev/config-hash";

  /**
   * On Grafana's pod template: the hash of the admin password key, so that a new password applies.
   */
  public static final String SECRET_HASH_ANNOTATION = PodParts.SECRET_HASH_ANNOTATION;

  /** uid/gid "nobody", as the Prometheus and Alertmanager images run. */
  static final long NOBODY = 65534;

  /** uid/gid of the grafana user in the official image. */
  static final long GRAFANA_UID = 472;

  private MonitoringObjects() {}

  /**
   * The stack's namespace, which the generated configuration names (pod discovery, service
   * addresses, alert selectors). Only {@code render} of a manifest without one gets here without
   * it: "default".
   */
  public static String namespace(TTStack stack) {
    String ns = stack.getMetadata().getNamespace();
    return ns == null || ns.isBlank() ? "default" : ns;
  }

  /** {@code <service>.<namespace>.svc:<port>}: the address of one of the stack's Services. */
  static String serviceAddress(TTStack stack, String service, int port) {
    return service + "." + namespace(stack) + ".svc:" + port;
  }

  public static String prometheusName(TTStack stack) {
    return StackLabels.objectName(stack, PROMETHEUS);
  }

  public static String alertmanagerName(TTStack stack) {
    return StackLabels.objectName(stack, ALERTMANAGER);
  }

  public static String grafanaName(TTStack stack) {
    return StackLabels.objectName(stack, GRAFANA);
  }

  public static String dashboardsName(TTStack stack) {
    return StackLabels.objectName(stack, GRAFANA) + "-dashboards";
  }

  static Map<String, String> labels(TTStack stack, String component) {
    return StackLabels.of(stack, component, component);
  }

  /** Selector labels: stable forever (a Deployment's selector is immutable). */
  static Map<String, String> selector(TTStack stack, String component) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put(StackLabels.INSTANCE, stack.getMetadata().getName());
    s.put(StackLabels.COMPONENT, component);
    return s;
  }

  private static io.fabric8.kubernetes.api.model.ObjectMeta meta(
      TTStack stack, String name, String component) {
    return new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
        .withName(name)
        .withNamespace(stack.getMetadata().getNamespace())
        .withLabels(labels(stack, component))
        .build();
  }

  // ---- Prometheus ----

  public static ServiceAccount prometheusAccount(TTStack stack) {
    return new ServiceAccountBuilder()
        .withMetadata(meta(stack, prometheusName(stack), PROMETHEUS))
        .build();
  }

  /**
   * Pod discovery ({@code role: pod}) in the stack's own namespace: list and watch pods, nothing
   * else and nothing cluster-wide. Kubernetes lets the operator grant only what it holds itself,
   * and it holds exactly this (it watches pods too).
   */
  public static Role prometheusRole(TTStack stack) {
    return new RoleBuilder()
        .withMetadata(meta(stack, prometheusName(stack), PROMETHEUS))
        .withRules(
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("pods")
                .withVerbs("list", "watch")
                .build())
        .build();
  }

  public static RoleBinding prometheusRoleBinding(TTStack stack) {
    return new RoleBindingBuilder()
        .withMetadata(meta(stack, prometheusName(stack), PROMETHEUS))
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("Role")
        .withName(prometheusName(stack))
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(prometheusName(stack))
        .withNamespace(namespace(stack))
        .endSubject()
        .build();
  }

  public static ConfigMap prometheusConfig(TTStack stack, MonitoringConfig config) {
    return configMap(
        stack,
        prometheusName(stack),
        PROMETHEUS,
        Map.of(
            PrometheusConfig.CONFIG_FILE, config.prometheusYml(),
            PrometheusConfig.RULES_FILE, config.rulesYml()));
  }

  /**
   * The time-series database: kept when monitoring is switched off, and by default with the
   * TTStack.
   */
  public static PersistentVolumeClaim prometheusVolume(TTStack stack) {
    StorageSpec storage = stack.getSpec().monitoring.prometheus.storage;
    return new PersistentVolumeClaimBuilder()
        .withMetadata(meta(stack, prometheusName(stack), PROMETHEUS))
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(storage == null ? null : storage.storageClassName)
        .withNewResources()
        .addToRequests("storage", Quantities.of(storageSize(stack)))
        .endResources()
        .endSpec()
        .build();
  }

  static String storageSize(TTStack stack) {
    return StorageSpec.sizeOr(
        stack.getSpec().monitoring.prometheus.storage, PrometheusSpec.DEFAULT_STORAGE_SIZE);
  }

  /**
   * Prometheus also stops at 80 % of its volume ({@code --storage.tsdb.retention.size}, in MiB,
   * which Prometheus calls MB): a full disk would stop it altogether, the time-based retention
   * can't know.
   */
  static String retentionSize(TTStack stack) {
    BigDecimal bytes = Quantity.getAmountInBytes(new Quantity(storageSize(stack)));
    return bytes
            .multiply(BigDecimal.valueOf(8))
            .divide(BigDecimal.valueOf(10L * 1024 * 1024), 0, RoundingMode.FLOOR)
        + "MB";
  }

  public static Deployment prometheusDeployment(TTStack stack, MonitoringConfig config) {
    PrometheusSpec spec = stack.getSpec().monitoring.prometheus;
    Container prometheus =
        server(
                PROMETHEUS,
                spec.effectiveImage(),
                PrometheusConfig.PORT,
                PodParts.resources(spec.resources, "100m", "256Mi", null, "1Gi"),
                "/-/ready",
                "/-/healthy",
                4)
            .withArgs(
                "--config.file=" + PrometheusConfig.CONFIG_DIR + "/" + PrometheusConfig.CONFIG_FILE,
                "--storage.tsdb.path=/prometheus",
                "--storage.tsdb.retention.time=" + spec.retention,
                "--storage.tsdb.retention.size=" + retentionSize(stack),
                "--web.listen-address=:" + PrometheusConfig.PORT)
            // Replaying a large WAL after a restart takes a while: the startup probe gives it 10
            // minutes.
            .withStartupProbe(http("/-/ready", 10, 60))
            .addNewVolumeMount()
            .withName("config")
            .withMountPath(PrometheusConfig.CONFIG_DIR)
            .withReadOnly(true)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("data")
            .withMountPath("/prometheus")
            .endVolumeMount()
            .build();
    PodSpec pod =
        pod(
            NOBODY,
            prometheusName(stack),
            prometheus,
            configMapVolume("config", prometheusName(stack)),
            new VolumeBuilder()
                .withName("data")
                .withNewPersistentVolumeClaim()
                .withClaimName(prometheusName(stack))
                .endPersistentVolumeClaim()
                .build());
    return deployment(stack, prometheusName(stack), PROMETHEUS, pod, config.prometheusHash(), null);
  }

  public static Service prometheusService(TTStack stack) {
    return service(stack, prometheusName(stack), PROMETHEUS, PrometheusConfig.PORT);
  }

  // ---- Alertmanager ----

  public static ConfigMap alertmanagerConfig(TTStack stack, MonitoringConfig config) {
    return configMap(
        stack,
        alertmanagerName(stack),
        ALERTMANAGER,
        Map.of(
            AlertmanagerConfig.CONFIG_FILE, config.alertmanagerYml(),
            AlertmanagerConfig.TEMPLATE_FILE, config.slackTemplate()));
  }

  public static Deployment alertmanagerDeployment(
      TTStack stack, MonitoringConfig config, String secretName) {
    SlackSpec slack = AlertmanagerConfig.slack(stack);
    ContainerBuilder container =
        server(
                ALERTMANAGER,
                stack.getSpec().monitoring.alertmanager.effectiveImage(),
                AlertmanagerConfig.PORT,
                PodParts.resources(null, "10m", "32Mi", null, "128Mi"),
                "/-/ready",
                "/-/healthy",
                4)
            .withArgs(
                "--config.file="
                    + AlertmanagerConfig.CONFIG_DIR
                    + "/"
                    + AlertmanagerConfig.CONFIG_FILE,
                "--storage.path=/alertmanager",
                "--web.listen-address=:" + AlertmanagerConfig.PORT,
                "--cluster.listen-address=") // one replica: no gossip port
            .addNewVolumeMount()
            .withName("config")
            .withMountPath(AlertmanagerConfig.CONFIG_DIR)
            .withReadOnly(true)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("data")
            .withMountPath("/alertmanager")
            .endVolumeMount();
    List<Volume> volumes =
        new ArrayList<>(
            List.of(
                configMapVolume("config", alertmanagerName(stack)),
                new VolumeBuilder().withName("data").withNewEmptyDir().endEmptyDir().build()));
    if (slack != null) {
      // Only the webhook key, as a file: Alertmanager reads it at each notification (api_url_file).
      container
          .addNewVolumeMount()
          .withName("slack")
          .withMountPath(AlertmanagerConfig.SLACK_DIR)
          .withReadOnly(true)
          .endVolumeMount();
      volumes.add(
          new VolumeBuilder()
              .withName("slack")
              .withNewSecret()
              .withSecretName(secretName)
              .withOptional(false)
              .addNewItem()
              .withKey(slack.webhookKey)
              .withPath(AlertmanagerConfig.SLACK_FILE)
              .endItem()
              .withDefaultMode(0440)
              .endSecret()
              .build());
    }
    PodSpec pod = pod(NOBODY, null, container.build(), volumes.toArray(Volume[]::new));
    return deployment(
        stack, alertmanagerName(stack), ALERTMANAGER, pod, config.alertmanagerHash(), null);
  }

  public static Service alertmanagerService(TTStack stack) {
    return service(stack, alertmanagerName(stack), ALERTMANAGER, AlertmanagerConfig.PORT);
  }

  // ---- Grafana ----

  public static ConfigMap grafanaConfig(TTStack stack, MonitoringConfig config) {
    return configMap(
        stack,
        grafanaName(stack),
        GRAFANA,
        Map.of(
            GrafanaConfig.DATASOURCES_FILE, config.grafanaDatasources(),
            GrafanaConfig.PROVIDERS_FILE, config.grafanaProviders()));
  }

  public static ConfigMap grafanaDashboards(TTStack stack, MonitoringConfig config) {
    return configMap(stack, dashboardsName(stack), GRAFANA, config.dashboards());
  }

  public static Deployment grafanaDeployment(
      TTStack stack, MonitoringConfig config, String secretName, String secretHash) {
    String passwordKey = stack.getSpec().monitoring.grafana.adminPasswordKey;
    List<EnvVar> env = new ArrayList<>();
    env.add(value("GF_SECURITY_ADMIN_USER", "admin"));
    env.add(PodParts.secretEnv("GF_SECURITY_ADMIN_PASSWORD", secretName, passwordKey));
    env.add(value("GF_USERS_ALLOW_SIGN_UP", "false"));
    env.add(value("GF_USERS_ALLOW_ORG_CREATE", "false"));
    env.add(value("GF_AUTH_ANONYMOUS_ENABLED", "false"));
    env.add(value("GF_AUTH_DISABLE_LOGIN_FORM", "false"));
    env.add(value("GF_ANALYTICS_REPORTING_ENABLED", "false"));
    env.add(value("GF_ANALYTICS_CHECK_FOR_UPDATES", "false"));
    env.add(value("GF_PATHS_PROVISIONING", GrafanaConfig.PROVISIONING_DIR));
    env.add(value("GF_LOG_MODE", "console")); // the root file system is read-only: no log files
    env.add(
        value(
            "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH",
            GrafanaConfig.DASHBOARDS_DIR + "/tt-overview.json"));
    Container grafana =
        server(
                GRAFANA,
                stack.getSpec().monitoring.grafana.effectiveImage(),
                GrafanaConfig.PORT,
                PodParts.resources(null, "50m", "128Mi", null, "512Mi"),
                "/api/health",
                "/api/health",
                6)
            .withEnv(env)
            .addNewVolumeMount()
            .withName("datasources")
            .withMountPath(GrafanaConfig.PROVISIONING_DIR + "/datasources")
            .withReadOnly(true)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("providers")
            .withMountPath(GrafanaConfig.PROVISIONING_DIR + "/dashboards")
            .withReadOnly(true)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("dashboards")
            .withMountPath(GrafanaConfig.DASHBOARDS_DIR)
            .withReadOnly(true)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("data")
            .withMountPath("/var/lib/grafana")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("tmp")
            .withMountPath("/tmp")
            .endVolumeMount()
            .build();
    PodSpec pod =
        pod(
            GRAFANA_UID,
            null,
            grafana,
            new VolumeBuilder()
                .withName("datasources")
                .withNewConfigMap()
                .withName(grafanaName(stack))
                .addNewItem()
                .withKey(GrafanaConfig.DATASOURCES_FILE)
                .withPath(GrafanaConfig.DATASOURCES_FILE)
                .endItem()
                .endConfigMap()
                .build(),
            new VolumeBuilder()
                .withName("providers")
                .withNewConfigMap()
                .withName(grafanaName(stack))
                .addNewItem()
                .withKey(GrafanaConfig.PROVIDERS_FILE)
                .withPath(GrafanaConfig.PROVIDERS_FILE)
                .endItem()
                .endConfigMap()
                .build(),
            configMapVolume("dashboards", dashboardsName(stack)),
            new VolumeBuilder().withName("data").withNewEmptyDir().endEmptyDir().build(),
            new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    return deployment(stack, grafanaName(stack), GRAFANA, pod, config.grafanaHash(), secretHash);
  }

  public static Service grafanaService(TTStack stack) {
    return service(stack, grafanaName(stack), GRAFANA, GrafanaConfig.PORT);
  }

  // ---- shared parts ----

  /**
   * A server's container: its one port {@code http}, probes on it, and a read-only root file
   * system.
   */
  private static ContainerBuilder server(
      String name,
      String image,
      int port,
      io.fabric8.kubernetes.api.model.ResourceRequirements resources,
      String readyPath,
      String healthyPath,
      int livenessFailures) {
    return new ContainerBuilder()
        .withName(name)
        .withImage(image)
        .addNewPort()
        .withName("http")
        .withContainerPort(port)
        .endPort()
        .withResources(resources)
        .withReadinessProbe(http(readyPath, 10, 3))
        .withLivenessProbe(http(healthyPath, 15, livenessFailures))
        .withSecurityContext(readOnly());
  }

  /** A ConfigMap of the stack's files, its keys in a stable order. */
  private static ConfigMap configMap(
      TTStack stack, String name, String component, Map<String, String> files) {
    return new ConfigMapBuilder()
        .withMetadata(meta(stack, name, component))
        .withData(new java.util.TreeMap<>(files))
        .build();
  }

  /** One replica, replaced (not rolled): Prometheus' volume can be mounted by one pod only. */
  private static Deployment deployment(
      TTStack stack,
      String name,
      String component,
      PodSpec pod,
      String configHash,
      String secretHash) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(CONFIG_HASH_ANNOTATION, configHash);
    if (secretHash != null) {
      annotations.put(SECRET_HASH_ANNOTATION, secretHash);
    }
    return new DeploymentBuilder()
        .withMetadata(meta(stack, name, component))
        .withNewSpec()
        .withReplicas(1)
        .withNewStrategy()
        .withType("Recreate")
        .endStrategy()
        .withNewSelector()
        .withMatchLabels(selector(stack, component))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels(stack, component))
        .withAnnotations(annotations)
        .endMetadata()
        .withSpec(pod)
        .endTemplate()
        .endSpec()
        .build();
  }

  private static PodSpec pod(
      long uid, String serviceAccount, Container container, Volume... volumes) {
    return new PodSpecBuilder()
        .withContainers(container)
        .withServiceAccountName(serviceAccount)
        // Only Prometheus talks to the API server (pod discovery); the others get no token.
        .withAutomountServiceAccountToken(serviceAccount != null)
        .withEnableServiceLinks(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(uid)
        .withRunAsGroup(uid)
        .withFsGroup(uid)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withVolumes(volumes)
        .build();
  }

  private static io.fabric8.kubernetes.api.model.SecurityContext readOnly() {
    var security = PodParts.containerSecurity();
    security.setReadOnlyRootFilesystem(true);
    return security;
  }

  private static Volume configMapVolume(String volume, String configMap) {
    return new VolumeBuilder()
        .withName(volume)
        .withNewConfigMap()
        .withName(configMap)
        .endConfigMap()
        .build();
  }

  private static Probe http(String path, int period, int failures) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withNewPort("http")
        .endHttpGet()
        .withPeriodSeconds(period)
        .withTimeoutSeconds(5)
        .withFailureThreshold(failures)
        .build();
  }

  private static EnvVar value(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static Service service(TTStack stack, String name, String component, int port) {
    return new ServiceBuilder()
        .withMetadata(meta(stack, name, component))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(selector(stack, component))
        .addNewPort()
        .withName("http")
        .withPort(port)
        .withNewTargetPort("http")
        .endPort()
        .endSpec()
        .build();
  }
}
