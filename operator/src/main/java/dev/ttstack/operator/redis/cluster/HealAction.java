package dev.ttstack.operator.redis.cluster;

/**
 * One thing the manager did to the cluster. {@link Type#name()} is what {@code
 * status.redis.lastHealAction} shows and what the heal-action counter is tagged with.
 *
 * @param pod the pod acted on (or for), may be null
 * @param detail what exactly, for the log and the Event (node ids, slot ranges; never a secret)
 */
public record HealAction(Type type, String pod, String detail) {

  public enum Type {
    /** Slots, epochs, MEET and REPLICATE on empty nodes. */
    Bootstrap,
    /** CLUSTER MEET at a node's current address (both sides had stale addresses). */
    MeetNode,
    /** CLUSTER REPLICATE re-issued: a replica pointed at an old address, or a slot-less master. */
    ReplicateNode,
    /**
     * An empty node MEET into the cluster and made a replica of the master with fewest replicas.
     */
    JoinNode,
    /** CLUSTER FAILOVER TAKEOVER on a replica whose master lost its identity. */
    PromoteReplica,
    /** CLUSTER FORGET of an id no pod runs any more (a lost identity or a ghost), on every node. */
    ForgetNode,
    /** The start-up gate of a pod told to start it as a new, empty node. */
    ReleaseGate,
    /**
     * FLUSHALL + CLUSTER RESET HARD on a node that lost nodes.conf and claimed slots on its own.
     */
    ResetRogueNode,
    /** Slots without data given to a master (allowDataLoss, or never assigned). */
    AssignSlots
  }

  @Override
  public String toString() {
    return type + (pod == null ? "" : " " + pod) + (detail == null ? "" : ": " + detail);
  }
}
