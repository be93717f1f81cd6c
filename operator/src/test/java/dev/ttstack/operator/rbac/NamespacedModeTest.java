package dev.ttstack.operator.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.LocalSecretReference;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.testing.OperatorHarness;
import dev.ttstack.operator.testing.RecordingApiServer;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With WATCH_NAMESPACES set, every call the operator makes stays inside the watched namespace (its
 * Lease is there too in this test): this is why the chart's namespaced mode needs no cluster-wide
 * grant at all. The one cluster-scoped call, a SelfSubjectRulesReview, is allowed to every
 * authenticated user by Kubernetes' default RBAC.
 */
class NamespacedModeTest {
  @RegisterExtension
  final OperatorHarness k8s = new OperatorHarness().watching(OperatorHarness.NAMESPACE);

  @Test
  void everyCallIsInTheWatchedNamespaceAndOtherNamespacesAreIgnored() {
    k8s.client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("elsewhere").endMetadata().build())
        .create();
    TTStack ignored = Stacks.minimal("other");
    ignored.getMetadata().setNamespace("elsewhere");
    k8s.client().resource(ignored).create();
    k8s.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("tt-own")
                .withNamespace(k8s.namespace())
                .endMetadata()
                .withStringData(ProductionCallsTest.CREDENTIALS)
                .build())
        .create();
    TTStack stack = Stacks.minimal("tt");
    stack.getSpec().secrets.doppler = null;
    stack.getSpec().secrets.secretRef = new LocalSecretReference("tt-own");
    k8s.create(stack);
    k8s.awaitObserved("tt");
    await()
        .atMost(OperatorHarness.TIMEOUT)
        .until(
            () ->
                k8s.client()
                        .apps()
                        .statefulSets()
                        .inNamespace(k8s.namespace())
                        .withName("tt-postgres")
                        .get()
                    != null);

    List<ApiAccess> calls =
        k8s.api().requests().stream()
            .filter(RecordingApiServer.Request::isOperator)
            .map(ApiAccess::of)
            .toList();
    assertThat(calls)
        .as("the operator's calls")
        .isNotEmpty()
        .anySatisfy(c -> assertThat(c.verb()).isEqualTo("watch"));
    assertThat(calls)
        .filteredOn(
            c ->
                !(c.rule().group().equals("authorization.k8s.io")
                    && c.rule().resource().equals("selfsubjectrulesreviews")))
        .allSatisfy(
            c -> assertThat(c.namespace()).as("namespace of %s", c).isEqualTo(k8s.namespace()));
    TTStack other =
        k8s.client().resources(TTStack.class).inNamespace("elsewhere").withName("other").get();
    assertThat(other.getStatus().observedGeneration)
        .as("a TTStack outside the watched namespace: observed")
        .isNull();
    assertThat(other.getStatus().conditions)
        .as("a TTStack outside the watched namespace: conditions")
        .isEmpty();
  }
}
