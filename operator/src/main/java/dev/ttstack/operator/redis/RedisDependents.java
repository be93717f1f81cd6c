package dev.ttstack.operator.redis;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.BuiltDependent;
import dev.ttstack.operator.kit.SecretsOutcome;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

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
    public Nodes() {
      super(
          StatefulSet.class,
          (stack, context) -> {
            TTStack shaped = shaped(stack, context);
            StatefulSet sts =
                RedisObjects.statefulSet(shaped, SecretsOutcome.secretNameFor(stack), null);
            if (sts.getMetadata().getAnnotations() == null) {
              sts.getMetadata().setAnnotations(new java.util.LinkedHashMap<>());
            }
            sts.getMetadata()
                .getAnnotations()
                .put(RedisComponent.SHAPE_ANNOTATION, RedisComponent.shape(shaped.getSpec().redis));
            return sts;
          });
    }
  }

  /** Created once REDIS_PASSWORD exists; never deleted because the Secret went missing later. */
  public static class PasswordAvailable implements Condition<StatefulSet, TTStack> {
    @Override
    public boolean isMet(
        DependentResource<StatefulSet, TTStack> dependent,
        TTStack stack,
        Context<TTStack> context) {
      return SecretsOutcome.of(context).map(o -> o.content() != null).orElse(false)
          || dependent.getSecondaryResource(stack, context).isPresent();
    }
  }
}
