package dev.ttstack.operator.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ttstack.operator.api.SpecValidator;
import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k3s/setup-node.sh in its dry-run mode against a scratch root: the files it writes (and their
 * content), the commands it plans, and that a second run changes nothing. Stubs on PATH stand for the
 * state of the node (k3s installed or not, at which version; data volume formatted, mounted).
 */
class K3sNodeSetupTest {
  static final Path SCRIPT = Scripts.REPO.resolve("k3s/setup-node.sh");
  static final String MANIFESTS = "var/lib/rancher/k3s/server/manifests";
  static final YAMLMapper YAML = new YAMLMapper();
  /** The JSON fields of helm.cattle.io/v1 HelmChartSpec in k3s-io/helm-controller (pkg/apis/helm.cattle.io/v1/types.go). */
  static final Set<String> HELMCHART_SPEC_FIELDS = Set.of("targetNamespace", "createNamespace", "chart", "version",
      "repo", "repoCA", "repoCAConfigMap", "set", "valuesContent", "helmVersion", "bootstrap", "chartContent",
      "jobImage", "backOffLimit", "timeout", "failurePolicy", "authSecret", "authPassCredentials",
      "dockerRegistrySecret");

  @TempDir
  Path tmp;
  Path root;
  Path tools;
  Path stubs;

  @BeforeEach
  void node() throws IOException {
    root = tmp.resolve("root");
    tools = Scripts.toolbox(tmp.resolve("tools"), "bash", "sed", "tr", "grep", "awk", "cmp", "stat", "chmod",
        "mkdir", "mktemp", "mv", "dirname", "basename", "cat", "env");
    stubs = Files.createDirectories(tmp.resolve("stubs"));
    osRelease("ubuntu");
  }

