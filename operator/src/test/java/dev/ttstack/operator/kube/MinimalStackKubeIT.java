package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.TTStack;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The smallest stack of the README ({@code examples/ttstack-minimal.yaml}, secrets from a Secret)
 * reaches Ready on the real API server: SSA on, the chart's RBAC enforced, its Redis Cluster
 * bootstrapped in real redis-server processes at the pods' IPs.
 */
class MinimalStackKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();

  @Test
  void minimalStackBecomesReady() throws Exception {
    String ns = cluster.createNamespace("minimal");
    KubeStacks.createMinimalExampleSecret(cluster, ns);
    KubeStacks.applyMinimalExample(cluster, ns);
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                TTStack s =
                    cluster
                        .admin()
                        .resources(TTStack.class)
                        .inNamespace(ns)
                        .withName("tt-minimal")
                        .get();
                assertThat(s.getStatus()).as("status").isNotNull();
                assertThat(s.getStatus().condition("Ready"))
                    .as("Ready condition in %s", s.getStatus().conditions)
                    .isNotNull();
                assertThat(s.getStatus().condition("Ready").status)
                    .as(String.valueOf(s.getStatus().conditions))
                    .isEqualTo("True");
              });
      TTStack s =
          cluster.admin().resources(TTStack.class).inNamespace(ns).withName("tt-minimal").get();
      assertThat(s.getStatus().condition("RedisClusterReady").message)
          .contains("16384/16384 slots");
    }
  }
}
