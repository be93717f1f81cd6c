package dev.ttstack.operator.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code helm} binary, run on the operator's chart ({@code helm/tt-operator}). Found
 * through the {@code HELM} environment variable (set by .ci/run), else on the PATH, else where
 * .ci/run installs it. A missing helm FAILS the tests that need it: CI installs it, and a chart
 * test that skips proves nothing. Helm 4 (Helm 3 cannot run {@code install --dry-run=client}
 * without a cluster).
 */
public final class Helm {
  /** The chart, relative to the operator module (where Maven runs the tests). */
  public static final Path CHART = Path.of("..", "helm", "tt-operator");

  public static final String RELEASE = "tt-operator";
  public static final String NAMESPACE = "ttstack-system";

  private Helm() {}

  /** The helm executable; fails with instructions when there is none. */
  public static Path binary() {
    String configured = System.getenv("HELM");
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured);
      if (!Files.isExecutable(path)) {
        throw new IllegalStateException("HELM=" + configured + " is not an executable file");
      }
      return path;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "helm");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    Path installedByCi = Path.of("..", ".ci", "tools", "helm4", "helm");
    if (Files.isExecutable(installedByCi)) {
      return installedByCi;
    }
    throw new IllegalStateException(
        "helm not found: set HELM=/path/to/helm or put helm on the PATH "
            + "(.ci/run installs Helm 4 into .ci/tools/helm4/ and sets HELM: run `bash .ci/run` once)");
  }

  /** The result of one helm run. */
  public record Result(int exitCode, String stdout, String stderr) {
    public Result orFail(String what) {
      if (exitCode != 0) {
        throw new AssertionError(what + " failed (exit " + exitCode + "):\n" + stderr + stdout);
      }
      return this;
    }
  }

  /** Runs helm with these arguments (in the operator module), at most two minutes. */
  public static Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary().toString());
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("helm-out", ".txt");
      Path err = Files.createTempFile("helm-err", ".txt");
      try {
        Process process =
            new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          throw new AssertionError("helm did not finish within 2 minutes: " + command);
        }
        return new Result(
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * {@code helm template} of the chart in {@link #NAMESPACE}, with extra arguments (--set, -f ...).
   */
  public static String template(String... extraArgs) {
    List<String> args =
        new ArrayList<>(List.of("template", RELEASE, CHART.toString(), "--namespace", NAMESPACE));
    args.addAll(List.of(extraArgs));
    return run(args.toArray(String[]::new))
        .orFail("helm template " + String.join(" ", extraArgs))
        .stdout();
  }

  /** The objects of a rendered chart, typed by kind where fabric8 knows the kind. */
  public static List<HasMetadata> objects(String rendered) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : rendered.split("(?m)^---\\s*$")) {
      boolean empty = document.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"));
      if (!empty) {
        objects.add(Serialization.unmarshal(document, HasMetadata.class));
      }
    }
    return objects;
  }

  /** The objects of this kind, cast. */
  public static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
