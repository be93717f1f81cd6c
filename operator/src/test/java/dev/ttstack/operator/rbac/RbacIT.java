package dev.ttstack.operator.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.chart.Helm;
import dev.ttstack.operator.kit.StackWorkflow;
import dev.ttstack.operator.rbac.ApiAccess.Rule;
import dev.ttstack.operator.reconciler.StackComposition;
import dev.ttstack.operator.reconciler.TTStackReconciler;
import dev.ttstack.operator.testing.RecordingApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart's RBAC is exactly what the operator uses: nothing missing, nothing extra, no "*".
 *
 * <p>"Used" is proven, not listed by hand: every API request the operator's own client (User-Agent
 * {@code ttstack-operator}) sent to the embedded API servers during the whole test suite — the unit
 * tests' requests come from the file Surefire's JVM wrote ({@link ApiRequestLogWriter}), the
 * integration tests' from this JVM (this class runs last, {@link Order}) — mapped to (API group,
 * resource, verb) as the API server's authorizer sees them ({@link ApiAccess}). Requests of the
 * tests themselves (they use another User-Agent) do not count. Added to that, and justified one by
 * one:
 *
 * <ul>
 *   <li>{@link #DEPENDENT_WRITES}: the writes JOSDK makes to the workflow's dependents, read from
 *       the components' {@code StackWorkflow}, which {@link TTStackReconciler} runs (create,
 *       update, and the patch of Server-Side Apply, which the test API server cannot serve);
 *   <li>{@link #ALLOW_LIST}: what a real cluster needs but the tests cannot show.
 * </ul>
 *
 * The chart is rendered with real {@code helm template} (default values: a ClusterRole; and {@code
 * watchNamespaces}: a Role per namespace, nothing cluster-wide). On a mismatch the failure names
 * each rule to add or remove and why.
 */
@Order(Integer.MAX_VALUE)
class RbacIT {
  /** Where the unit tests' JVMs (two forks) wrote their requests: {@code surefire-N.tsv} each. */
  static final String SUREFIRE_DIR_PROPERTY = "ttstack.apiRequests.surefireDir";

  static final String RULES_FILE = "helm/tt-operator/templates/_rules.tpl";
  static final String LEASES_GROUP = "coordination.k8s.io";

  /**
   * Needed in a real cluster, but no test can show the operator calling it. Each entry says why.
   * Keep it short: anything a test can exercise belongs in a test (see {@link
   * ProductionCallsTest}).
   */
  static final Map<Rule, String> ALLOW_LIST =
      Map.of(
          new Rule(LEASES_GROUP, "leases", "update"),
          "JOSDK's leader election refuses to start unless a SelfSubjectRulesReview shows create, update and get "
              + "on Leases, although fabric8 renews the Lease with PATCH; the test API server answers that review "
              + "itself. Proven by LeaderElectionRulesTest.withoutUpdateOnLeasesTheOperatorRefusesToStart.");

  /**
   * Calls that Kubernetes' default RBAC allows every authenticated user (ClusterRoles
   * system:basic-user and system:discovery): the chart must not grant them again.
   */
  static final Set<Rule> GRANTED_BY_KUBERNETES =
      Set.of(
          new Rule("authorization.k8s.io", "selfsubjectrulesreviews", "create"),
          new Rule("authorization.k8s.io", "selfsubjectaccessreviews", "create"),
          new Rule("authentication.k8s.io", "selfsubjectreviews", "create"));

  /**
   * The writes JOSDK makes to a dependent of the workflow, whichever of them a test run reaches.
   */
  static final String DEPENDENT_WRITES = "workflow dependent";

  private static List<RecordingApiServer.Request> operatorRequests;
  private static Map<Rule, String> needed;

  @BeforeAll
  static void collect() throws IOException {
    String dir = System.getProperty(SUREFIRE_DIR_PROPERTY);
    assertThat(dir)
        .as("system property %s (set by the operator's pom)", SUREFIRE_DIR_PROPERTY)
        .isNotBlank();
    List<Path> surefire;
    try (var files = Files.list(Path.of(dir))) {
      surefire =
          files
              .filter(f -> f.getFileName().toString().matches("surefire-[0-9]+\\.tsv"))
              .sorted()
              .toList();
    }
    assertThat(surefire)
        .as(
            "the API requests of the unit tests (%s/surefire-N.tsv): run the whole suite with ./mvnw verify",
            dir)
        .isNotEmpty();
    List<RecordingApiServer.Request> all = new ArrayList<>();
    for (Path file : surefire) {
      all.addAll(ApiRequestLogWriter.read(file));
    }
    all.addAll(RecordingApiServer.requestsSeenInThisJvm());
    operatorRequests =
        all.stream().filter(RecordingApiServer.Request::isOperator).distinct().toList();
    assertThat(operatorRequests)
        .as("requests the operator made in the test suite")
        .hasSizeGreaterThan(20);
    assertThat(all.stream().filter(r -> !r.isOperator()))
        .as("requests of the tests themselves (ignored)")
        .isNotEmpty();
    needed = needed();
    writeEvidence();
  }

  /**
   * Every rule the operator needs, with its evidence: requests it made, or the reason it is needed.
   */
  static Map<Rule, String> needed() {
    Map<Rule, List<String>> used = new TreeMap<>();
    for (RecordingApiServer.Request request : operatorRequests) {
      ApiAccess access = ApiAccess.of(request);
      if (!access.isResource()) {
        assertThat(isDiscovery(access.nonResourceUrl()))
            .as(
                "the operator called the non-resource URL %s %s: grant it (nonResourceURLs) or stop calling it",
                request.method(), access.nonResourceUrl())
            .isTrue();
        continue;
      }
      if (GRANTED_BY_KUBERNETES.contains(access.rule())) {
        continue;
      }
      List<String> examples = used.computeIfAbsent(access.rule(), r -> new ArrayList<>());
      if (examples.size() < 2) {
        examples.add(request.method() + " " + request.path());
      }
    }
    Map<Rule, String> needed = new TreeMap<>();
    used.forEach((rule, examples) -> needed.put(rule, "used: " + String.join(", ", examples)));
    dependentWrites().forEach((rule, why) -> needed.putIfAbsent(rule, why));
    ALLOW_LIST.forEach((rule, why) -> needed.putIfAbsent(rule, "allow-list: " + why));
    return needed;
  }

  static boolean isDiscovery(String path) {
    return path.equals("/api")
        || path.equals("/apis")
        || path.equals("/version")
        || path.matches("/apis/[^/]+(/[^/]+)?")
        || path.matches("/api/v1")
        || path.startsWith("/openapi/");
  }

  /**
   * For each Kubernetes dependent of the TTStack workflow, the writes JOSDK makes to it: as a
   * {@link Creator} create, as an {@link Updater} update (USE_SSA=false: POST/PUT) and, either way,
   * patch: with USE_SSA=true (the default) JOSDK applies dependents by Server-Side Apply, a PATCH
   * (authorized as create too when the object is new), which the test API server cannot serve —
   * except the kinds it never applies ({@link #NEVER_APPLIED}).
   */
  /**
   * Kinds JOSDK never applies by Server-Side Apply, even with USE_SSA=true (its {@code
   * defaultNonSSAResources}: ConfigMaps and Secrets): their dependents are created and updated with
   * POST and PUT in both modes, so they need no patch (RbacKubeIT saw none on the real server).
   */
  static final Set<Class<? extends HasMetadata>> NEVER_APPLIED =
      new io.javaoperatorsdk.operator.api.config.BaseConfigurationService()
          .defaultNonSSAResources();

  static Map<Rule, String> dependentWrites() {
    Map<Rule, String> rules = new TreeMap<>();
    var workflow =
        StackWorkflow.of(
            StackComposition.defaultComponents(
                java.time.Clock.systemUTC(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
    assertThat(workflow.nodes()).as("the components' workflow").isNotEmpty();
    for (StackWorkflow.Node dependent : workflow.nodes()) {
      DependentResource<?, ?> instance = instantiate(dependent.type());
      if (!(instance instanceof KubernetesDependentResource<?, ?>)) {
        continue; // an external dependent (Redis, Doppler): no Kubernetes call of its own
      }
      @SuppressWarnings("unchecked")
      Class<? extends HasMetadata> type = (Class<? extends HasMetadata>) instance.resourceType();
      String group = Objects.requireNonNullElse(HasMetadata.getGroup(type), "");
      String resource = HasMetadata.getPlural(type);
      String why = DEPENDENT_WRITES + " " + dependent.type().getSimpleName();
      List<String> verbs = new ArrayList<>();
      if (instance instanceof Creator<?, ?>) {
        verbs.add("create");
      }
      if (instance instanceof Updater<?, ?>) {
        verbs.add("update");
      }
      if (!verbs.isEmpty() && !NEVER_APPLIED.contains(type)) {
        verbs.add("patch");
      }
      for (String verb : verbs) {
        rules.putIfAbsent(
            new Rule(group, resource, verb),
            why
                + " ("
                + switch (verb) {
                  case "create" -> "Creator: POST, or a Server-Side Apply that creates";
                  case "update" -> "Updater: PUT when USE_SSA=false";
                  default -> "Server-Side Apply when USE_SSA=true, the default";
                }
                + ")");
      }
    }
    return rules;
  }

  private static DependentResource<?, ?> instantiate(Class<? extends DependentResource> type) {
    try {
      var constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      return constructor.newInstance();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(
          "cannot instantiate dependent " + type.getName() + " to read its resource type", e);
    }
  }

  private static void writeEvidence() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("# The operator's RBAC needs (RbacIT): rule, then its evidence");
    needed.forEach((rule, why) -> lines.add(rule + "\n    " + why));
    Path report = Path.of(System.getProperty(SUREFIRE_DIR_PROPERTY)).resolve("rbac-evidence.txt");
    Files.write(report, lines);
    System.out.println(String.join("\n", lines));
  }

  // ---- the chart -------------------------------------------------------------------------------

  /** (group, resource, verb) granted by these rules; "*" and non-resource URLs fail. */
  static Set<Rule> expand(String where, List<PolicyRule> rules) {
    Set<Rule> granted = new TreeSet<>();
    for (PolicyRule rule : rules) {
      List<String> all = new ArrayList<>();
      all.addAll(rule.getApiGroups());
      all.addAll(rule.getResources());
      all.addAll(rule.getVerbs());
      assertThat(all).as("%s: no wildcard in RBAC rules", where).noneMatch(s -> s.contains("*"));
      assertThat(rule.getNonResourceURLs()).as("%s: nonResourceURLs", where).isNullOrEmpty();
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            granted.add(new Rule(group, resource, verb));
          }
        }
      }
    }
    return granted;
  }

  /** The rules the operator needs outside (true) or inside (false) the Lease's Role. */
  static Map<Rule, String> needed(boolean leases) {
    return needed.entrySet().stream()
        .filter(e -> e.getKey().group().equals(LEASES_GROUP) == leases)
        .collect(
            Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
  }

  /**
   * The differences between a role's grants and the needs, as lines naming what to add and remove.
   */
  static List<String> differences(String where, Set<Rule> granted, Map<Rule, String> expected) {
    List<String> lines = new ArrayList<>();
    for (Map.Entry<Rule, String> need : expected.entrySet()) {
      if (!granted.contains(need.getKey())) {
        lines.add(where + ": ADD    " + need.getKey() + "    <- " + need.getValue());
      }
    }
    for (Rule grant : granted) {
      if (!expected.containsKey(grant)) {
        lines.add(
            where
                + ": REMOVE "
                + grant
                + "    <- the operator never made this call in the test suite"
                + " (if it needs it in a real cluster, make a test call it, or justify it in RbacIT.ALLOW_LIST)");
      }
    }
    return lines;
  }

  private static void assertNoDifferences(List<String> differences) {
    if (!differences.isEmpty()) {
      throw new AssertionError(
          "The chart's RBAC ("
              + RULES_FILE
              + ") does not match what the operator calls "
              + "(evidence for every needed rule: operator/target/api-requests/rbac-evidence.txt):\n  "
              + String.join("\n  ", differences));
    }
  }

  private static void assertBindsTheServiceAccount(String where, List<Subject> subjects) {
    assertThat(subjects)
        .as("%s subjects", where)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(Helm.RELEASE);
              assertThat(s.getNamespace()).isEqualTo(Helm.NAMESPACE);
            });
  }

  /**
   * The Lease Role: in the release namespace, its rules limited to the Lease's name where RBAC can.
   */
  private static List<String> checkLeaseRole(List<HasMetadata> objects, String leaseName) {
    List<Role> leaseRoles =
        Helm.ofKind(objects, Role.class).stream()
            .filter(
                r -> r.getRules().stream().anyMatch(p -> p.getApiGroups().contains(LEASES_GROUP)))
            .toList();
    assertThat(leaseRoles)
        .as("Roles granting Leases")
        .singleElement()
        .satisfies(r -> assertThat(r.getMetadata().getNamespace()).isEqualTo(Helm.NAMESPACE));
    Role role = leaseRoles.get(0);
    assertThat(Helm.ofKind(objects, RoleBinding.class))
        .as("its RoleBinding")
        .filteredOn(b -> b.getRoleRef().getName().equals(role.getMetadata().getName()))
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.getMetadata().getNamespace()).isEqualTo(Helm.NAMESPACE);
              assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
              assertBindsTheServiceAccount("lease RoleBinding", b.getSubjects());
            });
    for (PolicyRule rule : role.getRules()) {
      boolean named = rule.getResourceNames() != null && !rule.getResourceNames().isEmpty();
      if (named) {
        assertThat(rule.getResourceNames()).as("Lease rule names").containsExactly(leaseName);
        assertThat(rule.getVerbs())
            .as("verbs limited by name (create cannot be)")
            .doesNotContain("create", "list", "watch");
      } else {
        assertThat(rule.getVerbs())
            .as("verbs of the unnamed Lease rule: only create needs it")
            .containsExactly("create");
      }
    }
    // Every Lease the operator touched by name was the default one: the name restriction fits.
    for (RecordingApiServer.Request request : operatorRequests) {
      ApiAccess access = ApiAccess.of(request);
      if (access.isResource() && access.group().equals(LEASES_GROUP) && access.name() != null) {
        assertThat(access.name()).as("Lease name in %s", request.path()).isEqualTo(leaseName);
      }
    }
    return differences(
        "Role " + role.getMetadata().getName() + " (leader election)",
        expand("Role " + role.getMetadata().getName(), role.getRules()),
        needed(true));
  }

  @Test
  void defaultValuesGrantExactlyWhatTheOperatorUsesInAClusterRole() {
    List<HasMetadata> objects = Helm.objects(Helm.template());
    List<ClusterRole> clusterRoles = Helm.ofKind(objects, ClusterRole.class);
    assertThat(clusterRoles).as("ClusterRoles watching all namespaces").hasSize(1);
    ClusterRole clusterRole = clusterRoles.get(0);
    assertThat(Helm.ofKind(objects, ClusterRoleBinding.class))
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.getRoleRef().getKind()).isEqualTo("ClusterRole");
              assertThat(b.getRoleRef().getName()).isEqualTo(clusterRole.getMetadata().getName());
              assertBindsTheServiceAccount("ClusterRoleBinding", b.getSubjects());
            });

    List<String> differences = new ArrayList<>();
    differences.addAll(
        differences(
            "ClusterRole " + clusterRole.getMetadata().getName(),
            expand("ClusterRole", clusterRole.getRules()),
            needed(false)));
    differences.addAll(checkLeaseRole(objects, "ttstack-operator"));
    assertNoDifferences(differences);
  }

  @Test
  void watchedNamespacesGetTheSameRulesInRolesAndNothingClusterWide() {
    List<String> namespaces = List.of("tt", "tt-staging");
    List<HasMetadata> objects =
        Helm.objects(
            Helm.template(
                "--set",
                "watchNamespaces={" + String.join(",", namespaces) + "}",
                "--set",
                "leaderElection.leaseName=tt-lease"));
    assertThat(Helm.ofKind(objects, ClusterRole.class))
        .as(
            "ClusterRoles in namespaced mode "
                + "(the operator reads no cluster-scoped object, not even the CRD)")
        .isEmpty();
    assertThat(Helm.ofKind(objects, ClusterRoleBinding.class))
        .as("ClusterRoleBindings in namespaced mode")
        .isEmpty();

    List<String> differences = new ArrayList<>();
    Map<String, Role> byNamespace = new LinkedHashMap<>();
    for (Role role : Helm.ofKind(objects, Role.class)) {
      if (role.getRules().stream().noneMatch(p -> p.getApiGroups().contains(LEASES_GROUP))) {
        assertThat(byNamespace.put(role.getMetadata().getNamespace(), role))
            .as("one Role per namespace")
            .isNull();
      }
    }
    assertThat(byNamespace.keySet())
        .as("namespaces with the operator's Role")
        .containsExactlyElementsOf(namespaces);
    for (Role role : byNamespace.values()) {
      String where =
          "Role " + role.getMetadata().getNamespace() + "/" + role.getMetadata().getName();
      differences.addAll(differences(where, expand(where, role.getRules()), needed(false)));
      assertThat(Helm.ofKind(objects, RoleBinding.class))
          .as("RoleBinding of %s", where)
          .filteredOn(
              b ->
                  b.getMetadata().getNamespace().equals(role.getMetadata().getNamespace())
                      && b.getRoleRef().getName().equals(role.getMetadata().getName()))
          .singleElement()
          .satisfies(b -> assertBindsTheServiceAccount(where, b.getSubjects()));
    }
    Set<Rule> leaseGrants = new HashSet<>();
    Helm.ofKind(objects, Role.class).stream()
        .filter(r -> r.getRules().stream().anyMatch(p -> p.getApiGroups().contains(LEASES_GROUP)))
        .forEach(
            r -> {
              assertThat(r.getMetadata().getNamespace()).isEqualTo(Helm.NAMESPACE);
              for (PolicyRule p : r.getRules()) {
                if (p.getResourceNames() != null && !p.getResourceNames().isEmpty()) {
                  assertThat(p.getResourceNames())
                      .as("Lease rule names")
                      .containsExactly("tt-lease");
                }
              }
              leaseGrants.addAll(expand("lease Role", r.getRules()));
            });
    assertThat(leaseGrants).as("the Lease rules follow leaderElection.leaseName").isNotEmpty();
    assertNoDifferences(differences);
  }

  @Test
  void withoutLeaderElectionThereIsNoLeaseRole() {
    List<HasMetadata> objects =
        Helm.objects(Helm.template("--set", "leaderElection.enabled=false"));
    assertThat(Helm.ofKind(objects, Role.class)).as("Roles").isEmpty();
    assertThat(Helm.ofKind(objects, ClusterRole.class))
        .singleElement()
        .satisfies(
            r ->
                assertThat(expand("ClusterRole", r.getRules()))
                    .noneMatch(rule -> rule.group().equals(LEASES_GROUP)));
  }

  @Test
  void theEvidenceCoversEveryKindOfCall() {
    Set<String> verbs =
        operatorRequests.stream()
            .map(ApiAccess::of)
            .filter(ApiAccess::isResource)
            .map(ApiAccess::verb)
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(verbs)
        .as("verbs seen from the operator")
        .contains("list", "watch", "create", "update", "patch", "delete", "get");
    assertThat(needed)
        .as("status patch")
        .containsKey(new Rule("ttstack.dev", "ttstacks/status", "patch"));
  }
}
