package dev.ttstack.operator.kube;

import static dev.ttstack.operator.kube.KubeStacks.apply;
import static dev.ttstack.operator.kube.KubeStacks.awaitStatus;
import static dev.ttstack.operator.kube.KubeStacks.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.app.AppObjects;
import dev.ttstack.operator.kit.StackLabels;
import dev.ttstack.operator.kube.SimulatedKubelet.Behaviour;
import dev.ttstack.operator.postgres.PostgresObjects;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node's deploy script, k3s/ttstack-deploy.sh, as SSM runs it on the node, against the real API
 * server, the real Deployment and Job controllers and the operator: with the cluster's own kubectl
 * (v1.36) and the admin kubeconfig, as root has them on a k3s node. One stack, one deploy after the
 * other: a success, a failed pre-upgrade backup, a timeout, and a version that crash-loops. The
 * operator upgrade is not run here (there is no k3s Helm controller on this tier):
 * DeployScriptsTest covers it with a fake kubectl.
 */
class DeployScriptKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();
  static final Path SCRIPT = Path.of("..", "k3s", "ttstack-deploy.sh").toAbsolutePath().normalize();

  record Run(int exit, String output, double seconds) {}

  /** Runs the script with --app-version {@code version}; the real kubectl; {@code env} on top. */
  static Run deploy(String ns, String version, Map<String, String> env)
      throws IOException, InterruptedException {
    Path bin =
        Files.createDirectories(Path.of("target", "deploy-script-kubeit", "bin").toAbsolutePath());
    Path kubectl = bin.resolve("kubectl");
    if (!Files.exists(kubectl, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      // The local-node binary runs kubectl when it is called by that name.
      Files.createSymbolicLink(kubectl, Path.of(cluster.env("LOCAL_NODE_BIN")));
    }
    ProcessBuilder pb =
        new ProcessBuilder("bash", SCRIPT.toString(), "--app-version", version)
            .redirectErrorStream(true);
    Map<String, String> e = pb.environment();
    e.put("KUBECTL", kubectl.toString());
    e.put("KUBECONFIG", cluster.kubeconfig().toString());
    e.put("DEPLOY_ENV_FILE", bin.resolve("no-deploy.env").toString());
    e.put("TTSTACK_NAMESPACE", ns);
    e.put("TTSTACK_NAME", KubeStacks.STACK);
    e.put("POLL_SECONDS", "1");
    e.put("REVERT_WAIT_SECONDS", "90");
    e.putAll(env);
    Instant start = Instant.now();
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
    String output = new String(out, StandardCharsets.UTF_8);
    System.out.printf(
        "--- ttstack-deploy --app-version %s: exit %d after %.1f s%n%s",
        version, p.exitValue(), seconds, output);
    return new Run(p.exitValue(), output, seconds);
  }

  static String specVersion(String ns) {
    return KubeStacks.stack(cluster, ns).getSpec().app.version;
  }

  static boolean inNamespaceWithImage(Pod p, String ns, String tag) {
    return ns.equals(p.getMetadata().getNamespace())
        && p.getSpec().getContainers().stream()
            .anyMatch(
                c -> AppObjects.CONTAINER.equals(c.getName()) && c.getImage().endsWith(":" + tag));
  }

  static boolean backupPod(Pod p, String ns) {
    return ns.equals(p.getMetadata().getNamespace())
        && p.getMetadata().getLabels() != null
        && PostgresObjects.BACKUP_COMPONENT.equals(
            p.getMetadata().getLabels().get(StackLabels.COMPONENT));
  }

  @Test
  void theNodeScriptEndsOnEveryOutcomeAndPutsThePreviousVersionBack() throws Exception {
    String ns = cluster.createNamespace("deploy");
    KubeStacks.createSecret(cluster, ns, Map.of());
    apply(cluster, ns, manifest("v1.4.2", ""));
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      awaitStatus(cluster, ns, Duration.ofSeconds(180), KubeStacks::assertReady);
      // Default allowances: 600 (backup) + 30 (the stack's progress deadline) + 300 (pull) = 930 s.
      // Every outcome below must come long before that.

      // 1. Success: "1.5.0" becomes the image tag v1.5.0, behind its pre-upgrade backup.
      Run ok = deploy(ns, "1.5.0", Map.of());
      assertThat(ok.exit()).as(ok.output()).isZero();
      assertThat(ok.output())
          .contains(
              "app 930 s (backup 600 + progress deadline 30 + pull 300)",
              "OK: " + ns + "/tt runs v1.5.0");
      TTStack s = KubeStacks.stack(cluster, ns);
      assertThat(s.getSpec().app.version).isEqualTo("v1.5.0");
      assertThat(s.getStatus().app.version).isEqualTo("v1.5.0");

      // 2. The pre-upgrade backup fails (its Job's pods fail, the real Job controller gives up
      // after
      // its backoffLimit): the script ends on BackupFailed with the operator's reason and puts
      // v1.5.0 back.
      Run backup;
      try (AutoCloseable failing =
          cluster.kubelet().override(p -> backupPod(p, ns), Behaviour.FAIL)) {
        backup = deploy(ns, "v1.7.0", Map.of());
      }
      assertThat(backup.exit()).as(backup.output()).isEqualTo(3);
      assertThat(backup.output())
          .contains(
              "FAILED: the pre-upgrade backup failed: the PostgreSQL backup before upgrading from"
                  + " v1.5.0 to v1.7.0 failed",
              "REVERTED: spec.app.version of ttstack " + ns + "/tt set back to v1.5.0",
              "NOW RUNNING: v1.5.0");
      assertThat(backup.seconds()).as("ended on BackupFailed, not after the wait").isLessThan(240);
      assertThat(specVersion(ns)).isEqualTo("v1.5.0");
      awaitStatus(
          cluster,
          ns,
          Duration.ofSeconds(120),
          t -> {
            KubeStacks.assertReady(t);
            assertThat(t.getStatus().app.version).isEqualTo("v1.5.0");
          });

      // 3. No outcome in time: the backup runs and runs (its pod never finishes); with a wait of 20
      // s the
      // script gives up, exit 4, and puts v1.5.0 back, which the operator then keeps running.
      Run slow;
      try (AutoCloseable hanging =
          cluster.kubelet().override(p -> backupPod(p, ns), Behaviour.NOT_READY)) {
        slow = deploy(ns, "1.8.0", Map.of("APP_WAIT_SECONDS", "20"));
        assertThat(slow.exit()).as(slow.output()).isEqualTo(4);
        assertThat(slow.output())
            .contains(
                "TIMEOUT: no outcome for v1.8.0 after 20 s (AppReady BackingUpBeforeUpgrade",
                "REVERTED: spec.app.version of ttstack " + ns + "/tt set back to v1.5.0",
                "NOW RUNNING: v1.5.0");
        assertThat(specVersion(ns)).isEqualTo("v1.5.0");
        awaitStatus(
            cluster,
            ns,
            Duration.ofSeconds(120),
            t -> {
              KubeStacks.assertReady(t);
              assertThat(t.getStatus().app.version).isEqualTo("v1.5.0");
            });
      }

      // 4. The new version crash-loops: the operator rolls back to v1.5.0 by itself; the script
      // ends on
      // its RolledBack, exit 3, and leaves the spec as the operator wants it (v1.6.0 is not
      // retried).
      Run crash;
      try (AutoCloseable crashing =
          cluster
              .kubelet()
              .override(p -> inNamespaceWithImage(p, ns, "v1.6.0"), Behaviour.CRASH_LOOP)) {
        crash = deploy(ns, "1.6.0", Map.of());
        assertThat(crash.exit()).as(crash.output()).isEqualTo(3);
        assertThat(crash.output())
            .contains(
                "ROLLED BACK by the operator: v1.6.0 failed",
                "CrashLoopBackOff",
                "spec.app.version stays v1.6.0");
        assertThat(crash.seconds()).as("ended on RolledBack, not after the wait").isLessThan(240);
        assertThat(specVersion(ns)).isEqualTo("v1.6.0");
        awaitStatus(
            cluster,
            ns,
            Duration.ofSeconds(120),
            t -> {
              assertThat(t.getStatus().app.failedVersion).isEqualTo("v1.6.0");
              assertThat(t.getStatus().app.version).isEqualTo("v1.5.0");
            });
      }
      System.out.printf(
          "deploy script on the real tier: success %.1f s, BackupFailed %.1f s, timeout %.1f s, rollback %.1f s%n",
          ok.seconds(), backup.seconds(), slow.seconds(), crash.seconds());
    }
  }
}
