package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.kube.RealNodeKubeIT.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Volumes on the real node ({@code cluster.sh up --node}, its own control plane and folder) as k3s
 * provisions them: the local-path provisioner built from its Go module (build-local-path.sh), run
 * by k3s' own manifest (local-storage.yaml) as a pod that reaches the API server through the
 * kubernetes Service. The {@code local-path} class is the default, binds on first consumer; a
 * claim's volume is a folder in the node's own storage folder, made by a helper pod, written by the
 * consumer pod, and removed by the teardown helper pod when the claim goes (reclaim Delete); {@code
 * down} leaves nothing, not even the folder of a volume still in use.
 */
@BesideTheSharedCluster
class LocalPathKubeIT {
  private static final String BRIDGE = "ttsnode0";
  private static final String PROVISIONER_IMAGE = "ttstack.local/local-path-provisioner:v0.0.30";
  static final Path DIR = LocalCluster.STATE.resolveSibling("local-path");

  @Test
  void claimsGetFoldersInTheNodesStorageMadeAndRemovedByTheProvisionerAndDownLeavesNothing()
      throws Exception {
    // A fixed folder (not @TempDir), as RealNodeKubeIT: .ci/run's exit trap downs it even when this
    // JVM is killed, and the next `up` clears what a crashed run left.
    Path dir = DIR;
    Path storage = dir.resolve("node").resolve("storage");
    Map<String, String> env = Map.of("LOCAL_NODE_DIR", dir.toString());
    RealNodeKubeIT.awaitNoOtherNode();
    Map<String, String> before = RealNodeKubeIT.machineState(dir);
    assertThat(before.get("links"))
        .as("no local node runs on this machine (one at a time)")
        .doesNotContain(BRIDGE);
    boolean downDone = false;
    try {
      Run up = RealNodeKubeIT.run(env, 30, LocalCluster.SCRIPT.toString(), "up", "--node");
      assertThat(up.exit()).as(up.stderr()).isZero();
      System.out.println(up.stderr());
      assertThat(envValue(dir, "LOCAL_PATH_STORAGE")).isEqualTo(storage.toString());
      Kubectl kubectl =
          new Kubectl(Path.of(envValue(dir, "LOCAL_NODE_BIN")), dir.resolve("admin.kubeconfig"));

      // k3s' class: the default one, provisioned by the local-path provisioner, bound on first
      // consumer.
      assertThat(
              kubectl
                  .run(
                      "get",
                      "storageclass",
                      "local-path",
                      "-o",
                      "jsonpath={.metadata.annotations.storageclass\\.kubernetes\\.io/is-default-class}"
                          + " {.provisioner} {.volumeBindingMode} {.reclaimPolicy}")
                  .orFail()
                  .stdout())
          .isEqualTo("true rancher.io/local-path WaitForFirstConsumer Delete");
      assertThat(kubectl.run("get", "storageclass", "-o", "name").orFail().stdout().strip())
          .as("the only class")
          .isEqualTo("storageclass.storage.k8s.io/local-path");
      // The provisioner: our image, as a pod of the node, under its own ServiceAccount.
      assertThat(
              kubectl
                  .run(
                      "-n",
                      "kube-system",
                      "get",
                      "pods",
                      "-l",
                      "app=local-path-provisioner",
                      "-o",
                      "jsonpath={.items[0].spec.containers[0].image} {.items[0].spec.serviceAccountName} {.items[0].spec.nodeName} {.items[0].status.phase}")
                  .orFail()
                  .stdout())
          .isEqualTo(
              PROVISIONER_IMAGE + " local-path-provisioner-service-account local-node Running");

      // A claim without a class gets the default; with no consumer it waits (WaitForFirstConsumer).
      kubectl.withInput(CLAIM, "apply", "-f", "-").orFail();
      assertThat(
              kubectl
                  .run("get", "pvc", "data", "-o", "jsonpath={.spec.storageClassName}")
                  .orFail()
                  .stdout())
          .isEqualTo("local-path");
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  kubectl
                      .run(
                          "get",
                          "events",
                          "--field-selector=involvedObject.kind=PersistentVolumeClaim,involvedObject.name=data",
                          "-o",
                          "jsonpath={.items[*].reason}")
                      .orFail()
                      .stdout()
                      .contains("WaitForFirstConsumer"));
      assertThat(
              kubectl.run("get", "pvc", "data", "-o", "jsonpath={.status.phase}").orFail().stdout())
          .isEqualTo("Pending");
      assertThat(kubectl.run("get", "pv", "-o", "name").orFail().stdout())
          .as("no volume before a consumer")
          .isEmpty();

      // Its consumer: the claim binds, the pod writes into it, the file is in the node's storage
      // folder.
      String token = UUID.randomUUID().toString();
      long p0 = System.nanoTime();
      kubectl.withInput(WRITER.replace("TOKEN", token), "apply", "-f", "-").orFail();
      kubectl
          .run("wait", "--for=jsonpath={.status.phase}=Bound", "pvc/data", "--timeout=120s")
          .orFail();
      long boundMillis = (System.nanoTime() - p0) / 1_000_000;
      kubectl.run("wait", "--for=condition=Ready", "pod/writer", "--timeout=120s").orFail();
      long readyMillis = (System.nanoTime() - p0) / 1_000_000;
      String pv =
          kubectl.run("get", "pvc", "data", "-o", "jsonpath={.spec.volumeName}").orFail().stdout();
      Path folder = storage.resolve(pv + "_default_data");
      assertThat(
              kubectl
                  .run(
                      "get",
                      "pv",
                      pv,
                      "-o",
                      "jsonpath={.spec.local.path} {.spec.persistentVolumeReclaimPolicy}"
                          + " {.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}")
                  .orFail()
                  .stdout())
          .isEqualTo(folder + " Delete local-node");
      // The setup helper pod made it (k3s' setup script: 0777 folder in a 0700 storage folder).
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)))
          .isEqualTo("rwxrwxrwx");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(storage)))
          .isEqualTo("rwx------");
      assertThat(Files.readString(folder.resolve("written")).strip()).isEqualTo(token);
      String provisionerLog =
          kubectl
              .run("-n", "kube-system", "logs", "deployment/local-path-provisioner")
              .orFail()
              .stdout();
      assertThat(provisionerLog).contains("create the helper pod helper-pod-create-" + pv);

      long provisionerPid = provisionerPid();
      System.out.printf(
          "local-path: pod applied -> claim Bound %d ms, -> pod Ready %d ms; provisioner RSS %s (pid %d)%n",
          boundMillis, readyMillis, rss(provisionerPid), provisionerPid);

      // The claim goes: the volume is deleted (reclaim Delete), its folder removed by the teardown
      // helper pod.
      long d0 = System.nanoTime();
      kubectl.run("delete", "pod", "writer", "--grace-period=1", "--wait=true").orFail();
      kubectl.run("delete", "pvc", "data", "--wait=true").orFail();
      kubectl.run("wait", "--for=delete", "pv/" + pv, "--timeout=120s").orFail();
      long deleteMillis = (System.nanoTime() - d0) / 1_000_000;
      assertThat(folder).doesNotExist();
      assertThat(storage).isEmptyDirectory();
      assertThat(
              kubectl
                  .run("-n", "kube-system", "logs", "deployment/local-path-provisioner")
                  .orFail()
                  .stdout())
          .contains(
              "create the helper pod helper-pod-delete-" + pv,
              "Volume " + pv + " has been deleted");
      // The provisioner deletes its helper pods once they are done.
      await()
          .atMost(Duration.ofSeconds(120))
          .untilAsserted(
              () ->
                  assertThat(
                          kubectl
                              .run("-n", "kube-system", "get", "pods", "-o", "name")
                              .orFail()
                              .stdout())
                      .doesNotContain("helper-pod"));
      System.out.printf(
          "local-path: pod + claim deleted -> volume and folder gone %d ms%n", deleteMillis);

      // A volume still in use at down (a claim nobody deleted) goes with the node all the same.
      kubectl
          .withInput(CLAIM + "---\n" + WRITER.replace("TOKEN", token), "apply", "-f", "-")
          .orFail();
      kubectl.run("wait", "--for=condition=Ready", "pod/writer", "--timeout=120s").orFail();
      String kept =
          kubectl.run("get", "pvc", "data", "-o", "jsonpath={.spec.volumeName}").orFail().stdout();
      assertThat(storage.resolve(kept + "_default_data").resolve("written")).exists();

      downDone = true;
      Run down = RealNodeKubeIT.downLeavesNothing(env, dir, before);
      assertThat(down.stderr()).contains("removing 1 volume folder(s) left in " + storage);
      assertThat(dir.resolve("node")).as("the node's folder, its storage with it").doesNotExist();
      assertThat(ProcessHandle.of(provisionerPid)).as("the provisioner after down").isEmpty();
    } finally {
      if (!downDone) {
        Run down = RealNodeKubeIT.run(env, 5, LocalCluster.SCRIPT.toString(), "down");
        System.out.println("down after a failure: exit " + down.exit() + "\n" + down.stderr());
      }
    }
  }

  private static final String CLAIM =
      """
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 16Mi}}
      """;

  private static final String WRITER =
      """
      apiVersion: v1
      kind: Pod
      metadata: {name: writer}
      spec:
        containers:
        - name: writer
          image: ttstack.local/busybox:1.35
          imagePullPolicy: Never
          command: [/bin/sh, -c, 'echo TOKEN > /data/written && touch /tmp/ready && exec sleep 3600']
          readinessProbe:
            exec: {command: [/bin/sh, -c, 'cat /tmp/ready']}
            periodSeconds: 1
          volumeMounts: [{name: data, mountPath: /data}]
        volumes:
        - name: data
          persistentVolumeClaim: {claimName: data}
      """;

  /** The provisioner's process (one node per machine: one such process). */
  private static long provisionerPid() {
    List<ProcessHandle> found =
        ProcessHandle.allProcesses()
            .filter(
                p ->
                    p.info()
                        .commandLine()
                        .orElse("")
                        .contains("local-path-provisioner start --config"))
            .toList();
    assertThat(found).as("local-path-provisioner processes").hasSize(1);
    return found.get(0).pid();
  }

  private static String rss(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(l -> l.startsWith("VmRSS:"))
        .map(l -> l.substring(6).trim())
        .findFirst()
        .orElse("?");
  }

  private static String envValue(Path dir, String name) throws IOException {
    return Files.readAllLines(dir.resolve("env")).stream()
        .filter(l -> l.startsWith(name + "="))
        .map(l -> l.substring(name.length() + 1))
        .findFirst()
        .orElseThrow();
  }
}
