package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The app as running. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AppStatus {

  @JsonPropertyDescription(
      "Where the app's rollout stands: Progressing (a change rolls out, or waits for its"
          + " dependencies or a backup), Available (spec.app runs, every pod available), Failed (a"
          + " rollout failed and was not rolled back: autoRollback is off, or nothing earlier was"
          + " available), RolledBack (a failed change runs lastAvailableSpec instead; it is not"
          + " retried until spec.app changes).")
  public AppState state;

  @JsonPropertyDescription(
      "The pod-shaping part of spec.app (image, version, port, profile, resources, env,"
          + " imagePullSecret) that last became Available: what a failed rollout is rolled back"
          + " to, whether it changed the version or only env or resources.")
  public AppSpec lastAvailableSpec;

  @JsonPropertyDescription(
      "Fingerprint (the pods' ttstack.dev/app-spec-hash) of the spec.app that failed and was rolled"
          + " back; that spec is not retried until spec.app changes.")
  public String failedSpecHash;

  @JsonPropertyDescription("Version (image tag) the Deployment currently runs.")
  public String version;

  @JsonPropertyDescription("Last version that became Available; the rollback target.")
  public String lastGoodVersion;

  @JsonPropertyDescription("Pods that are ready.")
  public Integer readyReplicas;

  @JsonPropertyDescription(
      "Version of the spec.app that failed and was rolled back, if the last rollout failed.")
  public String failedVersion;

  @JsonPropertyDescription(
      "Why failedVersion failed: CrashLoopBackOff, ImagePullBackOff, ProgressDeadlineExceeded, ..., with the"
          + " container's last message.")
  public String failureReason;

  @JsonPropertyDescription("When the last automatic rollback happened (RFC 3339).")
  public String lastRollbackTime;
}
