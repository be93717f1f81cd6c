package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.Condition;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Optional;

/**
 * What a component publishes during one reconcile for the components after it, kept in that
 * reconcile's context (so it never outlives it). The one way components learn of each other's state
 * without importing each other.
 */
public final class ComponentSignals {
  private static final String CONDITION = "condition:";
  private static final String REDIS_PASSWORD_SETTLED = "redis:password-settled";

  private ComponentSignals() {}

  /** A component's condition of this reconcile, once it has observed. */
  public static void publishCondition(Context<?> context, Condition condition) {
    context.managedWorkflowAndDependentResourceContext().put(CONDITION + condition.type, condition);
  }

  /** The condition {@code type} of this reconcile, if its component has observed already. */
  public static Optional<Condition> condition(Context<?> context, String type) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(CONDITION + type, Condition.class);
  }

  /** Whether the Redis Cluster accepts the Secret's current REDIS_PASSWORD (Redis prepares it). */
  public static void publishRedisPasswordSettled(Context<?> context, boolean settled) {
    context.managedWorkflowAndDependentResourceContext().put(REDIS_PASSWORD_SETTLED, settled);
  }

  /**
   * Whether the Redis Cluster accepts the Secret's current password; true when Redis has not said
   * (nothing to wait for). Until it does, clients of Redis keep the old one.
   */
  public static boolean redisPasswordSettled(Context<?> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(REDIS_PASSWORD_SETTLED, Boolean.class)
        .orElse(true);
  }
}
