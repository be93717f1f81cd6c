package dev.ttstack.operator.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the repository's delivery scripts (k3s/, .github/scripts/) as processes, with a PATH of our
 * choosing: a sandbox of symlinks to the real tools they need, plus stubs standing for what this
 * machine has not got (aws, kubectl, k3s, blkid, mountpoint).
 */
final class Scripts {
  /** The repository root (Maven runs the tests in operator/). */
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  private Scripts() {}

  record Result(int exit, String output) {
    List<String> lines() {
      return output.lines().toList();
    }

    List<String> plan() {
      return output.lines().filter(l -> l.startsWith("PLAN: ")).map(l -> l.substring(6)).toList();
    }
  }

  /** Runs {@code command} in {@code dir}, stdout and stderr together, PATH = {@code path}. */
  static Result run(List<String> command, Path dir, String path, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("AWS_") || k.equals("KUBECONFIG"));
    e.put("PATH", path);
    e.put("LC_ALL", "C");
    e.putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished in time", command).isTrue();
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** A directory of symlinks to the real {@code tools} (found in the usual system directories). */
  static Path toolbox(Path dir, String... tools) throws IOException {
    Files.createDirectories(dir);
    for (String tool : tools) {
      Path real = null;
      for (String d : new String[] {"/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
        Path candidate = Path.of(d, tool);
        if (Files.isExecutable(candidate)) {
          real = candidate;
          break;
        }
      }
      assertThat(real).as("tool %s is installed", tool).isNotNull();
      Files.createSymbolicLink(dir.resolve(tool), real);
    }
    return dir;
  }

  /** Writes an executable bash script {@code name} with {@code body} into {@code dir}. */
  static Path stub(Path dir, String name, String body) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  static String path(Path... dirs) {
    List<String> parts = new ArrayList<>();
    for (Path d : dirs) {
      parts.add(d.toString());
    }
    return String.join(":", parts);
  }
}
