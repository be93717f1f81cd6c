package dev.ttstack.tt.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs helper commands (initdb, pg_ctl, psql) with a bound, as the postgres user when we are root.
 */
final class Commands {

  private Commands() {}

  static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /**
   * PostgreSQL refuses to run as root: as root (CI, this machine) every PostgreSQL command runs
   * through {@code runuser -u postgres}, in directories that user owns.
   */
  static List<String> asPostgres(List<String> command) {
    if (!runningAsRoot()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  /**
   * Runs to completion and returns the output. Output goes to a file, not a pipe: pg_ctl's server
   * inherits the descriptors, and a pipe would never reach end-of-file.
   */
  static String run(List<String> command, Duration timeout) {
    Path out = null;
    try {
      out = Files.createTempFile("tt-cmd", ".out");
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out after " + timeout + ": " + command.get(0));
      }
      String output = Files.readString(out);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(command + " exited with " + p.exitValue() + ":\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (out != null) {
        out.toFile().delete();
      }
    }
  }

  /** Deletes a directory tree, best effort (used on shutdown paths, which must not throw). */
  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.err.println("[local-services] could not delete " + dir + ": " + e);
    }
  }

  static void chownToPostgres(Path path) {
    if (runningAsRoot()) {
      run(List.of("chown", "-R", "postgres:postgres", path.toString()), Duration.ofSeconds(10));
    }
  }
}
