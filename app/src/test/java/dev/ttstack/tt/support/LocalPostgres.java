package dev.ttstack.tt.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server: its own data directory, 127.0.0.1 only, a free port, password
 * authentication over TCP (like production), stopped and deleted by {@link #close()}.
 */
public final class LocalPostgres implements AutoCloseable {

  static final String USER = "tt";
  static final String DATABASE = "tt";

  private final Path dir;
  private final Path bin;
  private final int port;
  private final String password;
  private boolean running;

  private LocalPostgres(Path dir, Path bin, int port, String password) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
    this.password = password;
  }

  /**
   * Starts a server under {@code parent}. {@code durable = false} turns fsync off: fine for tests
   * that throw the data away, wrong for benchmarks that should pay what production pays.
   */
  static LocalPostgres start(Path parent, String password, boolean durable) {
    Path bin = findBinDir();
    return FreePorts.startRetrying(
        attempt ->
            new LocalPostgres(
                parent.resolve("postgres-" + attempt), bin, FreePorts.plain(), password),
        pg -> pg.initAndStart(durable));
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  public String user() {
    return USER;
  }

  public String password() {
    return password;
  }

  public int port() {
    return port;
  }

  private void initAndStart(boolean durable) {
    try {
      Files.createDirectories(dir);
      Path pwfile = dir.resolve("pwfile");
      Files.writeString(pwfile, password + "\n");
      Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
      Commands.chownToPostgres(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    pg(
        Duration.ofSeconds(60),
        "initdb",
        "-D",
        data(),
        "-U",
        USER,
        "--pwfile=" + dir.resolve("pwfile"),
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync");
    String options =
        "-p "
            + port
            + " -k "
            + dir
            + " -c listen_addresses=127.0.0.1 -c max_connections=100"
            + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
    pg(
        Duration.ofSeconds(60),
        "pg_ctl",
        "-D",
        data(),
        "-l",
        dir.resolve("server.log").toString(),
        "-w",
        "-t",
        "50",
        "-o",
        options,
        "start");
    running = true;
    // Trust over the socket only (the socket lives in a directory only the postgres user can
    // enter).
    pg(
        Duration.ofSeconds(30),
        "psql",
        "-h",
        dir.toString(),
        "-p",
        Integer.toString(port),
        "-U",
        USER,
        "-d",
        "postgres",
        "-v",
        "ON_ERROR_STOP=1",
        "-q",
        "-c",
        "create database " + DATABASE);
  }

  private String data() {
    return dir.resolve("data").toString();
  }

  private String pg(Duration timeout, String tool, String... args) {
    List<String> command = new ArrayList<>();
    command.add(bin.resolve(tool).toString());
    command.addAll(List.of(args));
    return Commands.run(Commands.asPostgres(command), timeout);
  }

  /**
   * Debian keeps the server binaries off PATH, in /usr/lib/postgresql/VERSION/bin: take the newest.
   */
  private static Path findBinDir() {
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        var newest =
            versions
                .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                .max(
                    Comparator.comparingInt(
                        v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))));
        if (newest.isPresent()) {
          return newest.get().resolve("bin");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, "initdb"))) {
        return Path.of(entry);
      }
    }
    throw new IllegalStateException(
        "PostgreSQL server binaries not found (apt-get install postgresql)");
  }

  @Override
  public void close() {
    if (running) {
      running = false;
      try {
        pg(Duration.ofSeconds(30), "pg_ctl", "-D", data(), "-m", "immediate", "-w", "stop");
      } catch (RuntimeException e) {
        System.err.println("[local-services] PostgreSQL stop failed: " + e.getMessage());
      }
    }
    Commands.deleteTree(dir);
  }
}
