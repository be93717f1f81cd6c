package dev.ttstack.operator.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttstack.operator.chart.Helm;
import dev.ttstack.operator.kube.AuditLog;
import dev.ttstack.operator.kube.ChartInstall;
import dev.ttstack.operator.kube.LocalCluster;
import dev.ttstack.operator.rbac.ApiAccess.Rule;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chart's RBAC against the real API server's decisions, over the WHOLE Failsafe run: the API
 * server's audit log (every request, Metadata level, one file per control plane, one control plane
 * per test JVM) holds every request the operator made in every {@code *KubeIT} test of this JVM —
 * in-JVM ({@code OperatorUnderTest}) and as its own process ({@code OperatorProcess}), both with
 * the chart ServiceAccount's token, so its user is {@link ChartInstall#user()}. Both ways, as
 * {@link RbacIT} proves them on the mock era's request log:
 *
 * <ol>
 *   <li>nothing the operator asked was refused by RBAC (403), and no write of it failed otherwise;
 *   <li>the chart grants nothing the suite did not use: every (apiGroup, resource, verb) of the
 *       rendered ClusterRole and Lease Role appears in the audit log, or is in {@link #allowList()}
 *       with its reason.
 * </ol>
 *
 * Runs after every other {@code *KubeIT} ({@link Order}; only {@link RbacIT}, which needs no
 * cluster, comes later); the shared {@link LocalCluster} is stopped only when the JVM's tests end,
 * so the audit log is still there.
 */
@Order(Integer.MAX_VALUE - 1)
class RbacKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request of the operator as the API server's audit log records it. */
  record Call(
      String verb,
      String group,
      String resource,
      String namespace,
      String name,
      int code,
      String message,
      String decision) {
    Rule rule() {
      return new Rule(group, resource, verb);
    }

    boolean isWrite() {
      return AuditLog.WRITES.contains(verb);
    }

    @Override
    public String toString() {
      return verb
          + " "
          + (group.isEmpty() ? "" : group + "/")
          + resource
          + (namespace == null ? "" : " -n " + namespace)
          + (name == null ? "" : " " + name)
          + " -> "
          + code
          + (message == null || message.isBlank() ? "" : ": " + message);
    }
  }

  private static List<Call> calls;

  @BeforeAll
  static void readTheAuditLog() throws IOException {
    calls = operatorCalls(Path.of(cluster.env("AUDIT_LOG")));
    assertThat(calls)
        .as(
            "requests of %s in the audit log: RbacKubeIT proves the whole Failsafe run; run it with the"
                + " other *KubeIT tests (mvn verify)",
            ChartInstall.user())
        .hasSizeGreaterThan(100);
    assertThat(calls)
        .as("the operator wrote a TTStack's status in this run")
        .anySatisfy(
            c ->
                assertThat(c.rule())
                    .isEqualTo(new Rule("ttstack.dev", "ttstacks/status", "patch")));
    Map<String, Long> byCode =
        calls.stream()
            .collect(
                Collectors.groupingBy(
                    c -> String.valueOf(c.code()), TreeMap::new, Collectors.counting()));
    System.out.printf(
        "%n[rbac] %d requests of %s in the audit log; by response code: %s%n",
        calls.size(), ChartInstall.user(), byCode);
  }

  /** Every completed resource request of the operator's ServiceAccount. */
  static List<Call> operatorCalls(Path auditLog) throws IOException {
    List<Call> found = new ArrayList<>();
    for (String line : Files.readAllLines(auditLog, StandardCharsets.UTF_8)) {
      if (line.isBlank() || !line.endsWith("}")) {
        continue; // the last line may still be being written
      }
      JsonNode event = JSON.readTree(line);
      if (!"ResponseComplete".equals(event.path("stage").asText())
          || !ChartInstall.user().equals(event.path("user").path("username").asText())) {
        continue;
      }
      JsonNode ref = event.get("objectRef");
      if (ref == null || !ref.hasNonNull("resource")) {
        continue; // discovery and /version: allowed to every authenticated user (system:discovery)
      }
      String resource =
          ref.get("resource").asText()
              + (ref.hasNonNull("subresource") ? "/" + ref.get("subresource").asText() : "");
      JsonNode status = event.path("responseStatus");
      found.add(
          new Call(
              event.path("verb").asText(),
              ref.path("apiGroup").asText(""),
              resource,
              ref.hasNonNull("namespace") ? ref.get("namespace").asText() : null,
              ref.hasNonNull("name") ? ref.get("name").asText() : null,
              status.path("code").asInt(),
              status.path("message").asText(null),
              event.path("annotations").path("authorization.k8s.io/decision").asText("")));
    }
    return found;
  }

  /**
   * RBAC's own refusal: the authorizer's decision, which the audit log records for every request
   * ({@code authorization.k8s.io/decision: forbid}). Admission refusals are 403s too (a namespace
   * being deleted, a claim that its StorageClass cannot expand, a policy) but were authorized
   * ("allow").
   */
  static boolean forbiddenByRbac(Call call) {
    return call.code() == 403 && "forbid".equals(call.decision());
  }

  /**
   * A refusal a test provoked on purpose, in a namespace it declared ({@link
   * LocalCluster#expectRefusals}).
   */
  static boolean provoked(Call call) {
    return call.namespace() != null
        && LocalCluster.expectedRefusals().containsKey(call.namespace());
  }

  @Test
  void noRequestOfTheOperatorWasRefused() {
    List<Call> refused = calls.stream().filter(RbacKubeIT::forbiddenByRbac).toList();
    List<Call> admission =
        calls.stream().filter(c -> c.code() == 403 && !forbiddenByRbac(c)).toList();
    if (!admission.isEmpty()) {
      System.out.println(
          "[rbac] 403 answers that RBAC allowed (admission refused them; not RBAC):\n  "
              + admission.stream()
                  .map(Call::toString)
                  .distinct()
                  .collect(Collectors.joining("\n  ")));
    }
    assertThat(refused)
        .as(
            "requests of the operator refused by RBAC (verb, group/resource, namespace, name); grant"
                + " each in %s or stop making it:%n  %s",
            RbacIT.RULES_FILE,
            refused.stream().map(Call::toString).distinct().collect(Collectors.joining("\n  ")))
        .isEmpty();
  }

  /**
   * NamespaceLifecycle refusing new objects in a namespace being deleted: a race with the test's
   * cleanup.
   */
  static boolean namespaceTerminating(Call call) {
    return call.code() == 403
        && call.message() != null
        && call.message().contains("because it is being terminated");
  }

  /**
   * Other refusals. Expected, and only counted: 404 on get (a lookup of something that is not there
   * yet), 409 (optimistic concurrency: a stale resourceVersion, or a create racing another; the
   * caller retries). Reported: every other 4xx. A failed WRITE is a defect (the operator sent what
   * the server refuses: an invalid object, an immutable field, a missing precondition) and fails
   * the test; a 404 on a write is a race with a deletion (the object or its namespace went first)
   * and is reported only, as are failed reads (e.g. 410 Gone of an expired watch, which the
   * informer handles by listing again).
   */
  @Test
  void noWriteOfTheOperatorFailed() {
    List<Call> others =
        calls.stream()
            .filter(
                c -> c.code() >= 400 && c.code() < 500 && !forbiddenByRbac(c) && c.code() != 409)
            .filter(c -> !(c.code() == 404 && c.verb().equals("get")))
            .toList();
    List<Call> failedWrites =
        others.stream()
            .filter(c -> c.isWrite() && c.code() != 404)
            .filter(c -> !provoked(c) && !namespaceTerminating(c))
            .toList();
    List<Call> provoked = others.stream().filter(RbacKubeIT::provoked).toList();
    if (!provoked.isEmpty()) {
      System.out.println(
          "[rbac] refusals the tests provoked on purpose: "
              + LocalCluster.expectedRefusals()
              + "\n  "
              + provoked.stream()
                  .map(Call::toString)
                  .distinct()
                  .collect(Collectors.joining("\n  ")));
    }
    if (!others.isEmpty()) {
      System.out.println(
          "[rbac] other 4xx answers to the operator (besides 404 on get and 409):\n  "
              + others.stream().map(Call::toString).distinct().collect(Collectors.joining("\n  ")));
    }
    assertThat(failedWrites)
        .as(
            "writes of the operator refused by the API server:%n  %s",
            failedWrites.stream()
                .map(Call::toString)
                .distinct()
                .collect(Collectors.joining("\n  ")))
        .isEmpty();
  }

  /**
   * Grants the suite cannot exercise on this tier, each with its reason: RbacIT's Lease entry
   * (JOSDK's start-up check of the Lease verbs), and {@code update} of every workflow dependent
   * that JOSDK applies by Server-Side Apply: it sends PUT only with USE_SSA=false (the chart's
   * {@code useServerSideApply: false}), which production does not use and this tier therefore does
   * not run; RbacIT proves those updates on the mock, which runs USE_SSA=false. ConfigMaps and
   * Secrets are not among them: JOSDK never applies them by SSA (its defaultNonSSAResources), so
   * their update is a PUT here too and must show in the log.
   */
  static Map<Rule, String> allowList() {
    Map<Rule, String> allowed = new TreeMap<>();
    // Only RbacIT's Lease entry: its other entries stand for calls that tests on this tier make.
    RbacIT.ALLOW_LIST.forEach(
        (rule, why) -> {
          if (rule.group().equals(RbacIT.LEASES_GROUP)) {
            allowed.put(rule, why);
          }
        });
    Set<String> neverApplied =
        RbacIT.NEVER_APPLIED.stream().map(HasMetadata::getPlural).collect(Collectors.toSet());
    RbacIT.dependentWrites()
        .forEach(
            (rule, why) -> {
              if (rule.verb().equals("update") && !neverApplied.contains(rule.resource())) {
                allowed.put(
                    rule,
                    why
                        + "; with USE_SSA=true (production, this tier) JOSDK applies it by PATCH instead");
              }
            });
    return allowed;
  }

  @Test
  void theChartGrantsNothingTheSuiteDidNotUse() {
    // The chart as ChartInstall installed it: default values (every namespace: a ClusterRole; and
    // the Lease Role in the release namespace).
    List<HasMetadata> objects = Helm.objects(Helm.template("--set", "replicaCount=0"));
    Set<Rule> granted = new TreeSet<>();
    for (ClusterRole role : Helm.ofKind(objects, ClusterRole.class)) {
      granted.addAll(RbacIT.expand("ClusterRole " + role.getMetadata().getName(), role.getRules()));
    }
    for (Role role : Helm.ofKind(objects, Role.class)) {
      granted.addAll(RbacIT.expand("Role " + role.getMetadata().getName(), role.getRules()));
    }
    assertThat(granted).as("the chart's grants").isNotEmpty();

    Map<Rule, String> used = new TreeMap<>();
    for (Call call : calls) {
      if (forbiddenByRbac(call)) {
        continue; // refused: not a use of a grant (and noRequestOfTheOperatorWasRefused names it)
      }
      used.putIfAbsent(call.rule(), call.toString());
      if (call.verb().equals("patch") && call.code() == 201) {
        // A Server-Side Apply that created the object: the API server authorizes it as create too.
        used.putIfAbsent(
            new Rule(call.group(), call.resource(), "create"),
            "Server-Side Apply that created: " + call);
      }
    }
    Map<Rule, String> allowed = allowList();
    List<String> lines = new ArrayList<>();
    List<String> unused = new ArrayList<>();
    for (Rule rule : granted) {
      if (used.containsKey(rule)) {
        lines.add("used       " + rule + "    e.g. " + used.get(rule));
      } else if (allowed.containsKey(rule)) {
        lines.add("allow-list " + rule + "    " + allowed.get(rule));
      } else {
        unused.add(rule.toString());
      }
    }
    System.out.println(
        "[rbac] the chart's grants against the audit log of this run:\n  "
            + String.join("\n  ", lines));
    assertThat(unused)
        .as(
            "grants of the chart (%s) that the operator never used in the whole Failsafe run: make a"
                + " *KubeIT test exercise each, remove it, or justify it in RbacKubeIT.allowList():%n  %s",
            RbacIT.RULES_FILE, String.join("\n  ", unused))
        .isEmpty();
  }
}
