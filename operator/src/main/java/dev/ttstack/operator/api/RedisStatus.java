package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The Redis Cluster as the operator last saw it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RedisStatus {

  @JsonPropertyDescription("cluster_state reported by the nodes: ok or fail.")
  public String clusterState;

  @JsonPropertyDescription("Masters that own slots.")
  public Integer masters;

  @JsonPropertyDescription("Replicas with a live link to their master.")
  public Integer replicas;

  @JsonPropertyDescription("Slots assigned to a reachable master (16384 when whole).")
  public Integer slotsAssigned;
}
