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
import dev.ttstack.operator.kit.SecretKeys;
import dev.ttstack.operator.kit.SecretsOutcome;
import dev.ttstack.operator.kit.StackComponent;
import dev.ttstack.operator.kit.StackInformers;
import dev.ttstack.operator.kit.StackLabels;
import dev.ttstack.operator.kit.StackWorkflow;
import dev.ttstack.operator.kit.VolumeGrowth;
import dev.ttstack.operator.redis.cluster.ClusterReport;
import dev.ttstack.operator.redis.cluster.ClusterRequest;
import dev.ttstack.operator.redis.cluster.ClusterSpec;
import dev.ttstack.operator.redis.cluster.HealAction;
import dev.ttstack.operator.redis.cluster.NodeAddressResolver;
import dev.ttstack.operator.redis.cluster.PasswordRotation;
import dev.ttstack.operator.redis.cluster.RedisClusterManager;
import dev.ttstack.operator.redis.cluster.RedisCredentials;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis Cluster: applies the StatefulSet and Services ({@link RedisDependents}), then lets the
 * {@link RedisClusterManager} bootstrap or heal the cluster through the pods' addresses, rotates
 * the password live when REDIS_PASSWORD changes, and reports {@code RedisClusterReady}.
 *
 * <p>Password rotation (FACTS.md order): the operator keeps the password the cluster runs with in
 * its own Secret {@code <stack>-redis-auth}. When the stack's REDIS_PASSWORD differs, every node
 * first accepts both (ACL SETUSER + masterauth), the app then rolls to the new value, and only when
 * its rollout is complete is the old one dropped. No node restarts for it.
 */
public class RedisComponent implements StackComponent {
  public static final String SHAPE_ANNOTATION = "ttstack.dev/redis-shape";
  static final String AUTH_CURRENT = "current";
  static final String AUTH_PREVIOUS = "previous";
  private static final Logger LOG = LoggerFactory.getLogger(RedisComponent.class);

