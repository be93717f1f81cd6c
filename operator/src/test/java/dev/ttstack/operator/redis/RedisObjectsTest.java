package dev.ttstack.operator.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.DeletionPolicy;
import dev.ttstack.operator.api.LocalSecretReference;
import dev.ttstack.operator.api.ResourceAmounts;
import dev.ttstack.operator.api.ResourcesSpec;
import dev.ttstack.operator.api.SecretsSpec;
import dev.ttstack.operator.api.SecretsStatus;
import dev.ttstack.operator.api.StorageSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisObjectsTest {

  private static TTStack stack() {
    TTStack s = Stacks.minimal("tt");
    s.getMetadata().setNamespace("prod");
    return s;
  }

  private static <T> T only(List<HasMetadata> objects, Class<T> type, String name) {
    return objects.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(o -> ((HasMetadata) o).getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static StatefulSet sts(TTStack s) {
    return RedisObjects.statefulSet(s, RedisObjects.secretName(s), null);
  }

  private static Container container(StatefulSet sts, String name) {
    return sts.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static EnvVar env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void buildsTheFiveObjectsWithTheirNamesAndLabels() {
    List<HasMetadata> objects = component().desiredObjects(stack());

    assertThat(objects)
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactly(
            "ConfigMap/tt-redis-config",
            "Service/tt-redis-headless",
            "Service/tt-redis",
            "StatefulSet/tt-redis",
            "PodDisruptionBudget/tt-redis");
    for (HasMetadata o : objects) {
      assertThat(o.getMetadata().getNamespace()).isEqualTo("prod");
      assertThat(o.getMetadata().getLabels())
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "app.kubernetes.io/name",
                  "redis",
                  "app.kubernetes.io/instance",
                  "tt",
                  "app.kubernetes.io/component",
                  "redis",
                  "app.kubernetes.io/managed-by",
                  "ttstack-operator"));
    }
  }

  @Test
  void statefulSetRunsMastersTimesOnePlusReplicasPodsInParallel() {
    TTStack s = stack();
    StatefulSet sts = sts(s);
    assertThat(sts.getSpec().getReplicas()).isEqualTo(6);
    assertThat(sts.getSpec().getServiceName()).isEqualTo("tt-redis-headless");
    assertThat(sts.getSpec().getPodManagementPolicy())
        .as("all pods start together: readiness needs the cluster")
        .isEqualTo("Parallel");
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());

    s.getSpec().redis.masters = 4;
    s.getSpec().redis.replicasPerMaster = 2;
    assertThat(sts(s).getSpec().getReplicas()).isEqualTo(12);
    assertThat(RedisObjects.podNames("tt", s.getSpec().redis))
        .hasSize(12)
        .startsWith("tt-redis-0")
        .endsWith("tt-redis-11");
  }

  @Test
  void volumesAreRetainedUnlessTheStackSaysDelete() {
    TTStack s = stack();
    assertThat(sts(s).getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted())
        .isEqualTo("Retain");
    assertThat(sts(s).getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled())
        .isEqualTo("Retain");
    s.getSpec().deletionPolicy = DeletionPolicy.Delete;
    assertThat(sts(s).getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted())
        .isEqualTo("Delete");

    var claim = sts(s).getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getMetadata().getName()).isEqualTo("data");
    assertThat(claim.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("1Gi"));
    assertThat(claim.getSpec().getStorageClassName()).isNull();
    s.getSpec().redis.storage = new StorageSpec("5Gi");
    s.getSpec().redis.storage.storageClassName = "fast";
    claim = sts(s).getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("5Gi"));
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
  }

  @Test
  void redisConfFollowsTheSpecAndHoldsNoPassword() {
    TTStack s = stack();
    s.getSpec().redis.nodeTimeoutMillis = 7000;
    ConfigMap cm = RedisObjects.configMap(s);
    String conf = cm.getData().get("redis.conf");
    assertThat(conf.lines())
        .contains(
            "cluster-enabled yes",
            "cluster-config-file nodes.conf",
            "cluster-node-timeout 7000",
            "cluster-preferred-endpoint-type hostname",
            "appendonly yes",
            "repl-diskless-sync-delay 0");
    assertThat(conf)
        .doesNotContain("${")
        .doesNotContainPattern("(?m)^\\s*(requirepass|masterauth)\\b");
    assertThat(cm.getData()).containsKeys("redis-start.sh", "redis-probe.sh");
    assertThat(cm.getData().get("redis-start.sh")).isEqualTo(RedisConfig.startScript());
  }

  @Test
  void passwordComesOnlyFromTheSecretByReference() {
    TTStack s = stack();
    StatefulSet sts = sts(s);
    for (String name : List.of("redis", "redis-exporter")) {
      EnvVar pw = env(container(sts, name), "REDIS_PASSWORD");
      assertThat(pw.getValue()).isNull();
      assertThat(pw.getValueFrom().getSecretKeyRef().getName()).isEqualTo("tt-secrets");
      assertThat(pw.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("REDIS_PASSWORD");
    }
    s.getSpec().secrets = new SecretsSpec();
    s.getSpec().secrets.secretRef = new LocalSecretReference("my-own");
    assertThat(RedisObjects.secretName(s)).isEqualTo("my-own");
    assertThat(
            env(container(sts(s), "redis"), "REDIS_PASSWORD")
                .getValueFrom()
                .getSecretKeyRef()
                .getName())
        .isEqualTo("my-own");
    String yaml =
        RedisObjects.all(s, "my-own", "abc").stream()
            .map(Serialization::asYaml)
            .reduce("", String::concat);
    assertThat(yaml).doesNotContainPattern("(?m)^\\s*(requirepass|masterauth) \\S");
  }

  @Test
  void podStartsThroughTheGateAndAnnouncesItsDnsName() {
    Container redis = container(sts(stack()), "redis");
    assertThat(redis.getImage()).isEqualTo("redis:7-alpine");
    assertThat(redis.getCommand()).containsExactly("sh", "/etc/redis/redis-start.sh");
    assertThat(env(redis, "REDIS_ANNOUNCE_HOSTNAME").getValue())
        .isEqualTo("$(POD_NAME).tt-redis-headless.$(POD_NAMESPACE).svc");
    assertThat(env(redis, "REDIS_PEERS").getValue().split(" "))
        .hasSize(6)
        .contains("tt-redis-0.tt-redis-headless:6379", "tt-redis-5.tt-redis-headless:6379");
    assertThat(env(redis, "REDIS_CLUSTER_MARKER").getValue())
        .isEqualTo("/etc/redis-state/cluster-created");
    assertThat(redis.getVolumeMounts())
        .extracting(m -> m.getName() + ":" + m.getMountPath())
        .contains("data:/data", "config:/etc/redis", "run:/run/redis", "state:/etc/redis-state");
    PodSpec pod = sts(stack()).getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("state"))
        .singleElement()
        .satisfies(v -> assertThat(v.getConfigMap().getOptional()).isTrue());
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("run"))
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory"));
  }

  @Test
  void portsProbesAndExporter() {
    StatefulSet sts = sts(stack());
    Container redis = container(sts, "redis");
    assertThat(redis.getPorts())
        .extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("redis:6379", "cluster-bus:16379", "gate:6380");
    assertThat(redis.getReadinessProbe().getExec().getCommand())
        .containsExactly("sh", "/etc/redis/redis-probe.sh", "ready");
    assertThat(redis.getLivenessProbe().getExec().getCommand())
        .containsExactly("sh", "/etc/redis/redis-probe.sh", "live");
    Container exporter = container(sts, "redis-exporter");
    assertThat(exporter.getPorts())
        .extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("metrics:9121");
    assertThat(env(exporter, "REDIS_ADDR").getValue()).isEqualTo("redis://localhost:6379");

    List<HasMetadata> all = RedisObjects.all(stack(), "tt-secrets", null);
    Service headless = only(all, Service.class, "tt-redis-headless");
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(headless.getSpec().getPorts())
        .extracting(p -> p.getName() + ":" + p.getPort())
        .containsExactly("redis:6379", "cluster-bus:16379", "metrics:9121");
    Service client = only(all, Service.class, "tt-redis");
    assertThat(client.getSpec().getClusterIP()).isNull();
    assertThat(client.getSpec().getPorts())
        .extracting(p -> p.getName() + ":" + p.getPort())
        .containsExactly("redis:6379");
    PodDisruptionBudget pdb = only(all, PodDisruptionBudget.class, "tt-redis");
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(sts.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void nonRootSpreadAndResources() {
    TTStack s = stack();
    s.getSpec().redis.resources =
        new ResourcesSpec(new ResourceAmounts("250m", "1Gi"), new ResourceAmounts("1", "2Gi"));
    PodSpec pod = sts(s).getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(999L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    for (Container c : pod.getContainers()) {
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    }
    var term =
        pod.getAffinity()
            .getPodAntiAffinity()
            .getPreferredDuringSchedulingIgnoredDuringExecution()
            .get(0);
    assertThat(term.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
    assertThat(
            pod.getAffinity()
                .getPodAntiAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution())
        .isEmpty();
    var res = container(sts(s), "redis").getResources();
    assertThat(res.getRequests())
        .containsEntry("cpu", new Quantity("250m"))
        .containsEntry("memory", new Quantity("1Gi"));
    assertThat(res.getLimits())
        .containsEntry("cpu", new Quantity("1"))
        .containsEntry("memory", new Quantity("2Gi"));
    var defaults = container(sts(stack()), "redis").getResources();
    assertThat(defaults.getRequests()).containsEntry("memory", new Quantity("256Mi"));
    assertThat(defaults.getLimits()).containsOnlyKeys("memory");
  }

  private static RedisComponent component() {
    return new RedisComponent(
        new dev.ttstack.operator.redis.cluster.RedisClusterManager(
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry()),
        RedisComponent.podIps(),
        java.time.Clock.systemUTC());
  }

  /**
   * A new REDIS_PASSWORD is rotated live, so no secret hash may restart the nodes; config changes
   * do.
   */
  @Test
  void podTemplateCarriesAConfigHashButNeverASecretHash() {
    TTStack s = stack();
    Map<String, String> none =
        component().desiredObjects(s).stream()
            .filter(StatefulSet.class::isInstance)
            .map(o -> ((StatefulSet) o).getSpec().getTemplate().getMetadata().getAnnotations())
            .findFirst()
            .orElseThrow();
    assertThat(none)
        .doesNotContainKey(RedisObjects.SECRET_HASH_ANNOTATION)
        .containsKey(RedisObjects.CONFIG_HASH_ANNOTATION);

    s.setStatus(new TTStackStatus());
    s.getStatus().secrets = new SecretsStatus();
    s.getStatus().secrets.contentHash = "sha256-of-content";
    StatefulSet withHash = only(component().desiredObjects(s), StatefulSet.class, "tt-redis");
    assertThat(withHash.getSpec().getTemplate().getMetadata().getAnnotations())
        .doesNotContainKey(RedisObjects.SECRET_HASH_ANNOTATION);

    String before = none.get(RedisObjects.CONFIG_HASH_ANNOTATION);
    s.getSpec().redis.nodeTimeoutMillis = 9000;
    assertThat(
            sts(s)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(RedisObjects.CONFIG_HASH_ANNOTATION))
        .as("a config change rolls the pods")
        .isNotEqualTo(before);
  }
}
