package dev.ttstack.operator.monitoring;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.PodParts;
import dev.ttstack.operator.support.ClasspathText;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stack's alert rules: {@code monitoring/rules.yml} with its placeholders filled from the spec
 * and its optional blocks kept or dropped (the file's header lists both). Pure: the same spec and
 * operator setting give the same text, byte for byte.
 */
public final class AlertRules {
  static final String TEMPLATE = "/monitoring/rules.yml";
  public static final String OPERATOR_METRICS = "operator-metrics";
  public static final String POSTGRES_BACKUPS = "postgres-backups";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");
  private static final String IF = "# ttstack:if ";
  private static final String END = "# ttstack:end";

  private AlertRules() {}

  /**
   * The rules file for that stack; {@code operatorMetrics} says whether the operator is scraped.
   */
  public static String render(TTStack stack, boolean operatorMetrics) {
    Set<String> features = new TreeSet<>();
    if (operatorMetrics) {
      features.add(OPERATOR_METRICS);
    }
    if (Boolean.TRUE.equals(stack.getSpec().postgres.backup.enabled)) {
      features.add(POSTGRES_BACKUPS);
    }
    String header =
        "# Alert rules of TTStack "
            + MonitoringObjects.namespace(stack)
            + "/"
            + stack.getMetadata().getName()
            + ", rendered by the operator from "
            + TEMPLATE.substring(1)
            + " (features: "
            + String.join(", ", features)
            + "). Do not edit: the operator rewrites it.\n";
    return header
        + substitute(select(withoutHeader(ClasspathText.read(TEMPLATE)), features), values(stack));
  }

  static Map<String, String> values(TTStack stack) {
    var spec = stack.getSpec();
    var alerts = spec.monitoring.alerts;
    // The app container's limits as the app's Deployment gets them (its defaults included).
    Map<String, Quantity> limits = PodParts.resources(spec.app.effectiveResources()).getLimits();
    Map<String, String> v = new LinkedHashMap<>();
    v.put("STACK", stack.getMetadata().getName());
    v.put("NAMESPACE", MonitoringObjects.namespace(stack));
    v.put("CPU_PERCENT", String.valueOf(alerts.cpuPercent));
    v.put("MEMORY_PERCENT", String.valueOf(alerts.memoryPercent));
    v.put("ERROR_RATE_PERCENT", plain(BigDecimal.valueOf(alerts.errorRatePercent)));
    Quantity cpuLimit = limits == null ? null : limits.get("cpu");
    if (cpuLimit != null) {
      String cores = plain(cpuLimit.getNumericalAmount());
      v.put("APP_CPU_LIMIT", cores);
      v.put(
          "APP_CPU_LIMIT_TEXT",
          "its CPU limit (" + cores + ("1".equals(cores) ? " core)" : " cores)"));
    } else {
      // No limit: the share of the CPUs the JVM sees (Runtime.availableProcessors), per pod.
      v.put("APP_CPU_LIMIT", "system_cpu_count{job=\"app\"}");
      v.put(
          "APP_CPU_LIMIT_TEXT", "the CPUs its JVM sees (spec.app.resources.limits.cpu is not set)");
    }
    Quantity memoryLimit = limits == null ? null : limits.get("memory");
    if (memoryLimit == null) {
      throw new IllegalStateException(
          "the app container has no memory limit"); // effectiveResources always has one
    }
    v.put("APP_MEMORY_LIMIT_BYTES", plain(Quantity.getAmountInBytes(memoryLimit)));
    v.put("APP_MEMORY_LIMIT_TEXT", memoryLimit.toString());
    v.put("REDIS_NODES", String.valueOf(spec.redis.nodeCount()));
    Duration maxAge = backupMaxAge(stack);
    v.put("BACKUP_MAX_AGE_SECONDS", String.valueOf(maxAge.toSeconds()));
    v.put("BACKUP_MAX_AGE_TEXT", words(maxAge));
    return v;
  }

  /**
   * Two backup intervals: the longest gap between runs of {@code spec.postgres.backup.schedule},
   * twice.
   */
  public static Duration backupMaxAge(TTStack stack) {
    return CronSchedule.parse(stack.getSpec().postgres.backup.schedule)
        .longestGap()
        .multipliedBy(2);
  }

  /** The template without its leading comment block (which documents the placeholders). */
  static String withoutHeader(String template) {
    int body = template.indexOf("\ngroups:");
    if (body < 0) {
      throw new IllegalStateException(TEMPLATE + " has no top-level 'groups:'");
    }
    return template.substring(body + 1);
  }

  /** Keeps the lines of the blocks whose feature is on; the markers themselves are dropped. */
  static String select(String template, Set<String> features) {
    StringBuilder out = new StringBuilder();
    Deque<Boolean> keep = new ArrayDeque<>();
    keep.push(true);
    for (String line : template.split("\n", -1)) {
      String t = line.trim();
      if (t.startsWith(IF)) {
        keep.push(keep.peek() && features.contains(t.substring(IF.length()).trim()));
      } else if (t.startsWith(END)) {
        if (keep.size() == 1) {
          throw new IllegalStateException("unbalanced '" + END + "' in " + TEMPLATE);
        }
        keep.pop();
      } else if (keep.peek()) {
        out.append(line).append('\n');
      }
    }
    if (keep.size() != 1) {
      throw new IllegalStateException("unterminated '" + IF + "' in " + TEMPLATE);
    }
    return out.toString().replaceAll("\n+$", "\n");
  }

  static String substitute(String text, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException("no value for ${" + m.group(1) + "} in " + TEMPLATE);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String plain(BigDecimal number) {
    return number.stripTrailingZeros().toPlainString();
  }

  static String words(Duration d) {
    long s = d.toSeconds();
    if (s % 86400 == 0) {
      return s / 86400 + (s == 86400 ? " day" : " days");
    }
    if (s % 3600 == 0) {
      return s / 3600 + (s == 3600 ? " hour" : " hours");
    }
    return s / 60 + " minutes";
  }
}
