package dev.ttstack.operator.redis;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.RedisSpec;
import dev.ttstack.operator.api.RedisStatus;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.kit.ComponentSignals;
import dev.ttstack.operator.kit.EventRecorder;
import dev.ttstack.operator.kit.Secondaries;
import dev.ttstack.operator.kit.SecretsOutcome;
import dev.ttstack.operator.kit.StackComponent;
import dev.ttstack.operator.kit.StackInformers;
import dev.ttstack.operator.kit.StackWorkflow;
import dev.ttstack.operator.kit.VolumeGrowth;
import dev.ttstack.operator.redis.cluster.ClusterReport;
import dev.ttstack.operator.redis.cluster.ClusterRequest;
import dev.ttstack.operator.redis.cluster.ClusterSpec;
import dev.ttstack.operator.redis.cluster.HealAction;
import dev.ttstack.operator.redis.cluster.NodeAddressResolver;
import dev.ttstack.operator.redis.cluster.RedisClusterManager;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Redis Cluster: applies the StatefulSet and Services ({@link RedisDependents}), then lets the
 * {@link RedisClusterManager} bootstrap or heal the cluster through the pods' addresses, rotates
 * the password live when REDIS_PASSWORD changes, and reports {@code RedisClusterReady}.
 *
 * <p>The password's record and live rotation are {@link RedisPassword}'s; the cluster protocol is
 * the {@link RedisClusterManager}'s, run by the workflow node {@link RedisDependents.Cluster}.
 */
public class RedisComponent implements StackComponent {
  public static final String SHAPE_ANNOTATION = "ttstack.dev/redis-shape";
  private static final Duration ROTATION_RECHECK = Duration.ofSeconds(1);
  private static final String BOOTSTRAPPED_AT = RedisComponent.class.getName() + ".bootstrappedAt";

  private final RedisClusterManager manager;
  private final Function<List<Pod>, NodeAddressResolver> resolverFactory;
  private final EventRecorder events;
  private final Clock clock;
  private final VolumeGrowth growth;
  private final RedisPassword password;

  /**
   * @param resolverFactory pod list to addresses: pod IPs in a cluster, local processes in tests
   */
  public RedisComponent(
      RedisClusterManager manager,
      Function<List<Pod>, NodeAddressResolver> resolverFactory,
      Clock clock) {
    this.manager = manager;
    this.resolverFactory = resolverFactory;
    this.clock = clock;
    this.events = new EventRecorder(clock);
    this.growth = new VolumeGrowth(clock);
    this.password = new RedisPassword(resolverFactory, events);
  }

  /** Production wiring: pod IPs on the standard ports. */
  public static Function<List<Pod>, NodeAddressResolver> podIps() {
    return pods ->
        NodeAddressResolver.fromPods(pods, RedisObjects.REDIS_PORT, RedisObjects.GATE_PORT);
  }

  @Override
  public String conditionType() {
    return ConditionType.REDIS_CLUSTER_READY;
  }

