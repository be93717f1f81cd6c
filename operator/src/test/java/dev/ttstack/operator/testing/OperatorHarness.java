package dev.ttstack.operator.testing;

import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.Logging;
import dev.ttstack.operator.OperatorSettings;
import dev.ttstack.operator.TTStackOperator;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.demo.ClusterSimulator;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Tier-2 test harness (DESIGN.md): for each test, a fresh in-process API server (fabric8 mock, CRUD
 * mode, TTStack CRD registered, leader-election check answered, every request logged) and the real
 * operator, wired exactly as in production except Server-Side Apply, which the mock cannot do.
 *
 * <pre>
 *   &#64;RegisterExtension final OperatorHarness k8s = new OperatorHarness();
 *   ...
 *   k8s.create(stack);
 *   k8s.awaitStack("tt", s -> ...);
 *   k8s.simulator().markDeploymentAvailable(k8s.namespace(), "tt-app");
 * </pre>
 *
 * Everything is stopped after the test, whether it passed or not.
 */
public final class OperatorHarness implements BeforeEachCallback, AfterEachCallback {
  /** Upper bound for anything the operator should do in reaction to a change. */
  public static final Duration TIMEOUT = Duration.ofSeconds(20);

  public static final String NAMESPACE = "tt-test";
  public static final String IDENTITY = "operator-under-test";

  private boolean leaderElection = true;
  private String watchNamespaces = "";
  private java.util.function.Function<
          java.util.List<io.fabric8.kubernetes.api.model.Pod>,
          dev.ttstack.operator.redis.cluster.NodeAddressResolver>
      redisResolver = dev.ttstack.operator.redis.RedisComponent.podIps();
  private final MutableClock clock = MutableClock.ticking();
  private RecordingApiServer api;
  private TTStackOperator operator;
  private ClusterSimulator simulator;

  static {
    Logging.bridgeJul();
  }

  /**
   * Reaches Redis nodes through this resolver (local redis-server processes) instead of pod IPs.
   */
  public OperatorHarness withRedisResolver(
      dev.ttstack.operator.redis.cluster.NodeAddressResolver resolver) {
    this.redisResolver = pods -> resolver;
    return this;
  }

  /** Runs without leader election (most tests keep it on, as in production). */
  public OperatorHarness withoutLeaderElection() {
    this.leaderElection = false;
    return this;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    api = RecordingApiServer.start();
    api.client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    simulator = new ClusterSimulator(api.client());
    startOperator();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    try {
      stopOperator();
    } finally {
      if (api != null) {
        api.close();
      }
    }
  }

  /**
   * Watches only these namespaces ({@code WATCH_NAMESPACES}); by default the operator watches all.
   */
  public OperatorHarness watching(String... namespaces) {
    this.watchNamespaces = String.join(",", namespaces);
    return this;
  }

  /** Starts a fresh operator process (in-JVM) against the same API server. */
  public TTStackOperator startOperator() {
    OperatorSettings settings =
        OperatorSettings.from(Map.of("POD_NAME", IDENTITY, "WATCH_NAMESPACES", watchNamespaces))
            .withHttp("127.0.0.1", 0)
            .withServerSideApply(false)
            .withLeaderElection(leaderElection, NAMESPACE);
    // The operator has its own client, as in production: its requests carry the operator's
    // User-Agent.
    operator = TTStackOperator.create(settings, api.operatorClient(), clock, redisResolver);
    operator.start();
    return operator;
  }

  /** Stops the operator, as on SIGTERM; the API server keeps its state. */
  public void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  /**
   * Stops and starts the operator: proves what a restart (or a new leader) does to existing stacks.
   */
  public TTStackOperator restartOperator() {
    stopOperator();
    return startOperator();
  }

  public KubernetesClient client() {
    return api.client();
  }

  public RecordingApiServer api() {
    return api;
  }

  public TTStackOperator operator() {
    return operator;
  }

