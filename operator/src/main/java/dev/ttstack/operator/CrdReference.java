package dev.ttstack.operator;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CRD reference in Markdown, generated from the CRD itself (whose descriptions come from the
 * API classes), so the README's reference cannot drift from what the API server enforces.
 */
public final class CrdReference {
  private CrdReference() {}

  public static String markdown(CustomResourceDefinition crd) {
    JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    StringBuilder md = new StringBuilder();
    md.append("| Field | Type | Default | Rules | Description |\n");
    md.append("|---|---|---|---|---|\n");
    walk("spec", root.getProperties().get("spec"), false, md);
    walk("status", root.getProperties().get("status"), false, md);
    List<String> cel = new ArrayList<>();
    collectRules("", root, cel);
    if (!cel.isEmpty()) {
      md.append(
          "\nCross-field rules (CEL, checked by the API server and again by the operator):\n\n");
      cel.forEach(r -> md.append("- ").append(r).append('\n'));
    }
    return md.toString();
  }

  private static void walk(
      String path, JSONSchemaProps schema, boolean required, StringBuilder md) {
    md.append("| `")
        .append(path)
        .append("` | ")
        .append(type(schema))
        .append(" | ")
        .append(
            schema.getDefault() == null || !schema.getDefault().isValueNode()
                ? ""
                : "`" + schema.getDefault().asText() + "`")
        .append(" | ")
        .append(rules(schema, required))
        .append(" | ")
        .append(cell(schema.getDescription()))
        .append(" |\n");
    Map<String, JSONSchemaProps> children = new TreeMap<>();
    List<String> requiredChildren = List.of();
    JSONSchemaProps container = schema;
    String prefix = path;
    if ("array".equals(schema.getType())
        && schema.getItems() != null
        && schema.getItems().getSchema() != null) {
      container = schema.getItems().getSchema();
      prefix = path + "[]";
    }
    if (container.getProperties() != null) {
      children.putAll(container.getProperties());
      requiredChildren = container.getRequired() == null ? List.of() : container.getRequired();
    }
    for (var child : children.entrySet()) {
      walk(
          prefix + "." + child.getKey(),
          child.getValue(),
          requiredChildren.contains(child.getKey()),
          md);
    }
  }

  private static String type(JSONSchemaProps s) {
    if ("array".equals(s.getType()) && s.getItems() != null && s.getItems().getSchema() != null) {
      return s.getItems().getSchema().getType() + "[]";
    }
    return s.getType() == null ? "" : s.getType();
  }

  private static String rules(JSONSchemaProps s, boolean required) {
    List<String> r = new ArrayList<>();
    if (required) {
      r.add("required");
    }
    if (s.getEnum() != null && !s.getEnum().isEmpty()) {
      r.add("one of " + String.join(", ", s.getEnum().stream().map(e -> e.asText()).toList()));
    }
    if (s.getMinimum() != null) {
      r.add("≥ " + number(s.getMinimum()));
    }
    if (s.getMaximum() != null) {
      r.add("≤ " + number(s.getMaximum()));
    }
    if (s.getMaxLength() != null) {
      r.add("≤ " + s.getMaxLength() + " chars");
    }
    if (s.getMaxItems() != null) {
      r.add("≤ " + s.getMaxItems() + " items");
    }
    if (s.getPattern() != null) {
      r.add("pattern");
    }
    return String.join(", ", r);
  }

  private static void collectRules(String path, JSONSchemaProps s, List<String> out) {
    if (s.getXKubernetesValidations() != null) {
      for (ValidationRule rule : s.getXKubernetesValidations()) {
        out.add("`" + (path.isEmpty() ? "(root)" : path) + "`: " + cell(rule.getMessage()));
      }
    }
    if (s.getProperties() != null) {
      new TreeMap<>(s.getProperties())
          .forEach((k, v) -> collectRules(path.isEmpty() ? k : path + "." + k, v, out));
    }
    if (s.getItems() != null && s.getItems().getSchema() != null) {
      collectRules(path + "[]", s.getItems().getSchema(), out);
    }
  }

  private static String number(Double d) {
    return d == Math.rint(d) ? String.valueOf(d.longValue()) : String.valueOf(d);
  }

  private static String cell(String text) {
    return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
  }
}
