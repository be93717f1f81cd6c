package dev.ttstack.operator.kube;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Tier 4 (DESIGN.md), part 1: a real Kubernetes control plane for tests — etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler built from upstream Kubernetes by {@code
 * k3s/local-node/}, started on loopback by {@code cluster.sh up} — with a {@link SimulatedKubelet}
 * playing the one node, and the operator's Helm chart installed ({@link ChartInstall}) so that the
 * operator runs with the chart's ServiceAccount and RBAC is enforced.
 *
 * <pre>
 *   &#64;RegisterExtension static final LocalCluster cluster = LocalCluster.shared();
 * </pre>
 *
 * One control plane per test JVM (starting one costs seconds; each test takes its own namespace).
 * It is stopped by {@code cluster.sh down} when the JVM's tests are done, whether they passed or
 * not (and from a shutdown hook if JUnit never gets there). The components' logs and the audit log
 * stay in {@code target/local-node/logs}; a failed test prints where they are.
 */
public final class LocalCluster implements BeforeAllCallback, AfterAllCallback, TestWatcher {
  /** The module's target folder holds the cluster's state: build output, never committed. */
  static final Path STATE = Path.of("target", "local-node").toAbsolutePath();

  static final Path SCRIPT =
      Path.of("..", "k3s", "local-node", "cluster.sh").toAbsolutePath().normalize();
  private static final LocalCluster SHARED = new LocalCluster();

  private final AtomicInteger namespaces = new AtomicInteger();

  /** Namespaces created for the test class now running: deleted when it ends. */
  private final List<String> created = new java.util.concurrent.CopyOnWriteArrayList<>();

  private static final Map<String, String> EXPECTED_REFUSALS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private Running running;

  private LocalCluster() {}

  public static LocalCluster shared() {
    return SHARED;
  }

  /** What runs: the control plane, the kubelet stand-in and the chart. */
  private record Running(
      Map<String, String> env,
      KubernetesClient admin,
      SimulatedKubelet kubelet,
      ChartInstall chart) {}

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (running != null) {
      return;
    }
    Map<String, String> env = up();
    Thread hook = new Thread(LocalCluster::down, "local-node-down");
    Runtime.getRuntime().addShutdownHook(hook);
    KubernetesClient admin =
        new KubernetesClientBuilder()
            .withConfig(
                Config.fromKubeconfig(
                    null, read(Path.of(env.get("KUBECONFIG"))), env.get("KUBECONFIG")))
            .build();
    SimulatedKubelet kubelet = SimulatedKubelet.start(admin, STATE.resolve("kubelet"));
    ChartInstall chart = ChartInstall.install(this, admin, env);
    running = new Running(env, admin, kubelet, chart);
    // Closed by JUnit when the root context ends: after the last test class of this JVM.
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .put(
            LocalCluster.class,
            (AutoCloseable)
                () -> {
                  synchronized (this) {
                    try {
                      kubelet.close();
                      admin.close();
                    } finally {
                      down();
                      Runtime.getRuntime().removeShutdownHook(hook);
                      running = null;
                    }
                  }
                });
  }

  /**
   * A test class's namespaces go when it ends (the real garbage collector removes what was in them,
   * the simulated kubelet stops their Redis processes): the one node would otherwise fill up with
   * every earlier class's stacks, and their pods stay Pending for want of CPU (seen). Not waited
   * for.
   */
  @Override
  public void afterAll(ExtensionContext context) {
    Running now;
    synchronized (this) {
      now = running;
    }
    if (now == null) {
      return;
    }
    for (String ns : created) {
      now.admin().namespaces().withName(ns).delete();
    }
    created.clear();
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    System.err.println(
        "[local-node] "
            + context.getDisplayName()
            + " failed; the control plane's logs "
            + "(etcd, kube-apiserver, kube-controller-manager, kube-scheduler, audit.log) are in "
            + STATE.resolve("logs"));
  }

  /**
   * The admin client (system:masters): for the tests' own reads and writes, never for the operator.
   */
  public KubernetesClient admin() {
    return state().admin();
  }

  public SimulatedKubelet kubelet() {
    return state().kubelet();
  }

  public ChartInstall chart() {
    return state().chart();
  }

  /**
   * A variable of {@code cluster.sh env}: KUBECONFIG, LOCAL_NODE_BIN, APISERVER_URL, AUDIT_LOG, ...
   */
  public String env(String name) {
    String value = state().env().get(name);
    if (value == null) {
      throw new IllegalArgumentException("cluster.sh env has no " + name);
    }
    return value;
  }

  public Path kubeconfig() {
    return Path.of(env("KUBECONFIG"));
  }

  public AuditLog auditLog() {
    return new AuditLog(Path.of(env("AUDIT_LOG")));
  }

  /** The real kubectl (v1.36, built into local-node) as the admin. */
  public Kubectl kubectl() {
    return new Kubectl(Path.of(env("LOCAL_NODE_BIN")), kubeconfig());
  }

  /** A fresh namespace for one test, with these labels (e.g. PodSecurity's enforce level). */
  public String createNamespace(String prefix, Map<String, String> labels) {
    String name = prefix + "-" + namespaces.incrementAndGet();
    Namespace ns =
        new NamespaceBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .build();
    admin().namespaces().resource(ns).create();
    created.add(name);
    return name;
  }

  /**
   * This namespace's test provokes refusals of the operator's requests on purpose (an admission
   * policy, a StorageClass that cannot expand): the whole-run audit of RbacKubeIT reports them
   * there instead of failing on them. RBAC refusals are never excused.
   */
  public void expectRefusals(String namespace, String why) {
    EXPECTED_REFUSALS.put(namespace, why);
  }

  public static Map<String, String> expectedRefusals() {
    return Map.copyOf(EXPECTED_REFUSALS);
  }

  public String createNamespace(String prefix) {
    return createNamespace(prefix, Map.of());
  }

  private synchronized Running state() {
    if (running == null) {
      throw new IllegalStateException(
          "the local cluster is not started: register LocalCluster.shared() "
              + "with @RegisterExtension on a static field");
    }
    return running;
  }

  private static Map<String, String> up() {
    Map<String, String> environment = Map.of("LOCAL_NODE_DIR", STATE.toString());
    run(List.of(SCRIPT.toString(), "up"), environment, 30);
    String env = run(List.of(SCRIPT.toString(), "env"), environment, 1);
    Map<String, String> values = new LinkedHashMap<>();
    env.lines()
        .filter(l -> l.contains("="))
        .forEach(l -> values.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
    return values;
  }

  private static void down() {
    run(List.of(SCRIPT.toString(), "down"), Map.of("LOCAL_NODE_DIR", STATE.toString()), 1);
  }

  /**
   * Runs a script, its stderr going to the test output (progress, and the build's figures). The
   * first {@code up} may build Kubernetes (minutes): the bound is generous on purpose.
   */
  private static String run(List<String> command, Map<String, String> environment, int minutes) {
    try {
      Files.createDirectories(STATE);
      Path out = Files.createTempFile(STATE, "cluster-sh", ".out");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().putAll(environment);
      Process process = builder.start();
      if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(command + " did not finish within " + minutes + " min");
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      Files.delete(out);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            command
                + " failed with exit code "
                + process.exitValue()
                + " (its messages are above; logs in "
                + STATE.resolve("logs")
                + ")");
      }
      return stdout;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String read(Path path) {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
