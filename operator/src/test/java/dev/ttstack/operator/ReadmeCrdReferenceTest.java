package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's CRD reference is generated; this keeps it from going stale. */
class ReadmeCrdReferenceTest {
  static final String START =
      "<!-- crd-reference:start (generated: java -jar operator/target/ttstack-operator.jar crd-reference) -->\n";
  static final String END = "<!-- crd-reference:end -->";

  @Test
  void readmeHoldsTheCurrentReference() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf(START);
    int end = readme.indexOf(END);
    assertThat(start).as("README.md lacks the marker %s", START).isNotNegative();
    assertThat(end).isGreaterThan(start);

    String committed = readme.substring(start + START.length(), end);

    assertThat(committed)
        .as("README.md's CRD reference is stale: regenerate it with the crd-reference command")
        .isEqualTo(CrdReference.markdown(EmbeddedApiServer.loadCrd()));
  }

  @Test
  void referenceDocumentsEveryTopLevelSection() {
    String md = CrdReference.markdown(EmbeddedApiServer.loadCrd());
    assertThat(md)
        .contains(
            "| `spec.secrets.doppler.project` | string |",
            "| `spec.redis.masters` | integer | `3` | ≥ 3",
            "| `status.conditions[].type` |",
            "exactly one of spec.secrets.doppler or spec.secrets.secretRef");
  }
}
