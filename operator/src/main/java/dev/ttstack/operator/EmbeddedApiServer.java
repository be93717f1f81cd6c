package dev.ttstack.operator;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * An in-process Kubernetes API: fabric8's mock server in CRUD mode, with the TTStack CRD created in
 * it (which turns on its status subresource) and the two things the mock lacks for our operator
 * (FACTS.md): an answer to the leader-election permission check, and a log of every request, so
 * that tests and benchmarks can count API writes. Bound to 127.0.0.1 on a free port.
 *
 * <p>Each request is recorded with its {@code User-Agent}: the operator's own client (from {@link
 * #operatorClient()}, or built by {@link TTStackOperator#clientConfig}) identifies itself as {@link
 * TTStackOperator#USER_AGENT}, so the requests the operator made can be told apart from those of
 * the tests (which use {@link #client()}). Every distinct request seen by any server in this JVM is
 * also kept in {@link #requestsSeenInThisJvm()}: the RBAC test proves the Helm chart's rules
 * against it.
 *
 * <p>It is no real API server: no schema validation, no defaulting, no garbage collection, no
 * controllers. The demo says so; the test harness plays the missing controllers itself.
 */
public final class EmbeddedApiServer implements AutoCloseable {
  /** Where fabric8's crd-generator puts the CRD on the classpath (target/classes, the jar). */
  public static final String CRD_RESOURCE = "/META-INF/fabric8/ttstacks.ttstack.dev-v1.yml";

  /**
   * Every distinct request (query reduced by {@link Request#normalized()}) of every server in this
   * JVM.
   */
  private static final Set<Request> SEEN_IN_JVM = ConcurrentHashMap.newKeySet();

  /**
   * One request as the server saw it.
   *
   * @param method HTTP method
   * @param path path and query string
   * @param userAgent the client's {@code User-Agent} header ("" when it sent none)
   */
  public record Request(String method, String path, String userAgent) {
    public Request(String method, String path) {
      this(method, path, "");
    }

    /** Sent by the operator's own client (not by a test or the test harness). */
    public boolean isOperator() {
      return userAgent.startsWith(TTStackOperator.USER_AGENT);
    }

    /**
     * The same request with its query string reduced to what decides the RBAC verb ({@code watch}):
     * resource versions, selectors and timeouts would make every request distinct.
     */
    public Request normalized() {
      int q = path.indexOf('?');
      if (q < 0) {
        return this;
      }
      boolean watch = List.of(path.substring(q + 1).split("&")).contains("watch=true");
      return new Request(method, path.substring(0, q) + (watch ? "?watch=true" : ""), userAgent);
    }

    /**
     * Create, update, patch or delete: what "makes no write" counts. Access reviews are POSTs that
     * store nothing (questions to the authorizer), so they are not writes.
     */
    public boolean isWrite() {
      return !method.equals("GET")
          && !method.equals("HEAD")
          && !path.startsWith("/apis/authorization.k8s.io/");
    }

    /** Leader election renews its Lease all the time; steady-state checks leave those out. */
    public boolean isLease() {
      return path.startsWith("/apis/coordination.k8s.io/");
    }
  }

  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;
  private final List<NamespacedKubernetesClient> operatorClients = new CopyOnWriteArrayList<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile List<ResourceRule> rulesReviewAnswer =
      List.of(
          new ResourceRuleBuilder()
              .withApiGroups("coordination.k8s.io")
              .withResources("leases")
              .withVerbs("*")
              .build());

  private EmbeddedApiServer() {
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new RecordingDispatcher(), false);
    server.init(loopback(), 0);
    client = server.createClient();
    client.apiextensions().v1().customResourceDefinitions().resource(loadCrd()).create();
  }

  /** Starts a server with the TTStack CRD registered. */
  public static EmbeddedApiServer start() {
    return new EmbeddedApiServer();
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
   * A client for this server (tests, the harness); the caller may use it freely, {@link #close()}
   * closes it.
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

  /**
   * Every distinct request, normalized by {@link Request#normalized()}, that any embedded server
   * received in this JVM so far, whoever sent it.
   */
  public static Set<Request> requestsSeenInThisJvm() {
    return Set.copyOf(SEEN_IN_JVM);
  }

  /** Every request received so far, oldest first. */
  public List<Request> requests() {
    return new ArrayList<>(requests);
  }

  /**
   * Requests matching the filter, counted from {@code since} (an index into {@link #requests()}).
   */
  public long count(int since, Predicate<Request> filter) {
    List<Request> all = requests();
    return all.subList(Math.min(since, all.size()), all.size()).stream().filter(filter).count();
  }

  /**
   * The rules this server answers every SelfSubjectRulesReview with (JOSDK's leader election checks
   * its Lease permissions that way). By default: every verb on Leases.
   */
  public void answerRulesReviewsWith(List<ResourceRule> rules) {
    this.rulesReviewAnswer = List.copyOf(rules);
  }

  public String url() {
    return client.getConfiguration().getMasterUrl();
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

  /** The CRUD dispatcher, plus the request log and the leader-election permission answer. */
  private final class RecordingDispatcher extends KubernetesCrudDispatcher {
    private static final String RULES_REVIEW =
        "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      String agent = request.getHeader("User-Agent");
      Request recorded =
          new Request(request.getMethod(), path == null ? "" : path, agent == null ? "" : agent);
      requests.add(recorded);
      SEEN_IN_JVM.add(recorded.normalized());
      if ("POST".equals(request.getMethod()) && path != null && path.startsWith(RULES_REVIEW)) {
        // JOSDK checks it may use Leases before electing; the mock would answer 422.
        return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(leaseRules()));
      }
      return super.dispatch(request);
    }

    private SelfSubjectRulesReview leaseRules() {
      return new SelfSubjectRulesReviewBuilder()
          .withNewStatus()
          .withIncomplete(false)
          .withResourceRules(rulesReviewAnswer)
          .endStatus()
          .build();
    }
  }
}
