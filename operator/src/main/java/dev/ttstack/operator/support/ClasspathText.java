package dev.ttstack.operator.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Text files shipped in the operator's jar ({@code operator/src/main/resources}): scripts, config
 * templates, rules and dashboards, the very files the tests run through the real tools.
 */
public final class ClasspathText {
  private ClasspathText() {}

  /**
   * The file at {@code path} (absolute, e.g. {@code /postgres/backup.sh}); a missing one is a
   * packaging bug.
   */
  public static String read(String path) {
    try (InputStream in = ClasspathText.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