  /**
   * ConfigMap, Services, StatefulSet (no secret hash: see RedisDependents.Nodes),
   * PodDisruptionBudget, the password record, and the cluster itself after the StatefulSet, with
   * its gate (what uses Redis {@code dependsOn} its readiness) and its bootstrap record.
   */
  @Override
  public void register(StackWorkflow workflow) {
    workflow
        .add("redis-config", RedisDependents.Config.class)
        .informer(StackInformers.CONFIG_MAPS)
        .renders(RedisObjects::configMap);
    workflow
        .add("redis-headless", RedisDependents.Headless.class)
        .informer(StackInformers.SERVICES)
        .renders(RedisObjects::headlessService);
    workflow
        .add("redis-service", RedisDependents.Client.class)
        .informer(StackInformers.SERVICES)
        .renders(RedisObjects::clientService);
    workflow
        .add("redis", RedisDependents.Nodes.class)
        .informer(StackInformers.STATEFUL_SETS)
        .dependsOn("redis-config", "redis-headless")
        .renders(RedisDependents.Nodes::statefulSet);
    workflow
        .add("redis-disruption-budget", RedisDependents.Disruptions.class)
        .informer(StackInformers.DISRUPTION_BUDGETS)
        .renders(RedisObjects::podDisruptionBudget);
    workflow
        .add("redis-auth", RedisDependents.Auth.class)
        .informer(StackInformers.SECRETS)
        .notRendered("it holds the Redis password");
    workflow.add("redis-cluster", RedisDependents.Cluster.class).dependsOn("redis");
    workflow
        .add(StackWorkflow.REDIS_CLUSTER_READY, RedisDependents.ClusterGate.class)
        .dependsOn("redis-cluster")
        .readyWhen(new RedisDependents.ClusterReady());
    workflow
        .add("redis-cluster-state", RedisDependents.ClusterState.class)
        .informer(StackInformers.CONFIG_MAPS)
        .dependsOn("redis-cluster")
        .notRendered("the record of the cluster's bootstrap; it must not exist before the cluster");
  }

  public static String shape(RedisSpec spec) {
    return spec.masters + "x" + spec.replicasPerMaster;
  }

  @Override
  public void prepare(TTStack stack, Context<TTStack> context) {
    TTStack shaped = stack;
    Optional<StatefulSet> sts = statefulSet(stack, context);
    String running =
        sts.map(s -> s.getMetadata().getAnnotations())
            .map(a -> a.get(SHAPE_ANNOTATION))
            .orElse(null);
    if (running != null && !running.equals(shape(stack.getSpec().redis))) {
      // Resharding does not exist yet: keep the cluster as it is; the manager reports
      // ScaleChangeRefused.
      shaped = Serialization.clone(stack);
      String[] parts = running.split("x");
      shaped.getSpec().redis.masters = Integer.parseInt(parts[0]);
      shaped.getSpec().redis.replicasPerMaster = Integer.parseInt(parts[1]);
    }
    // A larger spec.redis.storage.size never reaches the immutable volumeClaimTemplates directly.
    String wantedSize =
        stack.getSpec().redis.storage != null && stack.getSpec().redis.storage.size != null
            ? stack.getSpec().redis.storage.size
            : RedisSpec.DEFAULT_STORAGE_SIZE;
    VolumeGrowth.Outcome storage =
        growth.plan(
            stack, context, sts, RedisObjects.DATA_TEMPLATE, "spec.redis.storage.size", wantedSize);
    if (!storage.templateSize().equals(wantedSize)) {
      shaped = shaped == stack ? Serialization.clone(stack) : shaped;
      if (shaped.getSpec().redis.storage == null) {
        shaped.getSpec().redis.storage = new dev.ttstack.operator.api.StorageSpec();
      }
      shaped.getSpec().redis.storage.size = storage.templateSize();
    }
    RedisPassword.Rotation rotation = password.rotate(stack, shaped, context);
    context
        .managedWorkflowAndDependentResourceContext()
        .put(
            RedisPlan.KEY,
            new RedisPlan(shaped, rotation.settled(), storage, this, rotation.auth()));
    ComponentSignals.publishRedisPasswordSettled(context, rotation.settled());
  }

