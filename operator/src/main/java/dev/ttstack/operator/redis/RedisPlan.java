package dev.ttstack.operator.redis;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.VolumeGrowth;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Optional;

/**
 * What {@link RedisComponent} decided before the workflow.
 *
 * @param shaped the stack as the Redis objects must be built: the spec, except that a cluster that
 *     exists keeps its shape (masters, replicas) until resharding exists
 * @param passwordSettled whether the cluster accepts the Secret's REDIS_PASSWORD; until it does,
 *     the app keeps its current pods (they still use the old password)
 * @param storage the nodes' volume size for the claim template (see VolumeGrowth), already in
 *     {@code shaped}
 * @param component the component that runs the cluster protocol for {@link RedisDependents.Cluster}
 *     (JOSDK builds dependents by their no-argument constructor; the manager and the pods' address
 *     resolver live in the component)
 * @param auth the operator's password record to apply ({@link RedisDependents.Auth}); null: keep
 *     the one there is
 */
public record RedisPlan(
    TTStack shaped,
    boolean passwordSettled,
    VolumeGrowth.Outcome storage,
    RedisComponent component,
    io.fabric8.kubernetes.api.model.Secret auth) {
  static final String KEY = RedisPlan.class.getName();

  public static Optional<RedisPlan> of(Context<?> context) {
    return context.managedWorkflowAndDependentResourceContext().get(KEY, RedisPlan.class);
  }
}
