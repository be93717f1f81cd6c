package dev.ttstack.operator.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.LocalSecretReference;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.demo.FakeDoppler;
import dev.ttstack.operator.testing.OperatorHarness;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Documented behaviours that make API calls no other test reaches: deletions of dependents whose
 * precondition stops holding. Each test checks the behaviour itself; the calls it makes also reach
 * the RBAC proof ({@link RbacIT}), so that the Helm chart grants them because the operator makes
 * them.
 */
class ProductionCallsTest {
  static final Map<String, String> CREDENTIALS =
      Map.of(
          "POSTGRES_USER",
          "tt_user",
          "POSTGRES_PASSWORD",
          "pg-pass-1",
          "POSTGRES_DB",
          "tt_db",
          "REDIS_PASSWORD",
          "redis-pass-1",
          "GRAFANA_PASSWORD",
          "grafana-pass-1");

  @RegisterExtension final OperatorHarness k8s = new OperatorHarness().withoutLeaderElection();

  private void ownSecret(String name) {
    k8s.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(k8s.namespace())
                .endMetadata()
                .withStringData(CREDENTIALS)
                .build())
        .create();
  }

  private TTStack secretRefStack() {
    TTStack stack = Stacks.minimal("tt");
    stack.getSpec().secrets.doppler = null;
    stack.getSpec().secrets.secretRef = new LocalSecretReference("tt-own");
    return stack;
  }

  @Test
  void disablingScheduledBackupsDeletesTheCronJobAndKeepsTheBackupVolume() {
    ownSecret("tt-own");
    k8s.create(secretRefStack());
    var cronJob =
        k8s.client()
            .batch()
            .v1()
            .cronjobs()
            .inNamespace(k8s.namespace())
            .withName("tt-postgres-backup");
    await().atMost(OperatorHarness.TIMEOUT).until(() -> cronJob.get() != null);

    k8s.editStack("tt", s -> s.getSpec().postgres.backup.enabled = false);

    await().atMost(OperatorHarness.TIMEOUT).until(() -> cronJob.get() == null);
    assertThat(
            k8s.client()
                .persistentVolumeClaims()
                .inNamespace(k8s.namespace())
                .withName("tt-postgres-backup")
                .get())
        .as("the dumps stay")
        .isNotNull();
  }

  @Test
  void switchingFromDopplerToSecretRefDeletesTheManagedSecret() throws Exception {
    try (FakeDoppler doppler = new FakeDoppler()) {
      String token = "dp.st.prd.rbacTestToken";
      doppler.setConfig("tt-backend", "prd", CREDENTIALS);
      doppler.addToken(token, "tt-backend", "prd");
      k8s.client()
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("doppler-token")
                  .withNamespace(k8s.namespace())
                  .endMetadata()
                  .withData(
                      Map.of(
                          "serviceToken",
                          Base64.getEncoder()
                              .encodeToString(token.getBytes(StandardCharsets.UTF_8))))
                  .build())
          .create();
      TTStack stack = Stacks.minimal("tt");
      stack.getSpec().secrets.doppler.host = doppler.url();
      k8s.create(stack);
      var managed = k8s.client().secrets().inNamespace(k8s.namespace()).withName("tt-secrets");
      await().atMost(OperatorHarness.TIMEOUT).until(() -> managed.get() != null);

      ownSecret("tt-own");
      // A PUT, not edit(): the mock server loses the stored status when a JSON patch removes a spec
      // field.
      // The operator writes the status meanwhile: a PUT of an older resourceVersion gets 409, and
      // is
      // made again from a fresh read (as kubectl edit would).
      await()
          .atMost(OperatorHarness.TIMEOUT)
          .until(
              () -> {
                TTStack switchedSpec = k8s.stack("tt").get();
                switchedSpec.getSpec().secrets.doppler = null;
                switchedSpec.getSpec().secrets.secretRef = new LocalSecretReference("tt-own");
                try {
                  k8s.client().resource(switchedSpec).update();
                  return true;
                } catch (KubernetesClientException e) {
                  if (e.getCode() == 409) {
                    return false;
                  }
                  throw e;
                }
              });

      await().atMost(OperatorHarness.TIMEOUT).until(() -> managed.get() == null);
      TTStack switched =
          k8s.awaitStack(
              "tt",
              s ->
                  s.getStatus() != null
                      && s.getStatus().condition(ConditionType.SECRETS_SYNCED) != null
                      && Condition.TRUE.equals(
                          s.getStatus().condition(ConditionType.SECRETS_SYNCED).status)
                      && "secretRef".equals(s.getStatus().secrets.source));
      assertThat(switched.getStatus().secrets.secretName).isEqualTo("tt-own");
    }
  }
}
