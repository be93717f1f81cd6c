package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code k3s/local-node/cluster.sh} as people and CI use it, on a control plane of its own (beside
 * the tests' shared one): {@code up} is idempotent and prints the kubeconfig last, {@code status}
 * tells the truth, {@code down} leaves no process and no open port behind. And {@code build.sh}
 * fails with a clear message when Go or the module proxy is missing.
 */
class ClusterScriptKubeIT {
  private static final Path BUILD = LocalCluster.SCRIPT.resolveSibling("build.sh");

  record Run(int exit, String stdout, String stderr) {}

  @Test
  void upIsIdempotentStatusIsTruthfulDownLeavesNothing(@TempDir Path dir) throws Exception {
    Map<String, String> env = Map.of("LOCAL_NODE_DIR", dir.toString());
    Run first = run(env, LocalCluster.SCRIPT.toString(), "up");
    assertThat(first.exit()).as(first.stderr()).isZero();
    List<String> lines = first.stdout().lines().toList();
    assertThat(lines.get(lines.size() - 1)).isEqualTo(dir.resolve("admin.kubeconfig").toString());
    String port = envValue(dir, "APISERVER_PORT");
    List<Long> pids = pids(dir);
    assertThat(pids).hasSize(4);

    Run again = run(env, LocalCluster.SCRIPT.toString(), "up");
    assertThat(again.exit()).isZero();
    assertThat(again.stderr()).contains("already running");
    assertThat(envValue(dir, "APISERVER_PORT"))
        .as("the same control plane, not a new one")
        .isEqualTo(port);
    assertThat(pids(dir)).isEqualTo(pids);

    Run status = run(env, LocalCluster.SCRIPT.toString(), "status");
    assertThat(status.exit()).isZero();
    assertThat(status.stdout()).contains("kube-apiserver", "running", "ready");

    Run down = run(env, LocalCluster.SCRIPT.toString(), "down");
    assertThat(down.exit()).isZero();
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("pid " + pid + " after down")
          .isFalse();
    }
    assertThat(listening(Integer.parseInt(port))).as("API server port after down").isFalse();
    assertThat(Files.exists(dir.resolve("logs").resolve("kube-apiserver.log")))
        .as("logs are kept")
        .isTrue();
    Run after = run(env, LocalCluster.SCRIPT.toString(), "status");
    assertThat(after.exit()).isNotZero();
    assertThat(after.stdout()).contains("stopped");
  }

  @Test
  void buildFailsClearlyWithoutGo(@TempDir Path cache) throws Exception {
    // A PATH with the shell's tools but no go.
    Run run =
        run(Map.of("PATH", "/usr/bin:/bin", "XDG_CACHE_HOME", cache.toString()), BUILD.toString());
    assertThat(run.exit()).isNotZero();
    assertThat(run.stderr()).contains("Go is not installed");
  }

  @Test
  void buildFailsClearlyWithoutTheModuleProxy(@TempDir Path cache) throws Exception {
    // Empty caches and no proxy: nothing can be downloaded.
    Run run =
        run(
            Map.of(
                "XDG_CACHE_HOME",
                cache.toString(),
                "GOPROXY",
                "off",
                "GOFLAGS",
                "-mod=mod",
                "GOMODCACHE",
                cache.resolve("mod").toString()),
            BUILD.toString());
    assertThat(run.exit()).isNotZero();
    assertThat(run.stderr()).contains("cannot download the Go modules").contains("GOPROXY=off");
  }

  private static String envValue(Path dir, String name) throws IOException {
    return Files.readAllLines(dir.resolve("env")).stream()
        .filter(l -> l.startsWith(name + "="))
        .map(l -> l.substring(name.length() + 1))
        .findFirst()
        .orElseThrow();
  }

  private static List<Long> pids(Path dir) throws IOException {
    List<Long> pids = new ArrayList<>();
    try (var files = Files.list(dir.resolve("pids"))) {
      for (Path f : files.sorted().toList()) {
        pids.add(Long.parseLong(Files.readString(f).trim()));
      }
    }
    return pids;
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Run run(Map<String, String> env, String... command) throws Exception {
    Path out = Files.createTempFile("cluster-sh", ".out");
    Path err = Files.createTempFile("cluster-sh", ".err");
    try {
      ProcessBuilder b =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      b.environment().putAll(env);
      Process p = b.start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within 5 minutes");
      }
      return new Run(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
