package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The app as running. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AppStatus {

  @JsonPropertyDescription("Version (image tag) the Deployment currently runs.")
  public String version;

  @JsonPropertyDescription("Last version that became Available; the rollback target.")
  public String lastGoodVersion;

  @JsonPropertyDescription("Pods that are ready.")
  public Integer readyReplicas;

  @JsonPropertyDescription("Version that failed and was rolled back, if the last rollout failed.")
  public String failedVersion;

  @JsonPropertyDescription(
      "Why failedVersion failed: CrashLoopBackOff, ImagePullBackOff, ProgressDeadlineExceeded, ..., with the"
          + " container's last message.")
  public String failureReason;

  @JsonPropertyDescription("When the last automatic rollback happened (RFC 3339).")
  public String lastRollbackTime;
}
