package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.TTStack;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels every managed object carries (DESIGN.md, "Naming inside the cluster"). */
public final class StackLabels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String OPERATOR = "ttstack-operator";

  private StackLabels() {}

  /** Labels of an object of {@code component} (e.g. "redis") belonging to the stack. */
  public static Map<String, String> of(TTStack stack, String name, String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, name);
    labels.put(INSTANCE, stack.getMetadata().getName());
    labels.put(COMPONENT, component);
    labels.put(MANAGED_BY, OPERATOR);
    return labels;
  }

  /** {@code <stack>-<component>}. */
  public static String objectName(TTStack stack, String component) {
    return stack.getMetadata().getName() + "-" + component;
  }
}