  void osRelease(String id) throws IOException {
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/os-release"), "NAME=\"whatever\"\nID=" + id + "\nVERSION_ID=\"1\"\n");
  }

  Scripts.Result setup(String... extra) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(tools.resolve("bash").toString(), SCRIPT.toString(), "--dry-run",
        "--root", root.toString(), "--region", "eu-central-1"));
    cmd.addAll(List.of(extra));
    return Scripts.run(cmd, tmp, Scripts.path(stubs, tools), Map.of());
  }

  static String pinned(String name) throws IOException {
    Matcher m = Pattern.compile("(?m)^" + name + "=\"([^\"]+)\"$").matcher(Files.readString(SCRIPT));
    assertThat(m.find()).as("%s in setup-node.sh", name).isTrue();
    return m.group(1);
  }

  /** The node as a real one would be after a first run: k3s at the pinned version, volume formatted and mounted. */
  void convergedNode() throws IOException {
    Scripts.stub(stubs, "k3s", "[[ $1 == --version ]] && printf 'k3s version %s (0123abcd)\\ngo version go1.24\\n' '"
        + pinned("K3S_VERSION") + "'");
    Scripts.stub(stubs, "aws", "echo 'aws must not be called on a dry run' >&2; exit 99");
    Scripts.stub(stubs, "blkid", "case \"$*\" in *TYPE*) echo ext4 ;; *UUID*) echo 0f2c4a52-7a1e-4c7e-9d7b-3a1b2c3d4e5f ;; esac");
    Scripts.stub(stubs, "mountpoint", "exit 0");
  }

  /** path -> sha256, size, mode and mtime of every file and directory under the root. */
  private void backdateAll(java.time.Duration by) throws Exception {
    var past = java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(by));
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        Files.setLastModifiedTime(p, past);
      }
    }
  }

  Map<String, String> snapshot() throws Exception {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        String what = Files.isDirectory(p) ? "dir"
            : dev.ttstack.operator.support.Hashes.sha256(new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1))
                + " " + Files.size(p);
        files.put(root.relativize(p).toString(), what + " " + mode + " " + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return files;
  }

  @Test
  void freshUbuntuNodeGetsConfigManifestsAndAPlan() throws Exception {
    Scripts.Result r = setup("--operator-version", "1.4.0", "--data-device", "/dev/nvme1n1");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.lines()).contains("WROTE /etc/rancher/k3s/config.yaml", "WROTE /etc/fstab",
        "WROTE /" + MANIFESTS + "/tt-operator.yaml", "WROTE /" + MANIFESTS + "/ttstack.yaml", "done: 6 file(s) written");

    String config = Files.readString(root.resolve("etc/rancher/k3s/config.yaml"));
    JsonNode c = YAML.readTree(config);
    assertThat(c.get("default-local-storage-path").asText()).isEqualTo("/data/local-path");
    assertThat(c.get("write-kubeconfig-mode").asText()).isEqualTo("0600");
    assertThat(c.get("secrets-encryption").asBoolean()).isTrue();
    assertThat(c.has("disable")).as("Traefik (and every other k3s add-on) is kept").isFalse();
    assertThat(config).doesNotContain("${");
    assertThat(Files.readString(root.resolve("etc/fstab"))).isEqualTo("LABEL=ttdata /data ext4 defaults,nofail 0 2\n");
    assertThat(root.resolve("data/local-path")).isDirectory();
    for (String f : List.of("etc/rancher/k3s/config.yaml", MANIFESTS + "/tt-operator.yaml", MANIFESTS + "/ttstack.yaml")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(f)))).as(f).isEqualTo("rw-------");
    }

    String version = pinned("K3S_VERSION");
    String installer = "https://raw.githubusercontent.com/k3s-io/k3s/" + version.replace("+", "%2B") + "/install.sh";
    assertThat(r.plan()).containsExactly(
        "snap install aws-cli --classic",
        "mkfs.ext4 -q -L ttdata /dev/nvme1n1",
        "mount /data",
        "curl -sfL -o <installer> " + installer,
        "verify sha256 " + pinned("K3S_INSTALLER_SHA256") + " <installer>",
        "env INSTALL_K3S_VERSION=" + version + " sh <installer> server",
        "kubectl get --raw=/readyz   # retried for up to 300 s: the API server to answer",
        "kubectl wait --for=condition=Ready node --all --timeout=10s   # retried for up to 300 s: the node to be Ready",
        "kubectl create namespace tt --dry-run=client -o yaml | kubectl apply --server-side --field-manager=ttstack-node-setup -f -",
        "aws ssm get-parameter --region eu-central-1 --name /tt/prd/doppler-service-token --with-decryption"
            + " --query Parameter.Value --output text"
            + " | kubectl -n tt create secret generic doppler-token --from-file=serviceToken=/dev/stdin --dry-run=client -o yaml"
            + " | kubectl apply --server-side --field-manager=ttstack-node-setup -f -",
        "kubectl wait --for=condition=Established crd/ttstacks.ttstack.dev --timeout=10s"
            + "   # retried for up to 600 s: the CRD ttstacks.ttstack.dev (installed by the chart) to be Established");
  }

  @Test
  void theOperatorHelmChartHasOnlyFieldsK3sHelmControllerKnows() throws Exception {
    assertThat(setup("--operator-version", "1.4.0").exit()).isZero();

    JsonNode chart = YAML.readTree(root.resolve(MANIFESTS + "/tt-operator.yaml").toFile());
    assertThat(chart.get("apiVersion").asText()).isEqualTo("helm.cattle.io/v1");
    assertThat(chart.get("kind").asText()).isEqualTo("HelmChart");
    assertThat(chart.get("metadata").get("name").asText()).isEqualTo("tt-operator");
    assertThat(chart.get("metadata").get("namespace").asText()).as("k3s's Helm controller watches kube-system").isEqualTo("kube-system");
    JsonNode spec = chart.get("spec");
    List<String> fields = new ArrayList<>();
    spec.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).isSubsetOf(HELMCHART_SPEC_FIELDS);
    assertThat(spec.get("chart").isTextual()).isTrue();
    assertThat(spec.get("chart").asText()).isEqualTo("oci://ghcr.io/tt-org/charts/tt-operator");
    assertThat(spec.has("repo")).as("an oci:// chart is referenced by spec.chart alone, with no repo").isFalse();
    assertThat(spec.get("version").isTextual()).isTrue();
    assertThat(spec.get("version").asText()).isEqualTo("1.4.0");
    assertThat(spec.get("targetNamespace").asText()).isEqualTo("ttstack-system");
    assertThat(spec.get("createNamespace").isBoolean()).isTrue();
    assertThat(spec.get("failurePolicy").asText()).isIn("abort", "reinstall");
  }

  @Test
  void theTtstackManifestIsTheNamespaceAndTheExampleUnchanged() throws Exception {
    assertThat(setup("--operator-version", "1.4.0").exit()).isZero();

    String written = Files.readString(root.resolve(MANIFESTS + "/ttstack.yaml"));
    String example = Files.readString(Scripts.REPO.resolve("examples/ttstack.yaml"));
    assertThat(written).endsWith("---\n" + example);
    List<JsonNode> docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(written).readAll();
    assertThat(docs).hasSize(2);
    assertThat(docs.get(0).get("kind").asText()).isEqualTo("Namespace");
    assertThat(docs.get(0).get("metadata").get("name").asText()).isEqualTo("tt");
    TTStack stack = Serialization.unmarshal(written.substring(written.indexOf("---\n") + 4), TTStack.class);
    assertThat(stack.getMetadata().getNamespace()).isEqualTo("tt");
    assertThat(SpecValidator.validate(stack)).as("the operator accepts the TTStack the node deploys").isEmpty();
    assertThat(stack.getSpec().secrets.doppler.tokenSecretRef.name).as("the Secret setup-node.sh fills").isEqualTo("doppler-token");
    assertThat(stack.getSpec().secrets.doppler.tokenSecretRef.key).isEqualTo("serviceToken");
  }

  @Test
  void aSecondRunChangesNothing() throws Exception {
    Scripts.Result first = setup("--operator-version", "1.4.0", "--data-device", "/dev/nvme1n1");
    assertThat(first.exit()).as(first.output()).isZero();
    // Every file dated an hour back: a rewrite, even of the same bytes, would show as a new mtime.
    backdateAll(java.time.Duration.ofHours(1));
    Map<String, String> before = snapshot();

    Scripts.Result second = setup("--operator-version", "1.4.0", "--data-device", "/dev/nvme1n1");

    assertThat(second.exit()).as(second.output()).isZero();
    assertThat(snapshot()).isEqualTo(before);
    assertThat(second.lines()).contains("UNCHANGED /etc/rancher/k3s/config.yaml", "UNCHANGED /etc/fstab (/data already listed)",
        "UNCHANGED /" + MANIFESTS + "/tt-operator.yaml", "done: 0 file(s) written");
    assertThat(second.lines()).anyMatch(l -> l.startsWith("KEPT /" + MANIFESTS + "/ttstack.yaml"));
    assertThat(second.lines()).noneMatch(l -> l.startsWith("WROTE"));
  }

  @Test
  void onAConvergedNodeOnlyIdempotentCommandsArePlanned() throws Exception {
    convergedNode();
    assertThat(setup("--operator-version", "1.4.0", "--data-device", "/dev/nvme1n1").exit()).isZero();

    Scripts.Result again = setup("--operator-version", "1.4.0", "--data-device", "/dev/nvme1n1");

    assertThat(again.exit()).as(again.output()).isZero();
    assertThat(again.lines()).contains("aws cli: present", "k3s " + pinned("K3S_VERSION") + ": installed",
        "/dev/nvme1n1: ext4 filesystem already there (kept)", "/data: mounted", "done: 0 file(s) written");
    // Left: waits, and server-side applies that change nothing when the object is as wanted.
    assertThat(again.plan()).hasSize(5).allSatisfy(cmd ->
        assertThat(cmd).matches("kubectl (get --raw=/readyz|wait) .*# retried .*|.*\\| kubectl apply --server-side .* -f -"));
    assertThat(again.output()).doesNotContain("mkfs", "mount /data", "install.sh", "snap install", "systemctl");
  }

  @Test
  void anExistingFilesystemIsMountedByUuidAndNeverFormatted() throws Exception {
    convergedNode();
    Scripts.stub(stubs, "mountpoint", "exit 1");

    Scripts.Result r = setup("--operator-version", "1.4.0", "--data-device", "/dev/nvme1n1");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.plan()).contains("mount /data").noneMatch(c -> c.startsWith("mkfs"));
    assertThat(Files.readString(root.resolve("etc/fstab")))
        .isEqualTo("UUID=0f2c4a52-7a1e-4c7e-9d7b-3a1b2c3d4e5f /data ext4 defaults,nofail 0 2\n");
  }

  @Test
  void anOlderK3sIsUpgradedAndAConfigChangeRestartsK3s() throws Exception {
    convergedNode();
    Scripts.stub(stubs, "k3s", "[[ $1 == --version ]] && echo 'k3s version v1.30.0+k3s1 (abc)'");
    Scripts.Result upgrade = setup("--operator-version", "1.4.0");
    assertThat(upgrade.exit()).isZero();
    assertThat(upgrade.lines()).contains("k3s v1.30.0+k3s1 installed: upgrading to " + pinned("K3S_VERSION"));
    assertThat(upgrade.plan()).anyMatch(c -> c.startsWith("curl -sfL -o <installer> "));

    convergedNode();
    Scripts.Result changed = setup("--operator-version", "1.4.0", "--data-dir", "/srv/tt");
    assertThat(changed.exit()).isZero();
    assertThat(changed.lines()).contains("WROTE /etc/rancher/k3s/config.yaml");
    assertThat(changed.plan()).contains("systemctl restart k3s").noneMatch(c -> c.contains("install.sh"));
    assertThat(Files.readString(root.resolve("etc/rancher/k3s/config.yaml")))
        .contains("default-local-storage-path: \"/srv/tt/local-path\"");
  }

  @Test
  void anotherOperatorVersionRewritesTheHelmChartButNeverTheTtstack() throws Exception {
    assertThat(setup("--operator-version", "1.4.0").exit()).isZero();
    Path ttstack = root.resolve(MANIFESTS + "/ttstack.yaml");
    Files.writeString(ttstack, Files.readString(ttstack).replace("version: \"1.4.2\"", "version: \"1.5.0\""));
    String edited = Files.readString(ttstack);

    Scripts.Result r = setup("--operator-version", "1.5.0");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.lines()).contains("WROTE /" + MANIFESTS + "/tt-operator.yaml");
    assertThat(YAML.readTree(root.resolve(MANIFESTS + "/tt-operator.yaml").toFile()).get("spec").get("version").asText())
        .isEqualTo("1.5.0");
    assertThat(Files.readString(ttstack)).as("after bring-up the live TTStack is the source of truth").isEqualTo(edited);
  }

  @Test
  void amazonLinuxGetsItsPackagesAndSkipsTheSelinuxRpm() throws Exception {
    osRelease("amzn");

    Scripts.Result r = setup("--operator-version", "1.4.0");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.plan()).contains("dnf install -y awscli-2")
        .anyMatch(c -> c.startsWith("env INSTALL_K3S_VERSION=") && c.contains("INSTALL_K3S_SKIP_SELINUX_RPM=true"));
  }

  @Test
  void refusesWhatItCannotDoAndWritesNothing() throws Exception {
    osRelease("debian");
    Scripts.Result debian = setup("--operator-version", "1.4.0");
    assertThat(debian.exit()).isEqualTo(1);
    assertThat(debian.output()).contains("unsupported operating system 'debian'");

    osRelease("ubuntu");
    assertThat(setup().output()).contains("--operator-version is required");
    assertThat(setup("--operator-version", "latest").output()).contains("must be a semantic version");
    assertThat(setup("--operator-version", "1.4.0", "--data-device", "/dev/sdb; rm -rf /").exit()).isEqualTo(1);
    assertThat(setup("--operator-version", "1.4.0", "--ttstack", tmp.resolve("none.yaml").toString()).output())
        .contains("no TTStack file");

    Scripts.Result notDry = Scripts.run(List.of(tools.resolve("bash").toString(), SCRIPT.toString(), "--root",
        root.toString(), "--operator-version", "1.4.0"), tmp, Scripts.path(stubs, tools), Map.of());
    assertThat(notDry.exit()).isEqualTo(1);
    assertThat(notDry.output()).contains("--root is only for --dry-run");

    try (Stream<Path> files = Files.walk(root)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString())).containsExactly("etc/os-release");
    }
  }

  @Test
  void theE2eWorkflowInstallsTheSameK3sAsTheNode() throws Exception {
    assertThat(pinned("K3S_VERSION")).matches("v\\d+\\.\\d+\\.\\d+\\+k3s\\d+");
    assertThat(pinned("K3S_INSTALLER_SHA256")).matches("[0-9a-f]{64}");
    String e2e = Files.readString(Scripts.REPO.resolve(".github/workflows/e2e.yml"));
    assertThat(e2e).contains("sed -n 's/^K3S_VERSION=\"\\(.*\\)\"$/\\1/p' k3s/setup-node.sh",
        "sed -n 's/^K3S_INSTALLER_SHA256=\"\\(.*\\)\"$/\\1/p' k3s/setup-node.sh");
  }
}
