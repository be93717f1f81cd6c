package dev.ttstack.operator.redis.cluster;

/** Reasons of the {@code RedisClusterReady} condition. */
public final class ClusterReasons {
  private ClusterReasons() {}

  /** True: every node ok, every slot served, every replica link up. */
  public static final String HEALTHY = "ClusterHealthy";

  /** Pods missing or not answering yet; nothing to do until they are there. */
  public static final String WAITING_FOR_PODS = "WaitingForPods";

  /** The cluster was just created on empty nodes and is converging. */
  public static final String BOOTSTRAPPING = "Bootstrapping";

  /** Heal actions were taken; the cluster is converging. */
  public static final String HEALING = "Healing";

  /** The cluster is converging by itself (gossip, failover, replica sync): no action needed. */
  public static final String CONVERGING = "Converging";

  /** A shard's master is down and no replica has taken over yet. */
  public static final String SHARD_DOWN = "ShardDown";

  /**
   * Both copies of a shard are lost: the slot ranges are named; allowDataLoss serves them empty.
   */
  public static final String SLOTS_LOST = "SlotsLost";

  /** A node holds the only copy of a shard without its nodes.conf: it needs a person. */
  public static final String ONLY_COPY_WITHOUT_IDENTITY = "OnlyCopyWithoutIdentity";

  /** The cluster existed but every node came back empty. */
  public static final String CLUSTER_LOST = "ClusterLost";

  /**
   * masters or replicasPerMaster differ from the running cluster: resharding does not exist yet.
   */
  public static final String SCALE_CHANGE_REFUSED = "ScaleChangeRefused";

  /** The nodes refuse every password the operator has. */
  public static final String AUTH_FAILED = "AuthenticationFailed";
}
