package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.testing.Stacks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The demo lists what exists in its API server, not what {@code render} would build: the minimal
 * example has no Secret there, so everything that needs its credentials (the StatefulSets, the
 * app's Deployment) is not created and not listed, while what needs none (the Services, the
 * Prometheus Deployment) is.
 */
class DemoCommandTest {
  @Test
  void listsTheObjectsThatExistNotWhatRenderWouldBuild() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        DemoCommand.run(
            Stacks.examplesDir().resolve("ttstack-minimal.yaml"),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
    String objects =
        printed.substring(
            printed.indexOf("--- objects the operator made"), printed.indexOf("--- status of"));
    assertThat(objects).contains("Service tt-minimal-postgres", "Service tt-minimal-redis");
    assertThat(objects)
        .as("gated on the missing Secret: not created, so not listed")
        .doesNotContain("StatefulSet ", "Deployment tt-minimal-app");
  }
}
