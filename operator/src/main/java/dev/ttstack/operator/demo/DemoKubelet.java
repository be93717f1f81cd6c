package dev.ttstack.operator.demo;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * The demo's kubelet and controller-manager, on the embedded API server (which has neither): a
 * thread that plays, with {@link ClusterSimulator} (the tests' simulator), what a node does with
 * the operator's objects —
 *
 * <ul>
 *   <li>a StatefulSet gets its volumes (Bound) and its pods, and is ready; for the Redis one the
 *       real redis-servers are started first ({@code beforeRedisPods}),
 *   <li>a Deployment whose pod template changed rolls out and is available — unless its image tag
 *       is one the demo calls broken: then its pod crash-loops ({@code CrashLoopBackOff}, 5
 *       restarts), as a version that fails at start does,
 *   <li>a Job (a backup) runs for half a second and succeeds, its container's termination message
 *       the backup's facts.
 * </ul>
 *
 * Each change is played once; a write refused by a concurrent change of the operator is played
 * again on the next round.
 */
public final class DemoKubelet implements AutoCloseable {
  private static final long ROUND_MILLIS = 50;
  private static final long JOB_NANOS = 500_000_000L;

  private final KubernetesClient client;
  private final String namespace;
  private final ClusterSimulator simulator;
  private final String redisStatefulSet;
  private final Predicate<String> broken;
  private final Consumer<Integer> beforeRedisPods;
  private final Map<String, String> played = new HashMap<>();
  private final Set<String> jobsRun = new HashSet<>();
  private final Map<String, Long> jobsSeen = new HashMap<>();
  private final Set<String> podsMade = new HashSet<>();
  private final Thread thread;
  private volatile boolean backupsSucceed = true;
  private volatile RuntimeException failure;

  /**
   * @param redisStatefulSet the Redis StatefulSet's name; {@code beforeRedisPods} is given its
   *     replica count once, before its pods are made
   * @param broken image tags whose pods crash-loop
   */
  public DemoKubelet(
      KubernetesClient client,
      String namespace,
      String redisStatefulSet,
      Predicate<String> broken,
      Consumer<Integer> beforeRedisPods) {
    this.client = client;
    this.namespace = namespace;
    this.simulator = new ClusterSimulator(client);
    this.redisStatefulSet = redisStatefulSet;
    this.broken = broken;
    this.beforeRedisPods = beforeRedisPods;
    this.thread = new Thread(this::loop, "demo-kubelet");
    thread.setDaemon(true);
  }

  /** Backups fail from now on (pg_dump exits 1): for the demo's own test of a missing step. */
  public DemoKubelet failingBackups() {
    backupsSucceed = false;
    return this;
  }

  public DemoKubelet start() {
    thread.start();
    return this;
  }

  /** What stopped the kubelet, if anything did (then nothing is played any more). */
  public RuntimeException failure() {
    return failure;
  }

  private void loop() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        round();
      } catch (KubernetesClientException e) {
        // a conflict with the operator's own write, or the server going away at the end: the next
        // round sees the object again
      } catch (RuntimeException e) {
        failure = e;
        return;
      }
      try {
        Thread.sleep(ROUND_MILLIS); // a simulator's tick, not a wait for a condition
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void round() {
    for (StatefulSet s : client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
      String name = s.getMetadata().getName();
      String key = "StatefulSet/" + name;
      String now = fingerprint(s.getSpec().getTemplate(), s.getSpec().getReplicas());
      if (now.equals(played.get(key))) {
        continue;
      }
      int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
      if (podsMade.add(key)) {
        if (name.equals(redisStatefulSet)) {
          beforeRedisPods.accept(replicas);
        }
        simulator.createStatefulSetVolumes(namespace, name, "Bound");
        int set = podsMade.size();
        simulator.createStatefulSetPods(
            namespace,
            name,
            IntStream.range(0, replicas).mapToObj(i -> "10.42." + set + "." + (10 + i)).toList());
      }
      simulator.markStatefulSetReady(namespace, name);
      played.put(key, now);
    }
    for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
      String name = d.getMetadata().getName();
      String key = "Deployment/" + name;
      String now = fingerprint(d.getSpec().getTemplate(), d.getSpec().getReplicas());
      if (now.equals(played.get(key))) {
        continue;
      }
      // The previous ReplicaSet's pods are gone once the new one is played.
      for (Pod p : client.pods().inNamespace(namespace).list().getItems()) {
        if (p.getMetadata().getName().startsWith(name + "-sim-")) {
          client.resource(p).withGracePeriod(0).delete();
        }
      }
      String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
      String tag = image.substring(image.lastIndexOf(':') + 1);
      if (broken.test(tag)) {
        List<Pod> pods = simulator.createDeploymentPods(namespace, name, 1);
        simulator.setContainerWaiting(
            namespace, pods.get(0).getMetadata().getName(), "CrashLoopBackOff", 5);
      } else {
        simulator.markDeploymentAvailable(namespace, name);
      }
      played.put(key, now);
    }
    for (Job j : client.batch().v1().jobs().inNamespace(namespace).list().getItems()) {
      String name = j.getMetadata().getName();
      if (jobsRun.contains(name)) {
        continue;
      }
      // A pg_dump takes a moment: long enough for the backup to be seen in the status.
      long first = jobsSeen.computeIfAbsent(name, n -> System.nanoTime());
      if (System.nanoTime() - first < JOB_NANOS) {
        continue;
      }
      String message =
          backupsSucceed
              ? "{\"file\":\""
                  + name
                  + ".dump\",\"sizeBytes\":1843200,\"time\":\""
                  + Instant.now()
                  + "\"}"
              : "{\"error\":\"pg_dump: error: connection to server failed (demo)\"}";
      simulator.finishJob(namespace, name, backupsSucceed, message);
      jobsRun.add(name);
    }
  }

  private static String fingerprint(PodTemplateSpec template, Integer replicas) {
    return replicas + " " + Serialization.asJson(template);
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
