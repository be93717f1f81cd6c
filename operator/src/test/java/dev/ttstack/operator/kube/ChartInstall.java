package dev.ttstack.operator.kube;

import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.TTStackOperator;
import dev.ttstack.operator.chart.Helm;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The operator's Helm chart installed by the real {@code helm install} into {@code ttstack-system}
 * (its CRD included), as a user installs it, with {@code replicaCount=0}: the operator under test
 * runs outside the cluster (in the test JVM or as the packaged jar), with the credentials of the
 * chart's ServiceAccount — a TokenRequest token, as a pod would mount — so that every request it
 * makes is authorized by the API server against the chart's RBAC, not by an admin certificate.
 */
public final class ChartInstall {
  public static final String NAMESPACE = Helm.NAMESPACE;
  public static final String RELEASE = Helm.RELEASE;

  /** The chart's ServiceAccount (the release's full name). */
  public static final String SERVICE_ACCOUNT = "tt-operator";

  public static final String CRD = "ttstacks.ttstack.dev";

  private final String token;
  private final Path kubeconfig;
  private final String server;
  private final String caFile;

  private ChartInstall(String token, Path kubeconfig, String server, String caFile) {
    this.token = token;
    this.kubeconfig = kubeconfig;
    this.server = server;
    this.caFile = caFile;
  }

  static ChartInstall install(
      LocalCluster cluster, KubernetesClient admin, Map<String, String> env) {
    Helm.run(
            "install",
            RELEASE,
            Helm.CHART.toString(),
            "--namespace",
            NAMESPACE,
            "--create-namespace",
            "--kubeconfig",
            env.get("KUBECONFIG"),
            "--set",
            "replicaCount=0",
            "--wait",
            "--timeout",
            "2m")
        .orFail("helm install " + RELEASE);
    await("CRD " + CRD + " Established")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              CustomResourceDefinition crd =
                  admin.apiextensions().v1().customResourceDefinitions().withName(CRD).get();
              return crd != null
                  && crd.getStatus() != null
                  && crd.getStatus().getConditions().stream()
                      .anyMatch(
                          c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
            });
    TokenRequest request =
        new TokenRequestBuilder()
            .withNewSpec()
            .withExpirationSeconds(6L * 3600)
            .withAudiences("https://kubernetes.default.svc.cluster.local")
            .endSpec()
            .build();
    String token =
        admin
            .serviceAccounts()
            .inNamespace(NAMESPACE)
            .withName(SERVICE_ACCOUNT)
            .tokenRequest(request)
            .getStatus()
            .getToken();
    Path kubeconfig = LocalCluster.STATE.resolve("operator.kubeconfig");
    String server = env.get("APISERVER_URL");
    String ca = env.get("CA_CERT");
    try {
      Files.writeString(
          kubeconfig,
          """
          apiVersion: v1
          kind: Config
          clusters:
          - name: local-node
            cluster: {server: %s, certificate-authority: %s}
          users:
          - name: %s
            user: {token: %s}
          contexts:
          - name: operator
            context: {cluster: local-node, user: %s, namespace: %s}
          current-context: operator
          """
              .formatted(server, ca, SERVICE_ACCOUNT, token, SERVICE_ACCOUNT, NAMESPACE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ChartInstall(token, kubeconfig, server, ca);
  }

  /**
   * The user name the API server gives the operator's requests (the audit log's {@code
   * user.username}).
   */
  public static String user() {
    return "system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT;
  }

  /** A kubeconfig holding the ServiceAccount's token, for the operator as its own process. */
  public Path operatorKubeconfig() {
    return kubeconfig;
  }

  /**
   * The operator's client configuration: the ServiceAccount's token and the operator's User-Agent.
   */
  public Config operatorConfig() {
    return TTStackOperator.clientConfig(
        new ConfigBuilder(Config.empty())
            .withMasterUrl(server)
            .withCaCertFile(caFile)
            .withOauthToken(token)
            .withNamespace(NAMESPACE)
            .withRequestRetryBackoffLimit(3)
            .build());
  }
}
