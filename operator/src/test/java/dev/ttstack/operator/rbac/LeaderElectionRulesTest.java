package dev.ttstack.operator.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.Logging;
import dev.ttstack.operator.OperatorSettings;
import dev.ttstack.operator.TTStackOperator;
import dev.ttstack.operator.chart.Helm;
import dev.ttstack.operator.testing.OperatorHarness;
import dev.ttstack.operator.testing.RecordingApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * JOSDK's leader election refuses to start unless a SelfSubjectRulesReview shows {@code create},
 * {@code update} and {@code get} on Leases (named like its Lease, or unnamed). The embedded API
 * server answers that review with the rules of the chart's leader-election Role here, so this
 * proves (1) the chart's Lease rules, name restriction included, let the operator elect itself, and
 * (2) the {@code update} verb, which the operator never sends (fabric8 renews with PATCH), is still
 * needed: the RBAC proof's allow-list keeps it because of this test.
 */
class LeaderElectionRulesTest {
  static {
    Logging.bridgeJul();
  }

  private RecordingApiServer api;
  private TTStackOperator operator;

  @BeforeEach
  void start() {
    api = RecordingApiServer.start();
    api.client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(Helm.NAMESPACE).endMetadata().build())
        .create();
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    api.close();
  }

  /** The rules of the chart's Role for the Lease, as a SelfSubjectRulesReview would report them. */
  static List<ResourceRule> chartLeaseRules() {
    List<Role> roles =
        Helm.ofKind(Helm.objects(Helm.template()), Role.class).stream()
            .filter(r -> r.getMetadata().getName().endsWith("-leader-election"))
            .toList();
    assertThat(roles).as("the chart's leader-election Role").hasSize(1);
    assertThat(roles.get(0).getMetadata().getNamespace()).isEqualTo(Helm.NAMESPACE);
    List<ResourceRule> rules = new ArrayList<>();
    for (PolicyRule rule : roles.get(0).getRules()) {
      rules.add(
          new ResourceRuleBuilder()
              .withApiGroups(rule.getApiGroups())
              .withResources(rule.getResources())
              .withResourceNames(rule.getResourceNames())
              .withVerbs(rule.getVerbs())
              .build());
    }
    return rules;
  }

  private TTStackOperator operator() {
    OperatorSettings settings =
        OperatorSettings.from(Map.of("POD_NAME", OperatorHarness.IDENTITY))
            .withHttp("127.0.0.1", 0)
            .withServerSideApply(false)
            .withLeaderElection(true, Helm.NAMESPACE);
    operator = TTStackOperator.create(settings, api.operatorClient(), Clock.systemUTC());
    return operator;
  }

  @Test
  void theChartsLeaseRulesLetTheOperatorElectItself() {
    api.answerRulesReviewsWith(chartLeaseRules());

    operator().start();

    await().atMost(OperatorHarness.TIMEOUT).until(() -> operator.isLeader());
    assertThat(
            api.client()
                .leases()
                .inNamespace(Helm.NAMESPACE)
                .withName("ttstack-operator")
                .get()
                .getSpec()
                .getHolderIdentity())
        .isEqualTo(OperatorHarness.IDENTITY);
  }

  @Test
  void withoutUpdateOnLeasesTheOperatorRefusesToStart() {
    List<ResourceRule> withoutUpdate =
        chartLeaseRules().stream()
            .map(
                r ->
                    new ResourceRuleBuilder(r)
                        .withVerbs(r.getVerbs().stream().filter(v -> !v.equals("update")).toList())
                        .build())
            .toList();
    assertThat(chartLeaseRules())
        .as("the chart grants update")
        .anySatisfy(r -> assertThat(r.getVerbs()).contains("update"));
    api.answerRulesReviewsWith(withoutUpdate);

    assertThatThrownBy(() -> operator().start())
        .hasStackTraceContaining("No permission to lease resource")
        .hasStackTraceContaining("missing required verbs: [update]");
    assertThat(operator.isLeader()).isFalse();
  }
}
