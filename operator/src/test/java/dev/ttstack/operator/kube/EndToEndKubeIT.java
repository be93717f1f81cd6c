package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end run on the real node: {@code k3s/local-node/e2e.sh --local-node}, the script that
 * {@code .github/workflows/e2e.yml} runs and that runs against any cluster given a kubeconfig. It
 * builds the test images, starts the node, installs the chart with the operator's image, applies a
 * TTStack and runs its checks (each one fails when its thing is broken: see the script), and downs
 * the node. This test asserts that every check the script defines ran and passed, and prints the
 * script's figures (the benchmark of issue 16: apply to each condition, heal times, failed requests
 * during the rollout, pod memory).
 */
class EndToEndKubeIT {
  static final Path SCRIPT = LocalCluster.SCRIPT.resolveSibling("e2e.sh");
  static final Path NODE_DIR = LocalCluster.STATE.resolveSibling("e2e-node");
  static final Path OUT = LocalCluster.STATE.resolveSibling("e2e");

  @Test
  void theWholeStackPassesEveryCheckOnTheRealNode() throws Exception {
    // The checks the script runs: one "check NAME FUNCTION" line each.
    List<String> checks =
        Files.readAllLines(SCRIPT).stream()
            .map(String::strip)
            .filter(l -> l.startsWith("check ") && !l.startsWith("check()"))
            .map(l -> l.split(" ")[1])
            .toList();
    assertThat(checks).as("checks of e2e.sh").hasSizeGreaterThanOrEqualTo(10);

    Path log = Files.createTempFile("e2e", ".log");
    try {
      ProcessBuilder b =
          new ProcessBuilder(SCRIPT.toString(), "--local-node")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      b.environment().put("LOCAL_NODE_DIR", NODE_DIR.toString());
      b.environment().put("E2E_OUT", OUT.toString());
      Process p = b.start();
      boolean done = p.waitFor(45, TimeUnit.MINUTES);
      if (!done) {
        p.destroy();
        p.waitFor(2, TimeUnit.MINUTES);
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      System.out.println(out);
      assertThat(done).as("e2e.sh finished within 45 minutes").isTrue();
      List<String> lines = out.lines().toList();
      String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
      Matcher m = Pattern.compile("e2e: (\\d+) passed, (\\d+) failed").matcher(last);
      assertThat(m.matches()).as("last line: " + last).isTrue();
      assertThat(Integer.parseInt(m.group(2))).as("failed checks").isZero();
      assertThat(Integer.parseInt(m.group(1)))
          .as("passed checks: every one of " + checks)
          .isEqualTo(checks.size());
      assertThat(p.exitValue()).isZero();
      assertThat(out).as("the node is down at the end").contains("local node down");
    } finally {
      // The script downs the node itself; this is for a script that was killed.
      ProcessBuilder down =
          new ProcessBuilder(LocalCluster.SCRIPT.toString(), "down")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      down.environment().put("LOCAL_NODE_DIR", NODE_DIR.toString());
      down.start().waitFor(3, TimeUnit.MINUTES);
      Files.deleteIfExists(log);
    }
  }
}
