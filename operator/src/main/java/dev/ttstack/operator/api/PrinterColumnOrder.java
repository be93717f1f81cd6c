package dev.ttstack.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Puts the CRD's printer columns in the order {@link TTStack} declares them (Ready, App, Redis,
 * Reason, Age: what {@code kubectl get tts} shows), a build step right after fabric8's
 * crd-generator. That generator (7.9) keeps the columns in a map sorted by JSON path, so the API
 * server would print {@code NAME AGE APP READY REDIS} (seen on the real API server); it has no
 * option to keep them in order. Everything else of the generated file is left as it is (a round
 * trip through fabric8's serialisation changes nothing else, checked).
 *
 * <p>Run by Maven ({@code exec-maven-plugin}, phase {@code process-classes}): {@code
 * PrinterColumnOrder target/classes/META-INF/fabric8/ttstacks.ttstack.dev-v1.yml}.
 */
public final class PrinterColumnOrder {
  private PrinterColumnOrder() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: PrinterColumnOrder CRD_FILE");
    }
    Path file = Path.of(args[0]);
    String generated = Files.readString(file, StandardCharsets.UTF_8);
    String header =
        generated.startsWith("#") ? generated.substring(0, generated.indexOf('\n') + 1) : "";
    CustomResourceDefinition crd =
        Serialization.unmarshal(generated, CustomResourceDefinition.class);
    reorder(crd);
    String yaml = Serialization.asYaml(crd);
    Files.writeString(
        file,
        header + (yaml.startsWith("---\n") ? yaml.substring(4) : yaml),
        StandardCharsets.UTF_8);
  }

  /** The columns of every version in the order of {@link TTStack}'s annotations. */
  static void reorder(CustomResourceDefinition crd) {
    List<String> declared =
        Arrays.stream(TTStack.class.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      List<CustomResourceColumnDefinition> columns =
          new ArrayList<>(version.getAdditionalPrinterColumns());
      columns.sort(
          Comparator.comparingInt(
              c -> {
                int at = declared.indexOf(c.getName());
                if (at < 0) {
                  throw new IllegalStateException(
                      "printer column " + c.getName() + " is not declared on TTStack");
                }
                return at;
              }));
      version.setAdditionalPrinterColumns(columns);
    }
  }
}
