package dev.ttstack.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The chart's Argo CD health check against TTStacks recorded on the real API server ({@code
 * RecoveryKubeIT}, {@code LifecycleKubeIT}: each judges the live object with the same script and
 * writes it to {@code target/argocd-recorded/}), in Argo CD's own test format ({@code
 * health_test.yaml}: input, expected status and message, as its resource_customizations are
 * tested), run by the real Lua 5.1.
 */
class ArgoCdHealthTest {
  static final Path CASES = Path.of("src", "test", "resources", "argocd");

  @TestFactory
  Stream<DynamicTest> everyRecordedStatusGetsItsHealth() throws IOException {
    JsonNode table =
        Serialization.yamlMapper().readTree(Files.readString(CASES.resolve("health_test.yaml")));
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : table.path("tests")) {
      Path input = CASES.resolve(c.path("inputPath").asText());
      String status = c.path("healthStatus").path("status").asText();
      String message = c.path("healthStatus").path("message").asText();
      tests.add(
          DynamicTest.dynamicTest(
              input.getFileName() + " -> " + status,
              () -> {
                JsonNode object = Serialization.yamlMapper().readTree(Files.readString(input));
                ArgoCdHealth.Verdict verdict = ArgoCdHealth.of(object);
                assertThat(verdict.status()).as(verdict.message()).isEqualTo(status);
                assertThat(verdict.message()).isEqualTo(message);
              }));
    }
    assertThat(tests).as("cases").hasSizeGreaterThanOrEqualTo(7);
    assertThat(tests.stream().map(DynamicTest::getDisplayName))
        .as("every verdict the script gives")
        .anyMatch(n -> n.endsWith("Healthy"))
        .anyMatch(n -> n.endsWith("Progressing"))
        .anyMatch(n -> n.endsWith("Degraded"));
    return tests.stream();
  }

  /** Each fixture is used (a recorded status nobody checks is a stale file). */
  @Test
  void everyFixtureIsATestCase() throws IOException {
    String table = Files.readString(CASES.resolve("health_test.yaml"));
    try (Stream<Path> files = Files.list(CASES.resolve("testdata"))) {
      assertThat(files.map(f -> "testdata/" + f.getFileName()))
          .allSatisfy(f -> assertThat(table).contains("inputPath: " + f));
    }
  }

  /** What Argo CD hands the script: JSON null is an absent key, strings keep every character. */
  @Test
  void objectsBecomeLuaTablesAsArgoCdMakesThem() throws IOException {
    JsonNode object =
        Serialization.jsonMapper()
            .readTree(
                """
                {"metadata": {"name": "tt", "generation": 2},
                 "status": {"observedGeneration": 2, "app": null,
                   "conditions": [{"type": "Ready", "status": "True",
                                   "message": "quote \\" backslash \\\\ newline \\n — done"}]}}
                """);
    ArgoCdHealth.Verdict verdict = ArgoCdHealth.of(object);
    assertThat(verdict.status()).isEqualTo("Healthy");
    assertThat(verdict.message()).isEqualTo("quote \" backslash \\ newline \n — done");
  }
}
