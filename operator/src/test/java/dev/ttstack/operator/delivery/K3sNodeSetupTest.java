package dev.ttstack.operator.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ttstack.operator.api.SpecValidator;
import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
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
 * content), the commands it plans, and that a second run changes nothing. Stubs on PATH stand for
 * the state of the node (k3s installed or not, at which version; data volume formatted, mounted),
 * fake /dev/disk/by-id links for its disks (as udev names them on a Nitro instance).
 * k3s/apply-stack.sh (the Kubernetes part, which setup-node.sh calls) also runs for real here,
 * against a fake kubectl and a fake aws that record their arguments and input; ApplyStackKubeIT
 * runs it against a real API server.
 */
class K3sNodeSetupTest {
  static final Path SCRIPT = Scripts.REPO.resolve("k3s/setup-node.sh");
  static final Path APPLY_STACK = Scripts.REPO.resolve("k3s/apply-stack.sh");
  static final String MANIFESTS = "var/lib/rancher/k3s/server/manifests";
  static final String DROPIN = "etc/systemd/system/k3s.service.d/10-ttstack-data-volume.conf";
  static final String VOLUME = "vol-0123456789abcdef0";
  static final String EBS_LINK =
      "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0";
  static final String SSA = "kubectl apply --server-side --field-manager=ttstack-node-setup -f -";
  static final String SSA_FORCE =
      "kubectl apply --server-side --field-manager=ttstack-node-setup --force-conflicts -f -";
  static final YAMLMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The JSON fields of helm.cattle.io/v1 HelmChartSpec in k3s-io/helm-controller
   * (pkg/apis/helm.cattle.io/v1/types.go).
   */
  static final Set<String> HELMCHART_SPEC_FIELDS =
      Set.of(
          "targetNamespace",
          "createNamespace",
          "chart",
          "version",
          "repo",
          "repoCA",
          "repoCAConfigMap",
          "set",
          "valuesContent",
          "helmVersion",
          "bootstrap",
          "chartContent",
          "jobImage",
          "backOffLimit",
          "timeout",
          "failurePolicy",
          "authSecret",
          "authPassCredentials",
          "dockerRegistrySecret");

  /** Recognisable secrets returned by the fake aws. */
  static final String DOPPLER_TOKEN = "dp.st.prd.SECRETdoppler0123456789";

  static final String GHCR_USER = "tt-bot";
  static final String GHCR_TOKEN = "ghp_SECRETghcr0123456789abcdefABCDEF";

  @TempDir Path tmp;
  Path root;
  Path tools;
  Path stubs;

  @BeforeEach
  void node() throws IOException {
    root = tmp.resolve("root");
    tools =
        Scripts.toolbox(
            tmp.resolve("tools"),
            "bash",
            "sed",
            "tr",
            "grep",
            "awk",
            "cmp",
            "stat",
            "chmod",
            "mkdir",
            "mktemp",
            "mv",
            "dirname",
            "basename",
            "cat",
            "env",
            "readlink",
            "rm",
            "base64",
            "sleep");
    stubs = Files.createDirectories(tmp.resolve("stubs"));
    osRelease("ubuntu");
  }

  void osRelease(String id) throws IOException {
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(
        root.resolve("etc/os-release"), "NAME=\"whatever\"\nID=" + id + "\nVERSION_ID=\"1\"\n");
  }

  /** A disk /dev/DEVICE with these /dev/disk/by-id names, as udev makes them (relative links). */
  void disk(String device, String... byIdNames) throws IOException {
    Files.createDirectories(root.resolve("dev/disk/by-id"));
    if (!Files.exists(root.resolve("dev/" + device))) {
      Files.writeString(root.resolve("dev/" + device), "");
    }
    for (String name : byIdNames) {
      Files.createSymbolicLink(root.resolve("dev/disk/by-id/" + name), Path.of("../../" + device));
    }
  }

  /**
   * The data volume VOLUME attached as /dev/nvme1n1, the root volume as nvme0n1, an instance store
   * as nvme2n1.
   */
  void nitroDisks() throws IOException {
    disk(
        "nvme0n1",
        "nvme-Amazon_Elastic_Block_Store_vol0aaaaaaaaaaaaaaaa",
        "nvme-nvme.1d0f-766f6c3061616161");
    disk(
        "nvme1n1",
        "nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0",
        "nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0_1",
        "nvme-nvme.1d0f-766f6c3031323334");
    disk("nvme2n1", "nvme-Amazon_EC2_NVMe_Instance_Storage_AWS1234567890ABCDEF");
  }

  Scripts.Result setup(String... extra) throws Exception {
    return setupWith(SCRIPT, extra);
  }

