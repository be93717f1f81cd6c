package dev.ttstack.operator.postgres;

import dev.ttstack.operator.api.DeletionPolicy;
import dev.ttstack.operator.api.PostgresSpec;
import dev.ttstack.operator.api.StorageSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.PodParts;
import dev.ttstack.operator.kit.SecretKeys;
import dev.ttstack.operator.kit.StackEndpoints;
import dev.ttstack.operator.kit.StackLabels;
import dev.ttstack.operator.support.ClasspathText;
import dev.ttstack.operator.support.Quantities;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Desired state of PostgreSQL, as pure functions of the spec (used by the dependents and by {@code
 * render}): the StatefulSet with its exporter sidecar, the Service, the NetworkPolicy, and the
 * backup script, volume, CronJob and one-off Jobs. Credentials only ever by {@code secretKeyRef}.
 */
public final class PostgresObjects {
  public static final String COMPONENT = "postgres";
  public static final String BACKUP_COMPONENT = "postgres-backup";
  public static final int PORT = StackEndpoints.POSTGRES_PORT;
  public static final int METRICS_PORT = 9187;

  /**
   * On the pod template: changes (and so restarts PostgreSQL) only when a key it consumes changes.
   */
  public static final String SECRET_HASH_ANNOTATION = PodParts.SECRET_HASH_ANNOTATION;

  static final String PGDATA = "/var/lib/postgresql/data/pgdata";
  static final String BACKUP_DIR = "/backups";
  static final String BACKUP_SCRIPT = "backup.sh";

  /** uid/gid of the postgres user in the official Alpine image. */
  static final long POSTGRES_UID = 70;

  private PostgresObjects() {}

  public static String name(TTStack stack) {
    return StackEndpoints.postgres(stack);
  }

  public static String backupName(TTStack stack) {
    return StackLabels.objectName(stack, BACKUP_COMPONENT);
  }

  /** The data PVC the StatefulSet controller creates from the claim template. */
  /** The StatefulSet's claim template; its claims are data-NAME-ORDINAL. */
  public static final String DATA_TEMPLATE = "data";

  public static String dataClaimName(TTStack stack) {
    return DATA_TEMPLATE + "-" + name(stack) + "-0";
  }

  static Map<String, String> labels(TTStack stack) {
    return StackLabels.of(stack, "postgres", COMPONENT);
  }

  static Map<String, String> backupLabels(TTStack stack) {
    return StackLabels.of(stack, "postgres-backup", BACKUP_COMPONENT);
  }

