package dev.ttstack.operator.redis;

import dev.ttstack.operator.api.DeletionPolicy;
import dev.ttstack.operator.api.RedisSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.PodParts;
import dev.ttstack.operator.kit.StackEndpoints;
import dev.ttstack.operator.kit.StackLabels;
import dev.ttstack.operator.support.Hashes;
import dev.ttstack.operator.support.Quantities;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Kubernetes objects of a stack's Redis Cluster, as pure functions of the TTStack (no API
 * calls): the ConfigMap (redis.conf and the scripts), the headless Service (stable pod DNS,
 * not-ready pods included so the nodes find each other before the cluster is healthy), the client
 * Service, the StatefulSet and its PodDisruptionBudget. No secret value appears in any of them: the
 * password reaches the containers through {@code secretKeyRef} environment variables only.
 */
public final class RedisObjects {
  public static final String COMPONENT = "redis";
  public static final int REDIS_PORT = StackEndpoints.REDIS_PORT;
  public static final int BUS_PORT = REDIS_PORT + 10000;
  public static final int GATE_PORT = 6380;
  public static final int METRICS_PORT = 9121;
  public static final String PASSWORD_KEY = "REDIS_PASSWORD";
  public static final String SECRET_HASH_ANNOTATION = PodParts.SECRET_HASH_ANNOTATION;
  public static final String CONFIG_HASH_ANNOTATION = "ttstack.dev/config-hash";

  /** uid/gid of the redis user in the official redis:*-alpine images. */
  static final long REDIS_UID = 999;

  static final long REDIS_GID = 1000;
  static final String CONFIG_DIR = "/etc/redis";
  static final String STATE_DIR = "/etc/redis-state";

  /**
   * Key of the {@link #stateConfigMapName} ConfigMap whose presence tells the gate the cluster
   * exists.
   */
  public static final String CLUSTER_CREATED_KEY = "cluster-created";

  private RedisObjects() {}

  public static String name(String stack) {
    return StackEndpoints.redis(stack);
  }

  public static String headlessName(String stack) {
    return StackEndpoints.redisHeadless(stack);
  }

  public static String configMapName(String stack) {
    return stack + "-redis-config";
  }

  /**
   * The ConfigMap the operator writes once the cluster is bootstrapped (key {@link
   * #CLUSTER_CREATED_KEY}); mounted optionally by every pod as the gate's marker. Not rendered: it
   * must not exist before the cluster does.
   */
  public static String stateConfigMapName(String stack) {
    return stack + "-redis-state";
  }

  /** The operator's record of the password the cluster runs with (RedisComponent rotates it). */
  public static String authName(TTStack stack) {
    return StackLabels.objectName(stack, "redis-auth");
  }

  /**
   * That record: {@code current}, and {@code previous} while a rotation still accepts both (base64,
   * as Secret data is).
   */
  static Secret authSecret(TTStack stack, String current, String previous) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(RedisPassword.AUTH_CURRENT, b64(current));
    if (previous != null) {
      data.put(RedisPassword.AUTH_PREVIOUS, b64(previous));
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withName(authName(stack))
        .withNamespace(stack.getMetadata().getNamespace())
        .withLabels(StackLabels.of(stack, "redis", "redis"))
        .endMetadata()
        .withType("Opaque")
        .withData(data)
        .build();
  }

  /** The record {@code kept} as it is, rebuilt as a desired object (no server-owned fields). */
  static Secret authSecretFrom(TTStack stack, Secret kept) {
    Secret s = authSecret(stack, "", null);
    s.setData(kept.getData() == null ? Map.of() : new LinkedHashMap<>(kept.getData()));
    return s;
  }

