package dev.ttstack.operator.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.kube.Kubectl;
import dev.ttstack.operator.kube.LocalCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 1 of issue 15 on a real API server: a k3s restart must not undo a deploy. k3s applies
 * every file of its auto-deploy folder at every start (with a three-way merge, as {@code kubectl
 * apply}); the old setup-node.sh wrote the operator's HelmChart and the TTStack there, so a reboot
 * put both versions back to the files'. Here the Kubernetes part of the setup (k3s/apply-stack.sh,
 * with the real kubectl and a fake aws) runs against the local control plane; a deploy patches the
 * versions as ttstack-deploy does; "k3s starts" = {@code kubectl apply -f} of every file in the
 * folder; then the setup runs again. The deployed versions must survive both.
 */
class ApplyStackKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();

  static final ResourceDefinitionContext HELMCHART =
      new ResourceDefinitionContext.Builder()
          .withGroup("helm.cattle.io")
          .withVersion("v1")
          .withKind("HelmChart")
          .withPlural("helmcharts")
          .withNamespaced(true)
          .build();
  static final String DOPPLER_TOKEN = "dp.st.prd.SECRETdoppler0123456789";
  static final String GHCR = "tt-bot:ghp_SECRETghcr0123456789abcdef";

  @TempDir Path tmp;
  Path manifests;
  Path kubectlWrapper;
  Path aws;
  Path ttstackFile;
  String ns;
  String operatorNs;

  /**
   * A stand-in for the CRD of k3s-io/helm-controller (helm.cattle.io/v1 HelmChart), which cannot
   * run here (no Helm controller, no registry): the same group, version, kind and scope, and a
   * schema that keeps every field, so that the API server stores what the setup and the deploys
   * write.
   */
  static final String HELMCHART_CRD =
      """
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: helmcharts.helm.cattle.io
      spec:
        group: helm.cattle.io
        scope: Namespaced
        names: {kind: HelmChart, listKind: HelmChartList, plural: helmcharts, singular: helmchart}
        versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-preserve-unknown-fields: true
      """;

  @BeforeEach
  void node() throws Exception {
    Kubectl kubectl = cluster.kubectl();
    kubectl.withInput(HELMCHART_CRD, "apply", "--server-side", "-f", "-").orFail();
    kubectl
        .run(
            "wait", "--for=condition=Established", "crd/helmcharts.helm.cattle.io", "--timeout=60s")
        .orFail();
    // kube-system/tt-operator is one object per cluster: each test starts without it.
    kubectl
        .run(
            "-n",
            "kube-system",
            "delete",
            "helmcharts.helm.cattle.io",
            "tt-operator",
            "--ignore-not-found",
            "--wait")
        .orFail();

    ns = cluster.createNamespace("node");
    operatorNs = cluster.createNamespace("node-op");
    manifests = Files.createDirectories(tmp.resolve("var/lib/rancher/k3s/server/manifests"));
    // The example a node deploys, in this test's namespace.
    ttstackFile = tmp.resolve("ttstack.yaml");
    Files.writeString(
        ttstackFile,
        Files.readString(Scripts.REPO.resolve("examples/ttstack.yaml"))
            .replace("  namespace: tt\n", "  namespace: " + ns + "\n"));
    kubectlWrapper =
        executable(
            "kubectl",
            "exec '"
                + cluster.env("LOCAL_NODE_BIN")
                + "' kubectl --kubeconfig '"
                + cluster.kubeconfig()
                + "' \"$@\"");
    aws =
        executable(
            "aws",
            "case \"$*\" in *ghcr-pull*) echo '"
                + GHCR
                + "' ;; *) echo '"
                + DOPPLER_TOKEN
                + "' ;; esac");
  }

  Path executable(String name, String body) throws Exception {
    Path file = Files.createDirectories(tmp.resolve("bin")).resolve(name);
    Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  /** k3s/apply-stack.sh as setup-node.sh runs it, against the local API server. */
  Scripts.Result setup(String operatorVersion) throws Exception {
    List<String> cmd =
        List.of(
            "bash",
            Scripts.REPO.resolve("k3s/apply-stack.sh").toString(),
            "--operator-version",
            operatorVersion,
            "--operator-namespace",
            operatorNs,
            "--ttstack",
            ttstackFile.toString(),
            "--region",
            "eu-central-1",
            "--manifests-dir",
            manifests.toString());
    Scripts.Result r =
        Scripts.run(
            cmd,
            tmp,
            "/usr/local/bin:/usr/bin:/bin",
            Map.of("KUBECTL", kubectlWrapper.toString(), "AWS", aws.toString()));
    System.out.println(
        "apply-stack.sh " + operatorVersion + " (exit " + r.exit() + "):\n" + r.output());
    assertThat(r.output()).doesNotContain("SECRET");
    return r;
  }

  /**
   * What k3s does at every start: apply every file of its auto-deploy folder over the live objects.
   */
  List<String> k3sStarts() throws Exception {
    List<String> applied = new ArrayList<>();
    try (Stream<Path> files = Files.list(manifests)) {
      for (Path f : files.sorted().toList()) {
        cluster.kubectl().run("apply", "-f", f.toString()).orFail();
        applied.add(f.getFileName().toString());
      }
    }
    return applied;
  }

  /** A deploy, as ttstack-deploy does it: the operator's chart version, then the app's version. */
  void deploy(String chartVersion, String appVersion) {
    cluster
        .kubectl()
        .run(
            "-n",
            "kube-system",
            "patch",
            "helmcharts.helm.cattle.io",
            "tt-operator",
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"version\":\"" + chartVersion + "\"}}")
        .orFail();
    cluster
        .kubectl()
        .run(
            "-n",
            ns,
            "patch",
            "ttstacks.ttstack.dev",
            "tt",
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"app\":{\"version\":\"" + appVersion + "\"}}}")
        .orFail();
    assertVersions(chartVersion, appVersion);
  }

  void assertVersions(String chartVersion, String appVersion) {
    GenericKubernetesResource chart =
        cluster
            .admin()
            .genericKubernetesResources(HELMCHART)
            .inNamespace("kube-system")
            .withName("tt-operator")
            .get();
    assertThat(chart).isNotNull();
    assertThat(((Map<?, ?>) chart.getAdditionalProperties().get("spec")).get("version"))
        .as("HelmChart spec.version")
        .isEqualTo(chartVersion);
    GenericKubernetesResource tt =
        cluster
            .admin()
            .genericKubernetesResources("ttstack.dev/v1alpha1", "TTStack")
            .inNamespace(ns)
            .withName("tt")
            .get();
    assertThat(tt).isNotNull();
    Map<?, ?> app = (Map<?, ?>) ((Map<?, ?>) tt.getAdditionalProperties().get("spec")).get("app");
    assertThat(app.get("version")).as("TTStack spec.app.version").isEqualTo(appVersion);
  }

  String exampleVersion() throws Exception {
    Map<?, ?> doc = Serialization.unmarshal(Files.readString(ttstackFile), Map.class);
    return (String) ((Map<?, ?>) ((Map<?, ?>) doc.get("spec")).get("app")).get("version");
  }

  @Test
  void aDeploySurvivesAK3sRestartAndASetupReRun() throws Exception {
    // As the README of the old setup told the team to make it, by hand: taken over, not a conflict.
    cluster
        .kubectl()
        .run(
            "-n",
            ns,
            "create",
            "secret",
            "docker-registry",
            "ghcr-pull",
            "--docker-server=ghcr.io",
            "--docker-username=by-hand",
            "--docker-password=old")
        .orFail();
    Scripts.Result bringUp = setup("v1.4.0");
    assertThat(bringUp.exit()).as(bringUp.output()).isZero();
    assertVersions("1.4.0", exampleVersion());
    try (Stream<Path> files = Files.list(manifests)) {
      assertThat(files).as("nothing in k3s's auto-deploy folder").isEmpty();
    }
    // The pull Secret where each pull happens, the token where the operator reads it.
    for (String where : List.of("kube-system", operatorNs, ns)) {
      Secret pull = cluster.admin().secrets().inNamespace(where).withName("ghcr-pull").get();
      assertThat(pull).as("ghcr-pull in %s", where).isNotNull();
      assertThat(pull.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
      String config =
          new String(
              Base64.getDecoder().decode(pull.getData().get(".dockerconfigjson")),
              StandardCharsets.UTF_8);
      assertThat(config).contains("\"ghcr.io\"", "\"username\":\"tt-bot\"");
    }
    Secret token = cluster.admin().secrets().inNamespace(ns).withName("doppler-token").get();
    assertThat(
            new String(
                Base64.getDecoder().decode(token.getData().get("serviceToken")),
                StandardCharsets.UTF_8))
        .isEqualTo(DOPPLER_TOKEN);

    deploy("1.5.0", "v1.5.0");
    assertThat(k3sStarts()).isEmpty();
    assertVersions("1.5.0", "v1.5.0");

    Scripts.Result reRun = setup("1.4.0");
    assertThat(reRun.exit()).as(reRun.output()).isZero();
    assertThat(reRun.lines())
        .anyMatch(l -> l.startsWith("KEPT HelmChart version 1.5.0 (live"))
        .contains("KEPT TTStack " + ns + "/tt (live; change it with kubectl or ttstack-deploy)");
    assertVersions("1.5.0", "v1.5.0");
    k3sStarts();
    assertVersions("1.5.0", "v1.5.0");

    // Idempotent on the server too: one more run writes no object (same resourceVersions).
    Map<String, String> before = resourceVersions();
    assertThat(setup("1.4.0").exit()).isZero();
    assertThat(resourceVersions()).isEqualTo(before);
  }

  /** kind/namespace/name -> resourceVersion of every object the setup writes. */
  Map<String, String> resourceVersions() {
    Map<String, String> versions = new java.util.TreeMap<>();
    versions.put(
        "HelmChart",
        cluster
            .admin()
            .genericKubernetesResources(HELMCHART)
            .inNamespace("kube-system")
            .withName("tt-operator")
            .get()
            .getMetadata()
            .getResourceVersion());
    versions.put(
        "TTStack",
        cluster
            .admin()
            .genericKubernetesResources("ttstack.dev/v1alpha1", "TTStack")
            .inNamespace(ns)
            .withName("tt")
            .get()
            .getMetadata()
            .getResourceVersion());
    for (String n : List.of(ns, operatorNs)) {
      versions.put(
          "Namespace/" + n,
          cluster.admin().namespaces().withName(n).get().getMetadata().getResourceVersion());
    }
    for (String n : List.of("kube-system", operatorNs, ns)) {
      versions.put(
          "Secret/" + n + "/ghcr-pull",
          cluster
              .admin()
              .secrets()
              .inNamespace(n)
              .withName("ghcr-pull")
              .get()
              .getMetadata()
              .getResourceVersion());
    }
    versions.put(
        "Secret/doppler-token",
        cluster
            .admin()
            .secrets()
            .inNamespace(ns)
            .withName("doppler-token")
            .get()
            .getMetadata()
            .getResourceVersion());
    return versions;
  }

  @Test
  void theOldSetupsFilesUndidDeploysAndAreTakenOverWithoutRollingBack() throws Exception {
    // The auto-deploy manifests as the setup-node.sh of 86dba76 wrote them (k3s/manifests/ of
    // then).
    Files.writeString(
        manifests.resolve("tt-operator.yaml"),
        """
        apiVersion: helm.cattle.io/v1
        kind: HelmChart
        metadata:
          name: tt-operator
          namespace: kube-system
        spec:
          chart: "oci://ghcr.io/tt-org/charts/tt-operator"
          version: "1.4.0"
          targetNamespace: "%s"
          createNamespace: true
          failurePolicy: abort
        """
            .formatted(operatorNs));
    Files.writeString(
        manifests.resolve("ttstack.yaml"),
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: "%s"
          labels:
            app.kubernetes.io/part-of: ttstack
        ---
        """
                .formatted(ns)
            + Files.readString(ttstackFile));
    String fileVersion = exampleVersion();

    // The old behaviour, on the real API server: k3s applies the files at bring-up, a deploy
    // patches both versions, and the next k3s start puts both back to the files' versions.
    assertThat(k3sStarts()).containsExactly("tt-operator.yaml", "ttstack.yaml");
    deploy("1.5.0", "v1.5.0");
    k3sStarts();
    assertVersions("1.4.0", fileVersion);

    // A node set up that way, deployed again, then the new setup: its objects are kept as they are
    // live and the files removed.
    deploy("1.5.0", "v1.5.0");
    Scripts.Result takeOver = setup("1.4.0");
    assertThat(takeOver.exit()).as(takeOver.output()).isZero();
    assertThat(takeOver.lines())
        .contains(
            "REMOVED "
                + manifests.resolve("tt-operator.yaml")
                + " (k3s re-applied it at every start)",
            "KEPT the objects of " + manifests.resolve("ttstack.yaml") + " (live)");
    assertVersions("1.5.0", "v1.5.0");

    assertThat(k3sStarts()).isEmpty();
    assertVersions("1.5.0", "v1.5.0");
    assertThat(setup("1.4.0").exit()).isZero();
    assertVersions("1.5.0", "v1.5.0");

    // And the next deploy goes through: server-side apply left the deploy's fields to the deploy.
    deploy("1.6.0", "v1.6.0");
    assertThat(setup("1.4.0").exit()).isZero();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertVersions("1.6.0", "v1.6.0"));
  }
}
