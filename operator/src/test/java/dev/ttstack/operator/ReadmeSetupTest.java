package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README says what {@code bash .ci/run} installs on a fresh machine: its list of Debian
 * packages is the one {@code .ci/run} installs, in the same order, so it cannot go stale.
 */
class ReadmeSetupTest {
  @Test
  void readmeListsTheDebianPackagesCiInstalls() throws Exception {
    String run = Files.readString(Path.of("..", ".ci", "run"));
    String list =
        run.substring(
            run.indexOf("# ---- apt packages: start ----"),
            run.indexOf("# ---- apt packages: end ----"));
    List<String> installed =
        list.lines()
            .filter(l -> l.startsWith("  ") && !l.strip().startsWith("#"))
            .map(String::strip)
            .toList();
    assertThat(installed).as("APT_PACKAGES of .ci/run").contains("redis-server", "lua5.1");

    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher block =
        Pattern.compile(
                "<!-- apt-packages:start[^>]*-->(.*?)<!-- apt-packages:end -->", Pattern.DOTALL)
            .matcher(readme);
    assertThat(block.find()).as("README.md's apt-packages block").isTrue();
    List<String> documented =
        Pattern.compile("`([^`]+)`")
            .matcher(block.group(1))
            .results()
            .map(m -> m.group(1))
            .toList();
    assertThat(documented).as("the README's list (update it from .ci/run)").isEqualTo(installed);
  }
}
