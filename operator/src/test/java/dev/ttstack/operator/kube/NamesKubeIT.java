package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.TTStack;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The longest name the CRD accepts ({@link TTStack#MAX_NAME_LENGTH}) gives a full stack whose every
 * object the real API server accepts — names, label values, the names the controllers derive from
 * ours (StatefulSet pods and their controller-revision-hash label, a CronJob's Jobs, a Job's pods
 * and job-name label) — through first install and an upgrade (the pre-upgrade backup Job); one
 * character more is refused by {@code kubectl apply} itself.
 */
class NamesKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();
  private static final Duration READY = Duration.ofSeconds(180);

  /** A realistic name of exactly {@code length} characters (lower case, digits, '-'). */
  static String nameOf(int length) {
    StringBuilder b = new StringBuilder("tt-");
    while (b.length() < length) {
      b.append("staging-eu");
    }
    b.setLength(length);
    if (b.charAt(length - 1) == '-') {
      b.setCharAt(length - 1, 'x');
    }
    return b.toString();
  }

  @Test
  void theLongestAcceptedNameGivesAStackWhoseEveryObjectIsAccepted() {
    String ns = cluster.createNamespace("names");
    FullStacks.createSecret(cluster, ns);
    String tooLong = nameOf(TTStack.MAX_NAME_LENGTH + 1);
    Kubectl.Result refused =
        cluster
            .kubectl()
            .withInput(FullStacks.fullStack(tooLong, "Retain"), "apply", "-n", ns, "-f", "-");
    assertThat(refused.exitCode()).as(refused.output()).isNotZero();
    assertThat(refused.output())
        .contains("metadata.name must be at most " + TTStack.MAX_NAME_LENGTH + " characters");

    String name = nameOf(TTStack.MAX_NAME_LENGTH);
    long mark = cluster.auditLog().mark();
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      cluster
          .kubectl()
          .withInput(FullStacks.fullStack(name, "Retain"), "apply", "-n", ns, "-f", "-")
          .orFail();
      awaitReadyAndNothingRefused(ns, name, mark);
      // An upgrade: the pre-upgrade backup Job (named after the stack) and its pod.
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
      awaitReadyAndNothingRefused(ns, name, mark);

      Set<String> objects = FullStacks.inventory(cluster.admin(), ns);
      System.out.println("[names] " + name.length() + " characters: " + objects);
      assertThat(objects)
          .contains(
              "StatefulSet/" + name + "-postgres",
              "StatefulSet/" + name + "-redis",
              "CronJob/" + name + "-postgres-backup",
              "Deployment/" + name + "-app",
              "Deployment/" + name + "-prometheus",
              "Deployment/" + name + "-alertmanager",
              "Deployment/" + name + "-grafana",
              "Pod/" + name + "-postgres-0",
              "Pod/" + name + "-redis-5",
              "Service/" + name + "-redis-headless",
              "Ingress/" + name + "-app");
      assertThat(
              objects.stream()
                  .filter(o -> o.startsWith("Job/" + name + "-postgres-backup-pre-"))
                  .toList())
          .hasSize(1);
      assertThat(objects).containsAll(FullStacks.dataVolumes(name));
    }
  }

  private static void awaitReadyAndNothingRefused(String ns, String name, long mark) {
    await()
        .atMost(READY)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              assertThat(refusals(ns, mark))
                  .as("requests the API server refused as invalid or forbidden")
                  .isEmpty();
              TTStack s = FullStacks.stack(cluster, ns, name);
              assertThat(s.getStatus()).isNotNull();
              assertThat(s.getStatus().observedGeneration)
                  .isEqualTo(s.getMetadata().getGeneration());
              assertThat(s.getStatus().condition("Ready").status)
                  .as(String.valueOf(s.getStatus().conditions))
                  .isEqualTo("True");
            });
    assertThat(refusals(ns, mark)).isEmpty();
  }

  /**
   * Requests in the namespace that the API server refused as invalid (400, 422) or forbidden (403),
   * by anyone: the operator, or a controller acting on the operator's objects. Except the endpoint
   * controllers' writes: the simulated pods' IPs are loopback addresses, which Endpoints and
   * EndpointSlices refuse whatever the names ("may not be in the loopback range", seen in the audit
   * log for every stack; FACTS.md) — their names are the Services', checked through the Services.
   */
  private static List<AuditLog.Entry> refusals(String ns, long mark) {
    return cluster.auditLog().since(mark).stream()
        .filter(e -> ns.equals(e.namespace()) && AuditLog.WRITES.contains(e.verb()))
        .filter(e -> !"endpoints".equals(e.resource()) && !"endpointslices".equals(e.resource()))
        .filter(e -> e.code() == 400 || e.code() == 403 || e.code() == 422)
        .toList();
  }
}
