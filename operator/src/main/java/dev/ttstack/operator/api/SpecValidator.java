package dev.ttstack.operator.api;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The CRD schema, enforced again in Java.
 *
 * <p>Why: the fabric8 mock API server used in tests checks no schema, and neither does a cluster
 * where someone installed a hand-edited CRD. The operator must not act on a spec the real API
 * server would have refused, so it validates every TTStack itself, with the same rules:
 *
 * <ul>
 *   <li>Per-field rules ({@code @Required}, {@code @Pattern}, {@code @Size}, {@code @Min},
 *       {@code @Max}) are read from the very annotations that generate the schema, by walking the
 *       spec object graph reflectively. A field added later with one of them is checked without any
 *       change here.
 *   <li>The CEL rules ({@code @ValidationRule}) cannot be evaluated from their text here, so each
 *       is written again in Java in {@link #crossFieldRules}. {@link #CEL_RULES_MIRRORED} and
 *       {@link #CEL_RULES_SKIPPED} say where they are; a test compares them with the annotations,
 *       so a new CEL rule without a Java twin fails the build.
 * </ul>
 *
 * <p>Limits of the mirror: fields are found as public instance fields (the API classes use no
 * getters and no {@code @JsonProperty} renames, so field name = JSON name); regexes run on Java's
 * engine, not RE2 (identical for the patterns in {@link Patterns}; {@code $} is translated, see
 * {@link #regex}).
 */
public final class SpecValidator {
  private SpecValidator() {}

  /**
   * CEL rules enforced by {@link #crossFieldRules}, as {@code "<Class>"} or {@code
   * "<Class>.<field>"} → number of rules there.
   */
  static final Map<String, Integer> CEL_RULES_MIRRORED =
      Map.of(
          "TTStack", 3, // name length and pattern (checkName), spec required (validate)
          "SecretsSpec", 1,
          "ResourcesSpec", 2,
          "AppSpec.env", 1, // unique names (checkEnvNames)
          "EnvVarSpec", 1, // reserved names (checkEnvNames)
          "AlertsSpec.errorRatePercent",
              1); // the @Min check of checkField, which the schema's minimum gets wrong

  /**
   * CEL rules deliberately not enforced. StorageSpec's two are transition rules: they compare the
   * new object with the stored one ({@code oldSelf}: no storage class change, no shrinking), which
   * a validator seeing only the current spec cannot do. The components that own volumes must refuse
   * those changes when they compare the spec with the existing PVC.
   */
  static final Map<String, Integer> CEL_RULES_SKIPPED = Map.of("StorageSpec", 2);

  private static final String API_PACKAGE = TTStack.class.getPackageName();
  private static final int MAX_QUOTED_VALUE = 100;
  private static final Map<String, java.util.regex.Pattern> REGEX_CACHE = new ConcurrentHashMap<>();

  /**
   * Every violation in {@code stack}, in a stable order (metadata, then the spec in field
   * declaration order, each object's cross-field rules after its fields). Empty means valid. Never
   * throws: the reconciler reports the result in a condition, and a validator bug must not crash
   * it.
   */
  public static List<Violation> validate(TTStack stack) {
    List<Violation> out = new ArrayList<>();
    if (stack == null) {
      out.add(new Violation("(TTStack)", "is null"));
      return out;
    }
    try {
      checkName(stack.getMetadata(), out);
      TTStackSpec spec = stack.getSpec();
      if (spec == null) {
        // The schema cannot require spec (fabric8 does not emit it), but spec.secrets and spec.app
        // are required, so no useful TTStack lacks a spec.
        out.add(new Violation("spec", "is required"));
      } else {
        walk(spec, "spec", out);
      }
    } catch (RuntimeException | IllegalAccessException e) {
      out.add(new Violation("spec", "could not be validated (operator bug): " + e));
    }
    return out;
  }

  /**
   * One line naming every violation, in order: {@code spec.app.version: must match ...; spec.redis.
   * masters: must be >= 3 (got 2)}. Empty string when there are none.
   */
  public static String describe(List<Violation> violations) {
    return violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
  }

  // ---------------------------------------------------------------------------------------------
  // metadata.name: the CRD's two rules on the root object (length, DNS-1035 label), which also
  // cover
  // what the API server checks for every object and the mock server does not.

  private static void checkName(ObjectMeta metadata, List<Violation> out) {
    String name = metadata == null ? null : metadata.getName();
    if (name == null || name.isEmpty()) {
      out.add(new Violation("metadata.name", "is required"));
      return;
    }
    int length = name.codePointCount(0, name.length());
    if (length > TTStack.MAX_NAME_LENGTH) {
      out.add(
          new Violation(
              "metadata.name",
              "must be at most "
                  + TTStack.MAX_NAME_LENGTH
                  + " characters, because managed objects are named <name>-<component> (got "
                  + length
                  + ")"));
    }
    if (!regex(Patterns.STACK_NAME).matcher(name).find()) {
      out.add(
          new Violation(
              "metadata.name",
              "must start with a lower-case letter and contain only"
                  + " lower-case letters, digits and '-' (it prefixes Service names, DNS-1035 labels) "
                  + got(name)));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The reflective walk: annotations on fields of api classes.

  private static void walk(Object node, String path, List<Violation> out)
      throws IllegalAccessException {
    for (Field field : instanceFields(node.getClass())) {
      String fieldPath = path + "." + field.getName();
      Object value = field.get(node);
      if (value == null) {
        // Absent optional fields are fine: the API server would apply @Default, and Jackson leaves
        // the Java initialiser in place when the field is absent from the YAML.
        if (field.isAnnotationPresent(Required.class)) {
          out.add(new Violation(fieldPath, "is required"));
        }
        continue;
      }
      checkField(field, value, fieldPath, out);
      descend(value, fieldPath, out);
    }
    crossFieldRules(node, path, out);
  }

  /** Lists and maps are walked item by item; scalars and enums need nothing more. */
  private static void descend(Object value, String path, List<Violation> out)
      throws IllegalAccessException {
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        Object item = list.get(i);
        String itemPath = path + "[" + i + "]";
        if (item == null) {
          out.add(new Violation(itemPath, "must not be null"));
        } else {
          descend(item, itemPath, out);
        }
      }
    } else if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (e.getValue() != null) {
          descend(e.getValue(), path + "." + e.getKey(), out);
        }
      }
    } else if (isApiObject(value)) {
      walk(value, path, out);
    }
  }

  private static boolean isApiObject(Object value) {
    Class<?> type = value.getClass();
    return !type.isEnum() && type.getPackageName().equals(API_PACKAGE);
  }

  /** Public instance fields, superclass fields first, each class in declaration order. */
  private static List<Field> instanceFields(Class<?> type) {
    Deque<Class<?>> chain = new ArrayDeque<>();
    for (Class<?> c = type;
        c != null && c.getPackageName().equals(API_PACKAGE);
        c = c.getSuperclass()) {
      chain.push(c);
    }
    List<Field> fields = new ArrayList<>();
    for (Class<?> c : chain) {
      for (Field f : c.getDeclaredFields()) {
        int mod = f.getModifiers();
        if (Modifier.isPublic(mod)
            && !Modifier.isStatic(mod)
            && !Modifier.isTransient(mod)
            && !f.isSynthetic()) {
          fields.add(f);
        }
      }
    }
    return fields;
  }

  /** The schema keywords fabric8 derives from the field's annotations, in the same units. */
  private static void checkField(Field field, Object value, String path, List<Violation> out) {
    Min min = field.getAnnotation(Min.class);
    Max max = field.getAnnotation(Max.class);
    if (value instanceof Number number) {
      double v = number.doubleValue();
      if (min != null && (min.inclusive() ? v < min.value() : v <= min.value())) {
        out.add(
            new Violation(
                path,
                "must be "
                    + (min.inclusive() ? ">= " : "> ")
                    + format(min.value())
                    + " (got "
                    + format(number)
                    + ")"));
      }
      if (max != null && (max.inclusive() ? v > max.value() : v >= max.value())) {
        out.add(
            new Violation(
                path,
                "must be "
                    + (max.inclusive() ? "<= " : "< ")
                    + format(max.value())
                    + " (got "
                    + format(number)
                    + ")"));
      }
    }

    Size size = field.getAnnotation(Size.class);
    if (size != null) {
      checkSize(size, value, path, out);
    }

    Pattern pattern = field.getAnnotation(Pattern.class);
    if (pattern != null
        && value instanceof CharSequence text
        && !regex(pattern.value()).matcher(text).find()) {
      out.add(new Violation(path, "must match " + pattern.value() + " " + got(text.toString())));
    }
  }

  /**
   * minLength/maxLength for strings (counted in characters, as Kubernetes does), min/maxItems for
   * lists.
   */
  private static void checkSize(Size size, Object value, String path, List<Violation> out) {
    long count;
    String unit;
    if (value instanceof CharSequence text) {
      count = text.toString().codePointCount(0, text.length());
      unit = "characters";
    } else if (value instanceof Collection<?> c) {
      count = c.size();
      unit = "items";
    } else if (value instanceof Map<?, ?> m) {
      count = m.size();
      unit = "entries";
    } else {
      return;
    }
    if (count < size.min()) {
      out.add(
          new Violation(
              path,
              (size.min() == 1 && unit.equals("characters"))
                  ? "must not be empty"
                  : "must have at least " + size.min() + " " + unit + " (got " + count + ")"));
    }
    if (count > size.max()) {
      out.add(
          new Violation(
              path, "must have at most " + size.max() + " " + unit + " (got " + count + ")"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The CEL rules, in Java. Keep CEL_RULES_MIRRORED in step with this method.

  private static void crossFieldRules(Object node, String path, List<Violation> out) {
    if (node instanceof SecretsSpec secrets) {
      boolean doppler = secrets.doppler != null;
      boolean secretRef = secrets.secretRef != null;
      if (doppler && secretRef) {
        out.add(new Violation(path, "must set exactly one of doppler or secretRef, not both"));
      } else if (!doppler && !secretRef) {
        out.add(
            new Violation(path, "must set exactly one of doppler or secretRef (neither is set)"));
      }
    } else if (node instanceof ResourcesSpec resources) {
      limitNotBelowRequest(resources, "cpu", a -> a.cpu, path, out);
      limitNotBelowRequest(resources, "memory", a -> a.memory, path, out);
    } else if (node instanceof AppSpec app && app.env != null) {
      checkEnvNames(app.env, path + ".env", out);
    }
  }

  /**
   * Reserved and duplicate names. CEL's exists_one fails every copy of a duplicate; reporting the
   * later copies, each pointing at the first, says the same and tells the user which entry to drop.
   */
  private static void checkEnvNames(List<EnvVarSpec> env, String path, List<Violation> out) {
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < env.size(); i++) {
      EnvVarSpec e = env.get(i);
      if (e == null || e.name == null) {
        continue; // already reported by the walk
      }
      String namePath = path + "[" + i + "].name";
      if (AppSpec.RESERVED_ENV.contains(e.name)) {
        out.add(
            new Violation(
                namePath,
                e.name
                    + " is reserved: the operator sets it itself (reserved: "
                    + AppSpec.RESERVED_ENV
                    + ")"));
      }
      Integer first = firstIndex.putIfAbsent(e.name, i);
      if (first != null) {
        out.add(
            new Violation(
                namePath,
                "duplicates "
                    + path
                    + "["
                    + first
                    + "].name ("
                    + e.name
                    + "): env names must be unique"));
      }
    }
  }

  /**
   * CEL's {@code quantity(a).compareTo(quantity(b))} compares amounts, so {@code 1Gi} and {@code
   * 1024Mi} are equal. An amount that does not parse is skipped: its @Pattern already failed.
   */
  private static void limitNotBelowRequest(
      ResourcesSpec resources,
      String what,
      Function<ResourceAmounts, String> get,
      String path,
      List<Violation> out) {
    if (resources.requests == null || resources.limits == null) {
      return;
    }
    String request = get.apply(resources.requests);
    String limit = get.apply(resources.limits);
    if (request == null || limit == null) {
      return;
    }
    BigDecimal requestAmount = amount(request);
    BigDecimal limitAmount = amount(limit);
    if (requestAmount != null && limitAmount != null && limitAmount.compareTo(requestAmount) < 0) {
      out.add(
          new Violation(
              path + ".limits." + what,
              "must not be less than requests."
                  + what
                  + " (limit "
                  + limit
                  + " < request "
                  + request
                  + ")"));
    }
  }

  private static BigDecimal amount(String quantity) {
    try {
      return Quantity.parse(quantity).getNumericalAmount();
    } catch (RuntimeException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers.

  /**
   * The schema's {@code pattern}, compiled for Java. Kubernetes (RE2) searches for a match and its
   * {@code $} means end of text only; Java's {@code $} also matches before a final line break,
   * which would let {@code "prod\n"} through. So every {@code $} outside a character class becomes
   * {@code \z}.
   */
  static java.util.regex.Pattern regex(String schemaPattern) {
    return REGEX_CACHE.computeIfAbsent(
        schemaPattern,
        p -> {
          StringBuilder out = new StringBuilder(p.length() + 4);
          boolean inClass = false;
          for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\' && i + 1 < p.length()) {
              out.append(c).append(p.charAt(++i));
              continue;
            }
            if (c == '[') {
              inClass = true;
            } else if (c == ']') {
              inClass = false;
            } else if (c == '$' && !inClass) {
              out.append("\\z");
              continue;
            }
            out.append(c);
          }
          return java.util.regex.Pattern.compile(out.toString());
        });
  }

  private static String got(String value) {
    String shown =
        value.length() > MAX_QUOTED_VALUE ? value.substring(0, MAX_QUOTED_VALUE) + "..." : value;
    return "(got \"" + shown.replace("\n", "\\n") + "\")";
  }

  private static String format(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return n.toString();
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return Double.toString(d);
    }
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }
}
