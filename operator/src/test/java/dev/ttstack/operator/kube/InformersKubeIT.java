package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.StackInformers;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the operator watches, from the real API server's audit log: one informer per kind, each
 * limited by label to the objects the operator manages, and the one Secret the stack only reads
 * ({@code spec.secrets.secretRef}) watched by name. Before, five informers listed Services and
 * three ConfigMaps, and Secrets, ConfigMaps and Deployments were listed without a selector: the
 * operator cached every one of the cluster.
 */
class InformersKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();
  private static final String NAME = "tt-minimal";
  private static final String REFERENCED = "tt-secrets";

  /** The resources of the kinds in {@link StackInformers#KINDS}, as the API server names them. */
  private static final List<String> MANAGED_RESOURCES =
      List.of(
          "secrets",
          "configmaps",
          "services",
          "deployments",
          "statefulsets",
          "persistentvolumeclaims",
          "networkpolicies",
          "poddisruptionbudgets",
          "cronjobs",
          "ingresses",
          "serviceaccounts",
          "roles",
          "rolebindings",
          "pods",
          "jobs");

  @Test
  void oneLabelSelectedInformerPerKindAndTheReferencedSecretByName() throws Exception {
    assertThat(MANAGED_RESOURCES).hasSameSizeAs(StackInformers.KINDS.keySet());
    String ns = cluster.createNamespace("informers");
    KubeStacks.createMinimalExampleSecret(cluster, ns);
    long mark = cluster.auditLog().mark();
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      KubeStacks.applyMinimalExample(cluster, ns);
      // The referenced Secret was read: its watch exists and answered.
      await("SecretsSynced=True")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                TTStack s =
                    cluster.admin().resources(TTStack.class).inNamespace(ns).withName(NAME).get();
                Condition c =
                    s == null || s.getStatus() == null
                        ? null
                        : s.getStatus().condition("SecretsSynced");
                return c != null && c.isTrue();
              });

      List<AuditLog.Entry> reads =
          cluster
              .auditLog()
              .since(
                  mark,
                  ChartInstall.user(),
                  e -> ("list".equals(e.verb()) || "watch".equals(e.verb())));
      Map<String, List<String>> lists = new TreeMap<>();
      for (AuditLog.Entry e : reads) {
        if ("list".equals(e.verb())) {
          lists.computeIfAbsent(e.resource(), r -> new java.util.ArrayList<>()).add(query(e.uri()));
        }
      }
      System.out.println(
          "lists of the operator by resource:\n  "
              + lists.entrySet().stream()
                  .map(x -> x.getKey() + " " + x.getValue())
                  .collect(Collectors.joining("\n  ")));

      String label = "labelSelector=" + StackInformers.SELECTOR;
      String byName = "fieldSelector=metadata.name=" + REFERENCED;
      for (AuditLog.Entry e : reads) {
        if ("ttstacks".equals(e.resource()) || "leases".equals(e.resource())) {
          continue; // the primary resource, and leader election
        }
        assertThat(query(e.uri()))
            .as("%s: every list and watch of the operator is selected", e)
            .satisfiesAnyOf(
                q -> assertThat(q).contains(label), q -> assertThat(q).contains(byName));
      }
      for (String resource : MANAGED_RESOURCES) {
        assertThat(lists.getOrDefault(resource, List.of()).stream().filter(q -> q.contains(label)))
            .as("label-selected informers listing %s", resource)
            .hasSize(1);
      }
      assertThat(lists.get("secrets").stream().filter(q -> q.contains(byName)))
          .as("the referenced Secret's own watch")
          .hasSize(1);
      assertThat(lists.get("secrets"))
          .as("the Secret lists: the managed ones, the referenced one")
          .hasSize(2);
    }
  }

  private static String query(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? "" : URLDecoder.decode(uri.substring(q + 1), StandardCharsets.UTF_8);
  }
}