  private static String b64(String s) {
    return java.util.Base64.getEncoder()
        .encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** That ConfigMap, saying when the cluster was (last) bootstrapped. */
  public static ConfigMap stateConfigMap(TTStack stack, String bootstrappedAt) {
    return new ConfigMapBuilder()
        .withMetadata(meta(stack, stateConfigMapName(stack.getMetadata().getName())))
        .withData(Map.of(CLUSTER_CREATED_KEY, bootstrappedAt))
        .build();
  }

  /** The pods of the StatefulSet, by ordinal. */
  public static List<String> podNames(String stack, RedisSpec spec) {
    List<String> pods = new ArrayList<>();
    for (int i = 0; i < spec.nodeCount(); i++) {
      pods.add(name(stack) + "-" + i);
    }
    return pods;
  }

  /**
   * The Secret holding REDIS_PASSWORD: the managed {@code <stack>-secrets} for Doppler, else
   * secretRef's.
   */
  public static String secretName(TTStack stack) {
    var secrets = stack.getSpec().secrets;
    if (secrets != null && secrets.secretRef != null && secrets.doppler == null) {
      return secrets.secretRef.name;
    }
    return stack.getMetadata().getName() + "-secrets";
  }

  public static Map<String, String> labels(String stack) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", COMPONENT);
    labels.put("app.kubernetes.io/instance", stack);
    labels.put("app.kubernetes.io/component", COMPONENT);
    labels.put("app.kubernetes.io/managed-by", "ttstack-operator");
    return labels;
  }

  /** The StatefulSet's selector: immutable, so without managed-by. */
  static Map<String, String> selector(String stack) {
    Map<String, String> s = new LinkedHashMap<>(labels(stack));
    s.remove("app.kubernetes.io/managed-by");
    return s;
  }

  /** Every desired object, in apply order. {@code secretHash} may be null (not known yet). */
  public static List<HasMetadata> all(TTStack stack, String secretName, String secretHash) {
    ConfigMap config = configMap(stack);
    return List.of(
        config,
        headlessService(stack),
        clientService(stack),
        statefulSet(stack, secretName, secretHash, config),
        podDisruptionBudget(stack));
  }

  private static ObjectMeta meta(TTStack stack, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(stack.getMetadata().getNamespace())
        .withLabels(labels(stack.getMetadata().getName()))
        .build();
  }

  public static ConfigMap configMap(TTStack stack) {
    Map<String, String> data = new TreeMap<>();
    data.put(RedisConfig.REDIS_CONF, RedisConfig.redisConf(stack.getSpec().redis));
    data.put(RedisConfig.START_SCRIPT, RedisConfig.startScript());
    data.put(RedisConfig.PROBE_SCRIPT, RedisConfig.probeScript());
    return new ConfigMapBuilder()
        .withMetadata(meta(stack, configMapName(stack.getMetadata().getName())))
        .withData(data)
        .build();
  }

