package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.demo.FakeDoppler;
import dev.ttstack.operator.kit.StackLabels;
import dev.ttstack.operator.reconciler.TTStackReconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Server-Side Apply on the real API server: a stack in steady state sends no write at all, counted
 * by the API server's own audit log — a no-op apply changes no object, but it is still a request,
 * on every reconcile, of every dependent whose desired object differs from what the server stores
 * (JOSDK's SSA matcher compares the desired object with the server's normalised, defaulted one).
 *
 * <p>Reconciles are forced in the window (foreign annotations on managed objects, each an informer
 * event) and counted from JOSDK's own metric, so that "zero writes" is measured over reconciles
 * that really happened.
 */
class ServerSideApplyKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();

  private static final String TOKEN = "dp.st.prd.ssa-test-token";

  /** The operator's SSA field manager: JOSDK's default, the controller's name. */
  private static final String OPERATOR_MANAGER = TTStackReconciler.NAME;

  /**
   * The operator's manager for what it writes with update (ConfigMaps and Secrets, outside SSA in
   * JOSDK): the API server names an update's manager after the client's User-Agent.
   */
  private static final String OPERATOR_UPDATE_MANAGER =
      dev.ttstack.operator.TTStackOperator.USER_AGENT;

  /**
   * The controllers (StatefulSet, Deployment, disruption budget, PV binding): named after the
   * User-Agent of the control plane's binary — here {@code local-node}, on k3s {@code k3s}.
   */
  private static final String CONTROL_PLANE = "local-node";

  private static final String EXAMPLE = "tt";
  private static final String ODD = "odd";

  private static String exampleNs;
  private static String oddNs;
  private static String exampleManifest;
  private static String oddManifest;
  private static FakeDoppler doppler;
  private static OperatorUnderTest op;

  /** The measuring window of each namespace: the first steady one of up to three. */
  private static Map<String, Window> windows;

  /**
   * Both stacks at once, under one operator, measured in the same window: each window is at least
   * 60 s, and taking them one after the other made this the longest class of the shared cluster.
   */
  @BeforeAll
  static void bothStacksInSteadyState() throws Exception {
    exampleNs = cluster.createNamespace("ssa-example");
    oddNs = cluster.createNamespace("ssa-spellings");
    doppler = new FakeDoppler();
    doppler.setConfig("tt-backend", "prd", credentials());
    doppler.addToken(TOKEN, "tt-backend", "prd");
    cluster
        .admin()
        .secrets()
        .inNamespace(exampleNs)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("doppler-token")
                .endMetadata()
                .withStringData(Map.of("serviceToken", TOKEN))
                .build())
        .create();
    exampleManifest =
        Files.readString(Path.of("..", "examples", "ttstack.yaml"))
            .replace("namespace: tt\n", "namespace: " + exampleNs + "\n")
            .replace("      # host: https://api.doppler.com", "      host: " + doppler.url());
    assertThat(exampleManifest).contains("host: " + doppler.url());

    cluster
        .admin()
        .secrets()
        .inNamespace(oddNs)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("tt-credentials")
                .endMetadata()
                .withStringData(credentials())
                .build())
        .create();
    oddManifest = oddSpellings(oddNs);

    apply(exampleNs, exampleManifest);
    apply(oddNs, oddManifest);
    op = OperatorUnderTest.start(cluster, exampleNs, oddNs);
    awaitReadyAndSettled(exampleNs, EXAMPLE);
    awaitReadyAndSettled(oddNs, ODD);

    // Steady state means nothing changes in the world either. A window in which a pod's status
    // changed or Redis reported a change of its own (e.g. a node marked failing by its peers on a
    // machine at load 20) rightly makes the operator report it in status and Events; such a window
    // measures nothing and is taken again, for that namespace. Any other write fails the test.
    windows = new TreeMap<>();
    List<String> unsteady = List.of(exampleNs, oddNs);
    for (int attempt = 1; attempt <= 3 && !unsteady.isEmpty(); attempt++) {
      Map<String, Window> taken = window(unsteady);
      windows.putAll(taken);
      int n = attempt;
      unsteady =
          taken.entrySet().stream()
              .filter(e -> !e.getValue().worldChanges().isEmpty())
              .peek(
                  e ->
                      System.out.printf(
                          "%s: window %d not steady, the world changed: %s; operator writes %s;"
                              + " taking another%n",
                          e.getKey(), n, e.getValue().worldChanges(), e.getValue().writes()))
              .map(Map.Entry::getKey)
              .toList();
    }
  }

  @AfterAll
  static void stop() {
    try {
      if (op != null) {
        op.close();
      }
    } finally {
      if (doppler != null) {
        doppler.close();
      }
    }
  }

  @Test
  void theExampleStackWritesNothingInSteadyState() {
    steadyStateWritesNothing(exampleNs, EXAMPLE, exampleManifest);
  }

  /**
   * Quantities in other legal spellings than the server's canonical ones: the API server stores
   * {@code 1.5Gi} as {@code 1536Mi}, {@code 0.5} CPU as {@code 500m}, {@code 1000m} as {@code 1},
   * ...
   */
  @Test
  void otherSpellingsOfTheSameQuantitiesWriteNothingInSteadyState() {
    steadyStateWritesNothing(oddNs, ODD, oddManifest);
  }

  private static String oddSpellings(String ns) {
    return """
        apiVersion: ttstack.dev/v1alpha1
        kind: TTStack
        metadata:
          name: odd
          namespace: %s
        spec:
          secrets:
            secretRef:
              name: tt-credentials
          app:
            image: ghcr.io/tt-org/tt-backend
            version: "1.4.2"
            resources:
              requests: {cpu: "0.5", memory: 0.5Gi}
              limits: {cpu: 1000m, memory: 2048Mi}
          postgres:
            storage: {size: 1.5Gi}
            resources:
              requests: {cpu: "0.25", memory: 1.5Gi}
              limits: {cpu: "2.0", memory: 2000M}
            backup:
              storage: {size: 1536Mi}
          redis:
            storage: {size: 2048Mi}
            resources:
              requests: {cpu: 100m, memory: 0.25Gi}
          monitoring:
            prometheus:
              storage: {size: 1.5Gi}
        """
        .formatted(ns);
  }

  private static void apply(String ns, String manifest) {
    cluster.kubectl().withInput(manifest, "apply", "--server-side", "-n", ns, "-f", "-").orFail();
  }

  private static void awaitReadyAndSettled(String ns, String name) {
    await("TTStack " + name + " Ready")
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              TTStack s = stack(ns, name);
              assertThat(s.getStatus()).as("status").isNotNull();
              assertThat(s.getStatus().condition("Ready"))
                  .as(String.valueOf(s.getStatus().conditions))
                  .isNotNull();
              assertThat(s.getStatus().condition("Ready").status)
                  .as(String.valueOf(s.getStatus().conditions))
                  .isEqualTo("True");
            });
    // Ready is reached while the controllers still report the last rollouts; let them finish
    // (their status changes are informer events, i.e. reconciles, but not the operator's writes).
    await("workloads settled")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> workloadsSettled(ns));
  }

  private void steadyStateWritesNothing(String ns, String name, String manifest) {
    Window window = windows.get(ns);
    assertThat(window.worldChanges())
        .as("changes of the world in the last of 3 windows (it never settled)")
        .isEmpty();
    assertThat(window.reconciles()).as("reconciles in the window").isGreaterThanOrEqualTo(10);
    assertThat(window.failures()).as("failed reconciles in the window").isZero();
    assertThat(window.writes())
        .as("writes of the operator in steady state, over %.0f reconciles", window.reconciles())
        .isEmpty();

    // The same manifest applied again, server-side, as a GitOps tool would: nothing changes, and no
    // field of it is owned by the operator (no conflict, without --force-conflicts).
    String before = stack(ns, name).getMetadata().getResourceVersion();
    String out =
        cluster
            .kubectl()
            .withInput(manifest, "apply", "--server-side", "-n", ns, "-f", "-")
            .orFail()
            .stdout();
    assertThat(out).as("kubectl's answer").contains("serverside-applied");
    assertThat(stack(ns, name).getMetadata().getResourceVersion())
        .as("the TTStack's resourceVersion")
        .isEqualTo(before);

    fieldManagersAreTheExpectedOnes(ns, name);
  }

  /**
   * Who owns what, as the API server records it: the operator applies (SSA, manager {@code
   * ttstack}) every object it manages, except ConfigMaps and Secrets which JOSDK writes with update
   * (its {@code defaultNonSSAResources}; manager {@code ttstack-operator}, its User-Agent); the
   * controllers write only status, and the claims of StatefulSets; the TTStack's spec is the user's
   * (kubectl) and its status the operator's; the test's annotations belong to kubectl-annotate.
   * Nothing else.
   */
  private void fieldManagersAreTheExpectedOnes(String ns, String name) {
    Map<String, Set<String>> managers = new TreeMap<>();
    for (HasMetadata o : managed(ns)) {
      Set<String> set = new TreeSet<>();
      for (ManagedFieldsEntry m : o.getMetadata().getManagedFields()) {
        set.add(
            m.getManager()
                + "/"
                + m.getOperation()
                + (m.getSubresource() == null ? "" : "/" + m.getSubresource()));
      }
      managers.put(kindOf(o) + "/" + o.getMetadata().getName(), set);
    }
    TTStack stack = stack(ns, name);
    Set<String> stackManagers = new TreeSet<>();
    stack
        .getMetadata()
        .getManagedFields()
        .forEach(
            m ->
                stackManagers.add(
                    m.getManager()
                        + "/"
                        + m.getOperation()
                        + (m.getSubresource() == null ? "" : "/" + m.getSubresource())));
    managers.put("ttstack/" + name, stackManagers);
    System.out.println(
        "field managers in "
            + ns
            + ":\n  "
            + managers.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("\n  ")));

    List<String> unexpected = new ArrayList<>();
    managers.forEach(
        (object, actual) -> {
          String kind = object.substring(0, object.indexOf('/'));
          String objectName = object.substring(object.indexOf('/') + 1);
          Set<String> required = new TreeSet<>();
          Set<String> optional =
              new TreeSet<>(Set.of("kubectl-annotate/Update")); // this test's annotations
          switch (kind) {
            case "ttstack" ->
                required.addAll(Set.of("kubectl/Apply", OPERATOR_MANAGER + "/Apply/status"));
            case "configmap", "secret" -> required.add(OPERATOR_UPDATE_MANAGER + "/Update");
            case "statefulset", "deployment", "poddisruptionbudget" ->
                required.addAll(
                    Set.of(OPERATOR_MANAGER + "/Apply", CONTROL_PLANE + "/Update/status"));
            case "persistentvolumeclaim" -> {
              if (objectName.startsWith("data-")) { // a StatefulSet's claim: the controller's alone
                required.addAll(
                    Set.of(CONTROL_PLANE + "/Update", CONTROL_PLANE + "/Update/status"));
              } else { // the operator's; bound (annotations, status) once a pod uses it
                required.add(OPERATOR_MANAGER + "/Apply");
                optional.addAll(
                    Set.of(CONTROL_PLANE + "/Update", CONTROL_PLANE + "/Update/status"));
              }
            }
            case "cronjob" -> {
              required.add(OPERATOR_MANAGER + "/Apply");
              optional.add(CONTROL_PLANE + "/Update/status");
            }
            default -> required.add(OPERATOR_MANAGER + "/Apply");
          }
          for (String m : required) {
            if (!actual.contains(m)) {
              unexpected.add(object + ": missing " + m);
            }
          }
          for (String m : actual) {
            if (!required.contains(m) && !optional.contains(m)) {
              unexpected.add(object + ": unexpected " + m);
            }
          }
        });
    assertThat(unexpected).as("unexpected field managers").isEmpty();
  }

  /**
   * The SSA matcher's DEBUG diffs while open (secrets are never logged by it: JOSDK skips them).
   */
  /**
   * What one measuring window saw: the operator's writes, and the pod status changes of anyone
   * else.
   */
  private record Window(
      Map<String, Long> writes, double reconciles, double failures, List<String> worldChanges) {}

  /**
   * Condition reasons that report what Redis itself says (ClusterReasons), not anything the
   * operator did.
   */
  private static final java.util.Set<String> WORLD_REASONS =
      java.util.Set.of(
          dev.ttstack.operator.redis.cluster.ClusterReasons.CONVERGING,
          dev.ttstack.operator.redis.cluster.ClusterReasons.SHARD_DOWN,
          dev.ttstack.operator.redis.cluster.ClusterReasons.WAITING_FOR_PODS);

  /**
   * One measuring window over the given namespaces at once: at least 60 s, and at least 10
   * reconciles of each namespace's stack.
   */
  private static Map<String, Window> window(List<String> namespaces) throws Exception {
    long mark = cluster.auditLog().mark();
    MatcherDiffs diffs = new MatcherDiffs();
    Map<String, Double> reconcilesBefore = new TreeMap<>();
    Map<String, Double> failuresBefore = new TreeMap<>();
    List<HasMetadata> touched = new ArrayList<>();
    for (String ns : namespaces) {
      reconcilesBefore.put(ns, reconciles(op, ns));
      failuresBefore.put(ns, failures(op, ns));
      touched.addAll(managed(ns));
    }
    Instant start = Instant.now();
    int[] touches = {0};
    // A window of several reconciles: each foreign annotation on a managed object is an event
    // that JOSDK turns into a reconcile of the stack; the periodic rechecks (Redis, Doppler) add
    // more. One object of each namespace per poll.
    await("a window of reconciles")
        .atMost(Duration.ofSeconds(240))
        .pollInterval(Duration.ofSeconds(5))
        .until(
            () -> {
              for (String ns : namespaces) {
                List<HasMetadata> own =
                    touched.stream()
                        .filter(o -> ns.equals(o.getMetadata().getNamespace()))
                        .toList();
                HasMetadata target = own.get(touches[0] % own.size());
                cluster
                    .kubectl()
                    .run(
                        "annotate",
                        "-n",
                        ns,
                        "--overwrite",
                        kindOf(target) + "/" + target.getMetadata().getName(),
                        "test.ttstack.dev/touched=" + touches[0])
                    .orFail();
              }
              touches[0]++;
              return Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(60)) >= 0
                  && namespaces.stream()
                      .allMatch(ns -> reconciles(op, ns) - reconcilesBefore.get(ns) >= 10);
            });
    double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
    List<AuditLog.Entry> since = cluster.auditLog().since(mark);
    Map<String, Window> windows = new TreeMap<>();
    for (String ns : namespaces) {
      double reconciled = reconciles(op, ns) - reconcilesBefore.get(ns);
      List<AuditLog.Entry> operatorRequests =
          since.stream()
              .filter(e -> e.user().equals(ChartInstall.user()) && ns.equals(e.namespace()))
              .toList();
      List<AuditLog.Entry> writes =
          operatorRequests.stream().filter(AuditLog.Entry::isWrite).toList();
      Map<String, Long> byKind =
          writes.stream()
              .collect(
                  Collectors.groupingBy(
                      e -> e.verb() + " " + e.rbacResource() + " " + e.name() + " -> " + e.code(),
                      TreeMap::new,
                      Collectors.counting()));
      System.out.printf(
          "%s: %.0f s, %.0f reconciles, %d operator requests, %d writes (%.1f per minute)%n  %s%n",
          ns,
          seconds,
          reconciled,
          operatorRequests.size(),
          writes.size(),
          writes.size() * 60 / seconds,
          byKind.entrySet().stream()
              .map(e -> e.getValue() + " x " + e.getKey())
              .collect(Collectors.joining("\n  ")));
      // What the operator said in the window (its Events on the TTStack), so that a failure names
      // its cause.
      List<io.fabric8.kubernetes.api.model.Event> said =
          cluster.admin().v1().events().inNamespace(ns).list().getItems().stream()
              .filter(
                  e ->
                      "TTStack".equals(e.getInvolvedObject().getKind())
                          && e.getLastTimestamp() != null
                          && !Instant.parse(e.getLastTimestamp()).isBefore(start.minusSeconds(1)))
              .toList();
      said.forEach(
          e ->
              System.out.printf(
                  "  event %s %s %s: %s%n",
                  e.getLastTimestamp(), e.getType(), e.getReason(), e.getMessage()));
      // The (simulated) kubelet writes a pod's status only when it changes; Redis reports its own
      // state (gossip, failover), which the operator reports as these reasons: either is a change
      // of the world.
      List<String> worldChanges =
          Stream.concat(
                  since.stream()
                      .filter(
                          e ->
                              ns.equals(e.namespace())
                                  && e.isWrite()
                                  && "pods/status".equals(e.rbacResource())
                                  && e.code() < 300)
                      .map(e -> e.name() + "@" + e.timestamp()),
                  said.stream()
                      .filter(e -> WORLD_REASONS.contains(e.getReason()))
                      .map(e -> "reported " + e.getReason() + ": " + e.getMessage()))
              .toList();
      windows.put(
          ns,
          new Window(byKind, reconciled, failures(op, ns) - failuresBefore.get(ns), worldChanges));
    }
    diffs.close();
    // JOSDK's matcher logs (at DEBUG) what differed each time it decided to apply: the first of
    // each object says why, which is what the next engineer needs when this test fails.
    diffs.firstPerObject().forEach(d -> System.out.println("SSA matcher: " + d));
    return windows;
  }

  private static final class MatcherDiffs implements AutoCloseable {
    private final ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(
                io.javaoperatorsdk.operator.processing.dependent.kubernetes
                    .SSABasedGenericKubernetesResourceMatcher.class);
    private final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>
        appender = new ch.qos.logback.core.read.ListAppender<>();
    private final ch.qos.logback.classic.Level level = logger.getLevel();

    MatcherDiffs() {
      appender.start();
      logger.addAppender(appender);
      logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
    }

    List<String> firstPerObject() {
      Map<String, String> first = new TreeMap<>();
      for (var e : List.copyOf(appender.list)) {
        String m = e.getFormattedMessage();
        if (m.startsWith("Diff between")) {
          first.putIfAbsent(m.substring(0, m.indexOf(" is:")), m);
        }
      }
      return List.copyOf(first.values());
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
      logger.setLevel(level);
    }
  }

  private static Map<String, String> credentials() {
    return Map.of(
        "POSTGRES_USER",
        "tt",
        "POSTGRES_PASSWORD",
        "pw-postgres-ssa",
        "POSTGRES_DB",
        "tt",
        "REDIS_PASSWORD",
        "pw-redis-ssa",
        "GRAFANA_PASSWORD",
        "pw-grafana-ssa",
        "SLACK_WEBHOOK_URL",
        "http://127.0.0.1:1/slack-ssa");
  }

  private static TTStack stack(String ns, String name) {
    return cluster.admin().resources(TTStack.class).inNamespace(ns).withName(name).get();
  }

  /**
   * Every object of the stack that carries its labels (the operator's, and the claims of its
   * templates).
   */
  private static List<HasMetadata> managed(String ns) {
    KubernetesClient k = cluster.admin();
    String label = StackLabels.MANAGED_BY;
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(k.apps().statefulSets().inNamespace(ns).withLabel(label).list().getItems());
    all.addAll(k.apps().deployments().inNamespace(ns).withLabel(label).list().getItems());
    all.addAll(k.services().inNamespace(ns).withLabel(label).list().getItems());
    all.addAll(k.configMaps().inNamespace(ns).withLabel(label).list().getItems());
    all.addAll(k.secrets().inNamespace(ns).withLabel(label).list().getItems());
    all.addAll(k.persistentVolumeClaims().inNamespace(ns).withLabel(label).list().getItems());
    all.addAll(
        k.network().v1().networkPolicies().inNamespace(ns).withLabel(label).list().getItems());
    all.addAll(k.network().v1().ingresses().inNamespace(ns).withLabel(label).list().getItems());
    all.addAll(k.batch().v1().cronjobs().inNamespace(ns).withLabel(label).list().getItems());
    all.addAll(
        k.policy().v1().podDisruptionBudget().inNamespace(ns).withLabel(label).list().getItems());
    all.addAll(k.serviceAccounts().inNamespace(ns).withLabel(label).list().getItems());
    all.addAll(k.rbac().roles().inNamespace(ns).withLabel(label).list().getItems());
    all.addAll(k.rbac().roleBindings().inNamespace(ns).withLabel(label).list().getItems());
    return all;
  }

  private static String kindOf(HasMetadata o) {
    return o.getKind().toLowerCase(java.util.Locale.ROOT);
  }

  private static boolean workloadsSettled(String ns) {
    KubernetesClient k = cluster.admin();
    boolean sets =
        k.apps().statefulSets().inNamespace(ns).list().getItems().stream()
            .allMatch(
                s ->
                    s.getStatus() != null
                        && s.getMetadata()
                            .getGeneration()
                            .equals(s.getStatus().getObservedGeneration())
                        && java.util.Objects.equals(
                            s.getSpec().getReplicas(), s.getStatus().getReadyReplicas())
                        && java.util.Objects.equals(
                            s.getStatus().getCurrentRevision(), s.getStatus().getUpdateRevision()));
    boolean deployments =
        k.apps().deployments().inNamespace(ns).list().getItems().stream()
            .allMatch(
                d ->
                    d.getStatus() != null
                        && d.getMetadata()
                            .getGeneration()
                            .equals(d.getStatus().getObservedGeneration())
                        && java.util.Objects.equals(
                            d.getSpec().getReplicas(), d.getStatus().getReadyReplicas())
                        && java.util.Objects.equals(
                            d.getSpec().getReplicas(), d.getStatus().getUpdatedReplicas())
                        && java.util.Objects.equals(
                            d.getSpec().getReplicas(), d.getStatus().getReplicas()));
    return sets && deployments;
  }

  private static double reconciles(OperatorUnderTest op, String ns) {
    return op
        .operator()
        .registry()
        .find("reconciliations.started.total")
        .tag("namespace", ns)
        .counters()
        .stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  private static double failures(OperatorUnderTest op, String ns) {
    return op
        .operator()
        .registry()
        .find("reconciliations.failure.total")
        .tag("namespace", ns)
        .counters()
        .stream()
        .mapToDouble(Counter::count)
        .sum();
  }
}
