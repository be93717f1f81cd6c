package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two replicas of the operator (the packaged jar, each with the chart Deployment's environment and
 * its own POD_NAME), leader election on with the chart's Lease: the leader is killed with SIGKILL
 * (it cannot release the Lease, as when its node dies), and the other takes the Lease over and
 * reconciles a change of a stack's spec within the Lease's bound.
 *
 * <p>The bound is read from JOSDK, whose defaults the operator keeps: the follower may take a Lease
 * whose holder has not renewed it for {@code leaseDuration}, and it tries every {@code
 * retryPeriod}; the leader renewed at most {@code retryPeriod} before it died. So the Lease changes
 * hands at most {@code leaseDuration + retryPeriod} after the kill; the margin covers what follows
 * on this shared 2-core machine: the new leader starts its informers (JOSDK starts the controllers
 * on leadership) and reconciles.
 */
@Order(2)
class LeaderElectionKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();

  private static final String LEASE = "ttstack-operator";
  private static final Duration MARGIN = Duration.ofSeconds(20);

  @Test
  void theFollowerTakesOverTheLeaseAndReconcilesAfterTheLeaderIsKilled() throws Exception {
    Duration leaseDuration = LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE;
    Duration renewDeadline = LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE;
    Duration retryPeriod = LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE;
    Duration bound = leaseDuration.plus(retryPeriod).plus(MARGIN);

    String ns = cluster.createNamespace("leader");
    KubeStacks.createMinimalExampleSecret(cluster, ns);
    String name = "tt-minimal";
    KubeStacks.applyMinimalExample(cluster, ns);

    // One after the other, as a rollout would: two JVMs starting at once on a loaded 2-core machine
    // starve each other (seen: informers not synced within JOSDK's timeout, both replicas
    // stopping).
    try (OperatorProcess a = OperatorProcess.start(cluster, "tt-operator-a")) {
      awaitStarted(a);
      try (OperatorProcess b = OperatorProcess.start(cluster, "tt-operator-b")) {
        awaitStarted(b);
        List<OperatorProcess> replicas = List.of(a, b);
        await("one replica holds the Lease")
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  replicas.forEach(
                      r ->
                          assertThat(r.isAlive())
                              .as("%s alive; output:%n%s", r.identity(), r.output())
                              .isTrue());
                  return holder() != null
                      && replicas.stream().anyMatch(r -> r.identity().equals(holder()));
                });
        OperatorProcess leader =
            replicas.stream().filter(r -> r.identity().equals(holder())).findFirst().orElseThrow();
        OperatorProcess follower = leader == a ? b : a;
        failover(ns, name, leader, follower, leaseDuration, renewDeadline, retryPeriod, bound);
      }
    }
  }

  /** Up: Main has started the operator (its leader elector runs, as leader or as follower). */
  private static void awaitStarted(OperatorProcess replica) {
    await(replica.identity() + " started")
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              assertThat(replica.isAlive())
                  .as("%s alive; output:%n%s", replica.identity(), replica.output())
                  .isTrue();
              return replica.output().contains("TTStack operator started");
            });
  }

  private static void failover(
      String ns,
      String name,
      OperatorProcess leader,
      OperatorProcess follower,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod,
      Duration bound) {
    Lease lease = lease();
    assertThat(lease.getSpec().getLeaseDurationSeconds())
        .as("the Lease's duration is JOSDK's default")
        .isEqualTo((int) leaseDuration.toSeconds());

    await("the stack Ready under the leader")
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              TTStack s = stack(ns, name);
              assertThat(s.getStatus()).isNotNull();
              assertThat(s.getStatus().condition("Ready"))
                  .as("Ready condition in %s", s.getStatus().conditions)
                  .isNotNull();
              assertThat(s.getStatus().condition("Ready").status)
                  .as(String.valueOf(s.getStatus().conditions))
                  .isEqualTo("True");
            });
    await("/metrics of both")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(leader.get("/metrics")).contains("ttstack_operator_leader 1.0");
              assertThat(follower.get("/metrics")).contains("ttstack_operator_leader 0.0");
              // The follower's elector has read the Lease and seen who leads.
              assertThat(follower.output()).contains("leader is now").contains(leader.identity());
            });
    assertThat(follower.output())
        .as("the follower's output")
        .doesNotContain("acquired leader Lease");

    // SIGKILL: no shutdown hook runs, the Lease is not released.
    long killed = System.nanoTime();
    leader.kill();
    assertThat(holder()).as("the dead leader still holds the Lease").isEqualTo(leader.identity());
    // A change the new leader must act on: an Ingress for the app, and an alert threshold (the
    // Prometheus rules ConfigMap changes).
    cluster
        .kubectl()
        .run(
            "-n",
            ns,
            "patch",
            "tts",
            name,
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"app\":{\"ingress\":{\"host\":\"api.leader.example.com\"}},"
                + "\"monitoring\":{\"alerts\":{\"cpuPercent\":70}}}}")
        .orFail();
    long generation = stack(ns, name).getMetadata().getGeneration();
    assertThat(generation).isEqualTo(2L);

    await("the follower takes the Lease")
        .atMost(bound)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> follower.identity().equals(holder()));
    double leaseSeconds = (System.nanoTime() - killed) / 1e9;
    await("the new leader observes generation " + generation)
        .atMost(bound.minusMillis((long) (leaseSeconds * 1000)))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Objects.equals(stack(ns, name).getStatus().observedGeneration, generation));
    double reconcileSeconds = (System.nanoTime() - killed) / 1e9;
    System.out.printf(
        "%n[figure] leader election: leader %s SIGKILLed; %s held the Lease after %.1f s and observed the"
            + " spec change (status.observedGeneration %d) after %.1f s; bound %d s = leaseDuration %d s + retryPeriod %d s"
            + " + margin %d s (renewDeadline %d s)%n",
        leader.identity(),
        follower.identity(),
        leaseSeconds,
        generation,
        reconcileSeconds,
        bound.toSeconds(),
        leaseDuration.toSeconds(),
        retryPeriod.toSeconds(),
        MARGIN.toSeconds(),
        renewDeadline.toSeconds());

    assertThat(cluster.admin().network().v1().ingresses().inNamespace(ns).list().getItems())
        .as("the app's Ingress")
        .extracting(i -> i.getSpec().getRules().get(0).getHost())
        .containsExactly("api.leader.example.com");
    // The new leader goes on leading: the Ingress, monitoring and scheduled backups switched off,
    // their objects (Ingress, Deployments, Services, ConfigMaps, ServiceAccount, Role, RoleBinding,
    // CronJob) deleted by it.
    cluster
        .kubectl()
        .run(
            "-n",
            ns,
            "patch",
            "tts",
            name,
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"app\":{\"ingress\":null},\"monitoring\":{\"enabled\":false},"
                + "\"postgres\":{\"backup\":{\"enabled\":false}}}}")
        .orFail();
    await("the monitoring objects and the backup CronJob deleted by the new leader")
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () -> {
              assertThat(cluster.admin().apps().deployments().inNamespace(ns).list().getItems())
                  .extracting(d -> d.getMetadata().getName())
                  .containsExactly(name + "-app");
              assertThat(cluster.admin().batch().v1().cronjobs().inNamespace(ns).list().getItems())
                  .isEmpty();
              assertThat(
                      cluster.admin().network().v1().ingresses().inNamespace(ns).list().getItems())
                  .isEmpty();
              assertThat(stack(ns, name).getStatus().observedGeneration).isEqualTo(3L);
            });
    assertThat(follower.output()).contains("acquired leader Lease");
    assertThat(follower.get("/metrics")).contains("ttstack_operator_leader 1.0");
    assertThat(follower.isAlive()).isTrue();
  }

  private static TTStack stack(String ns, String name) {
    return cluster.admin().resources(TTStack.class).inNamespace(ns).withName(name).get();
  }

  private static Lease lease() {
    return cluster.admin().leases().inNamespace(ChartInstall.NAMESPACE).withName(LEASE).get();
  }

  private static String holder() {
    Lease lease = lease();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }
}