  /**
   * RedisClusterReady, and {@code status.redis} from what the cluster dependent ({@link
   * RedisDependents.Cluster}) found in this reconcile.
   */
  @Override
  public Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next) {
    Condition condition =
        ComponentSignals.condition(context, conditionType())
            .orElseGet(() -> runCluster(stack, context));
    RedisStatus previous = stack.getStatus() == null ? null : stack.getStatus().redis;
    next.redis = report(context).map(r -> r.toStatus(previous, clock.instant())).orElse(previous);
    return condition;
  }

  /**
   * Bootstraps or heals the cluster through the pods' addresses (the {@link RedisClusterManager}),
   * records what it did as Events, and returns RedisClusterReady. Run once per reconcile, by {@link
   * RedisDependents.Cluster} after the StatefulSet is applied.
   */
  Condition runCluster(TTStack stack, Context<TTStack> context) {
    SecretsOutcome secrets = SecretsOutcome.of(context).orElseThrow();
    RedisPlan plan = RedisPlan.of(context).orElseThrow();
    Optional<StatefulSet> sts = statefulSet(stack, context);
    if (sts.isEmpty() || secrets.content() == null) {
      return new Condition(
          conditionType(),
          Condition.FALSE,
          "WaitingForSecrets",
          "waiting for REDIS_PASSWORD: SecretsSynced is " + secrets.condition().reason);
    }
    String stackName = stack.getMetadata().getName();
    List<String> podNames = RedisObjects.podNames(stackName, plan.shaped().getSpec().redis);
    List<Pod> pods =
        context.getSecondaryResources(Pod.class).stream()
            .filter(p -> podNames.contains(p.getMetadata().getName()))
            .toList();
    ClusterRequest request =
        new ClusterRequest(
            stackName,
            podNames,
            resolverFactory.apply(pods),
            ClusterSpec.of(stack.getSpec().redis),
            RedisPassword.credentials(stack, context, secrets),
            clusterCreated(stack, context));
    ClusterReport report = manager.reconcile(request);
    for (HealAction action : report.actions()) {
      events.record(
          context.getClient(),
          stack,
          EventRecorder.NORMAL,
          action.type().name(),
          action.toString());
      if (action.type() == HealAction.Type.Bootstrap) {
        context
            .managedWorkflowAndDependentResourceContext()
            .put(BOOTSTRAPPED_AT, clock.instant().toString());
      }
    }
    context.managedWorkflowAndDependentResourceContext().put(ClusterReport.class.getName(), report);
    return plan.storage().into(report.condition());
  }

  /** What the cluster dependent found in this reconcile, if it ran. */
  static Optional<ClusterReport> report(Context<TTStack> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(ClusterReport.class.getName(), ClusterReport.class);
  }

  @Override
  public Optional<Duration> recheckAfter(TTStack stack, Context<TTStack> context) {
    Optional<Duration> cluster = report(context).map(ClusterReport::requeueAfter);
    // The new password was just added (the record now holds the old one too): the old one is
    // dropped on a later pass. JOSDK raises no event for the workflow's own write of that record.
    boolean rotating = RedisPlan.of(context).map(RedisPassword::rotating).orElse(false);
    if (rotating) {
      return Optional.of(
          cluster.filter(d -> d.compareTo(ROTATION_RECHECK) < 0).orElse(ROTATION_RECHECK));
    }
    return cluster;
  }

  /** Bootstrapped before: the status says so, or the marker ConfigMap the gate reads exists. */
  private boolean clusterCreated(TTStack stack, Context<TTStack> context) {
    var previous = stack.getStatus() == null ? null : stack.getStatus().redis;
    return (previous != null && previous.slotsAssigned != null && previous.slotsAssigned > 0)
        || Secondaries.get(
                context,
                ConfigMap.class,
                RedisObjects.stateConfigMapName(stack.getMetadata().getName()),
                stack.getMetadata().getNamespace())
            .isPresent();
  }

  /**
   * When the cluster was bootstrapped in this reconcile, if it was: {@link
   * RedisDependents.ClusterState} then records it.
   */
  static Optional<String> bootstrappedAt(Context<TTStack> context) {
    return context.managedWorkflowAndDependentResourceContext().get(BOOTSTRAPPED_AT, String.class);
  }

  private static Optional<StatefulSet> statefulSet(TTStack stack, Context<TTStack> context) {
    return Secondaries.get(
        context,
        StatefulSet.class,
        RedisObjects.name(stack.getMetadata().getName()),
        stack.getMetadata().getNamespace());
  }
}
