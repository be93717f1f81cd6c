package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Small helpers shared by the lifecycle tests of this tier: a stack from YAML, its status, its
 * Events.
 */
final class KubeStacks {
  static final String STACK = "tt";

  /**
   * Not "tt-secrets": that is the name of the stack's own managed Secret (see
   * ManagedSecretDependent).
   */
  static final String SECRET = "tt-credentials";

  private KubeStacks() {}

  /**
   * The Secret {@code examples/ttstack-minimal.yaml} reads ({@code tt-secrets}), every key it
   * needs, values unique to the namespace (known to the test only).
   */
  static void createMinimalExampleSecret(LocalCluster cluster, String ns) {
    cluster
        .admin()
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("tt-secrets")
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
                        "pw-grafana-" + ns))
                .build())
        .create();
  }

  /** The Secret a stack reads with secretRef (no Doppler on this tier). */
  static void createSecret(LocalCluster cluster, String ns, Map<String, String> extra) {
    Map<String, String> data =
        new java.util.LinkedHashMap<>(
            Map.of(
                "POSTGRES_USER",
                "tt",
                "POSTGRES_PASSWORD",
                "pw-postgres",
                "POSTGRES_DB",
                "tt",
                "REDIS_PASSWORD",
                "pw-redis",
                "GRAFANA_PASSWORD",
                "pw-grafana"));
    data.putAll(extra);
    cluster
        .admin()
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(SECRET)
                .endMetadata()
                .withStringData(data)
                .build())
        .create();
  }

  /**
   * A stack named {@value #STACK}: the app at {@code version}, monitoring off (fewer objects on a
   * shared 2-core machine; monitoring has its own tests), {@code extraSpec} appended under spec
   * (YAML, indented by two spaces).
   */
  static String manifest(String version, String extraSpec) {
    return """
        apiVersion: ttstack.dev/v1alpha1
        kind: TTStack
        metadata:
          name: tt
        spec:
          secrets:
            secretRef:
              name: tt-credentials
          app:
            image: ghcr.io/tt-org/tt-backend
            version: "%s"
            rollout:
              progressDeadlineSeconds: 30
          monitoring:
            enabled: false
        %s"""
        .formatted(version, extraSpec.indent(2));
  }

  /** {@code kubectl apply -n ns -f examples/ttstack-minimal.yaml}, as a user would. */
  static void applyMinimalExample(LocalCluster cluster, String ns) {
    try {
      apply(
          cluster,
          ns,
          java.nio.file.Files.readString(
              java.nio.file.Path.of("..", "examples", "ttstack-minimal.yaml")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void apply(LocalCluster cluster, String ns, String manifest) {
    cluster.kubectl().withInput(manifest, "apply", "-n", ns, "-f", "-").orFail();
  }

  static TTStack stack(LocalCluster cluster, String ns) {
    return cluster.admin().resources(TTStack.class).inNamespace(ns).withName(STACK).get();
  }

  static Condition condition(LocalCluster cluster, String ns, String type) {
    TTStack s = stack(cluster, ns);
    return s == null || s.getStatus() == null ? null : s.getStatus().condition(type);
  }

  /** Waits until the stack's status (for its current generation) satisfies {@code check}. */
  static TTStack awaitStatus(
      LocalCluster cluster, String ns, Duration atMost, Consumer<TTStack> check) {
    java.util.concurrent.atomic.AtomicReference<TTStack> passed =
        new java.util.concurrent.atomic.AtomicReference<>();
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              TTStack s = stack(cluster, ns);
              assertThat(s.getStatus()).as("status").isNotNull();
              assertThat(s.getStatus().observedGeneration)
                  .as("observedGeneration")
                  .isEqualTo(s.getMetadata().getGeneration());
              check.accept(s);
              passed.set(s);
            });
    return passed.get(); // the status that passed, not a later one
  }

  static void assertReady(TTStack s) {
    assertThat(s.getStatus().condition("Ready").status).as(describe(s)).isEqualTo("True");
  }

  /** The conditions, readable in a failure message. */
  static String describe(TTStack s) {
    return s.getStatus().conditions.stream()
        .map(c -> c.type + "=" + c.status + " " + c.reason + ": " + c.message)
        .collect(java.util.stream.Collectors.joining("\n"));
  }

  /** The Events recorded on the stack, oldest first. */
  static List<Event> events(LocalCluster cluster, String ns) {
    return cluster.admin().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(
            e ->
                STACK.equals(e.getInvolvedObject().getName())
                    && "TTStack".equals(e.getInvolvedObject().getKind()))
        .sorted(java.util.Comparator.comparing(e -> e.getMetadata().getCreationTimestamp()))
        .toList();
  }
}
