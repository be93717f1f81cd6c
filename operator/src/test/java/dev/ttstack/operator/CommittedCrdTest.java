package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRD in crds/ is what users install; it must be exactly what this build generates, so that
 * nobody changes the API classes and forgets to regenerate it.
 */
class CommittedCrdTest {
  static final Path GENERATED =
      Path.of("target", "classes", "META-INF", "fabric8", "ttstacks.ttstack.dev-v1.yml");
  static final Path COMMITTED = Path.of("..", "crds", "ttstacks.ttstack.dev-v1.yml");

  @Test
  void committedCrdMatchesAFreshGeneration() throws Exception {
    assertThat(GENERATED).exists();
    assertThat(COMMITTED).exists();
    assertThat(Files.readString(COMMITTED))
        .as(
            "crds/ttstacks.ttstack.dev-v1.yml is stale: run ./mvnw -pl operator process-classes and copy %s to crds/",
            GENERATED)
        .isEqualTo(Files.readString(GENERATED));
  }

  @Test
  void helmChartShipsTheSameCrd() throws Exception {
    Path chartCrd = Path.of("..", "helm", "tt-operator", "files", "ttstacks.ttstack.dev-v1.yml");
    assertThat(chartCrd).exists();
    assertThat(Files.readString(chartCrd))
        .as(
            "helm/tt-operator/files/ differs from crds/: run operator/regenerate.sh (it copies the CRD to both)")
        .isEqualTo(Files.readString(COMMITTED));
  }

  @Test
  void crdHasWhatKubectlAndGitOpsToolsRead() throws Exception {
    String crd = Files.readString(COMMITTED);
    assertThat(crd)
        .contains(
            "shortNames:\n    - \"tts\"",
            "subresources:\n      status: {}",
            "x-kubernetes-validations");
    // In this order: kubectl prints them so (the generator alone would sort them by JSON path).
    assertThat(crd)
        .containsSubsequence(
            "name: \"Ready\"",
            "name: \"App\"",
            "name: \"Redis\"",
            "name: \"Reason\"",
            "name: \"Age\"");
    for (String section :
        new String[] {
          "secrets:", "app:", "postgres:", "redis:", "monitoring:", "deletionPolicy:"
        }) {
      assertThat(crd).contains(section);
    }
  }
}
