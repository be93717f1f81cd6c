package dev.ttstack.operator.reconciler;

import dev.ttstack.operator.app.AppComponent;
import dev.ttstack.operator.kit.StackComponent;
import dev.ttstack.operator.monitoring.MonitoringComponent;
import dev.ttstack.operator.postgres.PostgresComponent;
import dev.ttstack.operator.redis.RedisComponent;
import dev.ttstack.operator.redis.cluster.NodeAddressResolver;
import dev.ttstack.operator.redis.cluster.RedisClusterManager;
import dev.ttstack.operator.secrets.DopplerClient;
import dev.ttstack.operator.secrets.DopplerSyncCache;
import dev.ttstack.operator.secrets.RetryPolicy;
import dev.ttstack.operator.secrets.SecretsComponent;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The composition root: the components in reconcile order, wired to each other only here (the app's
 * pre-change backup is PostgreSQL's) and to the outside world (Doppler, Redis). A new component is
 * added to this list; its dependents come with its {@link StackComponent#register}.
 */
public final class StackComposition {
  private StackComposition() {}

  /** The components in reconcile order, wired to talk to the outside world (Doppler, Redis). */
  public static List<StackComponent> defaultComponents(Clock clock, MeterRegistry registry) {
    return defaultComponents(clock, registry, RedisComponent.podIps());
  }

  /** The same, reaching Redis nodes through {@code redisResolver} (tests: local processes). */
  public static List<StackComponent> defaultComponents(
      Clock clock, MeterRegistry registry, Function<List<Pod>, NodeAddressResolver> redisResolver) {
    DopplerSyncCache doppler =
        new DopplerSyncCache(
            new DopplerClient(clock),
            new RetryPolicy(() -> ThreadLocalRandom.current().nextDouble()),
            clock,
            registry);
    return List.of(
        new SecretsComponent(doppler, clock),
        new PostgresComponent(registry, clock),
        new RedisComponent(new RedisClusterManager(registry), redisResolver, clock),
        new AppComponent(clock, registry),
        new MonitoringComponent());
  }
}
