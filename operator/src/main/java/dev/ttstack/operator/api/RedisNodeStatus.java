package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One Redis node as the cluster sees it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RedisNodeStatus {

  @JsonPropertyDescription("Pod running the node.")
  public String pod;

  @JsonPropertyDescription("master or replica.")
  public String role;

  @JsonPropertyDescription("For a replica: the pod of its master.")
  public String master;

  @JsonPropertyDescription("For a master: its slot ranges, e.g. 0-5460.")
  public String slots;

  @JsonPropertyDescription("For a replica: whether its replication link to the master is up.")
  public Boolean linkUp;
}
