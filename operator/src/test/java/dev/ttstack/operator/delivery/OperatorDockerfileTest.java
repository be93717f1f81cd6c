package dev.ttstack.operator.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * operator/Dockerfile, read as text: no Docker engine here, so the image is never built in this CI.
 * These are the facts that matter for running it on the node (pinned bases, non-root numeric user,
 * the jar where the chart expects it, JVM flags sized for a small node) and for building it (every
 * file the build stage copies survives the Dockerfile's .dockerignore).
 */
class OperatorDockerfileTest {
  static final Path DOCKERFILE = Scripts.REPO.resolve("operator/Dockerfile");
  static final Path IGNORE = Scripts.REPO.resolve("operator/Dockerfile.dockerignore");

  /** Instructions, with continuation lines joined and comments dropped. */
  static List<String> instructions() throws Exception {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(DOCKERFILE)) {
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
      } else {
        out.add(current.append(line).toString().strip());
        current.setLength(0);
      }
    }
    return out;
  }

  static List<String> all(String keyword) throws Exception {
    return instructions().stream()
        .filter(i -> i.startsWith(keyword + " "))
        .map(i -> i.substring(keyword.length() + 1))
        .toList();
  }

  @Test
  void baseImagesArePinnedAndTheRuntimeIsASmallJre17() throws Exception {
    List<String> from = all("FROM");
    assertThat(from).hasSize(2);
    for (String f : from) {
      String image = f.split("\\s+")[0];
      assertThat(image)
          .as("pinned by a version tag or digest, never latest or untagged")
          .matches(
              "[a-z0-9./-]+(:[A-Za-z0-9_.-]*\\d+\\.\\d+[A-Za-z0-9_.-]*)(@sha256:[0-9a-f]{64})?")
          .doesNotContain(":latest");
    }
    assertThat(from.get(0)).matches("maven:\\S+-eclipse-temurin-17 AS build");
    assertThat(from.get(1)).matches("eclipse-temurin:17\\.\\S+-jre-alpine");
  }

  @Test
  void theBuildStageUsesTheWrapperAndTheMavenVersionItPins() throws Exception {
    String wrapper =
        Files.readString(Scripts.REPO.resolve(".mvn/wrapper/maven-wrapper.properties"));
    Matcher m = Pattern.compile("apache-maven-(\\d+\\.\\d+\\.\\d+)-bin\\.zip").matcher(wrapper);
    assertThat(m.find()).isTrue();
    assertThat(all("FROM").get(0)).startsWith("maven:" + m.group(1) + "-");
    assertThat(all("RUN"))
        .anyMatch(
            r ->
                r.startsWith("./mvnw -B")
                    && r.contains("-f operator/pom.xml")
                    && r.contains(" package"));
    String pom = Files.readString(Scripts.REPO.resolve("operator/pom.xml"));
    assertThat(pom).contains("<finalName>ttstack-operator</finalName>");
    assertThat(all("RUN")).anyMatch(r -> r.contains("operator/target/ttstack-operator.jar"));
  }

  @Test
  void itRunsAsANumericNonRootUserWithTheJarAtAppAndSmallNodeFlags() throws Exception {
    List<String> users = all("USER");
    assertThat(users).isNotEmpty();
    String user = users.get(users.size() - 1);
    assertThat(user)
        .as("numeric, so that Kubernetes can verify runAsNonRoot")
        .matches("\\d+(:\\d+)?");
    assertThat(Integer.parseInt(user.split(":")[0])).isPositive();
    assertThat(instructions().indexOf("USER " + user))
        .as("the last USER comes after the last RUN")
        .isGreaterThan(
            instructions()
                .lastIndexOf(
                    instructions().stream()
                        .filter(i -> i.startsWith("RUN "))
                        .reduce((a, b) -> b)
                        .orElseThrow()));

    assertThat(all("COPY"))
        .anyMatch(c -> c.startsWith("--from=build") && c.endsWith("/app/ttstack-operator.jar"));
    assertThat(all("EXPOSE")).containsExactly("8080");
    String entrypoint = all("ENTRYPOINT").get(0);
    assertThat(entrypoint)
        .as("exec form: the JVM is PID 1 and gets SIGTERM")
        .startsWith("[\"java\",")
        .contains(
            "\"-XX:MaxRAMPercentage=50\"",
            "\"-XX:+UseSerialGC\"",
            "\"-XX:TieredStopAtLevel=1\"",
            "\"-XX:+ExitOnOutOfMemoryError\"",
            "\"-jar\", \"/app/ttstack-operator.jar\"]");
    assertThat(all("CMD")).containsExactly("[\"run\"]");
  }

  @Test
  void everyFileTheBuildCopiesPassesTheDockerignore() throws Exception {
    List<String> rules =
        Files.readAllLines(IGNORE).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    assertThat(rules.get(0))
        .as("everything out, then only what the build needs back in")
        .isEqualTo("*");
    for (String copy : all("COPY")) {
      if (copy.startsWith("--from=")) {
        continue;
      }
      String[] parts = copy.split("\\s+");
      for (int i = 0; i < parts.length - 1; i++) {
        Path source = Scripts.REPO.resolve(parts[i]);
        assertThat(source).as("COPY source %s exists", parts[i]).exists();
        if (Files.isDirectory(source)) {
          try (var files = Files.walk(source)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
              assertThat(included(rules, Scripts.REPO.relativize(f).toString()))
                  .as("%s reaches the build", f)
                  .isTrue();
            }
          }
        } else {
          assertThat(included(rules, parts[i])).as("%s reaches the build", parts[i]).isTrue();
        }
      }
    }
    assertThat(included(rules, "operator/target/ttstack-operator.jar"))
        .as("no local build output")
        .isFalse();
    assertThat(included(rules, "operator/src/test/java/X.java")).isFalse();
    assertThat(included(rules, ".git/config")).isFalse();
  }

  /**
   * Whether {@code path} is sent to the builder under {@code rules}: the subset of .dockerignore
   * syntax used here ("*", and "!" exceptions naming a file or a directory with a trailing slash);
   * the last match wins.
   */
  static boolean included(List<String> rules, String path) {
    boolean in = true;
    for (String rule : rules) {
      boolean exception = rule.startsWith("!");
      String pattern = exception ? rule.substring(1) : rule;
      boolean matches =
          pattern.equals("*")
              || pattern.equals(path)
              || (pattern.endsWith("/") && path.startsWith(pattern));
      if (matches) {
        in = exception;
      }
    }
    return in;
  }
}
