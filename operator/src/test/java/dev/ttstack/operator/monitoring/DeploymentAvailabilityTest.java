package dev.ttstack.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

/**
 * A monitoring Deployment's availability, as MonitoringReady reads it. The case that made the
 * condition flap on the real API server (ServerSideApplyKubeIT, under load): an annotation on the
 * Deployment bumps its generation, and until the Deployment controller observes it the status is
 * one generation behind; the verdict before it holds instead of "not available".
 */
class DeploymentAvailabilityTest {
  private static Deployment deployment(long generation, Long observed, int updated, int available) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("tt-prometheus")
        .withGeneration(generation)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(observed)
        .withUpdatedReplicas(updated)
        .withAvailableReplicas(available)
        .endStatus()
        .build();
  }

  @Test
  void anObservedGenerationIsReadFromTheStatus() {
    assertThat(MonitoringComponent.available(deployment(2, 2L, 1, 1), null)).isTrue();
    assertThat(MonitoringComponent.available(deployment(2, 2L, 1, 1), false)).isTrue();
    assertThat(MonitoringComponent.available(deployment(2, 2L, 1, 0), true)).isFalse();
    assertThat(MonitoringComponent.available(deployment(2, 2L, 0, 1), true)).isFalse();
  }

  @Test
  void aGenerationNotYetObservedKeepsTheVerdictBeforeIt() {
    assertThat(MonitoringComponent.available(deployment(3, 2L, 1, 1), true)).isTrue();
    assertThat(MonitoringComponent.available(deployment(3, 2L, 1, 1), false)).isFalse();
  }

  @Test
  void withNoVerdictBeforeAnUnobservedGenerationIsNotAvailable() {
    assertThat(MonitoringComponent.available(deployment(1, null, 1, 1), null)).isFalse();
    assertThat(MonitoringComponent.available(deployment(3, 2L, 1, 1), null)).isFalse();
  }
}
