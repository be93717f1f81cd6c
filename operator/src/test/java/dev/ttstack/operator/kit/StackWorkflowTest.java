package dev.ttstack.operator.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.reconciler.StackComposition;
import dev.ttstack.operator.secrets.SecretsSyncedGate;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.dependent.DependentResourceSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The one registration the reconciler runs and render prints: every Kubernetes object node renders
 * or says why not, the gates sit where the app expects them, and render follows the same spec rules
 * the reconcile preconditions apply.
 */
class StackWorkflowTest {
  private static StackWorkflow workflow() {
    return StackWorkflow.of(
        StackComposition.defaultComponents(Clock.systemUTC(), new SimpleMeterRegistry()));
  }

  private static Map<String, DependentResourceSpec> specs() {
    return workflow().spec().getDependentResourceSpecs().stream()
        .collect(Collectors.toMap(DependentResourceSpec::getName, s -> s));
  }

  @Test
  void everyObjectNodeRendersOrSaysWhyNot() {
    assertThat(workflow().unexplained()).isEmpty();

    StackWorkflow w = new StackWorkflow();
    w.add("mystery", SecretsSyncedGate.class).informer(StackInformers.CONFIG_MAPS);
    assertThat(w.unexplained()).containsExactly("mystery");
  }

  @Test
  void theAppWaitsForTheThreeGatesAndTheyAreReadinessGated() {
    Map<String, DependentResourceSpec> specs = specs();
    assertThat(specs.get("app").getDependsOn())
        .containsExactlyInAnyOrder(
            StackWorkflow.SECRETS_SYNCED,
            StackWorkflow.POSTGRES_READY,
            StackWorkflow.REDIS_CLUSTER_READY,
            StackWorkflow.PRE_CHANGE_BACKUP);
    for (String gate :
        List.of(
            StackWorkflow.SECRETS_SYNCED,
            StackWorkflow.POSTGRES_READY,
            StackWorkflow.REDIS_CLUSTER_READY,
            StackWorkflow.PRE_CHANGE_BACKUP)) {
      assertThat(specs.get(gate).getReadyCondition()).as(gate + " readyPostcondition").isNotNull();
    }
    // a reconcile precondition above the app would delete the app when it fails (JOSDK)
    for (String gate :
        List.of(
            StackWorkflow.SECRETS_SYNCED,
            StackWorkflow.POSTGRES_READY,
            StackWorkflow.REDIS_CLUSTER_READY,
            StackWorkflow.PRE_CHANGE_BACKUP,
            "postgres",
            "redis",
            "redis-cluster")) {
      assertThat(specs.get(gate).getReconcileCondition()).as(gate + " precondition").isNull();
    }
    assertThat(specs.get(StackWorkflow.REDIS_CLUSTER_READY).getDependsOn())
        .containsExactly("redis-cluster");
    assertThat(specs.get("redis-cluster").getDependsOn()).containsExactly("redis");
    assertThat(specs.get(StackWorkflow.POSTGRES_READY).getDependsOn()).containsExactly("postgres");
    assertThat(specs.get(StackWorkflow.PRE_CHANGE_BACKUP).getDependsOn())
        .as("taken while PostgreSQL serves, not only when nothing holds it (a new image waits)")
        .containsExactly("postgres");
  }

  @Test
  void everyNodeNamesAnInformerOfItsKindOrIsNoObject() {
    for (DependentResourceSpec spec : specs().values()) {
      boolean object =
          io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource
              .class
              .isAssignableFrom(spec.getDependentResourceClass());
      assertThat(spec.getUseEventSourceWithName().isPresent())
          .as(spec.getName() + " names a StackInformers informer")
          .isEqualTo(object);
    }
  }

  @Test
  void renderFollowsTheSpecRulesThePreconditionsApply() {
    TTStack stack = Stacks.example("ttstack.yaml");
    List<String> on = kinds(workflow().render(stack));
    assertThat(on).contains("Deployment/" + stack.getMetadata().getName() + "-grafana");

    stack.getSpec().monitoring.enabled = false;
    stack.getSpec().postgres.backup.enabled = false;
    stack.getSpec().app.ingress = null;
    List<String> off = kinds(workflow().render(stack));
    assertThat(off)
        .noneMatch(
            n -> n.contains("prometheus") || n.contains("grafana") || n.startsWith("CronJob"))
        .noneMatch(n -> n.startsWith("Ingress/"))
        .contains("Deployment/" + stack.getMetadata().getName() + "-app");
    // the same rule is the precondition: false for that stack
    @SuppressWarnings("unchecked")
    var precondition =
        (io.javaoperatorsdk.operator.processing.dependent.workflow.Condition<Object, TTStack>)
            specs().get("grafana").getReconcileCondition();
    assertThat(precondition.isMet(null, stack, null)).isFalse();
  }

  @Test
  void aDependsOnThatNamesNoNodeOrANameTwiceFails() {
    StackWorkflow w = new StackWorkflow();
    w.add("a", SecretsSyncedGate.class).dependsOn("nowhere");
    assertThatThrownBy(w::spec).hasMessageContaining("a dependsOn nowhere");
    assertThatThrownBy(() -> w.add("a", SecretsSyncedGate.class))
        .hasMessageContaining("registered twice");
  }

  @Test
  void renderBuildsFromTheSpecAloneInRegistrationOrder() {
    StackWorkflow w = new StackWorkflow();
    w.add("one", SecretsSyncedGate.class).renders(s -> configMap("first"));
    w.add("two", SecretsSyncedGate.class).onlyIf(s -> false).renders(s -> configMap("never"));
    w.add("three", SecretsSyncedGate.class).renders(s -> configMap("third"));
    assertThat(kinds(w.render(Stacks.example("ttstack.yaml"))))
        .containsExactly("ConfigMap/first", "ConfigMap/third");
  }

  private static ConfigMap configMap(String name) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().build();
  }

  private static List<String> kinds(List<HasMetadata> objects) {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
  }
}
