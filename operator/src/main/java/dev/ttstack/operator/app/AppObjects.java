package dev.ttstack.operator.app;

import dev.ttstack.operator.api.AppSpec;
import dev.ttstack.operator.api.EnvVarSpec;
import dev.ttstack.operator.api.IngressSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.PodParts;
import dev.ttstack.operator.kit.SecretKeys;
import dev.ttstack.operator.kit.StackEndpoints;
import dev.ttstack.operator.kit.StackLabels;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Desired state of the app, as pure functions of the spec: Deployment, Service and (optionally)
 * Ingress. Secret values only ever by reference ({@code secretKeyRef}, {@code envFrom}).
 */
public final class AppObjects {
  public static final String COMPONENT = "app";
  public static final String CONTAINER = "app";
  public static final String SECRET_HASH_ANNOTATION = PodParts.SECRET_HASH_ANNOTATION;

  /**
   * On the pod template: the fingerprint of the pod-shaping part of spec.app it was built from
   * ({@link #specHash}). Which pods belong to which rollout, also when a change keeps the version.
   */
  public static final String SPEC_HASH_ANNOTATION = "ttstack.dev/app-spec-hash";

  /** The version label on the pod template: which pods belong to which rollout. */
  public static final String VERSION_LABEL = "app.kubernetes.io/version";

  /**
   * Spring's graceful shutdown waits up to 30 s for requests in flight; Kubernetes must wait
   * longer.
   */
  static final long TERMINATION_GRACE_SECONDS = 45;

  /** Before SIGTERM; the grace period covers it and Spring's 30 s of graceful shutdown. */
  static final long PRE_STOP_SLEEP_SECONDS = 10;

  static final long APP_UID = 1000;

  private AppObjects() {}

  public static String name(TTStack stack) {
    return StackLabels.objectName(stack, COMPONENT);
  }

