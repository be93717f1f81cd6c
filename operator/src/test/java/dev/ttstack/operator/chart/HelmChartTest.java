package dev.ttstack.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The chart rendered by real helm ({@link Helm}): what the Deployment runs and how (security,
 * probes, settings), what each value changes, what the schema refuses, and NOTES.txt. The RBAC
 * rules themselves are proven by {@code RbacIT}.
 */
class HelmChartTest {
  static final Path ALL_OPTIONS = Helm.CHART.resolve("ci").resolve("all-options-values.yaml");
  static final Path BAD_VALUES = Path.of("..", "helm", "test", "bad-values.yaml");

  static String chartField(String field) throws Exception {
    Matcher m =
        Pattern.compile("(?m)^" + field + ":\\s*\"?([^\"\\s]+)\"?\\s*$")
            .matcher(Files.readString(Helm.CHART.resolve("Chart.yaml")));
    assertThat(m.find()).as("Chart.yaml %s", field).isTrue();
    return m.group(1);
  }

  static Deployment deployment(List<HasMetadata> objects) {
    List<Deployment> deployments = Helm.ofKind(objects, Deployment.class);
    assertThat(deployments).hasSize(1);
    return deployments.get(0);
  }

  static Map<String, EnvVar> env(Container c) {
    return c.getEnv().stream()
        .collect(
            Collectors.toMap(
                EnvVar::getName,
                e -> e,
                (a, b) -> {
                  throw new AssertionError("environment variable set twice: " + a.getName());
                }));
  }

  @Test
  void chartVersionsFollowTheOperator() throws Exception {
    assertThat(chartField("apiVersion")).isEqualTo("v2");
    assertThat(chartField("version")).isEqualTo("0.1.0");
    Matcher pom =
        Pattern.compile("<artifactId>ttstack-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(Files.readString(Path.of("..", "pom.xml")));
    assertThat(pom.find()).isTrue();
    assertThat(chartField("appVersion"))
        .as("appVersion = the operator's image tag: v + its version (the team's tag form)")
        .isEqualTo("v" + pom.group(1).replace("-SNAPSHOT", ""));
  }

  /**
   * The CRD is a template (so {@code helm upgrade} upgrades it) rendering exactly the committed
   * CRD, plus the "keep" policy (so {@code helm uninstall} never deletes it) and the chart's
   * labels.
   */
  @Test
  void theCrdIsATemplateThatHelmUpgradesAndUninstallKeeps() throws Exception {
    List<CustomResourceDefinition> crds =
        Helm.ofKind(Helm.objects(Helm.template()), CustomResourceDefinition.class);
    assertThat(crds).hasSize(1);
    CustomResourceDefinition rendered = crds.get(0);
    CustomResourceDefinition committed =
        Serialization.unmarshal(
            Files.readString(Path.of("..", "crds", "ttstacks.ttstack.dev-v1.yml")),
            CustomResourceDefinition.class);
    assertThat(rendered.getMetadata().getName()).isEqualTo("ttstacks.ttstack.dev");
    assertThat(rendered.getSpec())
        .as("the rendered CRD's spec is the committed CRD's")
        .isEqualTo(committed.getSpec());
    assertThat(rendered.getMetadata().getAnnotations())
        .containsEntry("helm.sh/resource-policy", "keep");
    assertThat(rendered.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "Helm")
        .containsEntry("app.kubernetes.io/part-of", "ttstack");
    assertThat(Path.of("..", "helm", "tt-operator", "crds"))
        .as("crds/ is installed once and never upgraded by Helm")
        .doesNotExist();
    assertThat(
            Helm.ofKind(
                Helm.objects(Helm.template("--set", "crds.install=false")),
                CustomResourceDefinition.class))
        .isEmpty();
  }

  @Test
  void defaultDeploymentRunsTheOperatorLockedDown() throws Exception {
    List<HasMetadata> objects = Helm.objects(Helm.template());
    Deployment deployment = deployment(objects);
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(Helm.NAMESPACE);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers()).hasSize(1);
    Container c = pod.getContainers().get(0);

    assertThat(c.getImage()).isEqualTo("ghcr.io/tt-org/tt-operator:" + chartField("appVersion"));
    assertThat(c.getCommand()).containsExactly("java");
    assertThat(c.getArgs()).containsExactly("-jar", "/app/ttstack-operator.jar", "run");

    // Pod and container security: non-root, read-only root, nothing extra.
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getPrivileged()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(c.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(c.getVolumeMounts())
        .singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getVolumes())
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());

