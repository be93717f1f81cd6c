package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.TTStack;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When the API server refuses one of the operator's objects, the stack's condition and an Event say
 * which object, which field and why, in the server's words — and the stack recovers by itself once
 * the cause is gone. The refusal comes from a ValidatingAdmissionPolicy (CEL, as a cluster's policy
 * engine would refuse): StatefulSets in this namespace must not run a docker.io image. Before the
 * fix the condition said only "reconcile failed with AggregatedOperatorException; see the operator
 * log".
 */
class RefusedObjectKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();
  private static final String POLICY_MESSAGE =
      "spec.template.spec.containers[0].image: images must come from the company registry";

  @Test
  void aRefusedObjectIsNamedInTheConditionAndAnEventThenTheStackRecovers() throws Exception {
    String ns = cluster.createNamespace("refused", Map.of("ttstack-test/policy", "registry"));
    cluster.expectRefusals(ns, "an admission policy refuses the PostgreSQL StatefulSet on purpose");
    String policy =
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: %1$s}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
            - apiGroups: [apps]
              apiVersions: [v1]
              operations: [CREATE, UPDATE]
              resources: [statefulsets]
          validations:
          - expression: "object.spec.template.spec.containers.all(c, !c.image.startsWith('postgres:'))"
            message: "%2$s"
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: %1$s}
        spec:
          policyName: %1$s
          validationActions: [Deny]
          matchResources:
            namespaceSelector:
              matchLabels: {ttstack-test/policy: registry}
        """
            .formatted("ttstack-test-" + ns, POLICY_MESSAGE);
    cluster.kubectl().withInput(policy, "apply", "-f", "-").orFail();
    try {
      KubeStacks.createMinimalExampleSecret(cluster, ns);
      // The policy takes effect within a second or so of its creation: wait until it refuses.
      await("policy active")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  cluster
                          .kubectl()
                          .withInput(
                              """
          apiVersion: apps/v1
          kind: StatefulSet
          metadata: {name: probe}
          spec:
            selector: {matchLabels: {a: b}}
            serviceName: probe
            template:
              metadata: {labels: {a: b}}
              spec: {containers: [{name: c, image: "postgres:16"}]}
          """,
                              "apply",
                              "--dry-run=server",
                              "-n",
                              ns,
                              "-f",
                              "-")
                          .exitCode()
                      != 0);

      KubeStacks.applyMinimalExample(cluster, ns);
      try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
        Condition ready =
            await()
                .atMost(Duration.ofSeconds(90))
                .until(() -> ready(ns), c -> c != null && "ReconcileError".equals(c.reason));
        assertThat(ready.message)
            .as("the condition names the dependent, the object and the policy's field and rule")
            .contains("postgres: refused by the API server (422")
            .contains("tt-minimal-postgres")
            .contains(POLICY_MESSAGE);
        await("a Warning Event with the same message")
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(cluster.admin().v1().events().inNamespace(ns).list().getItems())
                        .anySatisfy(
                            e -> {
                              assertThat(e.getType()).isEqualTo("Warning");
                              assertThat(e.getReason()).isEqualTo("ReconcileError");
                              assertThat(e.getMessage())
                                  .contains("tt-minimal-postgres")
                                  .contains(POLICY_MESSAGE);
                            }));

        // The cause goes (the cluster admin lifts the policy): the stack recovers by itself.
        cluster
            .kubectl()
            .run("delete", "validatingadmissionpolicybinding", "ttstack-test-" + ns)
            .orFail();
        await("Ready again after the policy is gone")
            .atMost(Duration.ofSeconds(150))
            .until(() -> ready(ns), c -> c != null && "True".equals(c.status));
      }
    } finally {
      cluster.kubectl().withInput(policy, "delete", "--ignore-not-found", "-f", "-");
    }
  }

  private static Condition ready(String ns) {
    TTStack s =
        cluster.admin().resources(TTStack.class).inNamespace(ns).withName("tt-minimal").get();
    return s == null || s.getStatus() == null ? null : s.getStatus().condition("Ready");
  }
}