  private final RedisClusterManager manager;
  private final Function<List<Pod>, NodeAddressResolver> resolverFactory;
  private final EventRecorder events;
  private final Clock clock;
  private final VolumeGrowth growth;

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
   * PodDisruptionBudget, and the cluster itself after the StatefulSet: a gate, what uses Redis
   * {@code dependsOn} its readiness.
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
        .add(StackWorkflow.REDIS_CLUSTER_READY, RedisDependents.Cluster.class)
        .dependsOn("redis")
        .readyWhen(new RedisDependents.ClusterReady());
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
    boolean settled = rotatePassword(stack, shaped, context);
    context
        .managedWorkflowAndDependentResourceContext()
        .put(RedisPlan.KEY, new RedisPlan(shaped, settled, storage, this));
    ComponentSignals.publishRedisPasswordSettled(context, settled);
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
            credentials(stack, context, secrets),
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
        markClusterCreated(stack, context);
      }
    }
    context.managedWorkflowAndDependentResourceContext().put(ClusterReport.class.getName(), report);
    return plan.storage().into(report.condition());
  }

  private static Optional<ClusterReport> report(Context<TTStack> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(ClusterReport.class.getName(), ClusterReport.class);
  }

  @Override
  public Optional<Duration> recheckAfter(TTStack stack, Context<TTStack> context) {
    return report(context).map(ClusterReport::requeueAfter);
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

  private void markClusterCreated(TTStack stack, Context<TTStack> context) {
    ConfigMap marker =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(RedisObjects.stateConfigMapName(stack.getMetadata().getName()))
            .withNamespace(stack.getMetadata().getNamespace())
            .withLabels(RedisObjects.labels(stack.getMetadata().getName()))
            .endMetadata()
            .withData(Map.of(RedisObjects.CLUSTER_CREATED_KEY, clock.instant().toString()))
            .build();
    marker.addOwnerReference(stack);
    // Created at the first bootstrap; after another one (the whole cluster lost, allowDataLoss) it
    // exists: then only its time changes, by a merge patch. Not createOr(update): fabric8's update
    // of
    // an object without a resourceVersion GETs it first, and the chart grants no get on ConfigMaps
    // (the informers list and watch them) — refused with 403 on a real API server.
    try {
      context.getClient().resource(marker).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // On resource(marker), not withName(...): fabric8 GETs the object first when it has no item.
      context
          .getClient()
          .resource(marker)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(Map.of("data", marker.getData())));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Password: the cluster's password lives in <stack>-redis-auth; the stack's Secret says what it
  // should be.

  private RedisCredentials credentials(
      TTStack stack, Context<TTStack> context, SecretsOutcome secrets) {
    Optional<Secret> auth = authSecret(stack, context);
    String current = auth.map(a -> value(a, AUTH_CURRENT)).orElse(password(secrets));
    String previous = auth.map(a -> value(a, AUTH_PREVIOUS)).orElse(null);
    return new RedisCredentials(current, previous);
  }

  /** Returns whether the cluster accepts the Secret's password. */
  private boolean rotatePassword(TTStack stack, TTStack shaped, Context<TTStack> context) {
    SecretsOutcome secrets = SecretsOutcome.of(context).orElseThrow();
    String wanted = password(secrets);
    if (wanted == null) {
      return false;
    }
    Optional<Secret> auth = authSecret(stack, context);
    if (auth.isEmpty()) {
      writeAuth(
          stack, context, wanted, null); // first start: the nodes will start with this password
      return true;
    }
    String current = value(auth.get(), AUTH_CURRENT);
    String previous = value(auth.get(), AUTH_PREVIOUS);
    List<String> pods =
        RedisObjects.podNames(stack.getMetadata().getName(), shaped.getSpec().redis);
    if (!wanted.equals(current)) {
      List<Pod> running =
          context.getSecondaryResources(Pod.class).stream()
              .filter(p -> pods.contains(p.getMetadata().getName()))
              .toList();
      if (running.isEmpty()) {
        writeAuth(stack, context, wanted, null); // nothing runs: the next pods simply start with it
        return true;
      }
      PasswordRotation.Result added =
          new PasswordRotation(pods, resolverFactory.apply(running))
              .addNewPassword(current, wanted);
      if (!added.complete()) {
        LOG.warn(
            "redis {}/{}: new password not yet accepted by {}",
            stack.getMetadata().getNamespace(),
            stack.getMetadata().getName(),
            added.failed());
        return false;
      }
      writeAuth(stack, context, wanted, current);
      events.record(
          context.getClient(),
          stack,
          EventRecorder.NORMAL,
          "RedisPasswordAdded",
          "every Redis node accepts the new REDIS_PASSWORD as well as the old one; the app rolls next");
      return true;
    }
    if (previous != null && appRolledOut(stack, context)) {
      List<Pod> running =
          context.getSecondaryResources(Pod.class).stream()
              .filter(p -> pods.contains(p.getMetadata().getName()))
              .toList();
      PasswordRotation.Result dropped =
          new PasswordRotation(pods, resolverFactory.apply(running)).dropOldPassword(wanted);
      if (dropped.complete()) {
        writeAuth(stack, context, wanted, null);
        events.record(
            context.getClient(),
            stack,
            EventRecorder.NORMAL,
            "RedisPasswordRotated",
            "the old REDIS_PASSWORD is no longer accepted by any Redis node");
      }
    }
    return true;
  }

  /**
   * The app no longer runs pods with the old password: no Deployment, or its rollout is complete.
   */
  private static boolean appRolledOut(TTStack stack, Context<TTStack> context) {
    Optional<Deployment> app =
        Secondaries.get(
            context,
            Deployment.class,
            StackLabels.objectName(stack, "app"),
            stack.getMetadata().getNamespace());
    if (app.isEmpty()) {
      return true;
    }
    var d = app.get();
    var s = d.getStatus();
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return s != null
        && java.util.Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
        && s.getUpdatedReplicas() != null
        && s.getUpdatedReplicas() == replicas
        && (s.getReplicas() == null || s.getReplicas() == replicas)
        && s.getAvailableReplicas() != null
        && s.getAvailableReplicas() == replicas;
  }

  private static String password(SecretsOutcome secrets) {
    return secrets.content() == null
        ? null
        : secrets.content().asMap().get(SecretKeys.REDIS_PASSWORD);
  }

  static String authName(TTStack stack) {
    return StackLabels.objectName(stack, "redis-auth");
  }

  private static Optional<Secret> authSecret(TTStack stack, Context<TTStack> context) {
    return Secondaries.get(
        context, Secret.class, authName(stack), stack.getMetadata().getNamespace());
  }

  private static void writeAuth(
      TTStack stack, Context<TTStack> context, String current, String previous) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(AUTH_CURRENT, b64(current));
    if (previous != null) {
      data.put(AUTH_PREVIOUS, b64(previous));
    }
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName(authName(stack))
            .withNamespace(stack.getMetadata().getNamespace())
            .withLabels(StackLabels.of(stack, "redis", "redis"))
            .endMetadata()
            .withType("Opaque")
            .withData(data)
            .build();
    secret.addOwnerReference(stack);
    context
        .getClient()
        .resource(secret)
        .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
  }

  private static String value(Secret secret, String key) {
    String v = secret.getData() == null ? null : secret.getData().get(key);
    return v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static Optional<StatefulSet> statefulSet(TTStack stack, Context<TTStack> context) {
    return Secondaries.get(
        context,
        StatefulSet.class,
        RedisObjects.name(stack.getMetadata().getName()),
        stack.getMetadata().getNamespace());
  }
}
