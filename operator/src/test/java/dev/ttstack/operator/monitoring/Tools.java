package dev.ttstack.operator.monitoring;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real monitoring tools for tests, found on PATH (as {@code .ci/run} installs them from
 * Debian): {@code promtool}, {@code prometheus}, {@code amtool}, Alertmanager, the exporters. A
 * missing tool fails the test with the package to install; nothing is skipped.
 */
final class Tools {
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Tools() {}

  /** The first of {@code names} found on PATH. */
  static String binary(String aptPackage, String... names) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : names) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    throw new AssertionError(
        String.join(" or ", names) + " not found on PATH: apt-get install " + aptPackage);
  }

  static String promtool() {
    return binary("prometheus", "promtool");
  }

  static String amtool() {
    return binary("prometheus-alertmanager", "amtool");
  }

  /** A finished command: exit code and its output (stdout and stderr together). */
  record Result(int exit, String output) {
    boolean ok() {
      return exit == 0;
    }

    @Override
    public String toString() {
      return "exit " + exit + ":\n" + output;
    }
  }

  /** Runs a command to completion, at most 60 s, in {@code dir}. */
  static Result run(Path dir, String... command) {
    try {
      Process p =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command[0] + " did not finish within 60 s");
      }
      return new Result(p.exitValue(), new String(out));
    } catch (IOException e) {
      throw new AssertionError("cannot run " + Arrays.toString(command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static String get(String url) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new IllegalStateException(url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static int post(String url, String contentType, String body) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url))
                  .timeout(Duration.ofSeconds(5))
                  .header("Content-Type", contentType)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      throw new IllegalStateException(url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A server process started by a test, its output in a log file; {@link #close} stops it (SIGTERM,
   * then SIGKILL after 10 s). Register every one with {@link Processes} so it stops whatever
   * happens.
   */
  static final class Server implements AutoCloseable {
    final String name;
    final Process process;
    final Path log;

    Server(String name, Process process, Path log) {
      this.name = name;
      this.process = process;
      this.log = log;
    }

    String log() {
      try {
        return Files.exists(log) ? Files.readString(log) : "";
      } catch (IOException e) {
        return "(cannot read " + log + ": " + e + ")";
      }
    }

    /** Waits (bounded) until {@code url} answers 200; fails with the server's log otherwise. */
    Server awaitHttp(String url, Duration atMost) {
      try {
        await()
            .atMost(atMost)
            .pollInterval(Duration.ofMillis(100))
            .ignoreExceptions()
            .until(
                () -> {
                  if (!process.isAlive()) {
                    throw new AssertionError(
                        name + " exited with " + process.exitValue() + ":\n" + log());
                  }
                  get(url);
                  return true;
                });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(
            name + " did not answer " + url + " within " + atMost + ":\n" + log(), e);
      }
      return this;
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroy();
        try {
          if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          process.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Every process a test class started; stops them all, in reverse order, on {@link #close}. */
  static final class Processes implements AutoCloseable {
    private final List<AutoCloseable> started = new ArrayList<>();

    Server start(String name, Path dir, Map<String, String> env, String... command) {
      try {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Server server = new Server(name, pb.start(), log);
        started.add(server);
        return server;
      } catch (IOException e) {
        throw new AssertionError("cannot start " + name + ": " + Arrays.toString(command), e);
      }
    }

    /** Anything else to close with the processes (an in-JVM server, an operator). */
    <T extends AutoCloseable> T add(T resource) {
      started.add(resource);
      return resource;
    }

    @Override
    public void close() {
      List<Throwable> failures = new ArrayList<>();
      for (int i = started.size() - 1; i >= 0; i--) {
        try {
          started.get(i).close();
        } catch (Exception | AssertionError e) {
          failures.add(e);
        }
      }
      started.clear();
      if (!failures.isEmpty()) {
        AssertionError error = new AssertionError("stopping test processes failed");
        failures.forEach(error::addSuppressed);
        throw error;
      }
    }
  }
}
