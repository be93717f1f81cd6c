package dev.ttstack.operator.testing;

import dev.ttstack.operator.EmbeddedApiServer;
import dev.ttstack.operator.TTStackOperator;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The tests' in-process Kubernetes API: the demo's {@link EmbeddedApiServer}, plus a log of every
 * request, so that tests and benchmarks can count API writes, and rules of the test's choosing as
 * the answer to the leader-election permission check.
 *
 * <p>Each request is recorded with its {@code User-Agent}: the operator's own client (from {@link
 * #operatorClient()}, or built by {@link TTStackOperator#clientConfig}) identifies itself as {@link
 * TTStackOperator#USER_AGENT}, so the requests the operator made can be told apart from those of
 * the tests (which use {@link #client()}). Every distinct request seen by any server in this JVM is
 * also kept in {@link #requestsSeenInThisJvm()}: the RBAC test proves the Helm chart's rules
 * against it.
 */
public final class RecordingApiServer implements AutoCloseable {
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

  private final List<Request> requests = new CopyOnWriteArrayList<>();

  /** Null: the embedded server's own answer (every verb on Leases). */
  private volatile List<ResourceRule> rulesReviewAnswer;

  private final EmbeddedApiServer server;

  private RecordingApiServer() {
    // Started last: the dispatcher records into the fields above from the first request on.
    server = EmbeddedApiServer.start(new RecordingDispatcher());
  }

  /** Starts a server with the TTStack CRD registered. */
  public static RecordingApiServer start() {
    return new RecordingApiServer();
  }

  /** See {@link EmbeddedApiServer#client()}. */
  public NamespacedKubernetesClient client() {
    return server.client();
  }

  /** See {@link EmbeddedApiServer#operatorClient()}. */
  public NamespacedKubernetesClient operatorClient() {
    return server.operatorClient();
  }

  public String url() {
    return server.client().getConfiguration().getMasterUrl();
  }

  /**
   * Every distinct request, normalized by {@link Request#normalized()}, that any recording server
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
   * The rules this server answers every SelfSubjectRulesReview with (JOSDK's leader election checks
   * its Lease permissions that way). By default: every verb on Leases.
   */
  public void answerRulesReviewsWith(List<ResourceRule> rules) {
    this.rulesReviewAnswer = List.copyOf(rules);
  }

  @Override
  public void close() {
    server.close();
  }

  /** The embedded server's dispatcher, plus the request log and the chosen rules. */
  private final class RecordingDispatcher extends EmbeddedApiServer.RulesReviewDispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      String agent = request.getHeader("User-Agent");
      Request recorded =
          new Request(request.getMethod(), path == null ? "" : path, agent == null ? "" : agent);
      requests.add(recorded);
      SEEN_IN_JVM.add(recorded.normalized());
      return super.dispatch(request);
    }

    @Override
    protected List<ResourceRule> rulesReviewAnswer() {
      List<ResourceRule> chosen = rulesReviewAnswer;
      return chosen == null ? super.rulesReviewAnswer() : chosen;
    }
  }
}
