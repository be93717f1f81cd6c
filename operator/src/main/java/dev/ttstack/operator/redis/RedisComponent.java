package dev.ttstack.operator.redis;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.reconciler.NotImplemented;
import dev.ttstack.operator.reconciler.StackComponent;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.List;

/**
 * Redis Cluster: StatefulSet, Services, and the cluster manager that bootstraps and heals it.
 *
 * <p>The desired objects are built ({@link RedisObjects}); the cluster manager
 * ({@code redis.cluster.RedisClusterManager}) is not wired into the reconciler yet, so until it is,
 * {@code REDIS_CLUSTER_READY} stays Unknown with reason NotImplemented.
 */
public class RedisComponent implements StackComponent {

  @Override
  public String conditionType() {
    return ConditionType.REDIS_CLUSTER_READY;
  }

  /**
   * ConfigMap, headless and client Services, StatefulSet and PodDisruptionBudget. The Secret's
   * content hash goes on the pod template when the secrets component has reported it.
   */
  @Override
  public List<HasMetadata> desiredObjects(TTStack stack) {
    TTStackStatus status = stack.getStatus();
    String secretHash = status == null || status.secrets == null ? null : status.secrets.contentHash;
    return RedisObjects.all(stack, RedisObjects.secretName(stack), secretHash);
  }

  @Override
  public Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next) {
    return NotImplemented.condition(conditionType(), "the Redis Cluster component");
  }
}
