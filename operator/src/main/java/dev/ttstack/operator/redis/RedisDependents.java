package dev.ttstack.operator.redis;

import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.BuiltDependent;
import dev.ttstack.operator.kit.ComponentSignals;
import dev.ttstack.operator.kit.Secondaries;
import dev.ttstack.operator.kit.SecretsOutcome;
import dev.ttstack.operator.kit.WorkflowNode;
import dev.ttstack.operator.redis.cluster.ClusterReport;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.util.Optional;

/** The JOSDK dependents of the Redis Cluster; each builds its object with {@link RedisObjects}. */
public final class RedisDependents {
  private RedisDependents() {}

  private static TTStack shaped(TTStack stack, Context<TTStack> context) {
    return RedisPlan.of(context).map(RedisPlan::shaped).orElse(stack);
  }

  public static class Config extends BuiltDependent<ConfigMap> {
    public Config() {
      super(ConfigMap.class, (stack, context) -> RedisObjects.configMap(shaped(stack, context)));
    }
  }

  public static class Headless extends BuiltDependent<Service> {
    public Headless() {
      super(Service.class, (stack, context) -> RedisObjects.headlessService(stack));
    }
  }

  public static class Client extends BuiltDependent<Service> {
    public Client() {
      super(Service.class, (stack, context) -> RedisObjects.clientService(stack));
    }
  }

  public static class Disruptions extends BuiltDependent<PodDisruptionBudget> {
    public Disruptions() {
      super(PodDisruptionBudget.class, (stack, context) -> RedisObjects.podDisruptionBudget(stack));
    }
  }

  /**
   * The nodes. No secret hash on the pod template on purpose: a new REDIS_PASSWORD is rotated live
   * (RedisComponent), and the pods read it from the Secret on their next restart.
   */
  public static class Nodes extends BuiltDependent<StatefulSet> {
    /** Created once REDIS_PASSWORD exists; never deleted because the Secret went missing later. */
    @Override
    protected boolean mayCreate(TTStack stack, Context<TTStack> context) {
      return SecretsOutcome.of(context).map(o -> o.content() != null).orElse(false);
    }

    public Nodes() {
      super(StatefulSet.class, (stack, context) -> statefulSet(shaped(stack, context)));
    }

    /** The StatefulSet for that (shaped) stack, marked with the shape it was built for. */
    static StatefulSet statefulSet(TTStack shaped) {
      StatefulSet sts =
          RedisObjects.statefulSet(shaped, SecretsOutcome.secretNameFor(shaped), null);
      if (sts.getMetadata().getAnnotations() == null) {
        sts.getMetadata().setAnnotations(new java.util.LinkedHashMap<>());
      }
      sts.getMetadata()
          .getAnnotations()
          .put(RedisComponent.SHAPE_ANNOTATION, RedisComponent.shape(shaped.getSpec().redis));
      return sts;
    }
  }

  /**
   * The operator's record of the password the cluster runs with ({@code <stack>-redis-auth}), as
   * {@link RedisComponent} rotated it before the workflow: the new record once every node accepts
   * it, else the one there is, unchanged. Never deleted by a reconcile (it goes with the TTStack).
   */
  public static class Auth extends BuiltDependent<Secret> {
    public Auth() {
      super(Secret.class, Auth::build, RedisObjects::authName);
    }

    @Override
    protected boolean mayCreate(TTStack stack, Context<TTStack> context) {
      return RedisPlan.of(context).map(RedisPlan::auth).isPresent();
    }

    /**
     * The whole record, key for key: JOSDK's Secret matcher is satisfied when the desired keys are
     * there, so dropping {@code previous} would otherwise never be written (the old password would
     * stay in the record, and the rotation would repeat its last phase forever).
     */
    @Override
    public Matcher.Result<Secret> match(Secret actual, TTStack stack, Context<TTStack> context) {
      Secret desired = getOrComputeDesired(context);
      return Matcher.Result.computed(
          java.util.Objects.equals(actual.getData(), desired.getData()), desired);
    }

    private static Secret build(TTStack stack, Context<TTStack> context) {
      Secret next = RedisPlan.of(context).map(RedisPlan::auth).orElse(null);
      if (next != null) {
        return next;
      }
      Secret kept =
          Secondaries.get(
                  context,
                  Secret.class,
                  RedisObjects.authName(stack),
                  stack.getMetadata().getNamespace())
              .orElseThrow();
      return RedisObjects.authSecretFrom(stack, kept);
    }
  }

  /**
   * The record that the cluster was bootstrapped ({@code <stack>-redis-state}, the pods' start gate
   * reads it): created at the first bootstrap, its time moved by a later one (the whole cluster
   * lost, allowDataLoss), never deleted by a reconcile.
   */
  public static class ClusterState extends BuiltDependent<ConfigMap> {
    public ClusterState() {
      super(
          ConfigMap.class,
          ClusterState::build,
          stack -> RedisObjects.stateConfigMapName(stack.getMetadata().getName()));
    }

    @Override
    protected boolean mayCreate(TTStack stack, Context<TTStack> context) {
      return RedisComponent.bootstrappedAt(context).isPresent();
    }

    private static ConfigMap build(TTStack stack, Context<TTStack> context) {
      String at =
          RedisComponent.bootstrappedAt(context)
              .orElseGet(
                  () ->
                      Secondaries.get(
                              context,
                              ConfigMap.class,
                              RedisObjects.stateConfigMapName(stack.getMetadata().getName()),
                              stack.getMetadata().getNamespace())
                          .map(
                              c ->
                                  c.getData() == null
                                      ? null
                                      : c.getData().get(RedisObjects.CLUSTER_CREATED_KEY))
                          .orElse(""));
      return RedisObjects.stateConfigMap(stack, at);
    }
  }

  /**
   * The gate on the Redis Cluster: applies nothing; ready when the cluster dependent found
   * RedisClusterReady True in this reconcile ({@link ClusterReady}). What uses Redis (the app)
   * {@code dependsOn} it.
   */
  public static class ClusterGate extends WorkflowNode<ClusterReport> {
    public ClusterGate() {
      super(ClusterReport.class);
    }

    @Override
    public Optional<ClusterReport> getSecondaryResource(TTStack stack, Context<TTStack> context) {
      return RedisComponent.report(context);
    }
  }

  /**
   * The Redis Cluster itself, as a workflow node after the StatefulSet: bootstrapped or healed
   * through the pods (an external dependent, as the schema is in JOSDK's mysql-schema sample). The
   * nodes below it run whatever it found: its gate ({@link ClusterGate}) and the bootstrap record.
   */
  public static class Cluster extends ClusterGate {
    @Override
    public ReconcileResult<ClusterReport> reconcile(TTStack stack, Context<TTStack> context) {
      RedisComponent component = RedisPlan.of(context).orElseThrow().component();
      ComponentSignals.publishCondition(context, component.runCluster(stack, context));
      return ReconcileResult.noOperation(getSecondaryResource(stack, context).orElse(null));
    }
  }

  /** RedisClusterReady as the cluster dependent found it in this reconcile. */
  public static class ClusterReady implements Condition<ClusterReport, TTStack> {
    @Override
    public boolean isMet(
        DependentResource<ClusterReport, TTStack> dependent,
        TTStack stack,
        Context<TTStack> context) {
      return ComponentSignals.condition(context, ConditionType.REDIS_CLUSTER_READY)
          .map(dev.ttstack.operator.api.Condition::isTrue)
          .orElse(false);
    }
  }
}
