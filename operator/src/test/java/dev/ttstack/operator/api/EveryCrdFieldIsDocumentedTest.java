package dev.ttstack.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl explain ttstack.spec...} and editors show the schema's descriptions: every field
 * of the generated CRD must have one ({@code @JsonPropertyDescription} on the Java field).
 */
class EveryCrdFieldIsDocumentedTest {

  /** Written by crd-generator-maven-plugin in process-classes; surefire runs in the module dir. */
  static final Path CRD = Path.of("target/classes/META-INF/fabric8/ttstacks.ttstack.dev-v1.yml");

  @Test
  void everySpecAndStatusPropertyHasADescription() throws IOException {
    assertThat(CRD).as("generated CRD (run mvn process-classes in operator/)").isRegularFile();
    CustomResourceDefinition crd;
    try (InputStream in = Files.newInputStream(CRD)) {
      crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
    }

    List<String> undocumented = new ArrayList<>();
    int checked = 0;
    assertThat(crd.getSpec().getVersions()).isNotEmpty();
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      Map<String, JSONSchemaProps> root = version.getSchema().getOpenAPIV3Schema().getProperties();
      assertThat(root)
          .as("top-level properties of %s", version.getName())
          .containsKeys("spec", "status");
      for (String top : List.of("spec", "status")) {
        checked += undocumented(root.get(top), version.getName() + " " + top, undocumented);
      }
    }

    // Guard against a vacuous pass (e.g. an empty schema): the spec alone has dozens of fields.
    assertThat(checked).as("properties checked").isGreaterThan(60);
    assertThat(undocumented).as("CRD properties without a description").isEmpty();
  }

  @Test
  void theWalkFindsAnUndocumentedPropertyAtAnyDepth() {
    JSONSchemaProps schema =
        new JSONSchemaPropsBuilder()
            .addToProperties(
                "documented",
                new JSONSchemaPropsBuilder().withType("string").withDescription("yes").build())
            .addToProperties(
                "list",
                new JSONSchemaPropsBuilder()
                    .withType("array")
                    .withDescription("a list")
                    .withNewItems()
                    .withSchema(
                        new JSONSchemaPropsBuilder()
                            .withType("object")
                            .addToProperties(
                                "inner",
                                new JSONSchemaPropsBuilder()
                                    .withType("string")
                                    .withDescription(" ")
                                    .build())
                            .build())
                    .endItems()
                    .build())
            .build();

    List<String> undocumented = new ArrayList<>();
    int checked = undocumented(schema, "spec", undocumented);

    assertThat(checked).isEqualTo(3);
    assertThat(undocumented).containsExactly("spec.list[].inner");
  }

  /**
   * Adds the path of every property below {@code schema} (properties, array items, map values)
   * whose description is blank; returns how many properties were looked at.
   */
  static int undocumented(JSONSchemaProps schema, String path, List<String> out) {
    if (schema == null) {
      return 0;
    }
    int checked = 0;
    if (schema.getProperties() != null) {
      for (Map.Entry<String, JSONSchemaProps> e : schema.getProperties().entrySet()) {
        String p = path + "." + e.getKey();
        String description = e.getValue().getDescription();
        if (description == null || description.isBlank()) {
          out.add(p);
        }
        checked += 1 + undocumented(e.getValue(), p, out);
      }
    }
    if (schema.getItems() != null) {
      checked += undocumented(schema.getItems().getSchema(), path + "[]", out);
    }
    if (schema.getAdditionalProperties() != null) {
      checked += undocumented(schema.getAdditionalProperties().getSchema(), path + "{}", out);
    }
    return checked;
  }
}
