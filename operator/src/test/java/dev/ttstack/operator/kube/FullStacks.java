package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ttstack.operator.RenderCommand;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.StackLabels;
import dev.ttstack.operator.reconciler.StackComposition;
import dev.ttstack.operator.redis.RedisObjects;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the stack-level real-tier tests (deletion, PodSecurity, names) share: the full example stack
 * with its secrets from a test Secret, waiting for Ready, and an inventory of every object in a
 * namespace as {@code Kind/name} strings, so that tests can assert exact sets.
 */
final class FullStacks {
  /** The Secret the stacks read (secretRef); created by the test, so it is not the stack's. */
  static final String SECRET = "tt-secrets";

  private static final YAMLMapper YAML = new YAMLMapper();

  /** The kinds a stack's objects (and the controllers' objects made from them) can have. */
  private static final List<String[]> KINDS =
      List.of(
          new String[] {"v1", "PersistentVolumeClaim"},
          new String[] {"v1", "Pod"},
          new String[] {"v1", "Service"},
          new String[] {"v1", "ConfigMap"},
          new String[] {"v1", "Secret"},
          new String[] {"v1", "ServiceAccount"},
          new String[] {"apps/v1", "StatefulSet"},
          new String[] {"apps/v1", "Deployment"},
          new String[] {"apps/v1", "ReplicaSet"},
          new String[] {"apps/v1", "ControllerRevision"},
          new String[] {"batch/v1", "CronJob"},
          new String[] {"batch/v1", "Job"},
          new String[] {"rbac.authorization.k8s.io/v1", "Role"},
          new String[] {"rbac.authorization.k8s.io/v1", "RoleBinding"},
          new String[] {"networking.k8s.io/v1", "NetworkPolicy"},
          new String[] {"networking.k8s.io/v1", "Ingress"},
          new String[] {"policy/v1", "PodDisruptionBudget"},
          new String[] {"discovery.k8s.io/v1", "EndpointSlice"},
          new String[] {TTStack.GROUP + "/" + TTStack.VERSION, "TTStack"});

  /** What every namespace holds before any stack: Kubernetes' own objects and the test's Secret. */
  static final Set<String> BASELINE =
      Set.of("ConfigMap/kube-root-ca.crt", "ServiceAccount/default", "Secret/" + SECRET);

  private FullStacks() {}

