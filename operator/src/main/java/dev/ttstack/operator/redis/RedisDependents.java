package dev.ttstack.operator.redis;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.secrets.SecretsOutcome;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** The JOSDK dependents of the Redis Cluster; each builds its object with {@link RedisObjects}. */
public final class RedisDependents {
  private RedisDependents() {}

  private static TTStack shaped(TTStack stack, Context<TTStack> context) {
    return RedisPlan.of(context).map(RedisPlan::shaped).orElse(stack);
  }

  @KubernetesDependent
  public static class Config extends CRUDKubernetesDependentResource<ConfigMap, TTStack> {
    public Config() {
      super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(TTStack stack, Context<TTStack> context) {
      return RedisObjects.configMap(shaped(stack, context));
    }
  }

  @KubernetesDependent
  public static class Headless extends CRUDKubernetesDependentResource<Service, TTStack> {
    public Headless() {
      super(Service.class);
    }

    @Override
    protected Service desired(TTStack stack, Context<TTStack> context) {
      return RedisObjects.headlessService(stack);
    }
  }

  @KubernetesDependent
  public static class Client extends CRUDKubernetesDependentResource<Service, TTStack> {
    public Client() {
      super(Service.class);
    }

    @Override
    protected Service desired(TTStack stack, Context<TTStack> context) {
      return RedisObjects.clientService(stack);
    }
  }

  @KubernetesDependent
  public static class Disruptions extends CRUDKubernetesDependentResource<PodDisruptionBudget, TTStack> {
    public Disruptions() {
      super(PodDisruptionBudget.class);
    }

    @Override
    protected PodDisruptionBudget desired(TTStack stack, Context<TTStack> context) {
      return RedisObjects.podDisruptionBudget(stack);
    }
  }

  /**
   * The nodes. No secret hash on the pod template on purpose: a new REDIS_PASSWORD is rotated live
   * (RedisComponent), and the pods read it from the Secret on their next restart.
   */
  @KubernetesDependent
  public static class Nodes extends CRUDKubernetesDependentResource<StatefulSet, TTStack> {
    public Nodes() {
      super(StatefulSet.class);
    }

    @Override
    protected StatefulSet desired(TTStack stack, Context<TTStack> context) {
      TTStack shaped = shaped(stack, context);
      StatefulSet sts = RedisObjects.statefulSet(shaped, SecretsOutcome.secretNameFor(stack), null);
      if (sts.getMetadata().getAnnotations() == null) {
        sts.getMetadata().setAnnotations(new java.util.LinkedHashMap<>());
      }
      sts.getMetadata().getAnnotations().put(RedisComponent.SHAPE_ANNOTATION, RedisComponent.shape(shaped.getSpec().redis));
      return sts;
    }
  }

  /** Created once REDIS_PASSWORD exists; never deleted because the Secret went missing later. */
  public static class PasswordAvailable implements Condition<StatefulSet, TTStack> {
    @Override
    public boolean isMet(DependentResource<StatefulSet, TTStack> dependent, TTStack stack, Context<TTStack> context) {
      return SecretsOutcome.of(context).map(o -> o.content() != null).orElse(false)
          || dependent.getSecondaryResource(stack, context).isPresent();
    }
  }
}