  static Map<String, String> selector(TTStack stack) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put(StackLabels.INSTANCE, stack.getMetadata().getName());
    s.put(StackLabels.COMPONENT, COMPONENT);
    return s;
  }

  static Map<String, String> labels(TTStack stack) {
    return StackLabels.of(stack, "tt-backend", COMPONENT);
  }

  /**
   * The Redis nodes' stable DNS names, as the Redis StatefulSet's headless Service publishes them.
   */
  static String redisClusterNodes(TTStack stack) {
    return String.join(",", StackEndpoints.redisNodes(stack));
  }

  /**
   * The part of spec.app that shapes the pods (a copy): without replicas, the rollout policy and
   * the Ingress, which change no pod. What status.app.lastAvailableSpec keeps.
   */
  public static AppSpec podShaping(AppSpec app) {
    AppSpec shape = io.fabric8.kubernetes.client.utils.Serialization.clone(app);
    shape.replicas = null;
    shape.rollout = null;
    shape.ingress = null;
    return shape;
  }

  /**
   * The fingerprint of the pod-shaping part of {@code app}: it changes exactly when the pods the
   * spec asks for change (and scaling or an Ingress change never restarts a pod for it).
   */
  public static String specHash(AppSpec app) {
    try {
      byte[] json =
          io.fabric8.kubernetes.client.utils.Serialization.asJson(podShaping(app))
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(json);
      return java.util.HexFormat.of().formatHex(digest, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * The Deployment running {@code version}, restarted (rolled) when {@code secretHash} changes.
   * Zero downtime: a new pod must be ready before an old one goes (maxUnavailable 0).
   */
  public static Deployment deployment(
      TTStack stack, String version, String secretName, String secretHash) {
    AppSpec app = stack.getSpec().app;
    Map<String, String> podLabels = new LinkedHashMap<>(labels(stack));
    podLabels.put(VERSION_LABEL, version);
    Map<String, String> podAnnotations = new LinkedHashMap<>();
    AppSpec shape = podShaping(app);
    shape.version = version;
    podAnnotations.put(SPEC_HASH_ANNOTATION, specHash(shape));
    if (secretHash != null) {
      podAnnotations.put(SECRET_HASH_ANNOTATION, secretHash);
    }
    DeploymentBuilder builder =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name(stack))
            .withNamespace(stack.getMetadata().getNamespace())
            .withLabels(labels(stack))
            .endMetadata()
            .withNewSpec()
            .withReplicas(app.replicas)
            .withProgressDeadlineSeconds(app.rollout.progressDeadlineSeconds)
            .withRevisionHistoryLimit(5)
            .withNewSelector()
            .withMatchLabels(selector(stack))
            .endSelector()
            .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxUnavailable(new IntOrString(0))
            .withMaxSurge(new IntOrString(1))
            .endRollingUpdate()
            .endStrategy()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(podLabels)
            .withAnnotations(podAnnotations)
            .endMetadata()
            .withNewSpec()
            .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
            .withEnableServiceLinks(false)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(APP_UID)
            .withRunAsGroup(APP_UID)
            .withFsGroup(APP_UID)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .addNewContainer()
            .withName(CONTAINER)
            .withImage(app.image + ":" + version)
            .addNewPort()
            .withName("http")
            .withContainerPort(app.port)
            .endPort()
            .withEnv(env(stack, secretName))
            .addNewEnvFrom()
            .withNewSecretRef()
            .withName(secretName)
            .endSecretRef()
            .endEnvFrom()
            .withResources(PodParts.resources(app.effectiveResources()))
            .withStartupProbe(
                httpProbe("/actuator/health", 5, 36)) // up to 3 minutes for migrations
            .withReadinessProbe(httpProbe("/actuator/health/readiness", 5, 3))
            .withLivenessProbe(httpProbe("/actuator/health/liveness", 10, 3))
            // A terminating pod leaves the Service's endpoints while kube-proxy (and any ingress)
            // still
            // sends it new connections for a moment; SIGTERM at once closes the listener (graceful
            // shutdown only drains requests already accepted), so those were refused: the real
            // node's
            // e2e run counted such failed requests in a rollout. The kubelet's own sleep (no binary
            // in the
            // image needed) keeps it serving until the endpoint change has reached everyone.
            .withNewLifecycle()
            .withNewPreStop()
            .withNewSleep(PRE_STOP_SLEEP_SECONDS)
            .endPreStop()
            .endLifecycle()
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .addNewVolumeMount()
            .withName("tmp")
            .withMountPath("/tmp")
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("tmp")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .endTemplate()
            .endSpec();
    Deployment deployment = builder.build();
    if (app.imagePullSecret != null) {
      deployment
          .getSpec()
          .getTemplate()
          .getSpec()
          .setImagePullSecrets(
              List.of(
                  new io.fabric8.kubernetes.api.model.LocalObjectReference(app.imagePullSecret)));
    }
    return deployment;
  }

  /**
   * The operator's wiring first (credentials by reference, endpoints of the other components, the
   * Redis client settings that keep a failover short), then the user's plain variables.
   */
  static List<EnvVar> env(TTStack stack, String secretName) {
    String stackName = stack.getMetadata().getName();
    List<EnvVar> env = new ArrayList<>();
    env.add(PodParts.plainEnv("SPRING_PROFILES_ACTIVE", stack.getSpec().app.profile));
    env.add(PodParts.secretEnv("POSTGRES_DB", secretName, SecretKeys.POSTGRES_DB));
    env.add(
        PodParts.plainEnv(
            "SPRING_DATASOURCE_URL",
            "jdbc:postgresql://"
                + StackEndpoints.postgres(stack)
                + ":"
                + StackEndpoints.POSTGRES_PORT
                + "/$(POSTGRES_DB)"));
    env.add(PodParts.secretEnv("SPRING_DATASOURCE_USERNAME", secretName, SecretKeys.POSTGRES_USER));
    env.add(
        PodParts.secretEnv("SPRING_DATASOURCE_PASSWORD", secretName, SecretKeys.POSTGRES_PASSWORD));
    env.add(PodParts.plainEnv("SPRING_DATA_REDIS_CLUSTER_NODES", redisClusterNodes(stack)));
    env.add(
        PodParts.secretEnv("SPRING_DATA_REDIS_PASSWORD", secretName, SecretKeys.REDIS_PASSWORD));
    // FACTS.md, measured: without these a Redis failover breaks requests for ~34 s instead of ~6 s.
    env.add(PodParts.plainEnv("SPRING_DATA_REDIS_TIMEOUT", "2s"));
    env.add(PodParts.plainEnv("SPRING_DATA_REDIS_LETTUCE_CLUSTER_REFRESH_ADAPTIVE", "true"));
    env.add(PodParts.plainEnv("SPRING_DATA_REDIS_LETTUCE_CLUSTER_REFRESH_PERIOD", "5s"));
    env.add(PodParts.plainEnv("SERVER_SHUTDOWN", "graceful"));
    for (EnvVarSpec e : stack.getSpec().app.env) {
      env.add(PodParts.plainEnv(e.name, e.value == null ? "" : e.value));
    }
    return env;
  }

  private static Probe httpProbe(String path, int period, int failures) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withNewPort("http")
        .endHttpGet()
        .withPeriodSeconds(period)
        .withTimeoutSeconds(3)
        .withFailureThreshold(failures)
        .build();
  }

  public static Service service(TTStack stack) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name(stack))
        .withNamespace(stack.getMetadata().getNamespace())
        .withLabels(labels(stack))
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(selector(stack))
        .addNewPort()
        .withName("http")
        .withPort(stack.getSpec().app.port)
        .withNewTargetPort("http")
        .endPort()
        .endSpec()
        .build();
  }

  public static Ingress ingress(TTStack stack) {
    IngressSpec spec = stack.getSpec().app.ingress;
    IngressBuilder builder =
        new IngressBuilder()
            .withNewMetadata()
            .withName(name(stack))
            .withNamespace(stack.getMetadata().getNamespace())
            .withLabels(labels(stack))
            .endMetadata()
            .withNewSpec()
            .withIngressClassName(spec.className)
            .addNewRule()
            .withHost(spec.host)
            .withNewHttp()
            .addNewPath()
            .withPath("/")
            .withPathType("Prefix")
            .withNewBackend()
            .withNewService()
            .withName(name(stack))
            .withNewPort()
            .withName("http")
            .endPort()
            .endService()
            .endBackend()
            .endPath()
            .endHttp()
            .endRule()
            .endSpec();
    if (spec.tlsSecret != null) {
      builder
          .editSpec()
          .addNewTl()
          .withHosts(spec.host)
          .withSecretName(spec.tlsSecret)
          .endTl()
          .endSpec();
    }
    return builder.build();
  }
}