    // Probes on the metrics port, which is the one the operator's settings name.
    assertThat(c.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("metrics");
              assertThat(p.getContainerPort()).isEqualTo(8080);
            });
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");

    // Settings, as OperatorSettings reads them.
    Map<String, EnvVar> env = env(c);
    assertThat(env.get("POD_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(env.get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(env.get("LEASE_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(env.get("WATCH_NAMESPACES").getValue()).isEmpty();
    assertThat(env.get("LEADER_ELECTION").getValue()).isEqualTo("true");
    assertThat(env.get("LEASE_NAME").getValue()).isEqualTo("ttstack-operator");
    assertThat(env.get("METRICS_PORT").getValue()).isEqualTo("8080");
    assertThat(env.get("USE_SSA").getValue()).isEqualTo("true");
    assertThat(env.get("LOG_LEVEL").getValue()).isEqualTo("INFO");
    assertThat(env.get("LOG_FORMAT").getValue()).isEqualTo("json");
    Map<String, String> settings =
        env.values().stream()
            .filter(e -> e.getValue() != null)
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    var parsed = dev.ttstack.operator.OperatorSettings.from(settings);
    assertThat(parsed.watchNamespaces()).isEmpty();
    assertThat(parsed.httpPort()).isEqualTo(8080);
    assertThat(parsed.jsonLogs()).isTrue();
    assertThat(parsed.leaderElection()).isTrue();
    assertThat(c.getResources().getLimits()).containsKey("memory");
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");

    ServiceAccount account = Helm.ofKind(objects, ServiceAccount.class).get(0);
    assertThat(pod.getServiceAccountName()).isEqualTo(account.getMetadata().getName());
    Service service = Helm.ofKind(objects, Service.class).get(0);
    assertThat(service.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("metrics");
              assertThat(p.getTargetPort().getStrVal()).isEqualTo("metrics");
            });
    // The stacks' Prometheus scrapes the operator through that Service (a valid host:port for it).
    String target = env.get("OPERATOR_METRICS_TARGET").getValue();
    assertThat(target)
        .isEqualTo(
            service.getMetadata().getName()
                + "."
                + service.getMetadata().getNamespace()
                + ".svc:"
                + service.getSpec().getPorts().get(0).getPort());
    assertThat(dev.ttstack.operator.monitoring.PrometheusConfig.checkTarget(target))
        .isEqualTo(target);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(objects)
        .as("no ServiceMonitor by default")
        .noneMatch(o -> o.getKind().equals("ServiceMonitor"));
  }

  @Test
  void everyOptionReachesTheManifests() {
    List<HasMetadata> objects = Helm.objects(Helm.template("-f", ALL_OPTIONS.toString()));
    Deployment deployment = deployment(objects);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(c.getImage())
        .isEqualTo(
            "registry.example.com/tt/tt-operator@sha256:"
                + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
    assertThat(pod.getImagePullSecrets())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("ghcr-pull"));
    Map<String, EnvVar> env = env(c);
    assertThat(env.get("WATCH_NAMESPACES").getValue()).isEqualTo("tt,tt-staging");
    assertThat(env.get("LEASE_NAME").getValue()).isEqualTo("tt-operator-lease");
    assertThat(env.get("USE_SSA").getValue()).isEqualTo("false");
    assertThat(env.get("LOG_LEVEL").getValue()).isEqualTo("DEBUG");
    assertThat(env.get("LOG_FORMAT").getValue()).isEqualTo("text");
    assertThat(env.get("METRICS_PORT").getValue()).isEqualTo("9090");
    assertThat(env.get("JAVA_TOOL_OPTIONS").getValue()).isEqualTo("-Xmx200m -XX:+UseSerialGC");
    assertThat(env.get("HTTP_ADDRESS").getValue()).isEqualTo("0.0.0.0");
    assertThat(env.get("FROM_SECRET").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("some-secret");
    assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(9090);
    // Extra volumes and mounts beside the chart's own /tmp.
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("tmp", "doppler-ca");
    assertThat(pod.getVolumes().get(1).getSecret().getSecretName()).isEqualTo("doppler-ca");
    assertThat(c.getVolumeMounts())
        .extracting(m -> m.getName() + ":" + m.getMountPath() + ":" + m.getReadOnly())
        .containsExactly("tmp:/tmp:null", "doppler-ca:/etc/ttstack/doppler-ca:true");
    assertThat(c.getResources().getLimits()).containsEntry("cpu", new Quantity("1"));
    assertThat(c.getResources().getRequests()).containsEntry("memory", new Quantity("300Mi"));
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(10001L);
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(45L);
    assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
    assertThat(pod.getTolerations())
        .singleElement()
        .satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(pod.getAffinity().getPodAntiAffinity()).isNotNull();
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("example.com/team", "platform");
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("example.com/tier", "control");
    assertThat(pod.getServiceAccountName()).isEqualTo("ttstack-operator");
    assertThat(Helm.ofKind(objects, ServiceAccount.class))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getMetadata().getName()).isEqualTo("ttstack-operator");
              assertThat(a.getMetadata().getAnnotations())
                  .containsEntry("example.com/role", "operator");
            });
    Service service = Helm.ofKind(objects, Service.class).get(0);
    assertThat(service.getSpec().getType()).isEqualTo("NodePort");
    assertThat(service.getMetadata().getAnnotations()).containsEntry("example.com/scrape", "true");

    assertThat(Helm.ofKind(objects, ClusterRole.class))
        .as("namespaced mode: no ClusterRole")
        .isEmpty();
    assertThat(Helm.ofKind(objects, Role.class))
        .extracting(r -> r.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("tt", "tt-staging", Helm.NAMESPACE);

    GenericKubernetesResource monitor =
        Helm.ofKind(objects, GenericKubernetesResource.class).stream()
            .filter(o -> o.getKind().equals("ServiceMonitor"))
            .findFirst()
            .orElseThrow();
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    Map<?, ?> spec = (Map<?, ?>) monitor.getAdditionalProperties().get("spec");
    Map<?, ?> first = (Map<?, ?>) ((List<?>) spec.get("endpoints")).get(0);
    assertThat(first.get("port")).isEqualTo("metrics");
    assertThat(first.get("interval")).isEqualTo("15s");
    assertThat(first.get("scrapeTimeout")).isEqualTo("5s");
    assertThat(((Map<?, ?>) spec.get("selector")).get("matchLabels"))
        .isEqualTo(service.getSpec().getSelector());
  }

  @Test
  void serviceAccountAndRbacCanBeLeftToTheUser() {
    List<HasMetadata> objects =
        Helm.objects(
            Helm.template(
                "--set",
                "serviceAccount.create=false",
                "--set",
                "serviceAccount.name=existing",
                "--set",
                "rbac.create=false"));
    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .containsExactlyInAnyOrder("Service", "Deployment", "CustomResourceDefinition");
    assertThat(deployment(objects).getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("existing");
  }

  @Test
  void badValuesAreRefusedNamingEachOne() throws Exception {
    Helm.Result result =
        Helm.run("template", Helm.RELEASE, Helm.CHART.toString(), "-f", BAD_VALUES.toString());
    assertThat(result.exitCode()).as("helm template with %s", BAD_VALUES).isNotZero();
    String message = result.stderr().replace('/', '.');
    assertThat(message).contains("values don't meet the specifications of the schema");
    assertThat(message)
        .contains("logLevel", "log.level", "replicaCount", "watchNamespaces.0", "runAsUser");
    assertThat(result.stdout()).as("nothing rendered").doesNotContain("kind: Deployment");
    // and a few single mistakes, each refused on its own
    for (String bad :
        List.of(
            "leaderElection.enabled=false,replicaCount=2",
            "metrics.port=70000",
            "image.pullPolicy=Sometimes",
            "extraEnv[0].value=x",
            "metrics.serviceMonitor.interval=often")) {
      Helm.Result single = Helm.run("template", Helm.RELEASE, Helm.CHART.toString(), "--set", bad);
      assertThat(single.exitCode()).as("--set %s", bad).isNotZero();
      assertThat(single.stderr()).as("--set %s", bad).contains("schema");
    }
  }

  @Test
  void notesTellHowToApplyTheFirstStack() {
    String out =
        Helm.run(
                "install",
                Helm.RELEASE,
                Helm.CHART.toString(),
                "--namespace",
                Helm.NAMESPACE,
                "--dry-run=client")
            .orFail("helm install --dry-run=client")
            .stdout();
    String notes = out.substring(out.indexOf("NOTES:"));
    assertThat(notes)
        .contains(
            "kubectl apply -f examples/ttstack.yaml",
            "kubectl create namespace tt",
            "create secret generic doppler-token",
            "kubectl -n tt get tts",
            "rollout status deployment/tt-operator",
            "every namespace");
    String namespaced =
        Helm.run(
                "install",
                Helm.RELEASE,
                Helm.CHART.toString(),
                "--namespace",
                Helm.NAMESPACE,
                "--dry-run=client",
                "--set",
                "watchNamespaces={shop}")
            .orFail("helm install --dry-run=client")
            .stdout();
    assertThat(namespaced.substring(namespaced.indexOf("NOTES:")))
        .contains("only: shop", "kubectl create namespace shop");
  }
}
