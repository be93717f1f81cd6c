package dev.ttstack.operator.redis;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.reconciler.NotImplemented;
import dev.ttstack.operator.reconciler.StackComponent;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * Redis Cluster: StatefulSet, Services, and the cluster manager that bootstraps and heals it.
 *
 * <p>Not implemented yet: until it is, {@code REDIS_CLUSTER_READY} stays Unknown with reason NotImplemented.
 */
public class RedisComponent implements StackComponent {

  @Override
  public String conditionType() {
    return ConditionType.REDIS_CLUSTER_READY;
  }

  @Override
  public Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next) {
    return NotImplemented.condition(conditionType(), "the Redis Cluster component");
  }
}
