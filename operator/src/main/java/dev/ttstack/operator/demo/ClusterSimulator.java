package dev.ttstack.operator.demo;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Plays kubelet and controller-manager for tests and for the demo ({@link DemoKubelet}), on demand:
 * the mock API server has neither, so nothing becomes ready, no pod appears and nothing crashes
 * unless a test (or the demo) says so here.
 *
 * <p>Every method writes the object as a controller would (status included) and returns what was
 * written. Pods get the workload's template labels and an ownerReference to it, as the real
 * controllers do, so label selectors and owner lookups in the operator work unchanged.
 */
public final class ClusterSimulator {
  private final KubernetesClient client;

  public ClusterSimulator(KubernetesClient client) {
    this.client = client;
  }

  /** The Deployment has rolled out: every replica updated, ready and available. */
  public Deployment markDeploymentAvailable(String namespace, String name) {
    Deployment d =
        require(
            client.apps().deployments().inNamespace(namespace).withName(name).get(),
            "Deployment",
            namespace,
            name);
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    String now = Instant.now().toString();
    d.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(d.getMetadata().getGeneration())
            .withReplicas(replicas)
            .withUpdatedReplicas(replicas)
            .withReadyReplicas(replicas)
            .withAvailableReplicas(replicas)
            .withUnavailableReplicas(0)
            .withConditions(
                new DeploymentConditionBuilder()
                    .withType("Available")
                    .withStatus("True")
                    .withReason("MinimumReplicasAvailable")
                    .withLastTransitionTime(now)
                    .withLastUpdateTime(now)
                    .build(),
                new DeploymentConditionBuilder()
                    .withType("Progressing")
                    .withStatus("True")
                    .withReason("NewReplicaSetAvailable")
                    .withLastTransitionTime(now)
                    .withLastUpdateTime(now)
                    .build())
            .build());
    return client.resource(d).update();
  }

  /**
   * The Deployment's rollout failed: the controller-manager's {@code ProgressDeadlineExceeded},
   * with the old pods still serving ({@code availableReplicas} unchanged is the caller's choice).
   */
  public Deployment markDeploymentFailed(String namespace, String name, String message) {
    Deployment d =
        require(
            client.apps().deployments().inNamespace(namespace).withName(name).get(),
            "Deployment",
            namespace,
            name);
    String now = Instant.now().toString();
    d.setStatus(
        new DeploymentStatusBuilder(
                d.getStatus() == null
                    ? new io.fabric8.kubernetes.api.model.apps.DeploymentStatus()
                    : d.getStatus())
            .withObservedGeneration(d.getMetadata().getGeneration())
            .withConditions(
                new DeploymentConditionBuilder()
                    .withType("Progressing")
                    .withStatus("False")
                    .withReason("ProgressDeadlineExceeded")
                    .withMessage(message)
                    .withLastTransitionTime(now)
                    .withLastUpdateTime(now)
                    .build())
            .build());
    return client.resource(d).update();
  }

  /** Every pod of the StatefulSet is ready and on the current revision. */
  public StatefulSet markStatefulSetReady(String namespace, String name) {
    StatefulSet s =
        require(
            client.apps().statefulSets().inNamespace(namespace).withName(name).get(),
            "StatefulSet",
            namespace,
            name);
    int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
    s.setStatus(
        new StatefulSetStatusBuilder()
            .withObservedGeneration(s.getMetadata().getGeneration())
            .withReplicas(replicas)
            .withReadyReplicas(replicas)
            .withCurrentReplicas(replicas)
            .withUpdatedReplicas(replicas)
            .withAvailableReplicas(replicas)
            .withCurrentRevision(name + "-rev")
            .withUpdateRevision(name + "-rev")
            .build());
    return client.resource(s).update();
  }

  /** Some pods of the StatefulSet are not ready. */
  public StatefulSet markStatefulSetNotReady(String namespace, String name, int readyReplicas) {
    StatefulSet s =
        require(
            client.apps().statefulSets().inNamespace(namespace).withName(name).get(),
            "StatefulSet",
            namespace,
            name);
    int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
    s.setStatus(
        new StatefulSetStatusBuilder()
            .withObservedGeneration(s.getMetadata().getGeneration())
            .withReplicas(replicas)
            .withReadyReplicas(readyReplicas)
            .withAvailableReplicas(readyReplicas)
            .build());
    return client.resource(s).update();
  }

  /**
   * Creates the StatefulSet's pods {@code <name>-0..n-1}, running and ready, one per IP given (e.g.
   * the 127.0.0.1 addresses of local redis-server processes are the caller's business).
   */
  public List<Pod> createStatefulSetPods(String namespace, String name, List<String> podIps) {
    StatefulSet s =
        require(
            client.apps().statefulSets().inNamespace(namespace).withName(name).get(),
            "StatefulSet",
            namespace,
            name);
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < podIps.size(); i++) {
      pods.add(
          createPod(
              namespace,
              name + "-" + i,
              s.getSpec().getTemplate(),
              "StatefulSet",
              s.getMetadata().getName(),
              s.getMetadata().getUid(),
              podIps.get(i)));
    }
    return pods;
  }

  /** Creates {@code count} running, ready pods of the Deployment, with distinct IPs. */
  public List<Pod> createDeploymentPods(String namespace, String name, int count) {
    Deployment d =
        require(
            client.apps().deployments().inNamespace(namespace).withName(name).get(),
            "Deployment",
            namespace,
            name);
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      pods.add(
          createPod(
              namespace,
              name + "-sim-" + i,
              d.getSpec().getTemplate(),
              "Deployment",
              d.getMetadata().getName(),
              d.getMetadata().getUid(),
              "10.42.0." + (10 + i)));
    }
    return pods;
  }

  /**
   * A container of the pod is waiting, as the kubelet reports it: {@code CrashLoopBackOff} (with
   * restarts), {@code ImagePullBackOff}, {@code ErrImagePull}, ... The pod turns not ready.
   */
  public Pod setContainerWaiting(
      String namespace, String podName, String reason, int restartCount) {
    Pod pod =
        require(
            client.pods().inNamespace(namespace).withName(podName).get(),
            "Pod",
            namespace,
            podName);
    List<ContainerStatus> statuses = new ArrayList<>();
    for (var c : pod.getSpec().getContainers()) {
      statuses.add(
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withReady(false)
              .withRestartCount(restartCount)
              .withStarted(false)
              .withState(
                  new ContainerStateBuilder()
                      .withNewWaiting()
                      .withReason(reason)
                      .withMessage("simulated " + reason)
                      .endWaiting()
                      .build())
              .build());
    }
    pod.getStatus().setContainerStatuses(statuses);
    pod.getStatus()
        .setConditions(
            List.of(new PodConditionBuilder().withType("Ready").withStatus("False").build()));
    return client.resource(pod).update();
  }

  /**
   * The StatefulSet controller's volumes: one PVC per claim template and replica, named {@code
   * <template>-<statefulset>-<ordinal>}, in the given phase ("Bound" or "Pending"). With {@code
   * whenDeleted: Delete} the controller makes the StatefulSet their owner, as Kubernetes does.
   */
  public List<io.fabric8.kubernetes.api.model.PersistentVolumeClaim> createStatefulSetVolumes(
      String namespace, String name, String phase) {
    StatefulSet s =
        require(
            client.apps().statefulSets().inNamespace(namespace).withName(name).get(),
            "StatefulSet",
            namespace,
            name);
    boolean deleteWithSet =
        s.getSpec().getPersistentVolumeClaimRetentionPolicy() != null
            && "Delete"
                .equals(s.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted());
    List<io.fabric8.kubernetes.api.model.PersistentVolumeClaim> created = new ArrayList<>();
    int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
    for (var template : s.getSpec().getVolumeClaimTemplates()) {
      for (int i = 0; i < replicas; i++) {
        var pvc =
            new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(template.getMetadata().getName() + "-" + name + "-" + i)
                .withNamespace(namespace)
                .withLabels(template.getMetadata().getLabels())
                .endMetadata()
                .withSpec(template.getSpec())
                .withNewStatus()
                .withPhase(phase)
                .endStatus()
                .build();
        if (deleteWithSet) {
          pvc.getMetadata()
              .setOwnerReferences(
                  List.of(
                      new OwnerReferenceBuilder()
                          .withApiVersion("apps/v1")
                          .withKind("StatefulSet")
                          .withName(name)
                          .withUid(s.getMetadata().getUid())
                          .build()));
        }
        created.add(
            client
                .resource(pvc)
                .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update));
      }
    }
    return created;
  }

  /**
   * The Job ran: a pod labelled {@code job-name} whose container terminated with that message (exit
   * 0 if it succeeded), and the Job's status as the Job controller writes it.
   */
  public io.fabric8.kubernetes.api.model.batch.v1.Job finishJob(
      String namespace, String jobName, boolean succeeded, String terminationMessage) {
    var job =
        require(
            client.batch().v1().jobs().inNamespace(namespace).withName(jobName).get(),
            "Job",
            namespace,
            jobName);
    var template = job.getSpec().getTemplate();
    java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    labels.put("job-name", jobName);
    String now = Instant.now().toString();
    List<ContainerStatus> statuses = new ArrayList<>();
    for (var c : template.getSpec().getContainers()) {
      statuses.add(
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withReady(false)
              .withState(
                  new ContainerStateBuilder()
                      .withNewTerminated()
                      .withExitCode(succeeded ? 0 : 1)
                      .withReason(succeeded ? "Completed" : "Error")
                      .withMessage(terminationMessage)
                      .withFinishedAt(now)
                      .endTerminated()
                      .build())
              .build());
    }
    client
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(jobName + "-sim")
                .withNamespace(namespace)
                .withLabels(labels)
                .withOwnerReferences(
                    new OwnerReferenceBuilder()
                        .withApiVersion("batch/v1")
                        .withKind("Job")
                        .withName(jobName)
                        .withUid(job.getMetadata().getUid())
                        .withController(true)
                        .build())
                .endMetadata()
                .withSpec(template.getSpec())
                .withNewStatus()
                .withPhase(succeeded ? "Succeeded" : "Failed")
                .withContainerStatuses(statuses)
                .endStatus()
                .build())
        .create();
    var status = new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withStartTime(now);
    if (succeeded) {
      status
          .withSucceeded(1)
          .withCompletionTime(now)
          .withConditions(
              new io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder()
                  .withType("Complete")
                  .withStatus("True")
                  .build());
    } else {
      status
          .withFailed(2)
          .withConditions(
              new io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder()
                  .withType("Failed")
                  .withStatus("True")
                  .withReason("BackoffLimitExceeded")
                  .withMessage("Job has reached the specified backoff limit")
                  .build());
    }
    job.setStatus(status.build());
    return client.resource(job).update();
  }

  /**
   * Kubernetes' garbage collector, which the mock server lacks: deletes every object whose owners
   * are all gone, repeatedly, until nothing more goes (so deletion cascades).
   */
  public void collectGarbage(String namespace) {
    boolean deleted = true;
    while (deleted) {
      deleted = false;
      List<io.fabric8.kubernetes.api.model.HasMetadata> all = new ArrayList<>();
      all.addAll(client.apps().statefulSets().inNamespace(namespace).list().getItems());
      all.addAll(client.apps().deployments().inNamespace(namespace).list().getItems());
      all.addAll(client.services().inNamespace(namespace).list().getItems());
      all.addAll(client.configMaps().inNamespace(namespace).list().getItems());
      all.addAll(client.secrets().inNamespace(namespace).list().getItems());
      all.addAll(client.network().v1().networkPolicies().inNamespace(namespace).list().getItems());
      all.addAll(client.batch().v1().cronjobs().inNamespace(namespace).list().getItems());
      all.addAll(client.batch().v1().jobs().inNamespace(namespace).list().getItems());
      all.addAll(client.persistentVolumeClaims().inNamespace(namespace).list().getItems());
      all.addAll(client.pods().inNamespace(namespace).list().getItems());
      java.util.Set<String> uids = new java.util.HashSet<>();
      all.forEach(o -> uids.add(o.getMetadata().getUid()));
      client
          .resources(dev.ttstack.operator.api.TTStack.class)
          .inNamespace(namespace)
          .list()
          .getItems()
          .forEach(o -> uids.add(o.getMetadata().getUid()));
      for (var o : all) {
        var owners = o.getMetadata().getOwnerReferences();
        if (owners != null
            && !owners.isEmpty()
            && owners.stream().noneMatch(r -> uids.contains(r.getUid()))) {
          client.resource(o).withGracePeriod(0).delete();
          deleted = true;
        }
      }
    }
  }

  /** The pod is gone, as after a node failure or eviction. */
  public void deletePod(String namespace, String podName) {
    client.pods().inNamespace(namespace).withName(podName).delete();
  }

  private Pod createPod(
      String namespace,
      String podName,
      PodTemplateSpec template,
      String ownerKind,
      String ownerName,
      String ownerUid,
      String ip) {
    var labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
    // the pod carries its template's annotations, as the ReplicaSet and StatefulSet controllers
    // copy
    var annotations =
        template.getMetadata() == null ? null : template.getMetadata().getAnnotations();
    List<ContainerStatus> statuses = new ArrayList<>();
    for (var c : template.getSpec().getContainers()) {
      statuses.add(
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withReady(true)
              .withStarted(true)
              .withRestartCount(0)
              .withState(
                  new ContainerStateBuilder()
                      .withNewRunning()
                      .withStartedAt(Instant.now().toString())
                      .endRunning()
                      .build())
              .build());
    }
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(podName)
            .withNamespace(namespace)
            .withLabels(labels)
            .withAnnotations(annotations)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("apps/v1")
                    .withKind(ownerKind)
                    .withName(ownerName)
                    .withUid(ownerUid)
                    .withController(true)
                    .build())
            .endMetadata()
            .withSpec(template.getSpec())
            .withNewStatus()
            .withPhase("Running")
            .withPodIP(ip)
            .withContainerStatuses(statuses)
            .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build())
            .endStatus()
            .build();
    return client.resource(pod).create();
  }

  private static <T> T require(T object, String kind, String namespace, String name) {
    return Objects.requireNonNull(
        object, () -> kind + " " + namespace + "/" + name + " does not exist (yet)");
  }
}
