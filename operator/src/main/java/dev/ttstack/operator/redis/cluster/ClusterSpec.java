package dev.ttstack.operator.redis.cluster;

import dev.ttstack.operator.api.RedisSpec;

/** The shape the cluster should have, and whether lost slots may be served again empty. */
public record ClusterSpec(int masters, int replicasPerMaster, boolean allowDataLoss) {

  public static ClusterSpec of(RedisSpec spec) {
    return new ClusterSpec(
        spec.masters, spec.replicasPerMaster, Boolean.TRUE.equals(spec.allowDataLoss));
  }

  public int nodeCount() {
    return masters * (1 + replicasPerMaster);
  }
}
