package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The Redis Cluster as the operator last saw it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RedisStatus {

  @JsonPropertyDescription("cluster_state reported by the nodes: ok or fail.")
  public String clusterState;

  @JsonPropertyDescription("Slots assigned to a master (16384 when whole).")
  public Integer slotsAssigned;

  @JsonPropertyDescription(
      "Slots served by a reachable master that is not failing (16384 when healthy).")
  public Integer slotsOk;

  @JsonPropertyDescription("Masters that own slots.")
  public Integer masters;

  @JsonPropertyDescription("Replicas with a live link to their master.")
  public Integer replicas;

  @JsonPropertyDescription("Every node: pod, role, master and slots.")
  public List<RedisNodeStatus> nodes = new ArrayList<>();

  @JsonPropertyDescription(
      "The last healing action the operator took, e.g. ForgetGhostNode or PromoteReplica.")
  public String lastHealAction;

  @JsonPropertyDescription("When the last healing action was taken (RFC 3339).")
  public String lastHealTime;
}
