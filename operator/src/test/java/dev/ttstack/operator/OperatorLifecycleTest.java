package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.reconciler.StatusCalculator;
import dev.ttstack.operator.testing.OperatorHarness;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole operator against the in-process API server: create, invalid, edit, delete, leader,
 * steady state.
 */
class OperatorLifecycleTest {

  @RegisterExtension final OperatorHarness k8s = new OperatorHarness();

  @Test
  void createdStackGetsObservedGenerationAndHonestConditions() {
    k8s.create(Stacks.minimal("tt"));

    TTStack stack = k8s.awaitObserved("tt");

    assertThat(stack.getStatus().observedGeneration).isEqualTo(1L);
    assertThat(stack.getStatus().conditions)
        .extracting(c -> c.type)
        .containsExactly(
            ConditionType.READY,
            ConditionType.SECRETS_SYNCED,
            ConditionType.POSTGRES_READY,
            ConditionType.REDIS_CLUSTER_READY,
            ConditionType.APP_READY,
            ConditionType.MONITORING_READY);
    for (Condition c : stack.getStatus().conditions) {
      assertThat(c.observedGeneration).as(c.type).isEqualTo(1L);
      assertThat(java.time.Instant.parse(c.lastTransitionTime))
          .as(c.type)
          .isBetween(
              java.time.Instant.now().minusSeconds(60), java.time.Instant.now().plusSeconds(1));
      assertThat(c.message).as(c.type).isNotBlank();
    }
    // The Doppler token Secret does not exist: the secrets step says so.
    Condition secrets = stack.getStatus().condition(ConditionType.SECRETS_SYNCED);
    assertThat(secrets.status).isEqualTo(Condition.FALSE);
    assertThat(secrets.reason).isEqualTo("TokenNotFound");
    assertThat(secrets.message).contains("doppler-token");
    // PostgreSQL waits for its credentials, and says so.
    Condition postgres = stack.getStatus().condition(ConditionType.POSTGRES_READY);
    assertThat(postgres.status).isEqualTo(Condition.FALSE);
    assertThat(postgres.reason).isEqualTo("WaitingForSecrets");
    assertThat(stack.getStatus().condition(ConditionType.REDIS_CLUSTER_READY).reason)
        .isEqualTo("WaitingForSecrets");
    assertThat(stack.getStatus().condition(ConditionType.APP_READY).reason)
        .isEqualTo("WaitingForDependencies");
    // Monitoring starts Prometheus and Alertmanager, and Grafana waits for its password.
    assertThat(stack.getStatus().condition(ConditionType.MONITORING_READY).reason)
        .isEqualTo("WaitingForSecrets");
    Condition ready = stack.getStatus().condition(ConditionType.READY);
    assertThat(ready.status).isEqualTo(Condition.FALSE);
    assertThat(ready.reason).isEqualTo(StatusCalculator.COMPONENTS_NOT_READY);
    assertThat(ready.message)
        .contains("SecretsSynced (TokenNotFound)", "MonitoringReady (WaitingForSecrets)");
    assertThat(stack.getMetadata().getFinalizers()).isEmpty();
  }

  @Test
  void invalidSpecIsReportedWithTheFieldPath() {
    TTStack bad = Stacks.minimal("tt");
    bad.getSpec().redis.masters = 2;
    k8s.create(bad);

    TTStack stack = k8s.awaitObserved("tt");

    Condition ready = stack.getStatus().condition(ConditionType.READY);
    assertThat(ready.status).isEqualTo(Condition.FALSE);
    assertThat(ready.reason).isEqualTo(StatusCalculator.INVALID_SPEC);
    assertThat(ready.message)
        .contains("spec.redis.masters", "nothing is created until the spec is valid");
    assertThat(stack.getStatus().lastValidSpec).isNull();
    // Nothing about components is claimed for a spec that was never acted on.
    assertThat(stack.getStatus().conditions)
        .extracting(c -> c.type)
        .containsExactly(ConditionType.READY);
  }

