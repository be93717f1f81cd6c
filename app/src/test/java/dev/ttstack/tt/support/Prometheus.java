package dev.ttstack.tt.support;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one sample from Prometheus text exposition output. */
public final class Prometheus {

  // Greedy label part: label values contain braces themselves
  // (uri="/api/performances/{performanceId}").
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*\\})?\\s+(\\S+)$");

  private Prometheus() {}

  /**
   * The value of the first sample named {@code name} carrying all {@code labels}; NaN when absent.
   */
  public static double value(String exposition, String name, Map<String, String> labels) {
    for (String line : exposition.split("\n")) {
      Matcher m = SAMPLE.matcher(line.trim());
      if (!m.matches() || !m.group(1).equals(name)) {
        continue;
      }
      String labelText = m.group(2) == null ? "" : m.group(2);
      boolean all =
          labels.entrySet().stream()
              .allMatch(l -> labelText.contains(l.getKey() + "=\"" + l.getValue() + "\""));
      if (all) {
        return Double.parseDouble(m.group(3));
      }
    }
    return Double.NaN;
  }
}
