package dev.ttstack.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.AppSpec;
import dev.ttstack.operator.api.SpecCases;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.SecretKeys;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link AppSpec#RESERVED_ENV} (from which the CRD's rule is generated) and what the operator
 * really puts on the app container cannot drift apart.
 */
class AppObjectsTest {

  @Test
  void theReservedListIsExactlyWhatTheOperatorSetsOnTheAppContainer() {
    TTStack stack = SpecCases.full();
    stack.getSpec().app.env = new ArrayList<>(); // only the operator's own variables
    Container app =
        AppObjects.deployment(stack, "1.4.2", "tt-secrets", "hash")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);

    Set<String> operatorSets = new LinkedHashSet<>();
    app.getEnv().stream().map(EnvVar::getName).forEach(operatorSets::add);
    // The managed Secret reaches the container whole through envFrom; the keys the operator itself
    // requires there (fixed names) are its wiring too. The Grafana and Slack keys are named by the
    // spec, not by the operator, and are not reserved.
    assertThat(app.getEnvFrom())
        .extracting(EnvFromSource::getSecretRef)
        .extracting("name")
        .containsExactly("tt-secrets");
    operatorSets.addAll(SecretKeys.postgres());
    operatorSets.addAll(SecretKeys.redis());

    assertThat(AppSpec.RESERVED_ENV).doesNotHaveDuplicates();
    assertThat(AppSpec.RESERVED_ENV)
        .as("AppSpec.RESERVED_ENV_CEL (the CRD rule) vs what AppObjects sets")
        .containsExactlyInAnyOrderElementsOf(operatorSets);
  }

  @Test
  void aTerminatingPodKeepsServingUntilItsEndpointIsGoneEverywhere() {
    var pod =
        AppObjects.deployment(SpecCases.full(), "1.4.2", "tt-secrets", "hash")
            .getSpec()
            .getTemplate()
            .getSpec();
    Container app = pod.getContainers().get(0);
    // The kubelet's sleep action (Kubernetes >= 1.30: nothing in the image needed), before SIGTERM.
    assertThat(app.getLifecycle().getPreStop().getSleep().getSeconds())
        .isEqualTo(AppObjects.PRE_STOP_SLEEP_SECONDS);
    assertThat(app.getLifecycle().getPreStop().getExec()).isNull();
    // The grace period covers the sleep and Spring's graceful shutdown (30 s by default).
    assertThat(pod.getTerminationGracePeriodSeconds())
        .isGreaterThanOrEqualTo(AppObjects.PRE_STOP_SLEEP_SECONDS + 30);
  }
}
