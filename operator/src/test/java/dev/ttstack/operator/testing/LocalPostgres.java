package dev.ttstack.operator.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server for tests: a fresh cluster in a temporary directory, on 127.0.0.1 and a
 * free port, password authentication, stopped after the test class whatever happened. As root (CI)
 * the server runs as the {@code postgres} user, as PostgreSQL insists.
 */
public final class LocalPostgres implements BeforeAllCallback, AfterAllCallback {
  public static final String USER = "tt_admin";
  private final String password = "pw-" + Long.toHexString(System.nanoTime());
  private Path dir;
  private Path data;
  private int port;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Path bin = binDir();
    dir = Files.createTempDirectory("ttstack-pg");
    data = dir.resolve("data");
    Path pwfile = dir.resolve("pwfile");
    Files.writeString(pwfile, password + "\n");
    port = freePort();
    if (isRoot()) {
      run(List.of("chown", "-R", "postgres:postgres", dir.toString()), Map.of());
    }
    asServerUser(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            USER,
            "--pwfile=" + pwfile,
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C"));
    asServerUser(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            dir.resolve("log").toString(),
            "-o",
            "-p " + port + " -h 127.0.0.1 -k " + dir,
            "-w",
            "-t",
            "60",
            "start"));
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (data != null && Files.exists(data.resolve("postmaster.pid"))) {
        asServerUser(
            List.of(
                binDir().resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-m",
                "immediate",
                "-w",
                "stop"));
      }
    } finally {
      if (dir != null) {
        try (var paths = Files.walk(dir)) {
          paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  public int port() {
    return port;
  }

  public String password() {
    return password;
  }

  /** libpq environment for clients (psql, pg_dump, pg_restore) of this server. */
  public Map<String, String> clientEnv(String database) {
    return Map.of(
        "PGHOST",
        "127.0.0.1",
        "PGPORT",
        String.valueOf(port),
        "PGUSER",
        USER,
        "PGPASSWORD",
        password,
        "PGDATABASE",
        database);
  }

  /** Runs psql with one SQL command and returns its unaligned output. */
  public String sql(String database, String command) throws Exception {
    return run(
            List.of("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", command),
            clientEnv(database))
        .trim();
  }

  private void asServerUser(List<String> command) throws Exception {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    run(full, Map.of());
  }

  /** Runs a command to completion (bounded), failing with its output when it fails. */
  public static String run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command.get(0) + " did not finish within 120 s");
    }
    String output = new String(out);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(command.get(0) + " exited " + p.exitValue() + ": " + output);
    }
    return output;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static Path binDir() throws IOException {
    try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions
          .max(Comparator.naturalOrder())
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "no PostgreSQL server under /usr/lib/postgresql: apt-get install postgresql"))
          .resolve("bin");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
