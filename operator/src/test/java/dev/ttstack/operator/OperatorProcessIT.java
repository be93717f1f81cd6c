package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.testing.RecordingApiServer;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged operator as its own process ({@code java -jar ... run}), against the in-process API
 * server through a kubeconfig, as it runs in a cluster: settings from the environment, leader
 * election, the HTTP endpoints, 50 stacks, and a clean stop on SIGTERM. Prints start-up time and
 * RSS (a benchmark's figures, not assertions).
 */
class OperatorProcessIT {
  private static final Path JAR = Path.of("target", "ttstack-operator.jar");
  private static final String NS = "tt-proc";
  private static final Duration BOUND = Duration.ofSeconds(60);

  @TempDir Path tmp;

  private RecordingApiServer api;
  private Process process;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startApi() {
    api = RecordingApiServer.start();
    api.client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    api.close();
  }

  @Test
  void runsReconcilesFiftyStacksAndStopsCleanlyOnSigterm() throws Exception {
    assertThat(JAR).as("run after package (mvn verify)").exists();
    int port = freePort();
    Path kubeconfig = writeKubeconfig();
    Path log = tmp.resolve("operator.log");

    TTStack first = Stacks.minimal("tt-first");
    first.getMetadata().setNamespace(NS);
    api.client().resource(first).create();

    long t0 = System.nanoTime();
    ProcessBuilder pb =
        new ProcessBuilder(javaBin(), "-jar", JAR.toString(), "run")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment()
        .putAll(
            Map.of(
                "KUBECONFIG",
                kubeconfig.toString(),
                "METRICS_PORT",
                String.valueOf(port),
                "HTTP_ADDRESS",
                "127.0.0.1",
                "USE_SSA",
                "false",
                "LEASE_NAMESPACE",
                NS,
                "POD_NAME",
                "op-proc-0",
                "LOG_FORMAT",
                "json"));
    process = pb.start();

    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> status(port, "/readyz") == 200);
    long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              TTStack s =
                  api.client().resources(TTStack.class).inNamespace(NS).withName("tt-first").get();
              return s.getStatus() != null && s.getStatus().observedGeneration != null;
            });
    long firstReconcileMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    List<String> names = IntStream.range(0, 50).mapToObj(i -> "tt-" + i).toList();
    long applied = System.nanoTime();
    for (String name : names) {
      TTStack stack = Stacks.minimal(name);
      stack.getMetadata().setNamespace(NS);
      api.client().resource(stack).create();
    }
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                names.stream()
                    .allMatch(
                        n -> {
                          TTStack s =
                              api.client()
                                  .resources(TTStack.class)
                                  .inNamespace(NS)
                                  .withName(n)
                                  .get();
                          return s.getStatus() != null
                              && Long.valueOf(1).equals(s.getStatus().observedGeneration);
                        }));
    long allMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - applied);
    long rssKb = rssKb(process.pid());

    String metrics = get(port, "/metrics");
    assertThat(metrics)
        .contains(
            "reconciliations_success_total{controller_name=\"ttstack\"",
            "ttstack_operator_leader 1.0");
    assertThat(status(port, "/healthz")).isEqualTo(200);
    Lease lease = api.client().leases().inNamespace(NS).withName("ttstack-operator").get();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("op-proc-0");

    process.destroy(); // SIGTERM
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stops within 30 s of SIGTERM").isTrue();
    String output = Files.readString(log);
    // 143 = 128 + SIGTERM: the JVM's status after its shutdown hooks ran to completion.
    assertThat(process.exitValue()).as(output).isIn(0, 143);
    assertThat(output).contains("shutting down").doesNotContain("Exception in thread");
    // Every log line is one JSON object (LOG_FORMAT=json).
    assertThat(output.lines().filter(l -> !l.isBlank()))
        .allSatisfy(l -> assertThat(l).startsWith("{").endsWith("}"));

    System.out.printf(
        "%n[benchmark] operator process (JVM start included): /readyz after %d ms, first status written"
            + " after %d ms; 50 TTStacks applied -> all observed in %d ms; RSS %d MB (default JVM flags)%n",
        readyMs, firstReconcileMs, allMs, rssKb / 1024);
  }

  @Test
  void badSettingExitsTwoNamingTheVariable() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(javaBin(), "-jar", JAR.toString(), "run").redirectErrorStream(true);
    pb.environment().put("METRICS_PORT", "eighty");
    process = pb.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(output).contains("METRICS_PORT");
  }

  private Path writeKubeconfig() throws IOException {
    Path file = tmp.resolve("kubeconfig");
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: embedded
          cluster: {server: "%s"}
        users:
        - name: test
          user: {token: not-a-real-token}
        contexts:
        - name: embedded
          context: {cluster: embedded, user: test, namespace: %s}
        current-context: embedded
        """
            .formatted(api.url(), NS));
    return file;
  }

  private int status(int port, String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private String get(int port, String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static long rssKb(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
        .filter(l -> l.startsWith("VmRSS:"))
        .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
        .findFirst()
        .orElse(-1L);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
