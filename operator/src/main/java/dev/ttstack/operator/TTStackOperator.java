package dev.ttstack.operator;

import dev.ttstack.operator.reconciler.TTStackReconciler;
import dev.ttstack.operator.redis.RedisComponent;
import dev.ttstack.operator.redis.cluster.NodeAddressResolver;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.config.ResolvedControllerConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator as one object: the JOSDK {@link Operator} with the {@link TTStackReconciler}, its
 * metrics registry and leader state. The process ({@link Main}), the demo and the test harness all
 * build it here, so tests run exactly the production wiring.
 */
public final class TTStackOperator implements AutoCloseable {
  /**
   * The {@code User-Agent} of the operator's API client: shows in the API server's audit log, and
   * lets the test API server tell the operator's requests from the tests' (the RBAC test needs it).
   */
  public static final String USER_AGENT = "ttstack-operator";

  private static final Logger LOG = LoggerFactory.getLogger(TTStackOperator.class);

  private final Operator operator;
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gcMetrics;
  private final AtomicBoolean leader = new AtomicBoolean(false);
  private final AtomicBoolean stopping = new AtomicBoolean(false);
  private final TTStackReconciler reconciler;
  private volatile Runnable onLeadershipLost = () -> {};

  private TTStackOperator(
      OperatorSettings settings,
      KubernetesClient client,
      Clock clock,
      Function<List<Pod>, NodeAddressResolver> redisResolver) {
    if (!USER_AGENT.equals(client.getConfiguration().getUserAgent())) {
      // The RBAC test attributes requests to the operator by this header: a client without it would
      // hide the operator's calls from the proof of the Helm chart's rules.
      throw new IllegalArgumentException(
          "the operator's client must be built with TTStackOperator.clientConfig "
              + "(or EmbeddedApiServer.operatorClient()), got User-Agent "
              + client.getConfiguration().getUserAgent());
    }
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    this.gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder("ttstack_operator_leader", leader, l -> l.get() ? 1 : 0)
        .description(
            "1 while this replica holds the leader Lease (or runs without leader election)")
        .register(registry);

    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withMetrics(
                      MicrometerMetricsV2.newBuilder(registry).withNamespaceAsTag().build())
                  .withUseSSAToPatchPrimaryResource(settings.useServerSideApply())
                  .withSSABasedCreateUpdateMatchForDependentResources(settings.useServerSideApply())
                  // The caller owns the client (tests and the demo reuse it after stop).
                  .withCloseClientOnStop(false);
              if (settings.leaderElection()) {
                var lease =
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            settings.leaseName())
                        .withLeaseNamespace(settings.leaseNamespace())
                        .withIdentity(settings.identity())
                        // build() does not exit on a lost Lease (JOSDK 5.3), and its exit would
                        // call System.exit
                        // inside our shutdown hook on SIGTERM (a hang): onLeadershipLost decides
                        // instead.
                        .withLeaderCallbacks(
                            new LeaderCallbacks(
                                () -> {
                                  leader.set(true);
                                  LOG.info("acquired leader Lease {}", settings.leaseName());
                                },
                                this::leadershipLost,
                                newLeader -> LOG.info("leader is now {}", newLeader)))
                        .build();
                o.withLeaderElectionConfiguration(lease);
              }
            });
    if (!settings.leaderElection()) {
      leader.set(true);
    }
    this.reconciler = new TTStackReconciler(clock, registry, redisResolver);
    var overrider =
        ControllerConfigurationOverrider.override(
            operator.getConfigurationService().getConfigurationFor(reconciler));
    if (!settings.watchNamespaces().isEmpty()) {
      overrider.settingNamespaces(settings.watchNamespaces());
    }
    // The workflow the components registered (no @Workflow annotation: render reads the same one).
    var configuration =
        (ResolvedControllerConfiguration<dev.ttstack.operator.api.TTStack>) overrider.build();
    configuration.setWorkflowSpec(reconciler.workflowSpec());
    operator.register(reconciler, configuration);
  }

  /**
   * The client configuration the operator runs with: {@code base} with the operator's User-Agent.
   */
  public static Config clientConfig(Config base) {
    return new ConfigBuilder(base).withUserAgent(USER_AGENT).build();
  }

  /** Builds the operator; call {@link #start()} to run it. */
  public static TTStackOperator create(
      OperatorSettings settings, KubernetesClient client, Clock clock) {
    return new TTStackOperator(settings, client, clock, RedisComponent.podIps());
  }

  /** The same, reaching Redis nodes through {@code redisResolver} instead of pod IPs (tests). */
  public static TTStackOperator create(
      OperatorSettings settings,
      KubernetesClient client,
      Clock clock,
      Function<List<Pod>, NodeAddressResolver> redisResolver) {
    return new TTStackOperator(settings, client, clock, redisResolver);
  }

  public void start() {
    operator.start();
  }

  /**
   * What to do when the Lease is lost while running (the process exits so that it restarts as a
   * follower).
   */
  public void onLeadershipLost(Runnable action) {
    this.onLeadershipLost = action;
  }

  private void leadershipLost() {
    leader.set(false);
    if (stopping.get()) {
      return; // releasing the Lease on shutdown is not a loss
    }
    LOG.error("lost the leader Lease; another replica may be reconciling now");
    onLeadershipLost.run();
  }

  @Override
  public void close() {
    if (stopping.compareAndSet(false, true)) {
      operator.stop();
      gcMetrics.close();
      registry.close();
    }
  }

  public boolean isStarted() {
    return operator.getRuntimeInfo().isStarted();
  }

  /** Healthy unless an informer has stopped (e.g. lost its watch permission). */
  public boolean isHealthy() {
    return operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public boolean isLeader() {
    return leader.get();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public Operator operator() {
    return operator;
  }

  public TTStackReconciler reconciler() {
    return reconciler;
  }
}
