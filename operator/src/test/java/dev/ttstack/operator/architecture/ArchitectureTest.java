package dev.ttstack.operator.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Which package of the operator may use which (issue 17): no component reaches into another; the
 * kit, the API types and the support code know no component; nothing below imports from above.
 *
 * <pre>
 *   dev.ttstack.operator (Main, settings, commands)     may use everything
 *   reconciler (the composition root and the loop)      components, kit, api, support
 *   app | postgres | redis | secrets | monitoring       kit, api, support — never each other
 *   kit (the shared API between components)             api, support
 *   api (the CRD types), support                        nothing of ours
 * </pre>
 *
 * What one component needs of another goes through the kit: names and ports ({@code
 * StackEndpoints}), this reconcile's conditions and signals ({@code ComponentSignals}), the secrets
 * step's outcome ({@code SecretsOutcome}), the backup before a change ({@code PreChangeBackup},
 * handed to the app by the reconciler).
 */
class ArchitectureTest {
  static final String ROOT = "dev.ttstack.operator";
  static final List<String> COMPONENTS =
      List.of("app", "postgres", "redis", "secrets", "monitoring");

  /** The operator's own classes, test classes left out. */
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(ROOT);

  @Test
  void theOperatorFollowsThePackageRules() {
    assertThat(MAIN.size()).as("classes imported").isGreaterThan(100);
    for (ArchRule rule : rules(ROOT)) {
      rule.check(MAIN);
    }
  }

  /**
   * The rules are not vacuous: a component class that imports another component (a fixture under
   * test sources, in the same shape) breaks them, and the failure names both classes.
   */
  @Test
  void aNewCrossComponentImportFails() {
    String fixture = ArchitectureTest.class.getPackageName() + ".fixture";
    JavaClasses classes = new ClassFileImporter().importPackages(fixture);
    assertThat(classes.size()).as("fixture classes").isEqualTo(2);
    List<ArchRule> rules = rules(fixture);
    assertThatThrownBy(
            () -> {
              for (ArchRule rule : rules) {
                rule.check(classes);
              }
            })
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("app.ReachesIntoRedis")
        .hasMessageContaining("redis.RedisInternals");
  }

  /** The rules for an operator whose packages lie under {@code root}. */
  static List<ArchRule> rules(String root) {
    List<ArchRule> rules = new ArrayList<>();
    String top = root; // exactly the root package: Main and the commands
    String reconciler = root + ".reconciler..";
    String kit = root + ".kit..";
    String api = root + ".api..";
    String support = root + ".support..";
    for (String component : COMPONENTS) {
      String[] others =
          Stream.concat(
                  COMPONENTS.stream()
                      .filter(c -> !c.equals(component))
                      .map(c -> root + "." + c + ".."),
                  Stream.of(reconciler, top))
              .toArray(String[]::new);
      rules.add(
          noClasses()
              .that()
              .resideInAPackage(root + "." + component + "..")
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(others)
              .allowEmptyShould(true)
              .because(
                  "a component reaches another only through the kit (StackEndpoints,"
                      + " ComponentSignals, SecretsOutcome, PreChangeBackup), never by importing it"));
    }
    String[] components =
        COMPONENTS.stream().map(c -> root + "." + c + "..").toArray(String[]::new);
    String[] aboveKit =
        Stream.concat(Stream.of(components), Stream.of(reconciler, top)).toArray(String[]::new);
    rules.add(
        noClasses()
            .that()
            .resideInAPackage(kit)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(aboveKit)
            .allowEmptyShould(true)
            .because("the kit is what components share: it knows none of them"));
    rules.add(
        noClasses()
            .that()
            .resideInAnyPackage(api, support)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                Stream.concat(Stream.of(aboveKit), Stream.of(kit)).toArray(String[]::new))
            .allowEmptyShould(true)
            .because(
                "the CRD types and the support code are the bottom: they import nothing of ours"));
    return rules;
  }
}
