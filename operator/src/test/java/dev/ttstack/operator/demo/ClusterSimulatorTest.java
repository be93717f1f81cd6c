package dev.ttstack.operator.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.testing.OperatorHarness;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The simulator must really change what the operator will read from the mock API server. */
class ClusterSimulatorTest {

  @RegisterExtension final OperatorHarness k8s = new OperatorHarness().withoutLeaderElection();

  private Deployment deployment() {
    return k8s.client()
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("tt-app")
                .withNamespace(k8s.namespace())
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewSelector()
                .withMatchLabels(Map.of("app", "tt"))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", "tt"))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("ghcr.io/tt-org/tt-backend:1.0")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  private StatefulSet statefulSet() {
    return k8s.client()
        .resource(
            new StatefulSetBuilder()
                .withNewMetadata()
                .withName("tt-redis")
                .withNamespace(k8s.namespace())
                .endMetadata()
                .withNewSpec()
                .withReplicas(3)
                .withServiceName("tt-redis")
                .withNewSelector()
                .withMatchLabels(Map.of("app", "redis"))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", "redis"))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("redis")
                .withImage("redis:7-alpine")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  @Test
  void deploymentBecomesAvailableThenFails() {
    deployment();
    ClusterSimulator sim = k8s.simulator();

    sim.markDeploymentAvailable(k8s.namespace(), "tt-app");
    Deployment available =
        k8s.client().apps().deployments().inNamespace(k8s.namespace()).withName("tt-app").get();
    assertThat(available.getStatus().getAvailableReplicas()).isEqualTo(2);
    assertThat(available.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Available");
              assertThat(c.getStatus()).isEqualTo("True");
            });
    assertThat(available.getMetadata().getGeneration())
        .as("a status write is no spec change")
        .isEqualTo(1L);

    sim.markDeploymentFailed(k8s.namespace(), "tt-app", "image never became ready");
    Deployment failed =
        k8s.client().apps().deployments().inNamespace(k8s.namespace()).withName("tt-app").get();
    assertThat(failed.getStatus().getConditions())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getType()).isEqualTo("Progressing");
              assertThat(c.getReason()).isEqualTo("ProgressDeadlineExceeded");
            });
  }

  @Test
  void statefulSetPodsGetIpsLabelsAndOwnerThenCrashLoop() {
    StatefulSet sts = statefulSet();
    ClusterSimulator sim = k8s.simulator();

    List<Pod> pods =
        sim.createStatefulSetPods(
            k8s.namespace(), "tt-redis", List.of("127.0.0.1", "127.0.0.2", "127.0.0.3"));
    sim.markStatefulSetReady(k8s.namespace(), "tt-redis");

    assertThat(pods)
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("tt-redis-0", "tt-redis-1", "tt-redis-2");
    List<Pod> listed =
        k8s.client()
            .pods()
            .inNamespace(k8s.namespace())
            .withLabel("app", "redis")
            .list()
            .getItems();
    assertThat(listed)
        .hasSize(3)
        .allSatisfy(
            p -> {
              assertThat(p.getMetadata().getOwnerReferences().get(0).getUid())
                  .isEqualTo(sts.getMetadata().getUid());
              assertThat(p.getStatus().getPhase()).isEqualTo("Running");
            });
    assertThat(
            k8s.client()
                .apps()
                .statefulSets()
                .inNamespace(k8s.namespace())
                .withName("tt-redis")
                .get()
                .getStatus()
                .getReadyReplicas())
        .isEqualTo(3);

    Pod crashing = sim.setContainerWaiting(k8s.namespace(), "tt-redis-1", "CrashLoopBackOff", 4);
    assertThat(
            crashing.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason())
        .isEqualTo("CrashLoopBackOff");
    assertThat(
            k8s.client()
                .pods()
                .inNamespace(k8s.namespace())
                .withName("tt-redis-1")
                .get()
                .getStatus()
                .getContainerStatuses()
                .get(0)
                .getRestartCount())
        .isEqualTo(4);

    sim.deletePod(k8s.namespace(), "tt-redis-2");
    assertThat(
            k8s.client()
                .pods()
                .inNamespace(k8s.namespace())
                .withLabel("app", "redis")
                .list()
                .getItems())
        .hasSize(2);
  }
}
