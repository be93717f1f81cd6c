package dev.ttstack.operator.redis.cluster;

import java.util.List;

/**
 * Everything one {@link RedisClusterManager#reconcile} needs from the reconciler.
 *
 * @param stack the TTStack's name (metrics tag, messages)
 * @param pods the pods of the Redis StatefulSet, by ordinal ({@code <stack>-redis-0 ...})
 * @param resolver pod name to current address
 * @param spec the wanted shape
 * @param credentials the Secret's REDIS_PASSWORD (and, during a rotation, the previous one)
 * @param clusterCreated whether this stack's cluster was ever bootstrapped (e.g.
 *     status.redis.slotsAssigned was once 16384): then nodes that are all empty mean the cluster
 *     was lost, and it is re-created only with allowDataLoss
 */
public record ClusterRequest(
    String stack,
    List<String> pods,
    NodeAddressResolver resolver,
    ClusterSpec spec,
    RedisCredentials credentials,
    boolean clusterCreated) {

  public ClusterRequest {
    pods = List.copyOf(pods);
  }
}
