package dev.ttstack.operator.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged operator as its own process ({@code java -jar target/ttstack-operator.jar run}, the
 * image's command, started as {@code OperatorProcessIT} does) against the local control plane, with
 * what the chart gives its pod: the environment of the Deployment {@code helm install} created
 * (read from the cluster, so it is the installed chart's, not a copy), and the chart
 * ServiceAccount's token in its kubeconfig ({@link ChartInstall#operatorKubeconfig()}) instead of
 * the mounted one.
 *
 * <p>Only what a pod has and a process on this machine does not is changed, each for a reason: the
 * field references ({@code metadata.name} is this replica's identity, {@code metadata.namespace}
 * the release namespace); {@code METRICS_PORT} is a free port and {@code HTTP_ADDRESS} 127.0.0.1 (a
 * pod has its own network namespace; these processes share the machine's: the chart's {@code
 * extraEnv} would set HTTP_ADDRESS); and the heap: {@code -XX:MaxRAMPercentage} of the container's
 * memory limit becomes the same {@code -Xmx}, as the JVM would compute it inside the container (on
 * this machine it would take a share of the host's memory). Nothing of the test JVM's environment
 * leaks in: the process sees exactly that environment plus {@code KUBECONFIG}.
 */
public final class OperatorProcess implements AutoCloseable {
  /** The jar {@code package} builds (Failsafe runs after it). */
  public static final Path JAR = Path.of("target", "ttstack-operator.jar");

  private static final Pattern RAM_PERCENTAGE = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)");

  private final Process process;
  private final String identity;
  private final Path log;
  private final int port;
  private final Map<String, String> environment;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private OperatorProcess(
      Process process, String identity, Path log, int port, Map<String, String> environment) {
    this.process = process;
    this.identity = identity;
    this.log = log;
    this.port = port;
    this.environment = environment;
  }

  /** Starts one replica named {@code identity} (its POD_NAME: its identity in the Lease). */
  public static OperatorProcess start(LocalCluster cluster, String identity) {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(
          JAR.toAbsolutePath() + " is missing: the *KubeIT tests run after package (mvn verify)");
    }
    try {
      int port = freePort();
      Map<String, String> env = chartEnvironment(cluster, identity);
      env.put("METRICS_PORT", String.valueOf(port));
      env.put("HTTP_ADDRESS", "127.0.0.1");
      env.put("KUBECONFIG", cluster.chart().operatorKubeconfig().toString());
      Path log = LocalCluster.STATE.resolve("operator-" + identity + ".log");
      Files.createDirectories(log.getParent());
      ProcessBuilder builder =
          new ProcessBuilder(javaBin(), "-jar", JAR.toAbsolutePath().toString(), "run")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().clear();
      builder.environment().putAll(env);
      return new OperatorProcess(builder.start(), identity, log, port, Map.copyOf(env));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The operator container's environment as the installed Deployment defines it, with the field
   * references resolved as the kubelet would for a pod named {@code identity}.
   */
  static Map<String, String> chartEnvironment(LocalCluster cluster, String identity) {
    Deployment deployment =
        cluster
            .admin()
            .apps()
            .deployments()
            .inNamespace(ChartInstall.NAMESPACE)
            .withName(ChartInstall.RELEASE)
            .get();
    if (deployment == null) {
      throw new IllegalStateException(
          "the chart's Deployment "
              + ChartInstall.NAMESPACE
              + "/"
              + ChartInstall.RELEASE
              + " is not installed");
    }
    Container container =
        deployment.getSpec().getTemplate().getSpec().getContainers().stream()
            .filter(c -> c.getName().equals("operator"))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the chart's Deployment has no container named operator"));
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      if (var.getValueFrom() == null) {
        // An empty value is omitted by the API server (e.g. WATCH_NAMESPACES: all): "" as the
        // kubelet sets it.
        env.put(var.getName(), var.getValue() == null ? "" : var.getValue());
      } else if (var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null) {
        String field = var.getValueFrom().getFieldRef().getFieldPath();
        env.put(
            var.getName(),
            switch (field) {
              case "metadata.name" -> identity;
              case "metadata.namespace" -> ChartInstall.NAMESPACE;
              default ->
                  throw new IllegalStateException(
                      "the chart sets "
                          + var.getName()
                          + " from "
                          + field
                          + ", which this test does not know how to resolve: add it here");
            });
      } else {
        throw new IllegalStateException(
            "the chart sets "
                + var.getName()
                + " from "
                + var.getValueFrom()
                + ", which this test does not know how to resolve: add it here");
      }
    }
    String options = env.get("JAVA_TOOL_OPTIONS");
    Quantity limit =
        container.getResources() == null || container.getResources().getLimits() == null
            ? null
            : container.getResources().getLimits().get("memory");
    if (options != null && limit != null) {
      Matcher m = RAM_PERCENTAGE.matcher(options);
      if (m.find()) {
        long heapMb =
            (long)
                (Quantity.getAmountInBytes(limit).doubleValue()
                    * Double.parseDouble(m.group(1))
                    / 100
                    / (1024 * 1024));
        env.put("JAVA_TOOL_OPTIONS", m.replaceFirst("-Xmx" + heapMb + "m"));
      }
    }
    return env;
  }

  public String identity() {
    return identity;
  }

  /**
   * The environment the process was started with (no secret in it: the token is in the kubeconfig
   * file).
   */
  public Map<String, String> environment() {
    return environment;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the process printed (stdout and stderr) so far. */
  public String output() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path logFile() {
    return log;
  }

  /** The HTTP status of GET {@code path} on the metrics port, -1 while nothing listens. */
  public int status(String path) {
    try {
      return http.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The body of GET {@code path} on the metrics port (e.g. /metrics). */
  public String get(String path) {
    try {
      return http.send(request(path), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * SIGKILL: the process cannot release its Lease, as when a node dies. Returns once it is gone.
   */
  public void kill() {
    process.destroyForcibly();
    waitFor(30);
  }

  /** SIGTERM, as the kubelet stops a pod; returns the exit code. */
  public int stop() {
    process.destroy();
    if (!waitFor(60)) {
      process.destroyForcibly();
      waitFor(10);
    }
    return process.isAlive() ? -1 : process.exitValue();
  }

  private boolean waitFor(int seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