  Scripts.Result setupWith(Path script, String... extra) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                tools.resolve("bash").toString(),
                script.toString(),
                "--dry-run",
                "--root",
                root.toString(),
                "--region",
                "eu-central-1"));
    cmd.addAll(List.of(extra));
    return Scripts.run(cmd, tmp, Scripts.path(stubs, tools), Map.of());
  }

  static String pinned(String name) throws IOException {
    Matcher m =
        Pattern.compile("(?m)^" + name + "=\"([^\"]+)\"$").matcher(Files.readString(SCRIPT));
    assertThat(m.find()).as("%s in setup-node.sh", name).isTrue();
    return m.group(1);
  }

  /**
   * The node as a real one would be after a first run: k3s at the pinned version, volume formatted
   * and mounted.
   */
  void convergedNode() throws IOException {
    Scripts.stub(
        stubs,
        "k3s",
        "[[ $1 == --version ]] && printf 'k3s version %s (0123abcd)\\ngo version go1.24\\n' '"
            + pinned("K3S_VERSION")
            + "'");
    Scripts.stub(stubs, "aws", "echo 'aws must not be called on a dry run' >&2; exit 99");
    Scripts.stub(
        stubs,
        "blkid",
        "case \"$*\" in *' TYPE '*) echo ext4 ;; *' UUID '*) echo 0f2c4a52-7a1e-4c7e-9d7b-3a1b2c3d4e5f ;; esac");
    Scripts.stub(stubs, "mountpoint", "exit 0");
  }

  private void backdateAll(java.time.Duration by) throws Exception {
    var past = java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(by));
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(p -> !Files.isSymbolicLink(p)).toList()) {
        Files.setLastModifiedTime(p, past);
      }
    }
  }

  /** path -> sha256, size, mode and mtime of every file and directory under the root. */
  Map<String, String> snapshot() throws Exception {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(p -> !Files.isSymbolicLink(p)).toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        String what =
            Files.isDirectory(p)
                ? "dir"
                : dev.ttstack.operator.support.Hashes.sha256(
                        new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1))
                    + " "
                    + Files.size(p);
        files.put(
            root.relativize(p).toString(),
            what + " " + mode + " " + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return files;
  }

  static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  // ---------------------------------------------------------------------------------------------
  // setup-node.sh, dry run

  @Test
  void freshUbuntuNodeGetsConfigDropInAndAPlanThatWritesNothingIntoTheAutoDeployFolder()
      throws Exception {
    nitroDisks();
    Scripts.stub(stubs, "mountpoint", "exit 1");
    Scripts.Result r = setup("--operator-version", "1.4.0", "--data-volume", VOLUME);

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.lines())
        .contains(
            "data volume: " + VOLUME + " (" + EBS_LINK + " -> /dev/nvme1n1)",
            "WROTE /etc/rancher/k3s/config.yaml",
            "WROTE /etc/fstab",
            "WROTE /" + DROPIN,
            "WROTE /usr/local/sbin/ttstack-deploy",
            "WROTE /etc/ttstack/deploy.env",
            "done: 7 file(s) written");
    assertThat(root.resolve(MANIFESTS))
        .as("nothing k3s would re-apply at every start")
        .doesNotExist();

    String config = Files.readString(root.resolve("etc/rancher/k3s/config.yaml"));
    JsonNode c = YAML.readTree(config);
    assertThat(c.get("default-local-storage-path").asText()).isEqualTo("/data/local-path");
    assertThat(c.get("write-kubeconfig-mode").asText()).isEqualTo("0600");
    assertThat(c.get("secrets-encryption").asBoolean()).isTrue();
    assertThat(c.has("disable")).as("Traefik (and every other k3s add-on) is kept").isFalse();
    assertThat(config).doesNotContain("${");
    assertThat(mode(root.resolve("etc/rancher/k3s/config.yaml"))).isEqualTo("rw-------");
    assertThat(root.resolve("data/local-path")).isDirectory();

    // fstab by UUID: the UUID mkfs is told to use.
    Matcher fstab =
        Pattern.compile("UUID=([0-9a-f-]{36}) /data ext4 defaults,nofail 0 2\n")
            .matcher(Files.readString(root.resolve("etc/fstab")));
    assertThat(fstab.matches()).as(Files.readString(root.resolve("etc/fstab"))).isTrue();
    String uuid = fstab.group(1);

    String version = pinned("K3S_VERSION");
    String installer =
        "https://raw.githubusercontent.com/k3s-io/k3s/"
            + version.replace("+", "%2B")
            + "/install.sh";
    String tt = Scripts.REPO.resolve("examples/ttstack.yaml").toString();
    assertThat(r.plan())
        .containsExactly(
            "snap install aws-cli --classic",
            "mkfs.ext4 -q -L ttdata -U " + uuid + " " + EBS_LINK,
            "mount /data",
            "systemctl daemon-reload",
            "curl -sfL -o <installer> " + installer,
            "verify sha256 " + pinned("K3S_INSTALLER_SHA256") + " <installer>",
            "env INSTALL_K3S_VERSION=" + version + " sh <installer> server",
            "kubectl get --raw=/readyz   # retried for up to 300 s: the API server to answer",
            "kubectl wait --for=condition=Ready node --all --timeout=10s   # retried for up to 300 s: the node to be Ready",
            "<namespace ttstack-system> | " + SSA,
            "<namespace tt> | " + SSA,
            "aws ssm get-parameter --region eu-central-1 --name /tt/prd/doppler-service-token --with-decryption"
                + " --query Parameter.Value --output text | <Secret tt/doppler-token key serviceToken> | "
                + SSA_FORCE,
            "aws ssm get-parameter --region eu-central-1 --name /tt/prd/ghcr-pull --with-decryption"
                + " --query Parameter.Value --output text | <kubernetes.io/dockerconfigjson for ghcr.io>",
            "<Secret kube-system/ghcr-pull> | " + SSA_FORCE,
            "<Secret ttstack-system/ghcr-pull> | " + SSA_FORCE,
            "<Secret tt/ghcr-pull> | " + SSA_FORCE,
            "kubectl -n kube-system get helmcharts.helm.cattle.io tt-operator --ignore-not-found -o jsonpath=\\{.spec.version\\}"
                + "   # a live version is kept; else 1.4.0",
            "<HelmChart version 1.4.0> | " + SSA,
            "kubectl wait --for=condition=Established crd/ttstacks.ttstack.dev --timeout=10s"
                + "   # retried for up to 600 s: the CRD ttstacks.ttstack.dev (installed by the chart) to be Established",
            "kubectl -n tt get ttstacks.ttstack.dev tt --ignore-not-found -o name",
            "kubectl create -f " + tt + "   # only when the get found none");
    // The drop-in is in place before the installer starts k3s.
    assertThat(r.lines().indexOf("WROTE /" + DROPIN))
        .isLessThan(
            r.lines()
                .indexOf("PLAN: env INSTALL_K3S_VERSION=" + version + " sh <installer> server"));
  }

  @Test
  void theK3sDropInRequiresTheDataMount() throws Exception {
    nitroDisks();
    assertThat(
            setup("--operator-version", "1.4.0", "--data-volume", VOLUME, "--data-dir", "/srv/tt")
                .exit())
        .isZero();

    Path dropIn = root.resolve(DROPIN);
    assertThat(mode(dropIn)).isEqualTo("rw-r--r--");
    List<String> directives =
        Files.readAllLines(dropIn).stream()
            .filter(l -> !l.isBlank() && !l.startsWith("#"))
            .toList();
    assertThat(directives).containsExactly("[Unit]", "RequiresMountsFor=/srv/tt");
    assertThat(Files.readString(root.resolve("etc/fstab"))).contains(" /srv/tt ext4 ");

    // systemd itself reads the unit with its drop-in (the unit as k3s's installer writes it,
    // trimmed).
    Path systemdAnalyze = Path.of("/usr/bin/systemd-analyze");
    if (Files.isExecutable(systemdAnalyze)) {
      Path units = Files.createDirectories(tmp.resolve("units"));
      Files.writeString(
          units.resolve("k3s.service"),
          "[Unit]\nDescription=Lightweight Kubernetes\n"
              + "Wants=network-online.target\nAfter=network-online.target\n\n[Service]\nType=notify\n"
              + "ExecStart=/bin/true server\n\n[Install]\nWantedBy=multi-user.target\n");
      Files.createDirectories(units.resolve("k3s.service.d"));
      Files.copy(dropIn, units.resolve("k3s.service.d/10-ttstack-data-volume.conf"));
      Scripts.Result verify =
          Scripts.run(
              List.of(
                  systemdAnalyze.toString(),
                  "verify",
                  "--man=no",
                  units.resolve("k3s.service").toString()),
              tmp,
              "/usr/bin:/bin",
              Map.of("SYSTEMD_UNIT_PATH", units + ":"));
      assertThat(verify.output())
          .as("systemd-analyze verify")
          .doesNotContain("k3s-data-volume", "Unknown key", "RequiresMountsFor");
      assertThat(verify.exit()).as(verify.output()).isZero();
    }
  }

  @Test
  void aDataDeviceIsKeptOnlyWhenItIsAnEbsVolumeAndThenNamedByItsVolumeId() throws Exception {
    nitroDisks();
    Scripts.Result ebs = setup("--operator-version", "1.4.0", "--data-device", "/dev/nvme1n1");
    assertThat(ebs.exit()).as(ebs.output()).isZero();
    assertThat(ebs.lines())
        .contains("data volume: " + VOLUME + " (" + EBS_LINK + " -> /dev/nvme1n1)");
    assertThat(ebs.plan())
        .anyMatch(
            c -> c.matches("mkfs\\.ext4 -q -L ttdata -U [0-9a-f-]{36} " + Pattern.quote(EBS_LINK)));
    assertThat(Files.readString(root.resolve(DROPIN))).contains(VOLUME);
  }

  @Test
  void anInstanceStoreDiskOrADiskThatIsNoEbsVolumeIsRefusedAndNeverFormatted() throws Exception {
    nitroDisks();
    disk("xvdf");

    Scripts.Result store = setup("--operator-version", "1.4.0", "--data-device", "/dev/nvme2n1");
    assertThat(store.exit()).isEqualTo(1);
    assertThat(store.output())
        .contains("refusing /dev/nvme2n1: it is an instance-store disk", "nothing was formatted");

    Scripts.Result byLink =
        setup(
            "--operator-version",
            "1.4.0",
            "--data-device",
            "/dev/disk/by-id/nvme-Amazon_EC2_NVMe_Instance_Storage_AWS1234567890ABCDEF");
    assertThat(byLink.exit()).isEqualTo(1);
    assertThat(byLink.output()).contains("instance-store disk");

    Scripts.Result notEbs = setup("--operator-version", "1.4.0", "--data-device", "/dev/xvdf");
    assertThat(notEbs.exit()).isEqualTo(1);
    assertThat(notEbs.output()).contains("refusing /dev/xvdf: udev names it as no EBS volume");

    Scripts.Result detached =
        setup("--operator-version", "1.4.0", "--data-volume", "vol-0fffffffffffffff0");
    assertThat(detached.exit()).isEqualTo(1);
    assertThat(detached.output())
        .contains("vol-0fffffffffffffff0 is not attached to this instance");

    assertThat(setup("--operator-version", "1.4.0", "--data-volume", "nvme1n1").output())
        .contains("--data-volume must be an EBS volume id");

    // The root volume is an EBS volume too: its partition table keeps it from being formatted.
    Scripts.stub(stubs, "blkid", "case \"$*\" in *' PTTYPE '*) echo gpt ;; esac");
    Scripts.Result rootDisk =
        setup("--operator-version", "1.4.0", "--data-volume", "vol-0aaaaaaaaaaaaaaaa");
    assertThat(rootDisk.exit()).isEqualTo(1);
    assertThat(rootDisk.output()).contains("holds a partition table; nothing was formatted");

    for (Scripts.Result r : List.of(store, byLink, notEbs, detached, rootDisk)) {
      assertThat(r.plan()).noneMatch(c -> c.startsWith("mkfs"));
    }
    assertThat(root.resolve("etc/fstab")).doesNotExist();
    assertThat(root.resolve(DROPIN)).doesNotExist();
  }

  @Test
  void theNodeSideDeployIsInstalledWithItsDefaults() throws Exception {
    Path bundle = bundle(true);
    Scripts.Result r =
        setupWith(bundle.resolve("k3s/setup-node.sh"), "--operator-version", "1.4.0");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.lines())
        .contains("WROTE /usr/local/sbin/ttstack-deploy", "WROTE /etc/ttstack/deploy.env");
    Path tool = root.resolve("usr/local/sbin/ttstack-deploy");
    assertThat(tool).hasContent("#!/usr/bin/env bash\necho deploy");
    assertThat(mode(tool)).isEqualTo("rwxr-xr-x");
    Path env = root.resolve("etc/ttstack/deploy.env");
    assertThat(mode(env)).isEqualTo("rw-r--r--");
    assertThat(Files.readAllLines(env).stream().filter(l -> !l.startsWith("#")))
        .containsExactly(
            "TTSTACK_NAMESPACE=tt",
            "TTSTACK_NAME=tt",
            "OPERATOR_NAMESPACE=ttstack-system",
            "HELMCHART_NAMESPACE=kube-system",
            "HELMCHART_NAME=tt-operator");

    // A bundle without it is refused before anything is written: that node could never be deployed
    // to.
    Path incomplete = bundle(false);
    Path otherRoot = Files.createTempDirectory(tmp, "root");
    Files.createDirectories(otherRoot.resolve("etc"));
    Files.copy(root.resolve("etc/os-release"), otherRoot.resolve("etc/os-release"));
    root = otherRoot;
    Scripts.Result without =
        setupWith(incomplete.resolve("k3s/setup-node.sh"), "--operator-version", "1.4.0");
    assertThat(without.exit()).as(without.output()).isNotZero();
    assertThat(without.output())
        .contains("no ttstack-deploy.sh next to setup-node.sh", "the node bundle is incomplete");
    try (Stream<Path> written = Files.walk(otherRoot)) {
      assertThat(
              written.filter(Files::isRegularFile).map(otherRoot::relativize).map(Path::toString))
          .as("nothing written")
          .containsExactly("etc/os-release");
    }
  }

  /**
   * A copy of the node bundle (k3s/ and examples/), with a stand-in ttstack-deploy.sh or without
   * one.
   */
  Path bundle(boolean withDeploy) throws IOException {
    Path b = Files.createTempDirectory(tmp, "bundle");
    for (String dir : List.of("k3s/manifests", "k3s/systemd", "examples")) {
      Files.createDirectories(b.resolve(dir));
      try (Stream<Path> files = Files.list(Scripts.REPO.resolve(dir))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Files.copy(f, b.resolve(dir).resolve(f.getFileName()));
        }
      }
    }
    for (String f : List.of("setup-node.sh", "apply-stack.sh", "lib.sh", "config.yaml")) {
      Files.copy(Scripts.REPO.resolve("k3s/" + f), b.resolve("k3s/" + f));
    }
    Files.deleteIfExists(b.resolve("k3s/ttstack-deploy.sh"));
    if (withDeploy) {
      Files.writeString(b.resolve("k3s/ttstack-deploy.sh"), "#!/usr/bin/env bash\necho deploy\n");
    }
    return b;
  }

  @Test
  void aSecondRunChangesNothing() throws Exception {
    nitroDisks();
    Scripts.Result first = setup("--operator-version", "1.4.0", "--data-volume", VOLUME);
    assertThat(first.exit()).as(first.output()).isZero();
    // Every file dated an hour back: a rewrite, even of the same bytes, would show as a new mtime.
    backdateAll(java.time.Duration.ofHours(1));
    Map<String, String> before = snapshot();

    Scripts.Result second = setup("--operator-version", "1.4.0", "--data-volume", VOLUME);

    assertThat(second.exit()).as(second.output()).isZero();
    assertThat(snapshot()).isEqualTo(before);
    assertThat(second.lines())
        .contains(
            "UNCHANGED /etc/rancher/k3s/config.yaml",
            "UNCHANGED /etc/fstab (/data already listed)",
            "UNCHANGED /" + DROPIN,
            "UNCHANGED /etc/ttstack/deploy.env",
            "done: 0 file(s) written");
    assertThat(second.lines()).noneMatch(l -> l.startsWith("WROTE"));
    assertThat(second.plan()).doesNotContain("systemctl daemon-reload");
    // The same UUID is planned for mkfs as the one fstab already names.
    String uuid = Files.readString(root.resolve("etc/fstab")).substring(5, 41);
    assertThat(second.plan()).contains("mkfs.ext4 -q -L ttdata -U " + uuid + " " + EBS_LINK);
  }

  @Test
  void onAConvergedNodeOnlyIdempotentCommandsArePlanned() throws Exception {
    nitroDisks();
    convergedNode();
    assertThat(setup("--operator-version", "1.4.0", "--data-volume", VOLUME).exit()).isZero();

    Scripts.Result again = setup("--operator-version", "1.4.0", "--data-volume", VOLUME);

    assertThat(again.exit()).as(again.output()).isZero();
    assertThat(again.lines())
        .contains(
            "aws cli: present",
            "k3s " + pinned("K3S_VERSION") + ": installed",
            EBS_LINK + ": ext4 filesystem already there (kept)",
            "/data: mounted",
            "done: 0 file(s) written");
    // Left: waits, reads, server-side applies that change nothing when the object is as wanted, and
    // the
    // create of a TTStack that is only run when there is none.
    assertThat(again.plan())
        .allSatisfy(
            cmd ->
                assertThat(cmd)
                    .matches(
                        "kubectl (get --raw=/readyz|wait) .*# retried .*|.*\\| kubectl apply --server-side .*-f -"
                            + "|aws ssm get-parameter .*|kubectl -n \\S+ get .*--ignore-not-found.*|kubectl create -f .*# only when the get found none"));
    assertThat(again.output())
        .doesNotContain("mkfs", "mount /data", "install.sh", "snap install", "systemctl");
  }

  @Test
  void anExistingFilesystemIsMountedByUuidAndNeverFormatted() throws Exception {
    nitroDisks();
    convergedNode();
    Scripts.stub(stubs, "mountpoint", "exit 1");
    // An older setup listed the volume by label: the entry becomes the UUID one.
    Files.writeString(
        root.resolve("etc/fstab"),
        "LABEL=cloudimg-rootfs / ext4 defaults 0 1\nLABEL=ttdata /data ext4 defaults,nofail 0 2\n");

    Scripts.Result r = setup("--operator-version", "1.4.0", "--data-volume", VOLUME);

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.plan())
        .contains("mount /data", "systemctl daemon-reload")
        .noneMatch(c -> c.startsWith("mkfs"));
    assertThat(Files.readString(root.resolve("etc/fstab")))
        .isEqualTo(
            "LABEL=cloudimg-rootfs / ext4 defaults 0 1\n"
                + "UUID=0f2c4a52-7a1e-4c7e-9d7b-3a1b2c3d4e5f /data ext4 defaults,nofail 0 2\n");
  }

  @Test
  void anOlderK3sIsUpgradedAndAConfigChangeRestartsK3s() throws Exception {
    convergedNode();
    Scripts.stub(stubs, "k3s", "[[ $1 == --version ]] && echo 'k3s version v1.30.0+k3s1 (abc)'");
    Scripts.Result upgrade = setup("--operator-version", "1.4.0");
    assertThat(upgrade.exit()).isZero();
    assertThat(upgrade.lines())
        .contains("k3s v1.30.0+k3s1 installed: upgrading to " + pinned("K3S_VERSION"));
    assertThat(upgrade.plan()).anyMatch(c -> c.startsWith("curl -sfL -o <installer> "));

    convergedNode();
    Scripts.Result changed = setup("--operator-version", "1.4.0", "--data-dir", "/srv/tt");
    assertThat(changed.exit()).isZero();
    assertThat(changed.lines()).contains("WROTE /etc/rancher/k3s/config.yaml");
    assertThat(changed.plan())
        .contains("systemctl restart k3s")
        .noneMatch(c -> c.contains("install.sh"));
    assertThat(Files.readString(root.resolve("etc/rancher/k3s/config.yaml")))
        .contains("default-local-storage-path: \"/srv/tt/local-path\"");
  }

  @Test
  void oldAutoDeployManifestsAreAppliedThenRemovedAndADryRunKeepsThem() throws Exception {
    Path manifests = Files.createDirectories(root.resolve(MANIFESTS));
    Files.writeString(manifests.resolve("tt-operator.yaml"), "kind: HelmChart\n");
    Files.writeString(manifests.resolve("ttstack.yaml"), "kind: TTStack\n");
    Files.writeString(manifests.resolve("traefik-config.yaml"), "kind: HelmChartConfig\n");

    Scripts.Result r = setup("--operator-version", "1.4.0");

    assertThat(r.exit()).as(r.output()).isZero();
    List<String> plan = r.plan();
    String old = manifests.toString();
    assertThat(plan)
        .containsSubsequence(
            "<HelmChart version 1.4.0> | " + SSA,
            "rm -f " + old + "/tt-operator.yaml",
            "kubectl create -f "
                + old
                + "/ttstack.yaml   # AlreadyExists is fine: live objects are kept",
            "rm -f " + old + "/ttstack.yaml");
    assertThat(plan).noneMatch(c -> c.contains("traefik-config"));
    try (Stream<Path> files = Files.list(manifests)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("a dry run removes nothing")
          .containsExactlyInAnyOrder("tt-operator.yaml", "ttstack.yaml", "traefik-config.yaml");
    }
  }

  @Test
  void amazonLinuxGetsItsPackagesAndSkipsTheSelinuxRpm() throws Exception {
    osRelease("amzn");

    Scripts.Result r = setup("--operator-version", "1.4.0");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.plan())
        .contains("dnf install -y awscli-2")
        .anyMatch(
            c ->
                c.startsWith("env INSTALL_K3S_VERSION=")
                    && c.contains("INSTALL_K3S_SKIP_SELINUX_RPM=true"));
  }

  @Test
  void refusesWhatItCannotDoAndWritesNothing() throws Exception {
    osRelease("debian");
    Scripts.Result debian = setup("--operator-version", "1.4.0");
    assertThat(debian.exit()).isEqualTo(1);
    assertThat(debian.output()).contains("unsupported operating system 'debian'");

    osRelease("ubuntu");
    assertThat(setup().output()).contains("--operator-version is required");
    assertThat(setup("--operator-version", "latest").output())
        .contains("must be a version such as 1.2.3 or v1.2.3");
    assertThat(setup("--operator-version", "1.4.0", "--data-device", "/dev/sdb; rm -rf /").exit())
        .isEqualTo(1);
    assertThat(
            setup(
                    "--operator-version",
                    "1.4.0",
                    "--data-device",
                    "/dev/nvme1n1",
                    "--data-volume",
                    VOLUME)
                .output())
        .contains("--data-volume or --data-device, not both");
    assertThat(
            setup("--operator-version", "1.4.0", "--ttstack", tmp.resolve("none.yaml").toString())
                .output())
        .contains("no TTStack file");

    Path otherPullSecret = tmp.resolve("other.yaml");
    Files.writeString(
        otherPullSecret,
        Files.readString(Scripts.REPO.resolve("examples/ttstack.yaml"))
            .replace("imagePullSecret: ghcr-pull", "imagePullSecret: my-pull"));
    Scripts.Result pull =
        setup("--operator-version", "1.4.0", "--ttstack", otherPullSecret.toString());
    assertThat(pull.exit()).isEqualTo(1);
    assertThat(pull.output())
        .contains("spec.app.imagePullSecret must be ghcr-pull")
        .doesNotContain("PLAN:");

    Scripts.Result notDry =
        Scripts.run(
            List.of(
                tools.resolve("bash").toString(),
                SCRIPT.toString(),
                "--root",
                root.toString(),
                "--operator-version",
                "1.4.0"),
            tmp,
            Scripts.path(stubs, tools),
            Map.of());
    assertThat(notDry.exit()).isEqualTo(1);
    assertThat(notDry.output()).contains("--root is only for --dry-run");

    try (Stream<Path> files = Files.walk(root)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()))
          .containsExactly("etc/os-release");
    }
  }

  @Test
  void theE2eWorkflowInstallsTheSameK3sAsTheNode() throws Exception {
    assertThat(pinned("K3S_VERSION")).matches("v\\d+\\.\\d+\\.\\d+\\+k3s\\d+");
    assertThat(pinned("K3S_INSTALLER_SHA256")).matches("[0-9a-f]{64}");
    String e2e = Files.readString(Scripts.REPO.resolve(".github/workflows/e2e.yml"));
    assertThat(e2e)
        .contains(
            "sed -n 's/^K3S_VERSION=\"\\(.*\\)\"$/\\1/p' k3s/setup-node.sh",
            "sed -n 's/^K3S_INSTALLER_SHA256=\"\\(.*\\)\"$/\\1/p' k3s/setup-node.sh");
  }

  // ---------------------------------------------------------------------------------------------
  // apply-stack.sh, run for real against a fake kubectl and a fake aws

  /**
   * What the fake kubectl and aws recorded: argv of every command run (through logging wrappers),
   * stdin of applies.
   */
  record Stack(
      Scripts.Result result,
      List<String> argv,
      List<String> kubectlCalls,
      Map<Integer, String> stdin) {
    /** The object documents the fake kubectl got on stdin (apply -f -). */
    List<JsonNode> applied() throws IOException {
      List<JsonNode> docs = new ArrayList<>();
      for (String in : stdin.values()) {
        for (JsonNode d : YAML.readerFor(JsonNode.class).<JsonNode>readValues(in).readAll()) {
          if (d != null && d.has("kind")) {
            docs.add(d);
          }
        }
      }
      return docs;
    }

    JsonNode applied(String kind, String namespace, String name) throws IOException {
      return applied().stream()
          .filter(
              d ->
                  d.get("kind").asText().equals(kind)
                      && d.at("/metadata/name").asText().equals(name)
                      && (namespace == null
                          || d.at("/metadata/namespace").asText().equals(namespace)))
          .findFirst()
          .orElse(null);
    }
  }

  /**
   * Runs apply-stack.sh (not a dry run) with PATH holding only logging wrappers of the real tools
   * (each records its argv, NUL-separated, then execs the tool) and the fakes: nothing it starts
   * can pass an argument unseen.
   */
  /**
   * Like Scripts.stub, with the real bash named in full: "env bash" would find the wrapper of bash
   * on this PATH.
   */
  static void wrapper(Path dir, String name, String body) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!" + Path.of("/usr/bin/bash").toRealPath() + "\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  Stack applyStackWithRegistry(Map<String, String> state, String registryValue, String... extra)
      throws Exception {
    Path log = Files.createDirectories(tmp.resolve("log-" + System.nanoTime()));
    Path fakeState = Files.createDirectories(log.resolve("state"));
    for (var e : state.entrySet()) {
      Files.writeString(fakeState.resolve(e.getKey()), e.getValue());
    }
    Path argvLog = log.resolve("argv");
    Path wrapped = Files.createDirectories(log.resolve("bin"));
    for (String tool :
        List.of(
            "bash", "sed", "tr", "grep", "awk", "cat", "rm", "base64", "dirname", "sleep", "env")) {
      Path real = tools.resolve(tool).toRealPath();
      wrapper(
          wrapped,
          tool,
          "printf '%s\\0' \"$0\" \"$@\" >>'"
              + argvLog
              + "'; printf '\\n' >>'"
              + argvLog
              + "'\nexec '"
              + real
              + "' \"$@\"");
    }
    wrapper(
        wrapped,
        "kubectl",
        "printf '%s\\0' \"$0\" \"$@\" >>'"
            + argvLog
            + "'; printf '\\n' >>'"
            + argvLog
            + "'\n"
            + "n=0; read -r n <'"
            + log
            + "/count' 2>/dev/null; n=$((n + 1)); echo $n >'"
            + log
            + "/count'\n"
            + "printf '%s ' \"$@\" >'"
            + log
            + "/call.'$n\n"
            + "case \" $* \" in *' -f - '*) cat >'"
            + log
            + "/stdin.'$n ;; esac\n"
            + "S='"
            + fakeState
            + "'\n"
            + "case \" $* \" in\n"
            + "  *' get helmcharts'*) cat \"$S/helmchart-version\" 2>/dev/null; exit 0 ;;\n"
            + "  *' get ttstacks'*) [[ -f $S/ttstack ]] && echo ttstack.ttstack.dev/tt; exit 0 ;;\n"
            + "  *' create -f '*) if [[ -f $S/ttstack ]]; then echo 'Error from server (AlreadyExists): error when creating: ttstacks.ttstack.dev \"tt\" already exists' >&2; exit 1; fi;"
            + " echo ttstack.ttstack.dev/tt created; exit 0 ;;\n"
            + "esac\nexit 0");
    Files.writeString(fakeState.resolve("registry"), registryValue);
    wrapper(
        wrapped,
        "aws",
        "printf '%s\\0' \"$0\" \"$@\" >>'"
            + argvLog
            + "'; printf '\\n' >>'"
            + argvLog
            + "'\n"
            + "case \"$*\" in *ghcr-pull*) cat '"
            + fakeState
            + "/registry' ;; *) echo '"
            + DOPPLER_TOKEN
            + "' ;; esac");

    List<String> cmd =
        new ArrayList<>(
            List.of(
                wrapped.resolve("bash").toString(),
                APPLY_STACK.toString(),
                "--region",
                "eu-central-1",
                "--ttstack",
                Scripts.REPO.resolve("examples/ttstack.yaml").toString()));
    cmd.addAll(List.of(extra));
    Scripts.Result r =
        Scripts.run(cmd, tmp, wrapped.toString(), Map.of("KUBECTL", "kubectl", "AWS", "aws"));

    List<String> argv = Files.exists(argvLog) ? Files.readAllLines(argvLog) : List.of();
    List<String> calls = new ArrayList<>();
    Map<Integer, String> stdin = new TreeMap<>();
    for (int n = 1; Files.exists(log.resolve("call." + n)); n++) {
      calls.add(Files.readString(log.resolve("call." + n)).strip());
      if (Files.exists(log.resolve("stdin." + n))) {
        stdin.put(n, Files.readString(log.resolve("stdin." + n)));
      }
    }
    return new Stack(r, argv, calls, stdin);
  }

  Stack applyStack(Map<String, String> state, String... extra) throws Exception {
    return applyStackWithRegistry(state, GHCR_USER + ":" + GHCR_TOKEN, extra);
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aBringUpAppliesTheHelmChartServerSideAndCreatesTheTtstack() throws Exception {
    Stack s = applyStack(Map.of(), "--operator-version", "v1.4.0");

    assertThat(s.result().exit()).as(s.result().output()).isZero();
    assertThat(s.kubectlCalls())
        .containsSubsequence(
            "-n kube-system get helmcharts.helm.cattle.io tt-operator --ignore-not-found -o jsonpath={.spec.version}",
            "apply --server-side --field-manager=ttstack-node-setup -f -",
            "wait --for=condition=Established crd/ttstacks.ttstack.dev --timeout=10s",
            "-n tt get ttstacks.ttstack.dev tt --ignore-not-found -o name",
            "create -f " + Scripts.REPO.resolve("examples/ttstack.yaml"));

    JsonNode chart = s.applied("HelmChart", "kube-system", "tt-operator");
    assertThat(chart).isNotNull();
    assertThat(chart.get("apiVersion").asText()).isEqualTo("helm.cattle.io/v1");
    JsonNode spec = chart.get("spec");
    List<String> fields = new ArrayList<>();
    spec.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).isSubsetOf(HELMCHART_SPEC_FIELDS);
    assertThat(spec.get("chart").asText()).isEqualTo("oci://ghcr.io/tt-org/charts/tt-operator");
    assertThat(spec.has("repo"))
        .as("an oci:// chart is referenced by spec.chart alone, with no repo")
        .isFalse();
    assertThat(spec.get("version").isTextual()).isTrue();
    assertThat(spec.get("version").asText())
        .as("chart versions are SemVer, without the tag's v")
        .isEqualTo("1.4.0");
    assertThat(spec.get("targetNamespace").asText()).isEqualTo("ttstack-system");
    assertThat(spec.get("createNamespace").isBoolean()).isTrue();
    assertThat(spec.get("failurePolicy").asText()).isIn("abort", "reinstall");
    // The pull Secret for the chart (kube-system) and for the operator's image (the chart's value).
    assertThat(spec.at("/dockerRegistrySecret/name").asText()).isEqualTo("ghcr-pull");
    JsonNode values = YAML.readTree(spec.get("valuesContent").asText());
    assertThat(values.at("/imagePullSecrets/0/name").asText()).isEqualTo("ghcr-pull");
    assertThat(s.applied("Namespace", null, "ttstack-system")).isNotNull();
    assertThat(s.applied("Namespace", null, "tt")).isNotNull();
  }

  @Test
  void theTtstackItCreatesIsTheExampleTheOperatorAccepts() throws Exception {
    String example = Files.readString(Scripts.REPO.resolve("examples/ttstack.yaml"));
    TTStack stack = Serialization.unmarshal(example, TTStack.class);
    assertThat(stack.getMetadata().getNamespace()).isEqualTo("tt");
    assertThat(SpecValidator.validate(stack))
        .as("the operator accepts the TTStack the node deploys")
        .isEmpty();
    assertThat(stack.getSpec().secrets.doppler.tokenSecretRef.name)
        .as("the Secret apply-stack.sh fills")
        .isEqualTo("doppler-token");
    assertThat(stack.getSpec().secrets.doppler.tokenSecretRef.key).isEqualTo("serviceToken");
    assertThat(stack.getSpec().app.imagePullSecret)
        .as("the pull Secret apply-stack.sh fills")
        .isEqualTo("ghcr-pull");
  }

  @Test
  void aReRunKeepsTheLiveOperatorVersionAndTheLiveTtstack() throws Exception {
    Stack s =
        applyStack(
            Map.of("helmchart-version", "1.6.0", "ttstack", ""), "--operator-version", "1.4.0");

    assertThat(s.result().exit()).as(s.result().output()).isZero();
    assertThat(s.applied("HelmChart", "kube-system", "tt-operator").at("/spec/version").asText())
        .as("a deploy's version is applied back as it is")
        .isEqualTo("1.6.0");
    assertThat(s.result().lines())
        .contains(
            "KEPT HelmChart version 1.6.0 (live; --operator-version 1.4.0 is for a bring-up:"
                + " upgrade with ttstack-deploy --operator-version)",
            "KEPT TTStack tt/tt (live; change it with kubectl or ttstack-deploy)");
    assertThat(s.kubectlCalls()).noneMatch(c -> c.startsWith("create"));
    assertThat(s.applied("TTStack", null, "tt")).isNull();
  }

  @Test
  void oldAutoDeployManifestsAreEnsuredWithoutRollingBackAndThenRemoved() throws Exception {
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Files.writeString(
        manifests.resolve("tt-operator.yaml"), "kind: HelmChart # as the old setup wrote it\n");
    Files.writeString(
        manifests.resolve("ttstack.yaml"), "kind: TTStack # as the old setup wrote it\n");
    Files.writeString(manifests.resolve("other.yaml"), "kind: ConfigMap\n");

    Stack s =
        applyStack(
            Map.of("helmchart-version", "1.6.0", "ttstack", ""),
            "--operator-version",
            "1.4.0",
            "--manifests-dir",
            manifests.toString());

    assertThat(s.result().exit()).as(s.result().output()).isZero();
    assertThat(s.kubectlCalls())
        .containsSubsequence(
            "apply --server-side --field-manager=ttstack-node-setup -f -",
            "create -f " + manifests.resolve("ttstack.yaml"));
    assertThat(s.result().lines())
        .contains(
            "REMOVED "
                + manifests.resolve("tt-operator.yaml")
                + " (k3s re-applied it at every start)",
            "KEPT the objects of " + manifests.resolve("ttstack.yaml") + " (live)",
            "REMOVED " + manifests.resolve("ttstack.yaml") + " (k3s re-applied it at every start)");
    try (Stream<Path> files = Files.list(manifests)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("other.yaml");
    }
    // Not re-applied over the live objects: that would roll the app back to the file's version.
    assertThat(s.kubectlCalls())
        .noneMatch(c -> c.contains("apply") && c.contains(manifests.toString()));
  }

  @Test
  void secretsGoOnlyThroughStdinNeverIntoArgvOrOutput() throws Exception {
    Stack s = applyStack(Map.of(), "--operator-version", "1.4.0");

    assertThat(s.result().exit()).as(s.result().output()).isZero();
    String auth = b64(GHCR_USER + ":" + GHCR_TOKEN);
    List<String> forms = List.of(DOPPLER_TOKEN, GHCR_TOKEN, b64(DOPPLER_TOKEN), auth, "SECRET");
    assertThat(s.argv()).as("argv of every command run").isNotEmpty();
    for (String form : forms) {
      assertThat(s.result().output()).doesNotContain(form);
      assertThat(s.argv()).noneMatch(a -> a.contains(form));
    }

    JsonNode token = s.applied("Secret", "tt", "doppler-token");
    assertThat(token.get("type").asText()).isEqualTo("Opaque");
    assertThat(
            new String(
                Base64.getDecoder().decode(token.at("/data/serviceToken").asText()),
                StandardCharsets.UTF_8))
        .isEqualTo(DOPPLER_TOKEN);
    for (String ns : List.of("kube-system", "ttstack-system", "tt")) {
      JsonNode pull = s.applied("Secret", ns, "ghcr-pull");
      assertThat(pull).as("pull Secret in %s", ns).isNotNull();
      assertThat(pull.get("type").asText()).isEqualTo("kubernetes.io/dockerconfigjson");
      JsonNode config =
          JSON.readTree(Base64.getDecoder().decode(pull.at("/data/.dockerconfigjson").asText()));
      assertThat(config.at("/auths/ghcr.io/username").asText()).isEqualTo(GHCR_USER);
      assertThat(config.at("/auths/ghcr.io/password").asText()).isEqualTo(GHCR_TOKEN);
      assertThat(config.at("/auths/ghcr.io/auth").asText()).isEqualTo(auth);
    }
    // The Secrets went to a server-side apply (no last-applied annotation holding them).
    s.stdin()
        .forEach(
            (n, in) -> {
              if (in.contains("\"kind\":\"Secret\"")) {
                assertThat(s.kubectlCalls().get(n - 1))
                    .isEqualTo(
                        "apply --server-side --field-manager=ttstack-node-setup --force-conflicts -f -");
              }
            });
  }

  @Test
  void badRegistryValuesAreRefusedWithoutShowingThemAndNoPullSecretIsWritten() throws Exception {
    for (String bad :
        List.of(
            "SECRETnocolon",
            "tt-bot:",
            ":SECRETtoken",
            "tt bot:SECRETtoken",
            "tt-bot:SECRET\"token",
            "tt-bot:SECRET token",
            "tt-bot:SECRET:token",
            "None")) {
      Stack s = applyStackWithRegistry(Map.of(), bad, "--operator-version", "1.4.0");
      assertThat(s.result().exit()).as(bad).isEqualTo(1);
      if (bad.equals("None")) {
        assertThat(s.result().output()).contains("/tt/prd/ghcr-pull is empty");
      } else {
        assertThat(s.result().output())
            .as(bad)
            .contains(
                "/tt/prd/ghcr-pull must hold USERNAME:TOKEN (a GitHub user name, a colon, a token of letters, digits and _); its value is not shown");
        assertThat(s.result().output()).doesNotContain("SECRET");
      }
      assertThat(s.applied("Secret", null, "ghcr-pull")).as(bad).isNull();
      assertThat(s.applied("HelmChart", null, "tt-operator"))
          .as("nothing after the refusal: %s", bad)
          .isNull();
      assertThat(s.argv()).noneMatch(a -> a.contains("SECRET"));
    }
  }

  @Test
  void publicPackagesNeedNoCredentials() throws Exception {
    Stack s = applyStack(Map.of(), "--operator-version", "1.4.0", "--no-registry-credentials");

    assertThat(s.result().exit()).as(s.result().output()).isZero();
    assertThat(s.argv()).noneMatch(a -> a.contains("ghcr-pull"));
    assertThat(s.applied("Secret", null, "ghcr-pull")).isNull();
    JsonNode spec = s.applied("HelmChart", "kube-system", "tt-operator").get("spec");
    assertThat(spec.has("dockerRegistrySecret")).isFalse();
    assertThat(spec.has("valuesContent")).isFalse();
  }

  @Test
  void aTtstackThatNamesAnotherPullSecretIsRefused() throws Exception {
    Path other = tmp.resolve("other.yaml");
    Files.writeString(
        other,
        Files.readString(Scripts.REPO.resolve("examples/ttstack.yaml"))
            .replace("imagePullSecret: ghcr-pull", "imagePullSecret: my-pull"));

    Stack s = applyStack(Map.of(), "--operator-version", "1.4.0", "--ttstack", other.toString());

    assertThat(s.result().exit()).isEqualTo(1);
    assertThat(s.result().output())
        .contains("spec.app.imagePullSecret must be ghcr-pull", "got 'my-pull'");
    assertThat(s.kubectlCalls()).isEmpty();
  }
}
