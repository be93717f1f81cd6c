package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL or Redis becoming not ready after the app exists, and ready again: the stack recovers
 * by itself, with SSA on, on the real API server — no ReconcileError on the way and no request of
 * the operator refused. While PostgreSQL or Redis is not ready the app's gate is closed and its
 * Deployment is kept as it runs; an apply of the live Deployment (managedFields and all) was
 * refused by the API server on every reconcile and the stack never left ReconcileError (issue 14).
 */
class RecoveryKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();
  private static final String NAME = "tt-minimal";

  @Test
  void recoversFromPostgresAndRedisBecomingNotReady() throws Exception {
    String ns = cluster.createNamespace("recovery");
    KubeStacks.createMinimalExampleSecret(cluster, ns);
    KubeStacks.applyMinimalExample(cluster, ns);
    List<String> seen = new CopyOnWriteArrayList<>();
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns);
        Watch watch =
            cluster
                .admin()
                .resources(TTStack.class)
                .inNamespace(ns)
                .withName(NAME)
                .watch(recorder(seen))) {
      awaitCondition(ns, "Ready", "True", Duration.ofSeconds(180));
      assertThat(cluster.admin().apps().deployments().inNamespace(ns).withName(NAME + "-app").get())
          .as("the app")
          .isNotNull();
      long mark = cluster.auditLog().mark();
      double failuresBefore = failures(op, ns);
      seen.clear();

      // PostgreSQL not ready: its pod restarted with a failing readiness probe, then restarted
      // healthy
      // (the routine "kubectl delete pod" of the report, twice).
      String postgresPod = NAME + "-postgres-0";
      try (AutoCloseable notReady =
          cluster
              .kubelet()
              .override(
                  p -> postgresPod.equals(p.getMetadata().getName()),
                  SimulatedKubelet.Behaviour.NOT_READY)) {
        deletePod(ns, postgresPod);
        awaitCondition(ns, "PostgresReady", "False", Duration.ofSeconds(120));
        awaitCondition(ns, "AppReady", "False", Duration.ofSeconds(60));
      }
      deletePod(ns, postgresPod);
      awaitCondition(ns, "Ready", "True", Duration.ofSeconds(180));

      // Redis not ready: one node's pod deleted; it comes back as a real redis-server and rejoins.
      deletePod(ns, NAME + "-redis-0");
      await("RedisClusterReady=False seen")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> seen.stream().anyMatch(s -> s.contains("RedisClusterReady=False")));
      awaitCondition(ns, "Ready", "True", Duration.ofSeconds(180));

      List<AuditLog.Entry> refused =
          cluster.auditLog().since(mark, ChartInstall.user(), e -> e.code() >= 400);
      System.out.println("states seen:\n  " + String.join("\n  ", seen));
      assertThat(seen)
          .as("states of the stack on the way")
          .noneMatch(s -> s.contains("ReconcileError"));
      assertThat(refused).as("requests of the operator refused by the API server").isEmpty();
      assertThat(failures(op, ns) - failuresBefore).as("failed reconciles").isZero();
    }
  }

  private static void deletePod(String ns, String name) {
    Pod before = cluster.admin().pods().inNamespace(ns).withName(name).get();
    cluster.kubectl().run("delete", "pod", "-n", ns, name, "--wait=false").orFail();
    await(name + " re-created")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Pod now = cluster.admin().pods().inNamespace(ns).withName(name).get();
              return now != null
                  && !now.getMetadata().getUid().equals(before.getMetadata().getUid());
            });
  }

  private static void awaitCondition(String ns, String type, String status, Duration bound) {
    await(type + "=" + status)
        .atMost(bound)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              TTStack s =
                  cluster.admin().resources(TTStack.class).inNamespace(ns).withName(NAME).get();
              assertThat(s.getStatus()).as("status").isNotNull();
              Condition c = s.getStatus().condition(type);
              assertThat(c).as(String.valueOf(s.getStatus().conditions)).isNotNull();
              assertThat(c.status).as(String.valueOf(s.getStatus().conditions)).isEqualTo(status);
            });
  }

  /**
   * Every status the API server sends, as "Type=Status(Reason)" lines: nothing transient is missed.
   */
  private static Watcher<TTStack> recorder(List<String> seen) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, TTStack stack) {
        if (stack.getStatus() == null) {
          return;
        }
        StringBuilder line = new StringBuilder();
        for (Condition c : stack.getStatus().conditions) {
          line.append(c.type)
              .append('=')
              .append(c.status)
              .append('(')
              .append(c.reason)
              .append(") ");
        }
        seen.add(line.toString().trim());
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  private static double failures(OperatorUnderTest op, String ns) {
    return op
        .operator()
        .registry()
        .find("reconciliations.failure.total")
        .tag("namespace", ns)
        .counters()
        .stream()
        .mapToDouble(Counter::count)
        .sum();
  }
}
