package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.demo.FakeDoppler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * What happens to secrets on the real API server when their source changes: a live rotation of
 * REDIS_PASSWORD on the real redis-server processes of the pods (the cluster keeps serving and ends
 * up accepting only the new password), a changed Doppler config updating the managed Secret, and a
 * switch from Doppler to secretRef removing the managed Secret the stack no longer uses. No value
 * is printed.
 */
class SecretSourcesKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();
  private static final Duration BOUND = Duration.ofSeconds(180);

  @Test
  void redisPasswordRotatesLiveOnTheRealNodes() throws Exception {
    String ns = cluster.createNamespace("rotate");
    KubeStacks.createMinimalExampleSecret(cluster, ns);
    String oldPassword = "pw-redis-" + ns;
    KubeStacks.applyMinimalExample(cluster, ns);
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      awaitReady(ns, "tt-minimal");
      String newPassword = "pw-redis-rotated-" + ns;
      cluster
          .admin()
          .secrets()
          .inNamespace(ns)
          .withName("tt-secrets")
          .edit(s -> new SecretBuilder(s).addToStringData("REDIS_PASSWORD", newPassword).build());

      // Every node accepts the new password and, once the app has moved to it, refuses the old one.
      await("every Redis node on the new password only")
          .atMost(BOUND)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () ->
                  redisPods(ns).size() == 6
                      && redisPods(ns).stream()
                          .allMatch(ip -> accepts(ip, newPassword) && !accepts(ip, oldPassword)));
      awaitReady(ns, "tt-minimal");
      for (String ip : redisPods(ns)) {
        try (Jedis jedis = new Jedis(ip, 6379)) {
          jedis.auth(newPassword);
          assertThat(jedis.clusterInfo()).contains("cluster_state:ok");
        }
      }
    }
  }

  @Test
  void aDopplerChangeUpdatesTheManagedSecretAndSecretRefRemovesIt() throws Exception {
    String ns = cluster.createNamespace("doppler");
    try (FakeDoppler doppler = new FakeDoppler()) {
      Map<String, String> config =
          new HashMap<>(
              Map.of(
                  "POSTGRES_USER",
                  "tt",
                  "POSTGRES_PASSWORD",
                  "pw-postgres-" + ns,
                  "POSTGRES_DB",
                  "tt",
                  "REDIS_PASSWORD",
                  "pw-redis-" + ns,
                  "GRAFANA_PASSWORD",
                  "pw-grafana-" + ns,
                  "FEATURE_FLAG",
                  "one"));
      doppler.setConfig("tt-backend", "dev", config);
      doppler.addToken("dp.st.dev.test-token-" + ns, "tt-backend", "dev");
      cluster
          .admin()
          .secrets()
          .inNamespace(ns)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("doppler-token")
                  .endMetadata()
                  .withStringData(Map.of("serviceToken", "dp.st.dev.test-token-" + ns))
                  .build())
          .create();
      String dopplerSource =
          "doppler: {project: tt-backend, config: dev, resyncSeconds: 10, host: \""
              + doppler.url()
              + "\", tokenSecretRef: {name: doppler-token, key: serviceToken}}";
      String stack = manifest(dopplerSource);
      cluster.kubectl().withInput(stack, "apply", "-n", ns, "-f", "-").orFail();
      try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
        TTStack ready = awaitReady(ns, "tt");
        String hash = ready.getStatus().secrets.contentHash;
        String managedVersion =
            cluster
                .admin()
                .secrets()
                .inNamespace(ns)
                .withName("tt-secrets")
                .get()
                .getMetadata()
                .getResourceVersion();

        config.put("FEATURE_FLAG", "two");
        doppler.setConfig("tt-backend", "dev", config);
        TTStack synced =
            await("the managed Secret follows Doppler")
                .atMost(BOUND)
                .until(
                    () -> stack(ns, "tt"),
                    s ->
                        s.getStatus() != null
                            && s.getStatus().secrets != null
                            && !hash.equals(s.getStatus().secrets.contentHash));
        assertThat(
                cluster
                    .admin()
                    .secrets()
                    .inNamespace(ns)
                    .withName("tt-secrets")
                    .get()
                    .getMetadata()
                    .getResourceVersion())
            .as("the managed Secret was written")
            .isNotEqualTo(managedVersion);
        assertThat(synced.getStatus().secrets.contentHash).isNotBlank();

        // The user moves to a Secret of their own: the managed one has no reader left and goes.
        cluster
            .admin()
            .secrets()
            .inNamespace(ns)
            .resource(
                new SecretBuilder()
                    .withNewMetadata()
                    .withName("own-secrets")
                    .endMetadata()
                    .withStringData(config)
                    .build())
            .create();
        cluster
            .kubectl()
            .withInput(manifest("secretRef: {name: own-secrets}"), "apply", "-n", ns, "-f", "-")
            .orFail();
        await("the managed Secret is removed")
            .atMost(BOUND)
            .until(
                () ->
                    cluster.admin().secrets().inNamespace(ns).withName("tt-secrets").get() == null);
        awaitReady(ns, "tt");
        assertThat(cluster.admin().secrets().inNamespace(ns).withName("own-secrets").get())
            .as("the user's Secret stays")
            .isNotNull();
      }
    }
  }

  /** A stack "tt" with these secrets (one line of YAML under spec.secrets), monitoring off. */
  private static String manifest(String secrets) {
    return String.join(
        "\n",
        "apiVersion: ttstack.dev/v1alpha1",
        "kind: TTStack",
        "metadata: {name: tt}",
        "spec:",
        "  secrets:",
        "    " + secrets,
        "  app: {image: ghcr.io/tt-org/tt-backend, version: \"1.4.2\"}",
        "  monitoring: {enabled: false}",
        "");
  }

  private static TTStack stack(String ns, String name) {
    return cluster.admin().resources(TTStack.class).inNamespace(ns).withName(name).get();
  }

  private static TTStack awaitReady(String ns, String name) {
    return await(name + " Ready")
        .atMost(BOUND)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> stack(ns, name),
            s -> {
              Condition ready =
                  s == null || s.getStatus() == null ? null : s.getStatus().condition("Ready");
              return ready != null
                  && Condition.TRUE.equals(ready.status)
                  && s.getStatus().observedGeneration != null
                  && s.getStatus().observedGeneration.equals(s.getMetadata().getGeneration());
            });
  }

  private static java.util.List<String> redisPods(String ns) {
    return cluster
        .admin()
        .pods()
        .inNamespace(ns)
        .withLabel("app.kubernetes.io/component", "redis")
        .list()
        .getItems()
        .stream()
        .filter(
            p ->
                p.getStatus() != null
                    && p.getStatus().getPodIP() != null
                    && p.getMetadata().getDeletionTimestamp() == null)
        .map(Pod::getStatus)
        .map(s -> s.getPodIP())
        .toList();
  }

  private static boolean accepts(String ip, String password) {
    try (Jedis jedis = new Jedis(ip, 6379, 2000)) {
      return "OK".equals(jedis.auth(password));
    } catch (RuntimeException e) {
      return false; // refused (WRONGPASS) or not reachable; never printed: it may quote the
      // password
    }
  }
}