  public ClusterSimulator simulator() {
    return simulator;
  }

  public MutableClock clock() {
    return clock;
  }

  public String namespace() {
    return NAMESPACE;
  }

  /** Creates the stack in the test namespace. */
  public TTStack create(TTStack stack) {
    stack.getMetadata().setNamespace(NAMESPACE);
    return client().resource(stack).create();
  }

  public Resource<TTStack> stack(String name) {
    return client().resources(TTStack.class).inNamespace(NAMESPACE).withName(name);
  }

  /**
   * Changes the stack as {@code kubectl edit} would, retrying on 409: the operator writes the
   * status at any time, and the API server refuses a change made from a stale copy. A whole-object
   * update, not a JSON patch: the mock server mishandles a patch that removes a field (it drops the
   * status).
   */
  public TTStack editStack(String name, java.util.function.Consumer<TTStack> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        TTStack current = stack(name).get();
        String before = io.fabric8.kubernetes.client.utils.Serialization.asJson(current.getSpec());
        change.accept(current);
        if (!before.equals(
            io.fabric8.kubernetes.client.utils.Serialization.asJson(current.getSpec()))) {
          // The API server bumps the generation of a spec change; the mock does so for patches
          // only.
          current.getMetadata().setGeneration(current.getMetadata().getGeneration() + 1);
        }
        return client().resource(current).update();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) {
          throw e;
        }
      }
    }
  }

  /** Waits (at most {@link #TIMEOUT}) until the stack satisfies the condition, and returns it. */
  public TTStack awaitStack(String name, Predicate<TTStack> condition) {
    return await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(25))
        .until(() -> stack(name).get(), s -> s != null && condition.test(s));
  }

  /** Waits until the operator has acted on the stack's current generation. */
  public TTStack awaitObserved(String name) {
    return awaitStack(
        name,
        s ->
            s.getStatus() != null
                && s.getStatus().observedGeneration != null
                && s.getStatus().observedGeneration.equals(s.getMetadata().getGeneration()));
  }

  /** Successful reconciliations the current operator has finished (from its JOSDK metrics). */
  public double reconciliationsSucceeded() {
    return operator
        .registry()
        .find(
            io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2
                .RECONCILIATIONS_SUCCESS)
        .counters()
        .stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  /**
   * Waits until the current operator has finished at least {@code n} successful reconciliations.
   */
  public void awaitReconciliations(double n) {
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(25))
        .until(() -> reconciliationsSucceeded() >= n);
  }

  /**
   * Waits until the operator has nothing in flight: no reconcile running or queued, and the count
   * of finished ones unchanged over two consecutive looks (events of objects it just created have
   * been handled). Steady-state measurements start from here.
   */
  public void awaitIdle() {
    double[] last = {-1};
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              double active = gauge("reconciliations.active") + gauge("reconciliations.queue");
              double done =
                  reconciliationsSucceeded()
                      + operator
                          .registry()
                          .find("reconciliations.failure.total")
                          .counters()
                          .stream()
                          .mapToDouble(Counter::count)
                          .sum();
              boolean stable = active == 0 && done == last[0];
              last[0] = done;
              return stable;
            });
  }

  private double gauge(String name) {
    return operator.registry().find(name).gauges().stream()
        .mapToDouble(io.micrometer.core.instrument.Gauge::value)
        .sum();
  }

  /** Index into the request log, to count requests from now on. */
  public int requestMark() {
    return api.requests().size();
  }

  /** API writes since the mark, leaving out leader-election Lease renewals. */
  public long writesSince(int mark) {
    return writeListSince(mark).size();
  }

  /** The writes themselves (for failure messages). */
  public java.util.List<RecordingApiServer.Request> writeListSince(int mark) {
    var all = api.requests();
    return all.subList(Math.min(mark, all.size()), all.size()).stream()
        .filter(r -> r.isWrite() && !r.isLease())
        .toList();
  }
}