  @Test
  void specEditIsObservedAndFixingAnInvalidSpecClearsTheError() {
    TTStack bad = Stacks.minimal("tt");
    bad.getSpec().redis.masters = 2;
    k8s.create(bad);
    k8s.awaitStack(
        "tt",
        s ->
            s.getStatus() != null
                && s.getStatus().condition(ConditionType.READY) != null
                && StatusCalculator.INVALID_SPEC.equals(
                    s.getStatus().condition(ConditionType.READY).reason));

    k8s.editStack("tt", s -> s.getSpec().redis.masters = 3);

    TTStack fixed =
        k8s.awaitStack("tt", s -> Long.valueOf(2).equals(s.getStatus().observedGeneration));
    assertThat(fixed.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(fixed.getStatus().condition(ConditionType.READY).reason)
        .isEqualTo(StatusCalculator.COMPONENTS_NOT_READY);
    assertThat(fixed.getStatus().condition(ConditionType.REDIS_CLUSTER_READY)).isNotNull();
  }

  /**
   * Flink's rule: an invalid generation is reported, and the last valid spec keeps being
   * reconciled: a deleted object comes back as that spec has it, nothing takes the invalid values.
   */
  @Test
  void anInvalidEditIsReportedWhileTheLastValidSpecKeepsBeingReconciled() {
    k8s.create(Stacks.minimal("tt"));
    TTStack valid = k8s.awaitObserved("tt");
    assertThat(valid.getStatus().lastValidGeneration).isEqualTo(1L);
    assertThat(valid.getStatus().lastValidSpec).contains("\"masters\":3");
    var services = k8s.client().services().inNamespace(k8s.namespace());
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(() -> services.withName("tt-postgres").get() != null);

    k8s.editStack(
        "tt",
        s -> {
          s.getSpec().redis.masters = 2;
          s.getSpec().app.replicas = 7;
        });
    TTStack invalid =
        k8s.awaitStack("tt", s -> Long.valueOf(2).equals(s.getStatus().observedGeneration));
    Condition ready = invalid.getStatus().condition(ConditionType.READY);
    assertThat(ready.reason).isEqualTo(StatusCalculator.INVALID_SPEC);
    assertThat(ready.message)
        .contains("spec.redis.masters")
        .contains("the last valid spec (generation 1) is still reconciled and healed");
    assertThat(invalid.getStatus().lastValidGeneration).isEqualTo(1L);
    assertThat(invalid.getStatus().condition(ConditionType.POSTGRES_READY))
        .as("the components still report")
        .isNotNull();

    services.withName("tt-postgres").delete();
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(() -> services.withName("tt-postgres").get() != null);
    assertThat(
            k8s.client()
                .resources(TTStack.class)
                .inNamespace(k8s.namespace())
                .withName("tt")
                .get()
                .getSpec()
                .redis
                .masters)
        .as("the user's spec is left as written")
        .isEqualTo(2);

    k8s.editStack("tt", s -> s.getSpec().redis.masters = 3);
    TTStack fixed =
        k8s.awaitStack("tt", s -> Long.valueOf(3).equals(s.getStatus().observedGeneration));
    assertThat(fixed.getStatus().lastValidGeneration).isEqualTo(3L);
    assertThat(fixed.getStatus().condition(ConditionType.READY).reason)
        .isEqualTo(StatusCalculator.COMPONENTS_NOT_READY);
  }

  @Test
  void deletedStackIsRemovedWithoutWaitingOnAFinalizer() {
    k8s.create(Stacks.minimal("tt"));
    k8s.awaitObserved("tt");

    k8s.stack("tt").delete();

    await().atMost(OperatorHarness.TIMEOUT).until(() -> k8s.stack("tt").get() == null);
  }

  @Test
  void operatorTakesTheLeaderLeaseBeforeReconciling() {
    k8s.create(Stacks.minimal("tt"));
    k8s.awaitObserved("tt");

    Lease lease =
        k8s.client().leases().inNamespace(k8s.namespace()).withName("ttstack-operator").get();
    assertThat(lease).isNotNull();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(OperatorHarness.IDENTITY);
    assertThat(k8s.operator().isLeader()).isTrue();
    assertThat(k8s.operator().registry().scrape()).contains("ttstack_operator_leader 1.0");
  }

  @Test
  void steadyStateMakesNoWritesAcrossRestartAndTime() {
    k8s.create(Stacks.minimal("tt-small"));
    k8s.create(Stacks.example("ttstack.yaml"));
    k8s.awaitObserved("tt-small");
    k8s.awaitObserved(Stacks.example("ttstack.yaml").getMetadata().getName());
    k8s.awaitIdle();
    TTStack before = k8s.stack(Stacks.example("ttstack.yaml").getMetadata().getName()).get();

    int mark = k8s.requestMark();
    k8s.clock().advance(Duration.ofHours(3));
    k8s.restartOperator(); // a fresh operator reconciles every stack it finds
    k8s.awaitReconciliations(2);

    assertThat(k8s.writeListSince(mark))
        .as(
            "API writes in steady state; status before %s after %s",
            io.fabric8.kubernetes.client.utils.Serialization.asJson(before.getStatus()),
            io.fabric8.kubernetes.client.utils.Serialization.asJson(
                k8s.stack(before.getMetadata().getName()).get().getStatus()))
        .isEmpty();
    TTStack after = k8s.stack(before.getMetadata().getName()).get();
    assertThat(after.getMetadata().getResourceVersion())
        .isEqualTo(before.getMetadata().getResourceVersion());
  }

  @Test
  void disabledMonitoringDoesNotHoldReadyBack() {
    TTStack stack = Stacks.minimal("tt");
    stack.getSpec().monitoring.enabled = false;
    k8s.create(stack);

    Condition monitoring =
        k8s.awaitObserved("tt").getStatus().condition(ConditionType.MONITORING_READY);

    assertThat(monitoring.status).isEqualTo(Condition.TRUE);
    assertThat(monitoring.reason).isEqualTo("Disabled");
  }

  @Test
  void manyStacksAreAllReconciled() {
    List<String> names = java.util.stream.IntStream.range(0, 20).mapToObj(i -> "tt-" + i).toList();
    names.forEach(n -> k8s.create(Stacks.minimal(n)));

    names.forEach(k8s::awaitObserved);
  }
}
