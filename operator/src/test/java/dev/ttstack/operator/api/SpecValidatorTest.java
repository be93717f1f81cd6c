package dev.ttstack.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpecValidatorTest {

  static final String FULL_VALID_YAML = SpecCases.FULL_VALID_YAML;
  static final String MINIMAL_YAML = SpecCases.MINIMAL_YAML;

  static TTStack full() {
    return SpecCases.full();
  }

  /** The table lives in {@link SpecCases}: the real API server's test runs the same rows. */
  static Stream<Arguments> invalidSpecs() {
    return SpecCases.invalidSpecs().stream()
        .map(c -> arguments(c.name(), c.mutation(), c.path(), c.problem()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void rejectsInvalidSpec(String name, Consumer<TTStack> mutation, String path, String problem) {
    TTStack stack = full();
    mutation.accept(stack);

    List<Violation> violations = SpecValidator.validate(stack);

    // The mutation breaks one field, so that field and nothing else is reported...
    assertThat(violations)
        .as("violations of '%s'", name)
        .isNotEmpty()
        .extracting(Violation::path)
        .containsOnly(path);
    // ...with a problem that says what is wrong...
    assertThat(violations)
        .extracting(Violation::problem)
        .anySatisfy(p -> assertThat(p).contains(problem));
    // ...and the one-line message names the field and the problem.
    assertThat(SpecValidator.describe(violations)).contains(path + ": ").contains(problem);
  }

  @Test
  void fullValidSpecHasNoViolations() {
    TTStack stack = full();

    assertThat(SpecValidator.validate(stack)).isEmpty();
    assertThat(SpecValidator.describe(SpecValidator.validate(stack))).isEmpty();
    // "Full" must stay full: every optional field is set, so every pattern is also tested against a
    // value it must accept. A new spec field needs a valid value in FULL_VALID_YAML.
    // spec.secrets.secretRef is the one exception (exactly one of it and doppler); MINIMAL_YAML
    // sets it.
    assertThat(nullFields(stack.getSpec(), "spec"))
        .as("spec fields not set in FULL_VALID_YAML")
        .containsExactly("spec.secrets.secretRef");
  }

  @Test
  void specWithOnlyRequiredFieldsIsValidThanksToJavaDefaults() {
    TTStack stack = Serialization.unmarshal(MINIMAL_YAML, TTStack.class);

    assertThat(SpecValidator.validate(stack)).isEmpty();
    // The defaults the API server would have applied are there from the Java initialisers.
    assertThat(stack.getSpec().redis.masters).isEqualTo(3);
    assertThat(stack.getSpec().postgres.backup.schedule).isEqualTo(BackupSpec.DEFAULT_SCHEDULE);
    assertThat(stack.getSpec().monitoring.alerts.errorRatePercent).isEqualTo(1.0);
    assertThat(stack.getSpec().app.rollout.progressDeadlineSeconds).isEqualTo(600);
  }

  @Test
  void everyViolationIsReportedInOneMessageInOrder() {
    TTStack stack = full();
    stack.getMetadata().setName("t".repeat(50));
    stack.getSpec().secrets.doppler = null;
    stack.getSpec().app.version = "latest please";
    stack.getSpec().app.env.get(0).name = "SPRING_PROFILES_ACTIVE";
    stack.getSpec().postgres.storage.size = "10GB";
    stack.getSpec().redis.masters = 2;
    stack.getSpec().monitoring.alertmanager.slack.channel = "alerts";

    List<Violation> violations = SpecValidator.validate(stack);
    String message = SpecValidator.describe(violations);

    assertThat(violations)
        .extracting(Violation::path)
        .containsExactly(
            "metadata.name",
            "spec.secrets",
            "spec.app.version",
            "spec.app.env[0].name",
            "spec.postgres.storage.size",
            "spec.redis.masters",
            "spec.monitoring.alertmanager.slack.channel");
    assertThat(message.split("; ")).hasSize(7);
    assertThat(message)
        .containsSubsequence(
            "metadata.name: must be at most 32 characters",
            "; spec.secrets: must set exactly one of doppler or secretRef (neither is set)",
            "; spec.app.version: must match " + Patterns.IMAGE_TAG,
            "; spec.app.env[0].name: SPRING_PROFILES_ACTIVE is reserved",
            "; spec.postgres.storage.size: must match " + Patterns.STORAGE_SIZE,
            "; spec.redis.masters: must be >= 3 (got 2)",
            "; spec.monitoring.alertmanager.slack.channel: must match " + Patterns.SLACK_CHANNEL);
  }

  @Test
  void valuesAtTheEdgesAndEquivalentUnitsAreAccepted() {
    TTStack stack = SpecCases.edgeValues();

    assertThat(SpecValidator.describe(SpecValidator.validate(stack))).isEmpty();
  }

  @Test
  void absentOptionalSectionsAreFineAndNullObjectsNeverThrow() {
    TTStack stack = full();
    stack.getSpec().postgres = null;
    stack.getSpec().redis = null;
    stack.getSpec().monitoring = null;
    stack.getSpec().app.ingress = null;
    stack.getSpec().app.resources = new ResourcesSpec(new ResourceAmounts("1", null), null);
    assertThat(SpecValidator.validate(stack)).isEmpty();

    assertThat(SpecValidator.validate(new TTStack()))
        .extracting(Violation::path)
        .containsExactly("metadata.name", "spec");
    assertThat(SpecValidator.validate(null)).hasSize(1);
  }

  /**
   * Every CEL rule on the api classes has a Java twin in SpecValidator, or is listed as
   * deliberately skipped. Fails when a @ValidationRule is added or removed without updating the
   * validator.
   */
  @Test
  void everyCelRuleIsMirroredOrDeliberatelySkipped() {
    Map<String, Integer> found = new HashMap<>();
    Set<Class<?>> seen = new HashSet<>();
    Deque<Class<?>> todo = new ArrayDeque<>(List.of(TTStack.class, TTStackSpec.class));
    while (!todo.isEmpty()) {
      Class<?> type = todo.pop();
      if (!seen.add(type)) {
        continue;
      }
      count(found, type.getSimpleName(), type.getAnnotationsByType(ValidationRule.class).length);
      for (Field f : type.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        count(
            found,
            type.getSimpleName() + "." + f.getName(),
            f.getAnnotationsByType(ValidationRule.class).length);
        Class<?> fieldType = f.getType();
        if (List.class.isAssignableFrom(fieldType)
            && f.getGenericType() instanceof ParameterizedType p
            && p.getActualTypeArguments()[0] instanceof Class<?> item) {
          fieldType = item;
        }
        if (fieldType.getPackageName().equals(TTStack.class.getPackageName())
            && !fieldType.isEnum()) {
          todo.push(fieldType);
        }
      }
    }

    Map<String, Integer> accounted = new HashMap<>(SpecValidator.CEL_RULES_MIRRORED);
    accounted.putAll(SpecValidator.CEL_RULES_SKIPPED);
    assertThat(found).isEqualTo(accounted);
  }

  private static void count(Map<String, Integer> into, String where, int rules) {
    if (rules > 0) {
      into.merge(where, rules, Integer::sum);
    }
  }

  /** Paths of public instance fields that are null, recursively through api objects and lists. */
  private static List<String> nullFields(Object node, String path) {
    List<String> nulls = new ArrayList<>();
    for (Field f : node.getClass().getFields()) {
      if (Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      Object value;
      try {
        value = f.get(node);
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
      String p = path + "." + f.getName();
      if (value == null) {
        nulls.add(p);
      } else if (value instanceof List<?> list) {
        for (int i = 0; i < list.size(); i++) {
          nulls.addAll(nullFields(list.get(i), p + "[" + i + "]"));
        }
      } else if (value.getClass().getPackageName().equals(TTStack.class.getPackageName())
          && !value.getClass().isEnum()) {
        nulls.addAll(nullFields(value, p));
      }
    }
    return nulls.isEmpty() ? Collections.emptyList() : nulls;
  }

  /** The API server drops an explicit null and applies the default; Jackson must do the same. */
  @Test
  void explicitNullsFallBackToDefaults() {
    TTStack stack =
        Serialization.unmarshal(
            """
        apiVersion: ttstack.dev/v1alpha1
        kind: TTStack
        metadata: {name: tt}
        spec:
          secrets: {secretRef: {name: tt-secrets}}
          app: {image: ghcr.io/tt-org/tt-backend, version: "1.0", replicas: null, rollout: null}
          redis: {masters: null}
          monitoring: null
        """,
            TTStack.class);

    assertThat(stack.getSpec().app.replicas).isEqualTo(1);
    assertThat(stack.getSpec().app.rollout.progressDeadlineSeconds).isEqualTo(600);
    assertThat(stack.getSpec().redis.masters).isEqualTo(3);
    assertThat(stack.getSpec().monitoring.enabled).isTrue();
    assertThat(SpecValidator.validate(stack)).isEmpty();
  }
}
