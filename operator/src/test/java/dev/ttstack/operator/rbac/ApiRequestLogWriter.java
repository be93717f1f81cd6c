package dev.ttstack.operator.rbac;

import dev.ttstack.operator.testing.RecordingApiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Writes every distinct API request that the {@link RecordingApiServer}s received during this test
 * run (a Surefire or Failsafe JVM) to the file named by the system property {@value
 * #FILE_PROPERTY}, when the whole test plan has finished. The RBAC proof ({@code RbacIT}) reads the
 * Surefire one.
 *
 * <p>Registered through {@code
 * META-INF/services/org.junit.platform.launcher.TestExecutionListener}; without the property (an
 * IDE run) it writes nothing.
 */
public final class ApiRequestLogWriter implements TestExecutionListener {
  public static final String FILE_PROPERTY = "ttstack.apiRequests.file";

  private final AtomicInteger testsRun = new AtomicInteger();

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (test.isTest()) {
      testsRun.incrementAndGet();
    }
  }

  @Override
  public void testPlanExecutionFinished(TestPlan plan) {
    String file = System.getProperty(FILE_PROPERTY);
    if (file == null || file.isBlank()) {
      return;
    }
    write(Path.of(file), RecordingApiServer.requestsSeenInThisJvm(), testsRun.get());
  }

  static void write(Path file, Iterable<RecordingApiServer.Request> requests, int testsRun) {
    List<RecordingApiServer.Request> sorted = new ArrayList<>();
    requests.forEach(sorted::add);
    sorted.sort(
        Comparator.comparing(RecordingApiServer.Request::path)
            .thenComparing(RecordingApiServer.Request::method)
            .thenComparing(RecordingApiServer.Request::userAgent));
    List<String> lines = new ArrayList<>();
    lines.add(
        "# distinct API requests of one test JVM ("
            + testsRun
            + " tests): method, path, User-Agent");
    for (RecordingApiServer.Request r : sorted) {
      lines.add(r.method() + "\t" + r.path() + "\t" + r.userAgent());
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a file written by {@link #write}. */
  static List<RecordingApiServer.Request> read(Path file) throws IOException {
    List<RecordingApiServer.Request> requests = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\t", -1);
      if (parts.length != 3) {
        throw new IOException(file + ": malformed line: " + line);
      }
      requests.add(new RecordingApiServer.Request(parts[0], parts[1], parts[2]));
    }
    return requests;
  }
}