  private static ServicePort port(String name, int port) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withNewTargetPort(name)
        .withProtocol("TCP")
        .build();
  }

  public static Service headlessService(TTStack stack) {
    String s = stack.getMetadata().getName();
    return new ServiceBuilder()
        .withMetadata(meta(stack, headlessName(s)))
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(selector(s))
        .withPorts(
            port("redis", REDIS_PORT), port("cluster-bus", BUS_PORT), port("metrics", METRICS_PORT))
        .endSpec()
        .build();
  }

  public static Service clientService(TTStack stack) {
    String s = stack.getMetadata().getName();
    return new ServiceBuilder()
        .withMetadata(meta(stack, name(s)))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(selector(s))
        .withPorts(port("redis", REDIS_PORT))
        .endSpec()
        .build();
  }

  public static PodDisruptionBudget podDisruptionBudget(TTStack stack) {
    String s = stack.getMetadata().getName();
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(stack, name(s)))
        .withNewSpec()
        .withNewMaxUnavailable(1)
        .withNewSelector()
        .withMatchLabels(selector(s))
        .endSelector()
        .endSpec()
        .build();
  }

  public static StatefulSet statefulSet(TTStack stack, String secretName, String secretHash) {
    return statefulSet(stack, secretName, secretHash, configMap(stack));
  }

  private static StatefulSet statefulSet(
      TTStack stack, String secretName, String secretHash, ConfigMap config) {
    String s = stack.getMetadata().getName();
    RedisSpec spec = stack.getSpec().redis;
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(
        CONFIG_HASH_ANNOTATION, Hashes.sha256(new TreeMap<>(config.getData()).toString()));
    if (secretHash != null) {
      annotations.put(SECRET_HASH_ANNOTATION, secretHash);
    }
    String retention =
        stack.getSpec().deletionPolicy == DeletionPolicy.Delete ? "Delete" : "Retain";
    return new StatefulSetBuilder()
        .withMetadata(meta(stack, name(s)))
        .withNewSpec()
        .withReplicas(spec.nodeCount())
        .withServiceName(headlessName(s))
        .withPodManagementPolicy("Parallel")
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .endUpdateStrategy()
        .withNewSelector()
        .withMatchLabels(selector(s))
        .endSelector()
        .withNewPersistentVolumeClaimRetentionPolicy()
        .withWhenDeleted(retention)
        .withWhenScaled("Retain")
        .endPersistentVolumeClaimRetentionPolicy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels(s))
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withEnableServiceLinks(false)
        .withTerminationGracePeriodSeconds(30L)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(REDIS_UID)
        .withRunAsGroup(REDIS_GID)
        .withFsGroup(REDIS_GID)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withNewAffinity()
        .withNewPodAntiAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution()
        .withWeight(100)
        .withNewPodAffinityTerm()
        .withTopologyKey("kubernetes.io/hostname")
        .withNewLabelSelector()
        .withMatchLabels(selector(s))
        .endLabelSelector()
        .endPodAffinityTerm()
        .endPreferredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .endAffinity()
        .withContainers(redisContainer(s, spec, secretName), exporterContainer(spec, secretName))
        .addNewVolume()
        .withName("config")
        .withNewConfigMap()
        .withName(configMapName(s))
        .endConfigMap()
        .endVolume()
        .addNewVolume()
        .withName("state")
        .withNewConfigMap()
        .withName(stateConfigMapName(s))
        .withOptional(true)
        .endConfigMap()
        .endVolume()
        .addNewVolume()
        .withName("run")
        .withNewEmptyDir()
        .withMedium("Memory")
        .withSizeLimit(Quantities.of("4Mi"))
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .endTemplate()
        .withVolumeClaimTemplates(dataClaim(s, spec))
        .endSpec()
        .build();
  }

  private static Container redisContainer(String s, RedisSpec spec, String secretName) {
    List<String> peers = new ArrayList<>();
    for (String pod : podNames(s, spec)) {
      peers.add(pod + "." + headlessName(s) + ":" + REDIS_PORT);
    }
    // fieldRef's apiVersion is what the API server defaults it to: a fieldRef is an atomic struct
    // in
    // SSA, so JOSDK's matcher compares it whole, and without it the StatefulSet was re-applied on
    // every reconcile (seen on the real API server, ServerSideApplyKubeIT).
    List<EnvVar> env =
        List.of(
            new EnvVarBuilder()
                .withName("POD_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withApiVersion("v1")
                .withFieldPath("metadata.name")
                .endFieldRef()
                .endValueFrom()
                .build(),
            new EnvVarBuilder()
                .withName("POD_NAMESPACE")
                .withNewValueFrom()
                .withNewFieldRef()
                .withApiVersion("v1")
                .withFieldPath("metadata.namespace")
                .endFieldRef()
                .endValueFrom()
                .build(),
            env(
                "REDIS_ANNOUNCE_HOSTNAME",
                "$(POD_NAME)." + headlessName(s) + ".$(POD_NAMESPACE).svc"),
            passwordFromSecret(secretName),
            env("REDIS_PORT", Integer.toString(REDIS_PORT)),
            env("REDIS_GATE_PORT", Integer.toString(GATE_PORT)),
            env("REDIS_BASE_CONF", CONFIG_DIR + "/" + RedisConfig.REDIS_CONF),
            env("REDIS_DATA_DIR", "/data"),
            env("REDIS_RUN_DIR", "/run/redis"),
            env("REDIS_PEERS", String.join(" ", peers)),
            env("REDIS_CLUSTER_MARKER", STATE_DIR + "/" + CLUSTER_CREATED_KEY),
            env("REDISCLI_HISTFILE", "/dev/null"));
    return new ContainerBuilder()
        .withName("redis")
        .withImage(spec.effectiveImage())
        .withCommand("sh", CONFIG_DIR + "/" + RedisConfig.START_SCRIPT)
        .withEnv(env)
        .addNewPort()
        .withName("redis")
        .withContainerPort(REDIS_PORT)
        .withProtocol("TCP")
        .endPort()
        .addNewPort()
        .withName("cluster-bus")
        .withContainerPort(BUS_PORT)
        .withProtocol("TCP")
        .endPort()
        .addNewPort()
        .withName("gate")
        .withContainerPort(GATE_PORT)
        .withProtocol("TCP")
        .endPort()
        .withNewReadinessProbe()
        .withNewExec()
        .withCommand("sh", CONFIG_DIR + "/" + RedisConfig.PROBE_SCRIPT, "ready")
        .endExec()
        .withPeriodSeconds(5)
        .withTimeoutSeconds(5)
        .withFailureThreshold(2)
        .endReadinessProbe()
        .withNewLivenessProbe()
        .withNewExec()
        .withCommand("sh", CONFIG_DIR + "/" + RedisConfig.PROBE_SCRIPT, "live")
        .endExec()
        .withInitialDelaySeconds(15)
        .withPeriodSeconds(10)
        .withTimeoutSeconds(5)
        .withFailureThreshold(6)
        .endLivenessProbe()
        .withResources(PodParts.resources(spec.resources, "100m", "256Mi", null, "512Mi"))
        .withSecurityContext(containerSecurity())
        .addNewVolumeMount()
        .withName("data")
        .withMountPath("/data")
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("config")
        .withMountPath(CONFIG_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("state")
        .withMountPath(STATE_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("run")
        .withMountPath("/run/redis")
        .endVolumeMount()
        .build();
  }

  private static Container exporterContainer(RedisSpec spec, String secretName) {
    return new ContainerBuilder()
        .withName("redis-exporter")
        .withImage(spec.effectiveExporterImage())
        .withEnv(
            env("REDIS_ADDR", "redis://localhost:" + REDIS_PORT),
            passwordFromSecret(secretName),
            env("REDIS_EXPORTER_WEB_LISTEN_ADDRESS", ":" + METRICS_PORT))
        .addNewPort()
        .withName("metrics")
        .withContainerPort(METRICS_PORT)
        .withProtocol("TCP")
        .endPort()
        .withResources(PodParts.resources(null, "10m", "32Mi", null, "64Mi"))
        .withSecurityContext(containerSecurity())
        .build();
  }

  private static EnvVar env(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar passwordFromSecret(String secretName) {
    return new EnvVarBuilder()
        .withName(PASSWORD_KEY)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secretName)
        .withKey(PASSWORD_KEY)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  private static SecurityContext containerSecurity() {
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }

  /** The StatefulSet's claim template; its claims are data-NAME-ORDINAL. */
  public static final String DATA_TEMPLATE = "data";

  private static PersistentVolumeClaim dataClaim(String s, RedisSpec spec) {
    String size =
        spec.storage != null && spec.storage.size != null
            ? spec.storage.size
            : RedisSpec.DEFAULT_STORAGE_SIZE;
    String storageClass = spec.storage == null ? null : spec.storage.storageClassName;
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(DATA_TEMPLATE)
        .withLabels(labels(s))
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(storageClass)
        .withNewResources()
        .addToRequests("storage", Quantities.of(size))
        .endResources()
        .endSpec()
        .build();
  }
}
