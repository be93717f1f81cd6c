package dev.ttstack.operator.api;

/**
 * One thing wrong with a TTStack.
 *
 * @param path the offending field as a user would write it, with JSON names and the {@code spec.}
 *     prefix, list items by index: {@code spec.app.env[2].name}
 * @param problem what is wrong, readable after {@code "<path>: "}: {@code must be >= 3 (got 2)}
 */
public record Violation(String path, String problem) {

  @Override
  public String toString() {
    return path + ": " + problem;
  }
}
