package dev.ttstack.operator.kube;

import dev.ttstack.operator.OperatorSettings;
import dev.ttstack.operator.TTStackOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.Map;

/**
 * The operator in the test JVM against the local control plane, wired as in production —
 * Server-Side Apply on (the default of {@code USE_SSA}), the chart's ServiceAccount as its identity
 * — but watching only the test's namespaces (so that one test's stacks do not reach another's
 * operator) and without leader election (the process tests cover it).
 */
public final class OperatorUnderTest implements AutoCloseable {
  private final KubernetesClient client;
  private final TTStackOperator operator;

  private OperatorUnderTest(KubernetesClient client, TTStackOperator operator) {
    this.client = client;
    this.operator = operator;
  }

  public static OperatorUnderTest start(LocalCluster cluster, String... namespaces) {
    OperatorSettings settings =
        OperatorSettings.from(
            Map.of("WATCH_NAMESPACES", String.join(",", namespaces), "LEADER_ELECTION", "false"));
    if (!settings.useServerSideApply()) {
      throw new IllegalStateException(
          "production's default is USE_SSA=true; the real tier must run it");
    }
    KubernetesClient client =
        new KubernetesClientBuilder().withConfig(cluster.chart().operatorConfig()).build();
    TTStackOperator operator = TTStackOperator.create(settings, client, Clock.systemUTC());
    operator.start();
    return new OperatorUnderTest(client, operator);
  }

  public TTStackOperator operator() {
    return operator;
  }

  @Override
  public void close() {
    try {
      operator.close();
    } finally {
      client.close();
    }
  }
}
