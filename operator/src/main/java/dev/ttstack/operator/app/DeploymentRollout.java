package dev.ttstack.operator.app;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the app's Deployment and its pods say about the rollout in progress: which pod template it
 * runs, whether that rollout is complete, and why it will not complete by waiting. Detection only:
 * {@link RollbackPolicy} decides what follows.
 *
 * @param specHash the template's {@link AppObjects#SPEC_HASH_ANNOTATION} (null: built before it)
 * @param version the template's version label
 * @param replicas the replicas the Deployment asks for
 * @param updated pods of the current template
 * @param available available pods
 * @param current the Deployment controller has observed the Deployment's latest generation
 * @param complete current, and every pod is of the current template and available
 * @param failure why the current template will not become available by waiting, if it will not
 */
record DeploymentRollout(
    String specHash,
    String version,
    int replicas,
    int updated,
    int available,
    boolean current,
    boolean complete,
    Optional<String> failure) {

  /** Container states that mean a version will not come up by waiting. */
  static final Set<String> FATAL_WAITING =
      Set.of(
          "CrashLoopBackOff",
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError");

  static DeploymentRollout of(Deployment d, Collection<Pod> pods) {
    var template = d.getSpec().getTemplate().getMetadata();
    String hash =
        template.getAnnotations() == null
            ? null
            : template.getAnnotations().get(AppObjects.SPEC_HASH_ANNOTATION);
    String version =
        template.getLabels() == null ? null : template.getLabels().get(AppObjects.VERSION_LABEL);
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    var s = d.getStatus();
    int updated = s == null || s.getUpdatedReplicas() == null ? 0 : s.getUpdatedReplicas();
    int available = s == null || s.getAvailableReplicas() == null ? 0 : s.getAvailableReplicas();
    boolean current =
        s != null && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration());
    boolean complete =
        current
            && updated == replicas
            && available == replicas
            && (s.getReplicas() == null || s.getReplicas() == replicas);
    return new DeploymentRollout(
        hash,
        version,
        replicas,
        updated,
        available,
        current,
        complete,
        failure(d, hash, version, pods));
  }

  /**
   * The Deployment controller's deadline, or a pod of the current template stuck in a fatal
   * container state (pods of earlier templates say nothing about this one).
   */
  private static Optional<String> failure(
      Deployment d, String hash, String version, Collection<Pod> pods) {
    if (d.getStatus() != null && d.getStatus().getConditions() != null) {
      for (var c : d.getStatus().getConditions()) {
        if ("Progressing".equals(c.getType())
            && "False".equals(c.getStatus())
            && "ProgressDeadlineExceeded".equals(c.getReason())) {
          return Optional.of(
              "ProgressDeadlineExceeded: not available within "
                  + d.getSpec().getProgressDeadlineSeconds()
                  + " s");
        }
      }
    }
    for (Pod pod : pods) {
      if (!ofTemplate(pod, hash, version)
          || pod.getStatus() == null
          || pod.getStatus().getContainerStatuses() == null) {
        continue;
      }
      for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
        var waiting = cs.getState() == null ? null : cs.getState().getWaiting();
        if (waiting != null && FATAL_WAITING.contains(waiting.getReason())) {
          String last =
              cs.getLastState() != null
                      && cs.getLastState().getTerminated() != null
                      && cs.getLastState().getTerminated().getMessage() != null
                  ? "; last message: " + cs.getLastState().getTerminated().getMessage()
                  : "";
          return Optional.of(
              waiting.getReason()
                  + ": pod "
                  + pod.getMetadata().getName()
                  + Optional.ofNullable(waiting.getMessage()).map(m -> " (" + m + ")").orElse("")
                  + last);
        }
      }
    }
    return Optional.empty();
  }

  /** An app pod of that template: by its spec hash, or by version for pods made before it. */
  private static boolean ofTemplate(Pod pod, String hash, String version) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels == null || !AppObjects.COMPONENT.equals(labels.get("app.kubernetes.io/component"))) {
      return false;
    }
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String podHash = annotations == null ? null : annotations.get(AppObjects.SPEC_HASH_ANNOTATION);
    if (hash != null && podHash != null) {
      return hash.equals(podHash);
    }
    return version != null && version.equals(labels.get(AppObjects.VERSION_LABEL));
  }
}
