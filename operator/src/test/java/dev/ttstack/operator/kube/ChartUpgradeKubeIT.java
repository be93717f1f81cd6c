package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ttstack.operator.chart.Helm;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator upgrade is a {@code helm upgrade} of the chart (k3s's Helm controller runs one when
 * the HelmChart's version changes): it must upgrade the CRD too, or the new operator runs against
 * the old schema and the API server prunes every field the old schema lacks. Proven with the real
 * API server: a chart whose CRD has one more spec field is upgraded over the installed release, and
 * a TTStack keeps that field; upgrading back to this build's chart restores this build's CRD.
 */
class ChartUpgradeKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();
  static final YAMLMapper YAML = new YAMLMapper();
  static final String NEW_FIELD = "upgradeProbe";

  @TempDir Path tmp;

  @Test
  void helmUpgradeUpgradesTheCrdAndUpgradingBackRestoresIt() throws Exception {
    String ns = cluster.createNamespace("chart-upgrade");
    Path next = copyChart(tmp.resolve("tt-operator"));
    Path crdFile = next.resolve("files").resolve(ChartInstall.CRD + "-v1.yml");
    ObjectNode crd = (ObjectNode) YAML.readTree(crdFile.toFile());
    ((ObjectNode) crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties"))
        .putObject(NEW_FIELD)
        .put("type", "string")
        .put("description", "a field only the next operator version knows");
    YAML.writeValue(crdFile.toFile(), crd);
    String stack =
        """
        apiVersion: ttstack.dev/v1alpha1
        kind: TTStack
        metadata: {name: probe}
        spec:
          %s: kept
          secrets: {secretRef: {name: tt-secrets}}
          app: {image: ghcr.io/tt-org/tt-backend, version: "v1.4.2"}
        """
            .formatted(NEW_FIELD);

    try {
      upgrade(next);
      // The API server switches to the new schema shortly after the CRD update: a write made before
      // that is pruned, so write until the stored object keeps the field.
      await("the new field kept in a stored TTStack")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                // kubectl validates fields strictly: against the old schema the apply fails, so try
                // again.
                var applied =
                    cluster
                        .kubectl()
                        .withInput(
                            stack,
                            "apply",
                            "--server-side",
                            "--field-manager=chart-upgrade-test",
                            "-n",
                            ns,
                            "-f",
                            "-");
                return applied.exitCode() == 0 && "kept".equals(field(ns));
              });
      assertThat(liveCrdFields()).contains(NEW_FIELD);
    } finally {
      upgrade(Helm.CHART);
    }
    CustomResourceDefinition committed =
        Serialization.unmarshal(
            Files.readString(Path.of("..", "crds", ChartInstall.CRD + "-v1.yml")),
            CustomResourceDefinition.class);
    CustomResourceDefinition live =
        cluster
            .admin()
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(ChartInstall.CRD)
            .get();
    assertThat(liveCrdFields())
        .as("back on this build's chart: this build's CRD's spec fields")
        .doesNotContain(NEW_FIELD)
        .containsExactlyInAnyOrderElementsOf(
            committed
                .getSpec()
                .getVersions()
                .get(0)
                .getSchema()
                .getOpenAPIV3Schema()
                .getProperties()
                .get("spec")
                .getProperties()
                .keySet());
    assertThat(live.getMetadata().getAnnotations())
        .containsEntry("helm.sh/resource-policy", "keep");
    assertThat(live.getMetadata().getAnnotations())
        .containsEntry("meta.helm.sh/release-name", ChartInstall.RELEASE);
  }

  private static void upgrade(Path chart) {
    // --reuse-values keeps what ChartInstall set (replicaCount=0: the operator under test runs
    // outside).
    Helm.run(
            "upgrade",
            ChartInstall.RELEASE,
            chart.toString(),
            "--namespace",
            ChartInstall.NAMESPACE,
            "--kubeconfig",
            cluster.kubeconfig().toString(),
            "--reuse-values",
            "--wait",
            "--timeout",
            "2m")
        .orFail("helm upgrade " + ChartInstall.RELEASE + " with " + chart);
  }

  private static Object field(String ns) {
    GenericKubernetesResource r =
        cluster
            .admin()
            .genericKubernetesResources("ttstack.dev/v1alpha1", "TTStack")
            .inNamespace(ns)
            .withName("probe")
            .get();
    Object spec = r == null ? null : r.getAdditionalProperties().get("spec");
    return spec instanceof Map<?, ?> m ? m.get(NEW_FIELD) : null;
  }

  private static java.util.Set<String> liveCrdFields() {
    return cluster
        .admin()
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(ChartInstall.CRD)
        .get()
        .getSpec()
        .getVersions()
        .get(0)
        .getSchema()
        .getOpenAPIV3Schema()
        .getProperties()
        .get("spec")
        .getProperties()
        .keySet();
  }

  private static Path copyChart(Path target) throws IOException {
    try (Stream<Path> files = Files.walk(Helm.CHART)) {
      files.forEach(
          source -> {
            Path to = target.resolve(Helm.CHART.relativize(source).toString());
            try {
              if (Files.isDirectory(source)) {
                Files.createDirectories(to);
              } else {
                Files.copy(source, to, StandardCopyOption.REPLACE_EXISTING);
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    return target;
  }
}
