package dev.ttstack.operator.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real kubectl (Kubernetes' own, built into the local-node binary at the cluster's version) run
 * as a user would run it, against the local control plane.
 */
public final class Kubectl {
  private final Path binary;
  private final Path kubeconfig;

  Kubectl(Path binary, Path kubeconfig) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
  }

  /** The same kubectl with another user's kubeconfig (e.g. the operator's ServiceAccount). */
  public Kubectl as(Path otherKubeconfig) {
    return new Kubectl(binary, otherKubeconfig);
  }

  public record Result(int exitCode, String stdout, String stderr) {
    public Result orFail() {
      if (exitCode != 0) {
        throw new AssertionError("kubectl failed (exit " + exitCode + "):\n" + stderr + stdout);
      }
      return this;
    }

    /** stdout and stderr together, for messages. */
    public String output() {
      return stdout + stderr;
    }
  }

  public Result run(String... args) {
    return withInput(null, args);
  }

  /**
   * Runs {@code kubectl ARGS} with {@code stdin} as its input (e.g. {@code apply -f -}), at most 2
   * minutes.
   */
  public Result withInput(String stdin, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(binary.toString(), "kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return execute(command, stdin, Map.of());
  }

  /**
   * {@code kubectl PLUGIN ARGS} with {@code pluginDirectory} first on PATH: kubectl finds a plugin
   * only when no flag comes before its name, so the kubeconfig is given as KUBECONFIG, which
   * kubectl hands to the plugin with the rest of its environment.
   */
  public Result plugin(Path pluginDirectory, Map<String, String> environment, String... args) {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "kubectl"));
    command.addAll(List.of(args));
    Map<String, String> env = new HashMap<>(environment);
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("PATH", pluginDirectory + java.io.File.pathSeparator + System.getenv("PATH"));
    return execute(command, null, env);
  }

  private Result execute(List<String> command, String stdin, Map<String, String> environment) {
    try {
      Path in = Files.createTempFile("kubectl-in", ".yaml");
      Path out = Files.createTempFile("kubectl-out", ".txt");
      Path err = Files.createTempFile("kubectl-err", ".txt");
      try {
        Files.writeString(in, stdin == null ? "" : stdin, StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process =
            builder
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          throw new AssertionError("kubectl did not finish within 2 minutes: " + command);
        }
        return new Result(
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(in);
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
}