  /** The stack's Secret with every key the full example needs (values known to the test only). */
  static void createSecret(LocalCluster cluster, String ns) {
    cluster
        .admin()
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(SECRET)
                .endMetadata()
                .withStringData(
                    Map.of(
                        "POSTGRES_USER",
                        "tt",
                        "POSTGRES_PASSWORD",
                        "pw-postgres-" + ns,
                        "POSTGRES_DB",
                        "tt",
                        "REDIS_PASSWORD",
                        "pw-redis-" + ns,
                        "GRAFANA_PASSWORD",
                        "pw-grafana-" + ns,
                        "SLACK_WEBHOOK_URL",
                        "http://127.0.0.1:1/slack-" + ns))
                .build())
        .create();
  }

  /**
   * {@code examples/ttstack.yaml} (the full old compose stack) named {@code name}, its secrets from
   * {@link #SECRET} instead of Doppler, with this deletion policy.
   */
  static String fullStack(String name, String deletionPolicy) {
    Map<String, Object> stack;
    try {
      stack =
          YAML.readValue(
              Files.readString(Path.of("..", "examples", "ttstack.yaml")),
              new TypeReference<>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = (Map<String, Object>) stack.get("metadata");
    metadata.put("name", name);
    metadata.remove("namespace");
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) stack.get("spec");
    spec.put("secrets", Map.of("secretRef", Map.of("name", SECRET)));
    spec.put("deletionPolicy", deletionPolicy);
    try {
      return YAML.writeValueAsString(stack);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static TTStack stack(LocalCluster cluster, String ns, String name) {
    return cluster.admin().resources(TTStack.class).inNamespace(ns).withName(name).get();
  }

  /** Waits (bounded) for Ready=True on the stack's current generation. */
  static TTStack awaitReady(LocalCluster cluster, String ns, String name, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              TTStack s = stack(cluster, ns, name);
              assertThat(s.getStatus()).as("status").isNotNull();
              assertThat(s.getStatus().observedGeneration)
                  .as("observedGeneration")
                  .isEqualTo(s.getMetadata().getGeneration());
              assertThat(s.getStatus().condition("Ready").status)
                  .as(String.valueOf(s.getStatus().conditions))
                  .isEqualTo("True");
            });
    return stack(cluster, ns, name);
  }

  /** Every object of {@link #KINDS} in the namespace, as {@code Kind/name}. */
  static Set<String> inventory(KubernetesClient admin, String ns) {
    Set<String> names = new TreeSet<>();
    objects(admin, ns).forEach(o -> names.add(o.getKind() + "/" + o.getMetadata().getName()));
    return names;
  }

  /**
   * The objects of the namespace the operator applied itself (labelled managed-by, owned by no
   * other controller), as {@code Kind/name}: not the Pods, Jobs, ReplicaSets and claims that
   * controllers make from its templates.
   */
  static Set<String> managedObjects(KubernetesClient admin, String ns) {
    Set<String> names = new TreeSet<>();
    for (GenericKubernetesResource o : objects(admin, ns)) {
      var labels = o.getMetadata().getLabels();
      boolean managed =
          labels != null && StackLabels.OPERATOR.equals(labels.get(StackLabels.MANAGED_BY));
      boolean controllerMade =
          o.getMetadata().getOwnerReferences() != null
              && o.getMetadata().getOwnerReferences().stream()
                  .anyMatch(
                      r ->
                          Boolean.TRUE.equals(r.getController()) && !"TTStack".equals(r.getKind()));
      boolean fromClaimTemplate =
          "PersistentVolumeClaim".equals(o.getKind())
              && o.getMetadata().getName().startsWith("data-");
      if (managed && !controllerMade && !fromClaimTemplate && !"Pod".equals(o.getKind())) {
        names.add(o.getKind() + "/" + o.getMetadata().getName());
      }
    }
    return names;
  }

  /**
   * What {@code render} builds for the stack, as {@code Kind/name}, and the two objects of the
   * workflow that render leaves out (the Redis password record, the record that the cluster was
   * bootstrapped: StackWorkflow.Node#notRendered): render and the workflow must not drift apart.
   */
  static Set<String> renderedObjects(TTStack stack, String name) {
    Set<String> names = new TreeSet<>();
    RenderCommand.render(
            stack,
            StackComposition.defaultComponents(
                java.time.Clock.systemUTC(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()))
        .forEach(o -> names.add(o.getKind() + "/" + o.getMetadata().getName()));
    names.add("Secret/" + name + "-redis-auth");
    names.add("ConfigMap/" + RedisObjects.stateConfigMapName(name));
    return names;
  }

  static List<GenericKubernetesResource> objects(KubernetesClient admin, String ns) {
    List<GenericKubernetesResource> all = new java.util.ArrayList<>();
    for (String[] kind : KINDS) {
      admin
          .genericKubernetesResources(kind[0], kind[1])
          .inNamespace(ns)
          .list()
          .getItems()
          .forEach(
              o -> {
                o.setKind(kind[1]);
                all.add(o);
              });
    }
    return all;
  }

  /**
   * Whether the garbage collector has anything left to do in the namespace: an object being
   * deleted, or one with an ownerReference to an owner that no longer exists (the GC deletes it
   * once it sees that). None of either means the survivors are final.
   */
  static List<String> pendingCollection(KubernetesClient admin, String ns) {
    List<GenericKubernetesResource> all = objects(admin, ns);
    Set<String> uids = new HashSet<>();
    all.forEach(o -> uids.add(o.getMetadata().getUid()));
    List<String> pending = new java.util.ArrayList<>();
    for (GenericKubernetesResource o : all) {
      if (o.getMetadata().getDeletionTimestamp() != null) {
        pending.add(o.getKind() + "/" + o.getMetadata().getName() + " is being deleted");
      }
      for (OwnerReference ref : o.getMetadata().getOwnerReferences()) {
        if (!uids.contains(ref.getUid()) && !"Node".equals(ref.getKind())) {
          pending.add(
              o.getKind()
                  + "/"
                  + o.getMetadata().getName()
                  + " is owned by the gone "
                  + ref.getKind()
                  + "/"
                  + ref.getName());
        }
      }
    }
    return pending;
  }

  /** Owners of an object, as {@code Kind/name}. */
  static Set<String> owners(HasMetadata o) {
    Set<String> owners = new TreeSet<>();
    o.getMetadata().getOwnerReferences().forEach(r -> owners.add(r.getKind() + "/" + r.getName()));
    return owners;
  }

  /**
   * {@code data-<stack>-postgres-0}, {@code data-<stack>-redis-0..5}, the backup and Prometheus
   * volumes.
   */
  static Set<String> dataVolumes(String name) {
    Set<String> volumes = new TreeSet<>();
    volumes.add("PersistentVolumeClaim/data-" + name + "-postgres-0");
    for (int i = 0; i < 6; i++) {
      volumes.add("PersistentVolumeClaim/data-" + name + "-redis-" + i);
    }
    volumes.add("PersistentVolumeClaim/" + name + "-postgres-backup");
    volumes.add("PersistentVolumeClaim/" + name + "-prometheus");
    return volumes;
  }
}