  /** Selector labels: stable forever (a StatefulSet's selector is immutable). */
  static Map<String, String> selector(TTStack stack) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put(StackLabels.INSTANCE, stack.getMetadata().getName());
    s.put(StackLabels.COMPONENT, COMPONENT);
    return s;
  }

  public static StatefulSet statefulSet(
      TTStack stack, String secretName, String secretHash, String image) {
    PostgresSpec spec = stack.getSpec().postgres;
    Map<String, String> podAnnotations = new LinkedHashMap<>();
    if (secretHash != null) {
      podAnnotations.put(SECRET_HASH_ANNOTATION, secretHash);
    }
    podAnnotations.put("prometheus.io/port", String.valueOf(METRICS_PORT));
    String retention =
        stack.getSpec().deletionPolicy == DeletionPolicy.Delete ? "Delete" : "Retain";
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName(name(stack))
        .withNamespace(stack.getMetadata().getNamespace())
        .withLabels(labels(stack))
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withServiceName(name(stack))
        .withNewSelector()
        .withMatchLabels(selector(stack))
        .endSelector()
        .withNewPersistentVolumeClaimRetentionPolicy()
        .withWhenDeleted(retention)
        .withWhenScaled("Retain")
        .endPersistentVolumeClaimRetentionPolicy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels(stack))
        .withAnnotations(podAnnotations)
        .endMetadata()
        .withSpec(podSpec(stack, secretName, image))
        .endTemplate()
        .withVolumeClaimTemplates(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(DATA_TEMPLATE)
                .withLabels(labels(stack))
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(spec.storage == null ? null : spec.storage.storageClassName)
                .withNewResources()
                .addToRequests(
                    "storage",
                    Quantities.of(
                        StorageSpec.sizeOr(spec.storage, PostgresSpec.DEFAULT_STORAGE_SIZE)))
                .endResources()
                .endSpec()
                .build())
        .endSpec()
        .build();
  }

  private static PodSpec podSpec(TTStack stack, String secretName, String image) {
    Container postgres =
        new ContainerBuilder()
            .withName("postgres")
            .withImage(image)
            .addNewPort()
            .withName("postgres")
            .withContainerPort(PORT)
            .endPort()
            .withEnv(env(secretName))
            .withResources(
                PodParts.resources(
                    stack.getSpec().postgres.resources, "100m", "256Mi", null, "1Gi"))
            .withStartupProbe(pgIsReady(5, 60)) // first initdb of a big volume may take minutes
            .withReadinessProbe(pgIsReady(10, 3))
            .withLivenessProbe(pgIsReady(10, 6))
            .withNewLifecycle()
            .withNewPreStop()
            .withNewExec()
            // Kubernetes sends SIGTERM, which PostgreSQL treats as a "smart" shutdown that waits
            // for every
            // client; a fast shutdown aborts their transactions and checkpoints within the grace
            // period.
            .withCommand("sh", "-c", "pg_ctl -D \"$PGDATA\" -m fast -w -t 50 stop || true")
            .endExec()
            .endPreStop()
            .endLifecycle()
            .withSecurityContext(PodParts.containerSecurity())
            .addNewVolumeMount()
            .withName("data")
            .withMountPath("/var/lib/postgresql/data")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("run")
            .withMountPath("/var/run/postgresql")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("tmp")
            .withMountPath("/tmp")
            .endVolumeMount()
            .build();
    Container exporter =
        new ContainerBuilder()
            .withName("exporter")
            .withImage(stack.getSpec().postgres.effectiveExporterImage())
            .addNewPort()
            .withName("metrics")
            .withContainerPort(METRICS_PORT)
            .endPort()
            // POSTGRES_DB first: Kubernetes expands $(POSTGRES_DB) only from variables defined
            // before it
            // (after it, the exporter connected to a database literally named "$(POSTGRES_DB)":
            // pg_up 0).
            .withEnv(
                PodParts.secretEnv("POSTGRES_DB", secretName, SecretKeys.POSTGRES_DB),
                new EnvVarBuilder()
                    .withName("DATA_SOURCE_URI")
                    .withValue("127.0.0.1:" + PORT + "/$(POSTGRES_DB)?sslmode=disable")
                    .build(),
                PodParts.secretEnv("DATA_SOURCE_USER", secretName, SecretKeys.POSTGRES_USER),
                PodParts.secretEnv("DATA_SOURCE_PASS", secretName, SecretKeys.POSTGRES_PASSWORD))
            .withResources(PodParts.resources(null, "10m", "32Mi", null, "128Mi"))
            .withSecurityContext(PodParts.containerSecurity())
            .withNewReadinessProbe()
            .withNewHttpGet()
            .withPath("/metrics")
            .withNewPort("metrics")
            .endHttpGet()
            .withPeriodSeconds(30)
            .endReadinessProbe()
            .build();
    return new PodSpecBuilder()
        .withContainers(postgres, exporter)
        .withTerminationGracePeriodSeconds(60L)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(POSTGRES_UID)
        .withRunAsGroup(POSTGRES_UID)
        .withFsGroup(POSTGRES_UID)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withEnableServiceLinks(false)
        .addNewVolume()
        .withName("run")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .addNewVolume()
        .withName("tmp")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .build();
  }

  private static List<EnvVar> env(String secretName) {
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVarBuilder().withName("PGDATA").withValue(PGDATA).build());
    env.add(
        new EnvVarBuilder()
            .withName("POSTGRES_INITDB_ARGS")
            .withValue("-E UTF8 --locale=C")
            .build());
    env.add(PodParts.secretEnv("POSTGRES_USER", secretName, SecretKeys.POSTGRES_USER));
    env.add(PodParts.secretEnv("POSTGRES_PASSWORD", secretName, SecretKeys.POSTGRES_PASSWORD));
    env.add(PodParts.secretEnv("POSTGRES_DB", secretName, SecretKeys.POSTGRES_DB));
    return env;
  }

  private static Probe pgIsReady(int period, int failures) {
    return new ProbeBuilder()
        .withNewExec()
        .withCommand(
            "sh",
            "-c",
            "pg_isready -h 127.0.0.1 -p " + PORT + " -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\"")
        .endExec()
        .withPeriodSeconds(period)
        .withTimeoutSeconds(5)
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
        .withName("postgres")
        .withPort(PORT)
        .withNewTargetPort("postgres")
        .endPort()
        .addNewPort()
        .withName("metrics")
        .withPort(METRICS_PORT)
        .withNewTargetPort("metrics")
        .endPort()
        .endSpec()
        .build();
  }

  /**
   * Only the app, the backup jobs and Prometheus (metrics port only) reach the pod; the exporter is
   * a sidecar and talks to PostgreSQL over localhost.
   */
  public static NetworkPolicy networkPolicy(TTStack stack) {
    String instance = stack.getMetadata().getName();
    return new NetworkPolicyBuilder()
        .withNewMetadata()
        .withName(name(stack))
        .withNamespace(stack.getMetadata().getNamespace())
        .withLabels(labels(stack))
        .endMetadata()
        .withNewSpec()
        .withNewPodSelector()
        .withMatchLabels(selector(stack))
        .endPodSelector()
        .withPolicyTypes("Ingress")
        .addNewIngress()
        .withFrom(peer(instance, "app"), peer(instance, BACKUP_COMPONENT))
        .addNewPort()
        .withProtocol("TCP")
        .withNewPort(PORT)
        .endPort()
        .endIngress()
        .addNewIngress()
        .withFrom(peer(instance, "prometheus"))
        .addNewPort()
        .withProtocol("TCP")
        .withNewPort(METRICS_PORT)
        .endPort()
        .endIngress()
        .endSpec()
        .build();
  }

  private static io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer peer(
      String instance, String component) {
    return new NetworkPolicyPeerBuilder()
        .withNewPodSelector()
        .addToMatchLabels(StackLabels.INSTANCE, instance)
        .addToMatchLabels(StackLabels.COMPONENT, component)
        .endPodSelector()
        .build();
  }

  /** The backup script, shipped as the very file the tests run. */
  public static ConfigMap backupScript(TTStack stack) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(backupName(stack))
        .withNamespace(stack.getMetadata().getNamespace())
        .withLabels(backupLabels(stack))
        .endMetadata()
        .withData(Map.of(BACKUP_SCRIPT, script()))
        .build();
  }

  static String script() {
    return ClasspathText.read("/postgres/" + BACKUP_SCRIPT);
  }

  /**
   * The volume that holds the dumps (kept with the stack's data unless deletionPolicy is Delete).
   */
  public static PersistentVolumeClaim backupVolume(TTStack stack) {
    StorageSpec storage = stack.getSpec().postgres.backup.storage;
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(backupName(stack))
        .withNamespace(stack.getMetadata().getNamespace())
        .withLabels(backupLabels(stack))
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(storage == null ? null : storage.storageClassName)
        .withNewResources()
        .addToRequests("storage", Quantities.of(StorageSpec.sizeOr(storage, "10Gi")))
        .endResources()
        .endSpec()
        .build();
  }

  public static CronJob cronJob(TTStack stack, String secretName, String image) {
    return new CronJobBuilder()
        .withNewMetadata()
        .withName(backupName(stack))
        .withNamespace(stack.getMetadata().getNamespace())
        .withLabels(backupLabels(stack))
        .endMetadata()
        .withNewSpec()
        .withSchedule(stack.getSpec().postgres.backup.schedule)
        .withConcurrencyPolicy("Forbid")
        .withSuccessfulJobsHistoryLimit(3)
        .withFailedJobsHistoryLimit(3)
        .withStartingDeadlineSeconds(3600L)
        .withNewJobTemplate()
        .withNewMetadata()
        .withLabels(backupLabels(stack))
        .endMetadata()
        .withSpec(backupJobSpec(stack, secretName, image))
        .endJobTemplate()
        .endSpec()
        .build();
  }

  /** A one-off backup, e.g. before an upgrade; {@code reason} goes into an annotation. */
  public static Job backupJob(
      TTStack stack, String jobName, String secretName, String image, String reason) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(jobName)
        .withNamespace(stack.getMetadata().getNamespace())
        .withLabels(backupLabels(stack))
        .addToAnnotations("ttstack.dev/backup-reason", reason)
        .endMetadata()
        .withSpec(backupJobSpec(stack, secretName, image))
        .build();
  }

  private static JobSpec backupJobSpec(TTStack stack, String secretName, String image) {
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVarBuilder().withName("PGHOST").withValue(name(stack)).build());
    env.add(new EnvVarBuilder().withName("PGPORT").withValue(String.valueOf(PORT)).build());
    env.add(PodParts.secretEnv("PGUSER", secretName, SecretKeys.POSTGRES_USER));
    env.add(PodParts.secretEnv("PGPASSWORD", secretName, SecretKeys.POSTGRES_PASSWORD));
    env.add(PodParts.secretEnv("PGDATABASE", secretName, SecretKeys.POSTGRES_DB));
    env.add(new EnvVarBuilder().withName("BACKUP_DIR").withValue(BACKUP_DIR).build());
    env.add(
        new EnvVarBuilder()
            .withName("RETAIN")
            .withValue(String.valueOf(stack.getSpec().postgres.backup.retain))
            .build());
    return new JobSpecBuilder()
        .withBackoffLimit(1)
        .withActiveDeadlineSeconds(3600L)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(backupLabels(stack))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withEnableServiceLinks(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(POSTGRES_UID)
        .withRunAsGroup(POSTGRES_UID)
        .withFsGroup(POSTGRES_UID)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("backup")
        .withImage(image)
        .withCommand("sh", "/scripts/" + BACKUP_SCRIPT)
        .withEnv(env)
        .withTerminationMessagePolicy("File")
        .withResources(PodParts.resources(null, "50m", "64Mi", null, "512Mi"))
        .withSecurityContext(PodParts.containerSecurity())
        .addNewVolumeMount()
        .withName("scripts")
        .withMountPath("/scripts")
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("backups")
        .withMountPath(BACKUP_DIR)
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("scripts")
        .withNewConfigMap()
        .withName(backupName(stack))
        .endConfigMap()
        .endVolume()
        .addNewVolume()
        .withName("backups")
        .withNewPersistentVolumeClaim()
        .withClaimName(backupName(stack))
        .endPersistentVolumeClaim()
        .endVolume()
        .endSpec()
        .endTemplate()
        .build();
  }
}
