package dev.ttstack.operator.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays the one node's kubelet on top of the real API server (part 1 of tier 4: no kubelet, no
 * containers yet). It registers a Ready {@link #NODE} and k3s' {@code local-path} StorageClass,
 * plays local-path's provisioner for the claims the real kube-scheduler assigns to the node, and
 * reports the pods the scheduler binds there through the {@code status} subresource as a kubelet
 * does: phase, conditions, container states, restart counts, a pod IP. Everything else —
 * scheduling, volume binding, ReplicaSets, StatefulSets, Jobs, rollouts, garbage collection — is
 * done by the real scheduler and controllers.
 *
 * <p>Pod IPs are loopback addresses ({@code 127.B.x.y}): the API server accepts them, and a process
 * can bind them, so the Redis containers run <b>for real</b>: their own start script (from the
 * ConfigMap the operator wrote), as {@code redis-server} processes bound to the pod's IP, with the
 * pod's environment (Secret and field references resolved), a data folder per PVC (kept while the
 * PVC exists, as a volume is) and their readiness probe script run every second. The operator then
 * reaches them exactly as in a cluster: by pod IP, no resolver seam. What DNS would do, the peers
 * list, is translated to pod IPs. Other containers are simulated: running and ready, unless a test
 * says otherwise ({@link #override}). Pods of Jobs succeed. A deleted pod is stopped, then removed
 * (grace period 0), as the kubelet confirms a deletion.
 */
public final class SimulatedKubelet implements AutoCloseable {
  public static final String NODE = "local-node-0";

  /** The node's address; pods get their own loopback addresses in 127.B.0.0/16. */
  public static final String NODE_IP = "127.0.0.1";

  /** The StorageClass k3s ships (local-path-provisioner), played here: see {@link #provision}. */
  public static final String STORAGE_CLASS = "local-path";

  static final String PROVISIONER = "rancher.io/local-path";
  private static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
  private static final String CLAIM = "pvc:";
  private static final String VOLUME = "pv:";
  private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  /** What a simulated container does. */
  public enum Behaviour {
    /** Running and ready (the default). */
    READY,
    /** Running, its readiness probe failing. */
    NOT_READY,
    /** Exits at once, again and again: waiting in CrashLoopBackOff, restart count growing. */
    CRASH_LOOP,
    /** Runs to completion with exit code 0 (the default for pods of Jobs). */
    SUCCEED,
    /** Runs to completion with exit code 1. */
    FAIL
  }

  private record Rule(Predicate<Pod> which, Behaviour behaviour) {}

  /** A container run as a real process: its restarts and last probe result. */
  private static final class RealContainer {
    Process process;
    int restarts;
    boolean ready;
    Instant lastProbe;
    int failures;
    Instant startedAt;
    Integer lastExit;
  }

  private final KubernetesClient client;
  private final Path dir;
  private final SharedIndexInformer<Pod> pods;
  private final SharedIndexInformer<PersistentVolumeClaim> claims;
  private final SharedIndexInformer<PersistentVolume> volumes;
  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "simulated-kubelet");
            t.setDaemon(true);
            return t;
          });
  private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
  private final List<Rule> overrides = new CopyOnWriteArrayList<>();
  private final Map<String, String> ips = new ConcurrentHashMap<>();
  private final Map<String, Map<String, RealContainer>> real = new ConcurrentHashMap<>();
  private final Map<String, Instant> started = new ConcurrentHashMap<>();
  private final AtomicInteger nextIp = new AtomicInteger();

  /**
   * Pod IPs are 127.B.x.y with B from this JVM's pid: two test runs on one machine (two checkouts)
   * then never hand out the same address, so their Redis processes never collide on a port.
   */
  private final int ipBlock = 10 + (int) (ProcessHandle.current().pid() % 240);

  private volatile Predicate<Container> runsForReal = c -> "redis".equals(c.getName());

  private SimulatedKubelet(KubernetesClient client, Path dir) {
    this.client = client;
    this.dir = dir;
    registerNode();
    registerStorageClass();
    this.pods =
        client
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    queue.add(key(pod));
                  }

                  @Override
                  public void onUpdate(Pod before, Pod pod) {
                    queue.add(key(pod));
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    queue.add(key(pod));
                  }
                },
                0);
    this.claims =
        client
            .persistentVolumeClaims()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(PersistentVolumeClaim claim) {
                    queue.add(CLAIM + key(claim));
                  }

                  @Override
                  public void onUpdate(PersistentVolumeClaim before, PersistentVolumeClaim claim) {
                    queue.add(CLAIM + key(claim));
                  }

                  @Override
                  public void onDelete(PersistentVolumeClaim claim, boolean unknownFinalState) {}
                },
                0);
    this.volumes =
        client
            .persistentVolumes()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(PersistentVolume volume) {
                    queue.add(VOLUME + volume.getMetadata().getName());
                  }

                  @Override
                  public void onUpdate(PersistentVolume before, PersistentVolume volume) {
                    queue.add(VOLUME + volume.getMetadata().getName());
                  }

                  @Override
                  public void onDelete(PersistentVolume volume, boolean unknownFinalState) {}
                },
                0);
    worker.scheduleWithFixedDelay(this::drain, 0, 50, TimeUnit.MILLISECONDS);
    // A JVM that ends without close() (a test run interrupted) still stops its containers.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    real.values()
                        .forEach(containers -> containers.values().forEach(SimulatedKubelet::stop)),
                "simulated-kubelet-stop"));
    // Resync: probes, restarts and overrides changed by tests take effect within a second.
    worker.scheduleWithFixedDelay(
        () -> pods.getStore().list().forEach(p -> queue.add(key(p))), 1, 1, TimeUnit.SECONDS);
  }

  static SimulatedKubelet start(KubernetesClient admin, Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new SimulatedKubelet(admin, dir);
  }

  /**
   * From now on, pods that match behave so (until the returned handle is closed); the newest
   * override wins. Pods of real containers (Redis) ignore it: they behave as their processes do.
   */
  public AutoCloseable override(Predicate<Pod> which, Behaviour behaviour) {
    Rule o = new Rule(which, behaviour);
    overrides.add(0, o);
    return () -> overrides.remove(o);
  }

  /** Which containers run as real processes (default: those named "redis"). */
  public void runForReal(Predicate<Container> which) {
    this.runsForReal = which;
  }

  /** The address this pod was given (null before it runs). */
  public String podIp(Pod pod) {
    return ips.get(pod.getMetadata().getUid());
  }

  /** Folder of a pod's real containers: their logs ({@code NAME.log}) and mounted files. */
  public Path podDir(Pod pod) {
    return dir.resolve("pods")
        .resolve(
            pod.getMetadata().getNamespace()
                + "_"
                + pod.getMetadata().getName()
                + "_"
                + pod.getMetadata().getUid());
  }

  @Override
  public void close() {
    pods.stop();
    claims.stop();
    volumes.stop();
    worker.shutdownNow();
    try {
      worker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    real.values().forEach(containers -> containers.values().forEach(SimulatedKubelet::stop));
    real.clear();
  }

  // ---- the node ---------------------------------------------------------------------------------

  private void registerNode() {
    // Room for every stack a test JVM runs at once (nothing really runs but Redis): the scheduler
    // must never be the reason a pod stays Pending here.
    Map<String, Quantity> capacity =
        Map.of(
            "cpu",
            new Quantity("64"),
            "memory",
            new Quantity("256Gi"),
            "pods",
            new Quantity("250"),
            "ephemeral-storage",
            new Quantity("200Gi"));
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(NODE)
            .withLabels(
                Map.of(
                    "kubernetes.io/hostname",
                    NODE,
                    "kubernetes.io/os",
                    "linux",
                    "kubernetes.io/arch",
                    "amd64"))
            .endMetadata()
            .build();
    if (client.nodes().withName(NODE).get() == null) {
      client.nodes().resource(node).create();
    }
    // A new Node gets node.kubernetes.io/not-ready:NoSchedule from the TaintNodesByCondition
    // admission
    // plugin; the node-lifecycle controller (not run here: no kubelet heartbeats) would lift it
    // once
    // the node reports Ready. This Node is Ready from the start, so the taint goes at once.
    // A merge patch carries no resourceVersion: the controller manager's own writes to a new Node
    // (seen:
    // a 409 from edit(), which sends the resourceVersion it read) cannot make it conflict.
    client
        .nodes()
        .withName(NODE)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"taints\":null}}");
    String now = Instant.now().toString();
    NodeStatus status =
        new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
            .withCapacity(capacity)
            .withAllocatable(capacity)
            .withConditions(
                new NodeConditionBuilder()
                    .withType("Ready")
                    .withStatus("True")
                    .withReason("KubeletReady")
                    .withMessage("simulated kubelet (k3s/local-node part 1)")
                    .withLastHeartbeatTime(now)
                    .withLastTransitionTime(now)
                    .build())
            .addNewAddress()
            .withType("InternalIP")
            .withAddress(NODE_IP)
            .endAddress()
            .addNewAddress()
            .withType("Hostname")
            .withAddress(NODE)
            .endAddress()
            .withNewNodeInfo()
            .withKubeletVersion("v1.36.4")
            .withKubeProxyVersion("v1.36.4")
            .withOperatingSystem("linux")
            .withArchitecture("amd64")
            .withContainerRuntimeVersion("simulated://1")
            .withOsImage("simulated")
            .withKernelVersion("simulated")
            .withMachineID("local-node")
            .withSystemUUID("local-node")
            .withBootID("local-node")
            .endNodeInfo()
            .build();
    // updateStatus sends the resourceVersion read just before: on a conflict, read again and retry.
    for (int attempt = 1; ; attempt++) {
      Node live = client.nodes().withName(NODE).get();
      live.setStatus(status);
      try {
        client.nodes().resource(live).updateStatus();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  // ---- volumes: local-path, as k3s ships it
  // -------------------------------------------------------

  /**
   * k3s' default StorageClass: local-path, WaitForFirstConsumer, no volume expansion. The real
   * scheduler picks the node for a pod's unbound claims (the selected-node annotation); this
   * "provisioner" then creates a PV on that node, and the real PV controller binds it.
   */
  private void registerStorageClass() {
    if (client.storage().v1().storageClasses().withName(STORAGE_CLASS).get() == null) {
      client
          .storage()
          .v1()
          .storageClasses()
          .resource(
              new io.fabric8.kubernetes.api.model.storage.StorageClassBuilder()
                  .withNewMetadata()
                  .withName(STORAGE_CLASS)
                  .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true")
                  .endMetadata()
                  .withProvisioner(PROVISIONER)
                  .withReclaimPolicy("Delete")
                  .withVolumeBindingMode("WaitForFirstConsumer")
                  .build())
          .create();
    }
  }

  private void provision(String key) {
    PersistentVolumeClaim claim = claims.getStore().getByKey(key);
    if (claim == null
        || claim.getMetadata().getDeletionTimestamp() != null
        || claim.getSpec().getVolumeName() != null && !claim.getSpec().getVolumeName().isEmpty()
        || !STORAGE_CLASS.equals(claim.getSpec().getStorageClassName())
        || !NODE.equals(claim.getMetadata().getAnnotations().get(SELECTED_NODE))) {
      return;
    }
    String name = "pvc-" + claim.getMetadata().getUid();
    if (volumes.getStore().getByKey(name) != null) {
      return;
    }
    Path local =
        dir.resolve("volumes")
            .resolve(
                claim.getMetadata().getNamespace()
                    + "_"
                    + claim.getMetadata().getName()
                    + "_"
                    + claim.getMetadata().getUid());
    mkdirs(local);
    client
        .persistentVolumes()
        .resource(
            new io.fabric8.kubernetes.api.model.PersistentVolumeBuilder()
                .withNewMetadata()
                .withName(name)
                .addToAnnotations("pv.kubernetes.io/provisioned-by", PROVISIONER)
                .endMetadata()
                .withNewSpec()
                .withCapacity(
                    Map.of("storage", claim.getSpec().getResources().getRequests().get("storage")))
                .withAccessModes(claim.getSpec().getAccessModes())
                .withPersistentVolumeReclaimPolicy("Delete")
                .withStorageClassName(STORAGE_CLASS)
                .withNewClaimRef()
                .withApiVersion("v1")
                .withKind("PersistentVolumeClaim")
                .withNamespace(claim.getMetadata().getNamespace())
                .withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid())
                .endClaimRef()
                .withNewHostPath()
                .withPath(local.toString())
                .withType("DirectoryOrCreate")
                .endHostPath()
                .withNewNodeAffinity()
                .withNewRequired()
                .addNewNodeSelectorTerm()
                .addNewMatchExpression()
                .withKey("kubernetes.io/hostname")
                .withOperator("In")
                .withValues(NODE)
                .endMatchExpression()
                .endNodeSelectorTerm()
                .endRequired()
                .endNodeAffinity()
                .endSpec()
                .build())
        .create();
  }

  /** A released volume of ours (its claim deleted) goes, with its data: reclaim policy Delete. */
  private void reclaim(String name) {
    PersistentVolume volume = volumes.getStore().getByKey(name);
    if (volume == null
        || volume.getStatus() == null
        || !"Released".equals(volume.getStatus().getPhase())
        || !PROVISIONER.equals(
            volume.getMetadata().getAnnotations().get("pv.kubernetes.io/provisioned-by"))
        || !"Delete".equals(volume.getSpec().getPersistentVolumeReclaimPolicy())) {
      return;
    }
    client.persistentVolumes().withName(name).delete();
  }

  private boolean volumesBound(Pod pod) {
    for (Volume v : pod.getSpec().getVolumes()) {
      if (v.getPersistentVolumeClaim() != null) {
        PersistentVolumeClaim claim =
            claims
                .getStore()
                .getByKey(
                    pod.getMetadata().getNamespace()
                        + "/"
                        + v.getPersistentVolumeClaim().getClaimName());
        if (claim == null
            || claim.getStatus() == null
            || !"Bound".equals(claim.getStatus().getPhase())) {
          return false;
        }
      }
    }
    return true;
  }

  // ---- pods
  // ---------------------------------------------------------------------------------------

  private static String key(io.fabric8.kubernetes.api.model.HasMetadata pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  private void drain() {
    Set<String> batch = new java.util.LinkedHashSet<>();
    queue.drainTo(batch);
    for (String key : batch) {
      try {
        if (key.startsWith(CLAIM)) {
          provision(key.substring(CLAIM.length()));
        } else if (key.startsWith(VOLUME)) {
          reclaim(key.substring(VOLUME.length()));
        } else {
          sync(key);
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404 && e.getCode() != 409) {
          System.err.println("[simulated-kubelet] " + key + ": " + e.getMessage());
        }
      } catch (RuntimeException e) {
        System.err.println("[simulated-kubelet] " + key + ": " + e);
      }
    }
    // Pods that are gone from the API: stop what still runs for them.
    Set<String> live = new java.util.HashSet<>();
    pods.getStore().list().forEach(p -> live.add(p.getMetadata().getUid()));
    for (String uid : List.copyOf(real.keySet())) {
      if (!live.contains(uid)) {
        real.remove(uid).values().forEach(SimulatedKubelet::stop);
        ips.remove(uid);
        started.remove(uid);
      }
    }
  }

  private void sync(String key) {
    Pod pod = pods.getStore().getByKey(key);
    if (pod == null) {
      return;
    }
    String uid = pod.getMetadata().getUid();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      Map<String, RealContainer> containers = real.remove(uid);
      if (containers != null) {
        containers.values().forEach(SimulatedKubelet::stop);
      }
      // The kubelet confirms the deletion once the containers are stopped.
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .withGracePeriod(0)
          .delete();
      return;
    }
    if (pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty()) {
      return; // the real kube-scheduler places it (after local-path has bound its volumes)
    }
    if (!NODE.equals(pod.getSpec().getNodeName())) {
      return;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return; // finished pods stay as they are
    }
    if (!volumesBound(pod)) {
      return; // a kubelet starts no container before its volumes are there
    }
    PodStatus next = status(pod);
    if (!sameStatus(pod.getStatus(), next)) {
      Pod copy = new io.fabric8.kubernetes.api.model.PodBuilder(pod).withStatus(next).build();
      client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(copy).updateStatus();
    }
  }

  private Behaviour behaviour(Pod pod) {
    for (Rule o : overrides) {
      if (o.which().test(pod)) {
        return o.behaviour();
      }
    }
    boolean job =
        pod.getMetadata().getOwnerReferences().stream().anyMatch(r -> "Job".equals(r.getKind()));
    return job ? Behaviour.SUCCEED : Behaviour.READY;
  }

  private PodStatus status(Pod pod) {
    String uid = pod.getMetadata().getUid();
    String ip =
        ips.computeIfAbsent(
            uid,
            u -> {
              int n = nextIp.getAndIncrement();
              return "127." + ipBlock + "." + (n / 250) + "." + (n % 250 + 1);
            });
    Instant start = started.computeIfAbsent(uid, u -> Instant.now());
    Behaviour behaviour = behaviour(pod);
    List<ContainerStatus> statuses = new ArrayList<>();
    boolean allReady = true;
    boolean allDone = true;
    boolean anyFailed = false;
    for (Container c : pod.getSpec().getContainers()) {
      ContainerStatus status;
      if (runsForReal.test(c)) {
        status = realContainer(pod, c, ip);
      } else {
        status = simulatedContainer(pod, c, behaviour, start);
      }
      statuses.add(status);
      allReady &= Boolean.TRUE.equals(status.getReady());
      boolean done = status.getState().getTerminated() != null;
      allDone &= done;
      anyFailed |= done && status.getState().getTerminated().getExitCode() != 0;
    }
    List<ContainerStatus> initStatuses =
        pod.getSpec().getInitContainers().stream()
            .map(
                c ->
                    new ContainerStatusBuilder()
                        .withName(c.getName())
                        .withImage(c.getImage())
                        .withImageID("simulated://" + c.getImage())
                        .withContainerID("simulated://" + uid + "/" + c.getName())
                        .withReady(true)
                        .withRestartCount(0)
                        .withState(
                            new ContainerStateBuilder()
                                .withNewTerminated()
                                .withExitCode(0)
                                .withReason("Completed")
                                .withStartedAt(start.toString())
                                .withFinishedAt(start.toString())
                                .endTerminated()
                                .build())
                        .build())
            .toList();
    String phase = allDone ? (anyFailed ? "Failed" : "Succeeded") : "Running";
    boolean ready = allReady && !allDone;
    PodStatus current = pod.getStatus();
    List<PodCondition> conditions =
        List.of(
            condition(current, "PodScheduled", true),
            condition(current, "Initialized", true),
            condition(current, "ContainersReady", ready),
            condition(current, "Ready", ready));
    return new PodStatusBuilder()
        .withPhase(phase)
        .withHostIP(NODE_IP)
        .addNewHostIP()
        .withIp(NODE_IP)
        .endHostIP()
        .withPodIP(ip)
        .withPodIPs(new PodIP(ip))
        .withStartTime(start.toString())
        .withQosClass(current == null ? null : current.getQosClass())
        .withConditions(conditions)
        .withContainerStatuses(statuses)
        .withInitContainerStatuses(initStatuses)
        .build();
  }

  /** A condition, keeping its transition time while its status stays the same. */
  private static PodCondition condition(PodStatus current, String type, boolean value) {
    String status = value ? "True" : "False";
    String since = Instant.now().toString();
    if (current != null) {
      for (PodCondition c : current.getConditions()) {
        if (type.equals(c.getType())
            && status.equals(c.getStatus())
            && c.getLastTransitionTime() != null) {
          since = c.getLastTransitionTime();
        }
      }
    }
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(since)
        .build();
  }

  private static ContainerStatus simulatedContainer(
      Pod pod, Container c, Behaviour behaviour, Instant start) {
    ContainerStatusBuilder b =
        new ContainerStatusBuilder()
            .withName(c.getName())
            .withImage(c.getImage())
            .withImageID("simulated://" + c.getImage())
            .withContainerID("simulated://" + pod.getMetadata().getUid() + "/" + c.getName());
    return switch (behaviour) {
      case READY, NOT_READY ->
          b.withReady(behaviour == Behaviour.READY)
              .withStarted(true)
              .withRestartCount(0)
              .withState(
                  new ContainerStateBuilder()
                      .withNewRunning()
                      .withStartedAt(start.toString())
                      .endRunning()
                      .build())
              .build();
      case CRASH_LOOP -> {
        // A restart every ~10 s of the pod's life, as back-off would space them.
        int restarts = 1 + (int) ((Instant.now().getEpochSecond() - start.getEpochSecond()) / 10);
        yield b.withReady(false)
            .withStarted(false)
            .withRestartCount(restarts)
            .withState(
                new ContainerStateBuilder()
                    .withNewWaiting()
                    .withReason("CrashLoopBackOff")
                    .withMessage("back-off restarting failed container " + c.getName())
                    .endWaiting()
                    .build())
            .withLastState(
                new ContainerStateBuilder()
                    .withNewTerminated()
                    .withExitCode(1)
                    .withReason("Error")
                    .withStartedAt(start.toString())
                    .withFinishedAt(start.toString())
                    .endTerminated()
                    .build())
            .build();
      }
      case SUCCEED, FAIL ->
          b.withReady(false)
              .withStarted(false)
              .withRestartCount(0)
              .withState(
                  new ContainerStateBuilder()
                      .withNewTerminated()
                      .withExitCode(behaviour == Behaviour.SUCCEED ? 0 : 1)
                      .withReason(behaviour == Behaviour.SUCCEED ? "Completed" : "Error")
                      .withStartedAt(start.toString())
                      .withFinishedAt(Instant.now().toString())
                      .endTerminated()
                      .build())
              .build();
    };
  }

  // ---- real containers
  // ----------------------------------------------------------------------------

  private ContainerStatus realContainer(Pod pod, Container c, String ip) {
    String uid = pod.getMetadata().getUid();
    RealContainer rc =
        real.computeIfAbsent(uid, u -> new ConcurrentHashMap<>())
            .computeIfAbsent(c.getName(), n -> new RealContainer());
    if (rc.process != null && !rc.process.isAlive()) {
      rc.lastExit = rc.process.exitValue();
      rc.process = null;
      rc.ready = false;
      rc.failures = 0;
      rc.lastProbe = null;
      rc.restarts++;
    }
    Map<String, Path> mounts = mounts(pod, c);
    Map<String, String> env = environment(pod, c, ip, mounts);
    if (rc.process == null) {
      rc.process = launch(pod, c, translate(c.getCommand(), c.getArgs(), mounts), env);
      rc.startedAt = Instant.now();
    }
    if (c.getReadinessProbe() != null && c.getReadinessProbe().getExec() != null) {
      // As the kubelet probes: every periodSeconds, within timeoutSeconds, not ready only after
      // failureThreshold failures in a row (one slow answer on a loaded machine is not an outage).
      var readiness = c.getReadinessProbe();
      int period = readiness.getPeriodSeconds() == null ? 10 : readiness.getPeriodSeconds();
      int timeout = readiness.getTimeoutSeconds() == null ? 1 : readiness.getTimeoutSeconds();
      int threshold = readiness.getFailureThreshold() == null ? 3 : readiness.getFailureThreshold();
      Instant now = Instant.now();
      if (!rc.process.isAlive()) {
        rc.ready = false;
      } else if (rc.lastProbe == null
          || !now.isBefore(rc.lastProbe.plusSeconds(rc.ready ? period : 1))) {
        // Until it is first ready, probed every second (the period would only delay the start
        // here).
        rc.lastProbe = now;
        if (probe(translate(readiness.getExec().getCommand(), List.of(), mounts), env, timeout)) {
          rc.failures = 0;
          rc.ready = true;
        } else if (++rc.failures >= threshold || !rc.ready) {
          rc.ready = false;
        }
      }
    } else {
      rc.ready = rc.process.isAlive();
    }
    ContainerStateBuilder state = new ContainerStateBuilder();
    ContainerState s =
        state.withNewRunning().withStartedAt(rc.startedAt.toString()).endRunning().build();
    ContainerStatusBuilder b =
        new ContainerStatusBuilder()
            .withName(c.getName())
            .withImage(c.getImage())
            .withImageID("simulated://" + c.getImage())
            .withContainerID("process://" + rc.process.pid())
            .withReady(rc.ready)
            .withStarted(true)
            .withRestartCount(rc.restarts)
            .withState(s);
    if (rc.lastExit != null) {
      b.withLastState(
          new ContainerStateBuilder()
              .withNewTerminated()
              .withExitCode(rc.lastExit)
              .withReason("Error")
              .endTerminated()
              .build());
    }
    return b.build();
  }

  /**
   * The pod's volumes as local folders: ConfigMaps written out (refreshed every sync, as the
   * kubelet refreshes them), emptyDirs per pod, PVCs per claim UID (a deleted and re-created PVC is
   * empty).
   */
  private Map<String, Path> mounts(Pod pod, Container c) {
    Path podDir = podDir(pod);
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (VolumeMount m : c.getVolumeMounts()) {
      Volume v =
          pod.getSpec().getVolumes().stream()
              .filter(x -> x.getName().equals(m.getName()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "pod " + key(pod) + " mounts unknown volume " + m.getName()));
      Path local;
      if (v.getConfigMap() != null) {
        local = podDir.resolve("volumes").resolve(v.getName());
        ConfigMap cm =
            client
                .configMaps()
                .inNamespace(pod.getMetadata().getNamespace())
                .withName(v.getConfigMap().getName())
                .get();
        write(local, cm == null ? Map.of() : cm.getData());
      } else if (v.getEmptyDir() != null) {
        local = podDir.resolve("volumes").resolve(v.getName());
      } else if (v.getPersistentVolumeClaim() != null) {
        PersistentVolumeClaim pvc =
            client
                .persistentVolumeClaims()
                .inNamespace(pod.getMetadata().getNamespace())
                .withName(v.getPersistentVolumeClaim().getClaimName())
                .get();
        if (pvc == null) {
          throw new IllegalStateException(
              "pod "
                  + key(pod)
                  + ": PVC "
                  + v.getPersistentVolumeClaim().getClaimName()
                  + " missing");
        }
        local =
            dir.resolve("volumes")
                .resolve(
                    pvc.getMetadata().getNamespace()
                        + "_"
                        + pvc.getMetadata().getName()
                        + "_"
                        + pvc.getMetadata().getUid());
      } else {
        local = podDir.resolve("volumes").resolve(v.getName());
      }
      mkdirs(local);
      mounts.put(m.getMountPath(), local);
    }
    return mounts;
  }

  private Map<String, String> environment(
      Pod pod, Container c, String ip, Map<String, Path> mounts) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", System.getenv("PATH"));
    env.put("HOSTNAME", pod.getMetadata().getName());
    for (EnvVar e : c.getEnv()) {
      String value;
      if (e.getValueFrom() == null) {
        value = expand(e.getValue() == null ? "" : e.getValue(), env);
      } else if (e.getValueFrom().getFieldRef() != null) {
        value =
            switch (e.getValueFrom().getFieldRef().getFieldPath()) {
              case "metadata.name" -> pod.getMetadata().getName();
              case "metadata.namespace" -> pod.getMetadata().getNamespace();
              case "status.podIP" -> ip;
              case "spec.nodeName" -> NODE;
              default ->
                  throw new IllegalStateException(
                      "unsupported fieldRef " + e.getValueFrom().getFieldRef().getFieldPath());
            };
      } else if (e.getValueFrom().getSecretKeyRef() != null) {
        Secret secret =
            client
                .secrets()
                .inNamespace(pod.getMetadata().getNamespace())
                .withName(e.getValueFrom().getSecretKeyRef().getName())
                .get();
        String raw =
            secret == null || secret.getData() == null
                ? null
                : secret.getData().get(e.getValueFrom().getSecretKeyRef().getKey());
        if (raw == null) {
          throw new IllegalStateException(
              "pod "
                  + key(pod)
                  + ": secret key "
                  + e.getName()
                  + " missing (the kubelet would not start it)");
        }
        value = new String(Base64.getDecoder().decode(raw), StandardCharsets.UTF_8);
      } else {
        throw new IllegalStateException("unsupported env source for " + e.getName());
      }
      env.put(e.getName(), value);
    }
    // What a pod's network namespace gives for free, made explicit for a process on the host: its
    // own address to bind and to send from, and DNS names of peers translated as DNS would.
    Path cli = cliWrapper(pod, ip);
    env.put("REDIS_BIND", ip);
    env.put("REDIS_CLI_BIN", cli.toString());
    String base = translate(env.get("REDIS_BASE_CONF"), mounts);
    if (base != null) {
      Path withSource = podDir(pod).resolve("redis-base.conf");
      write(
          withSource,
          read(Path.of(base))
              + "\n# simulated kubelet: traffic from the pod's own address\nbind-source-addr "
              + ip
              + "\n");
      env.put("REDIS_BASE_CONF", withSource.toString());
    }
    if (env.containsKey("REDIS_PEERS")) {
      env.put("REDIS_PEERS", peersAsIps(pod, env.get("REDIS_PEERS")));
    }
    env.replaceAll((k, v) -> translate(v, mounts));
    return env;
  }

  /**
   * "name.headless:port" of each peer, as DNS would answer it: the pod's IP, or dropped if it has
   * none.
   */
  private String peersAsIps(Pod pod, String peers) {
    List<String> out = new ArrayList<>();
    for (String peer : peers.split(" ")) {
      String host = peer.substring(0, peer.lastIndexOf(':'));
      String podName = host.split("\\.")[0];
      Pod other = pods.getStore().getByKey(pod.getMetadata().getNamespace() + "/" + podName);
      String otherIp = other == null ? null : ips.get(other.getMetadata().getUid());
      if (otherIp != null) {
        out.add(otherIp + peer.substring(peer.lastIndexOf(':')));
      }
    }
    return String.join(" ", out);
  }

  /** redis-cli talking to the pod's own address by default (localhost, inside a pod). */
  private Path cliWrapper(Pod pod, String ip) {
    Path wrapper = podDir(pod).resolve("redis-cli");
    if (!Files.exists(wrapper)) {
      write(wrapper, "#!/bin/sh\nexec redis-cli -h " + ip + " \"$@\"\n");
      try {
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return wrapper;
  }

  private Process launch(Pod pod, Container c, List<String> command, Map<String, String> env) {
    try {
      Path log = podDir(pod).resolve(c.getName() + ".log");
      mkdirs(log.getParent());
      // Working directory in the pod's folder: cluster.sh down finds (and stops) by it whatever a
      // test JVM killed outright left running.
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .directory(podDir(pod).toFile())
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().clear();
      builder.environment().putAll(env);
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean probe(List<String> command, Map<String, String> env, int timeoutSeconds) {
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().clear();
      builder.environment().putAll(env);
      Process p = builder.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * SIGTERM to the container's processes, then SIGKILL after a few seconds (its grace period,
   * shortened).
   */
  private static void stop(RealContainer rc) {
    Process p = rc.process;
    if (p == null) {
      return;
    }
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.add(p.toHandle());
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
    rc.process = null;
  }

  private static List<String> translate(
      List<String> command, List<String> args, Map<String, Path> mounts) {
    List<String> out = new ArrayList<>();
    command.forEach(a -> out.add(translate(a, mounts)));
    args.forEach(a -> out.add(translate(a, mounts)));
    return out;
  }

  /** A path inside the container as the local folder that stands for its mount. */
  private static String translate(String value, Map<String, Path> mounts) {
    if (value == null) {
      return null;
    }
    Optional<Map.Entry<String, Path>> mount =
        mounts.entrySet().stream()
            .filter(m -> value.equals(m.getKey()) || value.startsWith(m.getKey() + "/"))
            .max(Comparator.comparingInt(m -> m.getKey().length()));
    return mount.map(m -> m.getValue() + value.substring(m.getKey().length())).orElse(value);
  }

  private static String expand(String value, Map<String, String> env) {
    Matcher m = VAR_REF.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Compares what a kubelet would report, ignoring timestamps and the order of fields. */
  private static boolean sameStatus(PodStatus a, PodStatus b) {
    if (a == null) {
      return false;
    }
    return Objects.equals(a.getPhase(), b.getPhase())
        && Objects.equals(a.getPodIP(), b.getPodIP())
        && Objects.equals(signature(a.getConditions()), signature(b.getConditions()))
        && Objects.equals(
            containers(a.getContainerStatuses()), containers(b.getContainerStatuses()))
        && a.getInitContainerStatuses().size() == b.getInitContainerStatuses().size();
  }

  private static List<String> signature(List<PodCondition> conditions) {
    return conditions.stream().map(c -> c.getType() + "=" + c.getStatus()).sorted().toList();
  }

  private static List<String> containers(List<ContainerStatus> statuses) {
    return statuses.stream()
        .map(
            s ->
                s.getName()
                    + ":"
                    + s.getReady()
                    + ":"
                    + s.getRestartCount()
                    + ":"
                    + (s.getState().getRunning() != null
                        ? "running"
                        : s.getState().getWaiting() != null
                            ? "waiting/" + s.getState().getWaiting().getReason()
                            : "terminated/" + s.getState().getTerminated().getExitCode())
                    + ":"
                    + s.getContainerID())
        .sorted()
        .toList();
  }

  private static void write(Path folder, Map<String, String> files) {
    mkdirs(folder);
    files.forEach(
        (name, content) -> {
          Path target = folder.resolve(name);
          if (!Files.exists(target) || !read(target).equals(content)) {
            write(target, content);
          }
        });
  }

  private static void write(Path file, String content) {
    try {
      mkdirs(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void mkdirs(Path folder) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
