package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every pod the controllers create for a full stack is admitted by PodSecurity's {@code restricted}
 * level ({@code enforce-version: latest}) on the real API server: the app, PostgreSQL with its
 * exporter, the six Redis nodes with theirs, Prometheus, Alertmanager, Grafana, the pre-upgrade
 * backup Job and a Job made from the backup CronJob's template. PodSecurity judges pods, not their
 * controllers: a refused pod shows only as the controller's failed create (403) and a FailedCreate
 * Event, which is what this test looks for.
 */
class PodSecurityKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();
  private static final Duration READY = Duration.ofSeconds(180);

  @Test
  void everyPodOfAFullStackIsAdmittedUnderRestricted() {
    String ns =
        cluster.createNamespace(
            "podsecurity",
            Map.of(
                "pod-security.kubernetes.io/enforce", "restricted",
                "pod-security.kubernetes.io/enforce-version", "latest"));
    String name = "tt";
    FullStacks.createSecret(cluster, ns);
    long mark = cluster.auditLog().mark();
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      cluster
          .kubectl()
          .withInput(FullStacks.fullStack(name, "Retain"), "apply", "-n", ns, "-f", "-")
          .orFail();
      awaitReadyOrShowRefusals(ns, name, mark);

      // An upgrade of the app: the pre-upgrade backup Job's pod, then the new ReplicaSet's pods.
      cluster
          .kubectl()
          .run(
              "-n",
              ns,
              "patch",
              "tts",
              name,
              "--type=merge",
              "-p",
              "{\"spec\":{\"app\":{\"version\":\"1.4.3\"}}}")
          .orFail();
      awaitReadyOrShowRefusals(ns, name, mark);
      assertThat(FullStacks.stack(cluster, ns, name).getStatus().app.version).isEqualTo("1.4.3");

      // The nightly backup, run now from the CronJob's own template (as a user would test it).
      cluster
          .kubectl()
          .run(
              "-n",
              ns,
              "create",
              "job",
              "backup-now",
              "--from=cronjob/" + name + "-postgres-backup")
          .orFail();
      await()
          .atMost(READY)
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                assertThat(refusals(ns, mark)).isEmpty();
                Job job =
                    cluster
                        .admin()
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace(ns)
                        .withName("backup-now")
                        .get();
                assertThat(job.getStatus().getSucceeded()).as("backup-now succeeded").isEqualTo(1);
              });

      assertThat(refusals(ns, mark)).isEmpty();
      assertThat(
              cluster.admin().v1().events().inNamespace(ns).list().getItems().stream()
                  .filter(e -> "FailedCreate".equals(e.getReason()))
                  .map(e -> e.getInvolvedObject().getName() + ": " + e.getMessage())
                  .toList())
          .as("FailedCreate events")
          .isEmpty();

      // Every pod the stack needs exists (all admitted): count them by what made them.
      Map<String, Integer> pods = new TreeMap<>();
      for (Pod pod : cluster.admin().pods().inNamespace(ns).list().getItems()) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
          continue; // the old version's pods, on their way out
        }
        pods.merge(group(name, pod), 1, Integer::sum);
      }
      System.out.println("[podsecurity] pods by workload: " + pods);
      assertThat(pods)
          .containsEntry("StatefulSet/" + name + "-postgres", 1)
          .containsEntry("StatefulSet/" + name + "-redis", 6)
          .containsEntry("Deployment/" + name + "-app", 2)
          .containsEntry("Deployment/" + name + "-prometheus", 1)
          .containsEntry("Deployment/" + name + "-alertmanager", 1)
          .containsEntry("Deployment/" + name + "-grafana", 1)
          .containsEntry("Job/backup-now", 1);
      assertThat(
              pods.keySet().stream()
                  .filter(k -> k.startsWith("Job/" + name + "-postgres-backup-pre-"))
                  .toList())
          .as("the pre-upgrade backup Job's pod")
          .hasSize(1);
      // Containers of every kind the stack has were among them (the exporters are sidecars).
      Set<String> containers =
          cluster.admin().pods().inNamespace(ns).list().getItems().stream()
              .flatMap(p -> p.getSpec().getContainers().stream())
              .map(c -> c.getName())
              .collect(Collectors.toCollection(TreeSet::new));
      assertThat(containers)
          .contains(
              "app",
              "postgres",
              "exporter",
              "redis",
              "redis-exporter",
              "prometheus",
              "alertmanager",
              "grafana",
              "backup");
      // Who created them: the real controllers, each of whose creates was admitted.
      Set<String> creators =
          cluster.auditLog().since(mark).stream()
              .filter(
                  e ->
                      "create".equals(e.verb())
                          && "pods".equals(e.resource())
                          && e.subresource() == null
                          && ns.equals(e.namespace()))
              .map(e -> e.user() + " -> " + e.code())
              .collect(Collectors.toCollection(TreeSet::new));
      System.out.println("[podsecurity] pod creates: " + creators);
      assertThat(creators).allMatch(c -> c.endsWith("-> 201"));
    }
  }

  private void awaitReadyOrShowRefusals(String ns, String name, long mark) {
    await()
        .atMost(READY)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              assertThat(refusals(ns, mark)).as("pod creates refused by the API server").isEmpty();
              TTStack s = FullStacks.stack(cluster, ns, name);
              assertThat(s.getStatus()).isNotNull();
              assertThat(s.getStatus().observedGeneration)
                  .isEqualTo(s.getMetadata().getGeneration());
              assertThat(s.getStatus().condition("Ready").status)
                  .as(String.valueOf(s.getStatus().conditions))
                  .isEqualTo("True");
            });
  }

  /** Pod creates in the namespace that the API server refused (PodSecurity answers 403). */
  private static List<AuditLog.Entry> refusals(String ns, long mark) {
    return cluster.auditLog().since(mark).stream()
        .filter(
            e ->
                "create".equals(e.verb())
                    && "pods".equals(e.resource())
                    && e.subresource() == null
                    && ns.equals(e.namespace())
                    && e.code() >= 400)
        .toList();
  }

  /** The workload a pod belongs to: its StatefulSet, its ReplicaSet's Deployment, or its Job. */
  private static String group(String name, Pod pod) {
    var owner = pod.getMetadata().getOwnerReferences().stream().findFirst().orElse(null);
    if (owner == null) {
      return "Pod/" + pod.getMetadata().getName();
    }
    if ("ReplicaSet".equals(owner.getKind())) {
      String rs = owner.getName();
      return "Deployment/" + rs.substring(0, rs.lastIndexOf('-'));
    }
    return owner.getKind() + "/" + owner.getName();
  }
}
