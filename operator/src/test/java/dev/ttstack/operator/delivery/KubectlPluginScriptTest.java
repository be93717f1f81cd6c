package dev.ttstack.operator.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code operator/bin/kubectl-ttstack}, the kubectl plugin of the releases: it passes the read-only
 * commands to the jar and refuses the rest, and says where it looked for a missing jar. (Its happy
 * path runs through the real kubectl in {@code RecoveryKubeIT}.)
 */
class KubectlPluginScriptTest {
  private static final Path SCRIPT = Scripts.REPO.resolve("operator/bin/kubectl-ttstack");

  @TempDir Path tmp;

  @Test
  void onlyTheReadOnlyCommandsReachTheJar() throws Exception {
    // A stand-in for java that says what it was given: the script's exec line is what is tested.
    Path java = tmp.resolve("java");
    Files.writeString(java, "#!/bin/sh\necho \"java $*\"\n");
    java.toFile().setExecutable(true);
    Path jar = Files.createFile(tmp.resolve("ttstack-operator.jar"));
    Map<String, String> env = Map.of("TTSTACK_JAR", jar.toString(), "JAVA", java.toString());

    Scripts.Result status =
        Scripts.run(
            List.of(SCRIPT.toString(), "status", "tt", "-n", "tt"), tmp, "/usr/bin:/bin", env);
    assertThat(status.exit()).as(status.output()).isZero();
    assertThat(status.output().strip()).isEqualTo("java -jar " + jar + " status tt -n tt");

    for (String refused : List.of("run", "demo", "")) {
      Scripts.Result r =
          Scripts.run(List.of(SCRIPT.toString(), refused), tmp, "/usr/bin:/bin", env);
      assertThat(r.exit()).as(refused).isEqualTo(2);
      assertThat(r.output())
          .startsWith("usage: kubectl ttstack status")
          .doesNotContain("java -jar");
    }
  }

  @Test
  void aMissingJarIsNamed() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("plugins"));
    Path copy = Files.copy(SCRIPT, dir.resolve("kubectl-ttstack"));
    copy.toFile().setExecutable(true);
    Scripts.Result r =
        Scripts.run(List.of(copy.toString(), "status"), tmp, "/usr/bin:/bin", Map.of());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.output())
        .contains("no jar at " + dir.toRealPath().resolve("ttstack-operator.jar"))
        .contains("TTSTACK_JAR");
  }
}
