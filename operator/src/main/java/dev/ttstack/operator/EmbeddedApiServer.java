package dev.ttstack.operator;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process Kubernetes API for the demo: fabric8's mock server in CRUD mode, with the TTStack
 * CRD created in it (which turns on its status subresource) and an answer to the leader-election
 * permission check, which the mock lacks (FACTS.md). Bound to 127.0.0.1 on a free port.
 *
 * <p>It is no real API server: no schema validation, no defaulting, no garbage collection, no
 * controllers. The demo says so. The tests run it through a dispatcher of their own (a subclass of
 * {@link RulesReviewDispatcher}) that also logs every request.
 */
public final class EmbeddedApiServer implements AutoCloseable {
  /** Where fabric8's crd-generator puts the CRD on the classpath (target/classes, the jar). */
  public static final String CRD_RESOURCE = "/META-INF/fabric8/ttstacks.ttstack.dev-v1.yml";

  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;
  private final List<NamespacedKubernetesClient> operatorClients = new CopyOnWriteArrayList<>();

  private EmbeddedApiServer(RulesReviewDispatcher dispatcher) {
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(loopback(), 0);
    client = server.createClient();
    client.apiextensions().v1().customResourceDefinitions().resource(loadCrd()).create();
  }

  /** Starts a server with the TTStack CRD registered. */
  public static EmbeddedApiServer start() {
    return start(new RulesReviewDispatcher());
  }

  /**
   * Starts a server that answers through this dispatcher, which sees every request from the first
   * (the CRD's creation) on.
   */
  public static EmbeddedApiServer start(RulesReviewDispatcher dispatcher) {
    return new EmbeddedApiServer(dispatcher);
  }

  /** The generated TTStack CRD, as shipped in the jar. */
  public static CustomResourceDefinition loadCrd() {
    try (InputStream in = EmbeddedApiServer.class.getResourceAsStream(CRD_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            CRD_RESOURCE + " is not on the classpath: run the Maven build first");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A client for this server (the demo, tests, the harness); the caller may use it freely, {@link
   * #close()} closes it.
   */
  public NamespacedKubernetesClient client() {
    return client;
  }

  /**
   * A new client for the operator to use: the same server, with the operator's {@code User-Agent}
   * (as {@link Main} gives it in production). {@link #close()} closes it.
   */
  public NamespacedKubernetesClient operatorClient() {
    Config config = TTStackOperator.clientConfig(client.getConfiguration());
    NamespacedKubernetesClient operatorClient = server.createClient(b -> b.withConfig(config));
    operatorClients.add(operatorClient);
    return operatorClient;
  }

  /** How many requests this server has received so far, whoever sent them (the demo shows it). */
  public int requestsServed() {
    return server.getRequestCount();
  }

  @Override
  public void close() {
    operatorClients.forEach(NamespacedKubernetesClient::close);
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // fabric8's mock server sometimes cannot close a watch connection in time ("Unable to close
      // MockWebServer"), mostly on a loaded machine; its port is released with the JVM.
      org.slf4j.LoggerFactory.getLogger(EmbeddedApiServer.class)
          .warn("embedded API server did not stop cleanly: {}", e.getMessage());
    }
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByName("127.0.0.1");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The CRUD dispatcher, plus an answer to every SelfSubjectRulesReview: JOSDK's leader election
   * checks its Lease permissions that way before electing, and the mock would answer 422.
   */
  public static class RulesReviewDispatcher extends KubernetesCrudDispatcher {
    private static final String RULES_REVIEW =
        "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

    private static final List<ResourceRule> EVERY_VERB_ON_LEASES =
        List.of(
            new ResourceRuleBuilder()
                .withApiGroups("coordination.k8s.io")
                .withResources("leases")
                .withVerbs("*")
                .build());

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      if ("POST".equals(request.getMethod()) && path != null && path.startsWith(RULES_REVIEW)) {
        var review =
            new SelfSubjectRulesReviewBuilder()
                .withNewStatus()
                .withIncomplete(false)
                .withResourceRules(rulesReviewAnswer())
                .endStatus()
                .build();
        return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review));
      }
      return super.dispatch(request);
    }

    /**
     * The rules every SelfSubjectRulesReview is answered with: every verb on Leases, enough for
     * leader election. A test overrides it to answer with the chart's rules instead.
     */
    protected List<ResourceRule> rulesReviewAnswer() {
      return EVERY_VERB_ON_LEASES;
    }
  }
}
