package dev.ttstack.operator.kube;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttstack.operator.StatusCommand;
import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.chart.ArgoCdHealth;
import dev.ttstack.operator.reconciler.StatusCalculator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The stack heals by itself on the real API server, with SSA on — no ReconcileError on the way and
 * no request of the operator refused:
 *
 * <ul>
 *   <li>PostgreSQL or Redis becoming not ready after the app exists, and ready again. While either
 *       is not ready the app's gate is closed and its Deployment is kept as it runs; an apply of
 *       the live Deployment (managedFields and all) was refused by the API server on every
 *       reconcile and the stack never left ReconcileError (issue 14).
 *   <li>An invalid edit stored by the API server (a CRD that lags the operator: one managed outside
 *       the chart, {@code crds.install=false}): reported, and the last valid spec keeps being
 *       reconciled and healed — a deleted Service comes back, a lost Redis node rejoins — while
 *       nothing of the invalid generation is acted on (Flink's rule, issue 17).
 *   <li>{@code kubectl ttstack status} (issue 18) on the real API server: through kubectl's own
 *       plugin lookup on the Ready stack, and in-process while the spec is invalid; it only reads.
 * </ul>
 *
 * One stack for the class (its start is most of the time); each test starts and ends with it Ready.
 */
class RecoveryKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();
  private static final String NAME = "tt-minimal";
  private static final Duration READY = Duration.ofSeconds(180);

  private static final List<String> seen = new CopyOnWriteArrayList<>();

  /** The objects behind {@link #seen}, for the Argo CD health check. */
  private static final List<TTStack> seenObjects = new CopyOnWriteArrayList<>();

  private static String ns;
  private static OperatorUnderTest op;
  private static Watch watch;

  private long mark;
  private double failuresBefore;

  @BeforeAll
  static void startTheStack() {
    ns = cluster.createNamespace("recovery");
    // The stack before its Secret (a GitOps sync in the wrong order): it waits, and says why.
    KubeStacks.applyMinimalExample(cluster, ns);
    op = OperatorUnderTest.start(cluster, ns);
    TTStack waiting =
        await("SecretsSynced=False (SecretNotFound)")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(
                RecoveryKubeIT::stack,
                t ->
                    t.getStatus() != null
                        && t.getStatus().condition("SecretsSynced") != null
                        && "SecretNotFound"
                            .equals(t.getStatus().condition("SecretsSynced").reason));
    ArgoCdHealth.Verdict argo = ArgoCdHealth.recordAndJudge(waiting, "degraded-secret-not-found");
    assertThat(argo.status()).as(argo.message()).isEqualTo("Degraded");
    assertThat(argo.message()).contains("SecretsSynced", "tt-secrets");
    KubeStacks.createMinimalExampleSecret(cluster, ns);
    watch =
        cluster.admin().resources(TTStack.class).inNamespace(ns).withName(NAME).watch(recorder());
  }

  @AfterAll
  static void stop() {
    try {
      if (watch != null) {
        watch.close();
      }
    } finally {
      if (op != null) {
        op.close();
      }
    }
  }

  @BeforeEach
  void ready() {
    awaitCondition("Ready", "True", READY);
    assertThat(cluster.admin().apps().deployments().inNamespace(ns).withName(NAME + "-app").get())
        .as("the app")
        .isNotNull();
    mark = cluster.auditLog().mark();
    failuresBefore = failures();
    seen.clear();
    seenObjects.clear();
  }

  @Test
  void recoversFromPostgresAndRedisBecomingNotReady() throws Exception {
    // PostgreSQL not ready: its pod restarted with a failing readiness probe, then restarted
    // healthy (the routine "kubectl delete pod" of the report, twice).
    String postgresPod = NAME + "-postgres-0";
    try (AutoCloseable notReady =
        cluster
            .kubelet()
            .override(
                p -> postgresPod.equals(p.getMetadata().getName()),
                SimulatedKubelet.Behaviour.NOT_READY)) {
      deletePod(postgresPod);
      awaitCondition("PostgresReady", "False", Duration.ofSeconds(120));
      awaitCondition("AppReady", "False", Duration.ofSeconds(60));
    }
    deletePod(postgresPod);
    awaitCondition("Ready", "True", READY);

    // Redis not ready: one node's pod deleted; it comes back as a real redis-server and rejoins.
    deletePod(NAME + "-redis-0");
    awaitSeen("RedisClusterReady=False");
    awaitCondition("Ready", "True", READY);

    // Argo CD's view of the same moments (the chart's health check on these live objects).
    TTStack healing =
        seenObjects.stream()
            .filter(
                t ->
                    t.getStatus().condition("RedisClusterReady") != null
                        && "False".equals(t.getStatus().condition("RedisClusterReady").status))
            .reduce((first, second) -> second)
            .orElseThrow();
    ArgoCdHealth.Verdict whileHealing =
        ArgoCdHealth.recordAndJudge(healing, "progressing-redis-healing");
    assertThat(whileHealing.status()).as(whileHealing.message()).isEqualTo("Progressing");
    ArgoCdHealth.Verdict healed = ArgoCdHealth.recordAndJudge(stack(), "healthy-ready");
    assertThat(healed.status()).as(healed.message()).isEqualTo("Healthy");

    assertHealedCleanly();
  }

  @Test
  void keepsHealingTheLastValidSpecWhileAnEditIsInvalid() throws Exception {
    TTStack before = stack();
    long lastValid = before.getStatus().lastValidGeneration;
    assertThat(lastValid).isEqualTo(before.getMetadata().getGeneration());
    assertThat(before.getSpec().app.replicas).isEqualTo(1);

    long invalidGeneration;
    try (AutoCloseable lax = crdWithoutMinimumOfRedisMasters()) {
      // The whole edit is one generation: its valid part (two app replicas) is not acted on either.
      invalidGeneration =
          editOnceTheServerTakesIt(
                  s -> {
                    s.getSpec().redis.masters = 2;
                    s.getSpec().app.replicas = 2;
                    return s;
                  })
              .getMetadata()
              .getGeneration();
      TTStack invalid =
          await("generation " + invalidGeneration + " observed")
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(200))
              .until(
                  RecoveryKubeIT::stack,
                  s ->
                      s.getStatus() != null
                          && Long.valueOf(invalidGeneration)
                              .equals(s.getStatus().observedGeneration));
      Condition readyNow = invalid.getStatus().condition("Ready");
      System.out.println("Ready while invalid: " + readyNow.reason + ": " + readyNow.message);
      assertThat(readyNow.status).isEqualTo(Condition.FALSE);
      assertThat(readyNow.reason).isEqualTo(StatusCalculator.INVALID_SPEC);
      assertThat(readyNow.message)
          .contains("spec.redis.masters")
          .contains(
              "the last valid spec (generation " + lastValid + ") is still reconciled and healed");
      assertThat(invalid.getStatus().lastValidGeneration).isEqualTo(lastValid);
      ArgoCdHealth.Verdict argo = ArgoCdHealth.recordAndJudge(invalid, "degraded-invalid-spec");
      assertThat(argo.status()).as(argo.message()).isEqualTo("Degraded");
      assertThat(argo.message()).contains("spec.redis.masters");
      String shown = statusInProcess();
      System.out.println("status while invalid:\n" + shown);
      assertThat(shown.lines().skip(1).findFirst().orElse(""))
          .startsWith("Not ready (InvalidSpec): ")
          .contains("spec.redis.masters");

      // A deleted object comes back, as the last valid spec has it.
      var services = cluster.admin().services().inNamespace(ns);
      Service postgres = services.withName(NAME + "-postgres").get();
      services.withName(NAME + "-postgres").delete();
      await(NAME + "-postgres re-created")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                Service now = services.withName(NAME + "-postgres").get();
                return now != null
                    && !now.getMetadata().getUid().equals(postgres.getMetadata().getUid());
              });

      // A lost Redis node (its pod deleted: it comes back empty) is healed back into the cluster.
      deletePod(NAME + "-redis-0");
      awaitSeen("RedisClusterReady=False");
      awaitCondition("RedisClusterReady", "True", READY);
      TTStack healed = stack();
      assertThat(healed.getStatus().condition("Ready").reason)
          .as("still reported while healing")
          .isEqualTo(StatusCalculator.INVALID_SPEC);
      assertThat(healed.getSpec().redis.masters)
          .as("the user's spec, left as written")
          .isEqualTo(2);
      assertThat(statefulSetReplicas(NAME + "-redis")).as("Redis nodes").isEqualTo(6);
      assertThat(deploymentReplicas(NAME + "-app")).as("app replicas").isEqualTo(1);

      // Fixed: the new generation is acted on as a whole.
      long fixedGeneration =
          editOnceTheServerTakesIt(
                  s -> {
                    s.getSpec().redis.masters = 3;
                    return s;
                  })
              .getMetadata()
              .getGeneration();
      await("app scaled to the fixed generation's 2 replicas")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> deploymentReplicas(NAME + "-app") == 2);
      awaitCondition("Ready", "True", READY);
      assertThat(stack().getStatus().lastValidGeneration).isEqualTo(fixedGeneration);
    }
    // The CRD is as the chart installed it again: the server refuses the invalid edit itself.
    await("the chart's CRD in force again")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> refusedByTheServer(s -> s.getSpec().redis.masters = 2));

    // Back to the class's starting point (one app replica) for whatever runs next.
    editOnceTheServerTakesIt(
        s -> {
          s.getSpec().app.replicas = 1;
          return s;
        });
    await("app back to 1 replica")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> deploymentReplicas(NAME + "-app") == 1);
    awaitCondition("Ready", "True", READY);
    assertHealedCleanly();
  }

  /**
   * The chart's CRD with one rule taken out ({@code spec.redis.masters} at least 3), as a CRD of an
   * older release managed outside the chart would be; put back on close. Both writes are
   * Server-Side Applies of the whole CRD, forced, under the field manager that applied it (Helm):
   * any other manager would then own {@code .spec.versions}, and the next {@code helm upgrade}
   * (ChartUpgradeKubeIT) would be refused with a conflict (seen in CI).
   */
  @Test
  void statusAsAKubectlPluginShowsTheStackAndChangesNothing() throws Exception {
    long before = cluster.auditLog().mark();
    Map<String, String> env =
        Map.of(
            "TTSTACK_JAR", Path.of("target", "ttstack-operator.jar").toAbsolutePath().toString());
    Path plugins = Path.of("bin").toAbsolutePath();
    Kubectl.Result text =
        cluster.kubectl().plugin(plugins, env, "ttstack", "status", NAME, "-n", ns);
    Kubectl.Result json =
        cluster
            .kubectl()
            .plugin(plugins, env, "ttstack", "status", NAME, "-n", ns, "--output", "json");
    System.out.println("kubectl ttstack status " + NAME + " -n " + ns + ":\n" + text.output());
    assertThat(text.exitCode()).as(text.output()).isZero();
    assertThat(json.exitCode()).as(json.output()).isZero();
    assertThat(text.stderr()).isEmpty();

    TTStack live = stack();
    List<String> lines = text.stdout().lines().toList();
    assertThat(lines.get(0)).isEqualTo("TTStack " + ns + "/" + NAME);
    assertThat(lines.get(1)).startsWith("Ready: ");
    for (Condition c : live.getStatus().conditions) {
      assertThat(text.stdout()).containsPattern("(?m)^  " + c.type + " +True +" + c.reason + " ");
    }
    assertThat(live.getStatus().redis.nodes).hasSize(6);
    for (var n : live.getStatus().redis.nodes) {
      String link = n.role.equals("replica") ? "up" : "-";
      assertThat(text.stdout())
          .containsPattern("(?m)^  " + n.pod + " +" + n.role + " .* " + link + "$");
    }
    assertThat(text.stdout()).contains("content " + live.getStatus().secrets.contentHash);
    assertThat(text.stdout()).doesNotContain("Events (the 10 most recent)\n  none");
    // No value of the stack's Secret, in either output.
    var secret = cluster.admin().secrets().inNamespace(ns).withName("tt-secrets").get();
    for (String value : secret.getData().values()) {
      String plain = new String(java.util.Base64.getDecoder().decode(value), UTF_8);
      if (plain.startsWith("pw-")) {
        assertThat(text.stdout() + json.output()).doesNotContain(plain);
      }
    }
    JsonNode root = Serialization.jsonMapper().readTree(json.stdout());
    assertThat(root.path("ready").asBoolean()).isTrue();
    assertThat(root.path("status").path("conditions")).hasSize(live.getStatus().conditions.size());
    assertThat(root.path("events")).isNotEmpty();

    // It only read: every request it made (its user agent) a get or a list, none refused.
    List<AuditLog.Entry> made =
        await("the status requests in the audit log")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    cluster.auditLog().since(before).stream()
                        .filter(
                            e ->
                                e.userAgent() != null
                                    && e.userAgent().startsWith(StatusCommand.USER_AGENT))
                        .toList(),
                l -> l.size() >= 4);
    System.out.println("status requests: " + made);
    assertThat(made)
        .allMatch(e -> Set.of("get", "list").contains(e.verb()), "a get or a list")
        .allMatch(e -> e.code() == 200, "answered");
    assertThat(made).extracting(AuditLog.Entry::rbacResource).contains("ttstacks", "events");
  }

  @Test
  void statusEndsAtItsBoundWhileTheApiServerIsFrozen() throws Exception {
    // The real kube-apiserver stopped (SIGSTOP to its process group) for longer than the bound:
    // the kernel still accepts connections, nothing answers (a slow or hung server, cnpg#6298).
    // Only the bound can end the command. SIGCONT in any case, at most 6 s later.
    String pid =
        java.nio.file.Files.readString(LocalCluster.STATE.resolve("pids/kube-apiserver")).strip();
    var out = new java.io.ByteArrayOutputStream();
    var err = new java.io.ByteArrayOutputStream();
    int exit;
    long millis;
    signal("STOP", pid);
    try {
      long t0 = System.nanoTime();
      exit =
          java.util.concurrent.CompletableFuture.supplyAsync(
                  () ->
                      StatusCommand.run(
                          List.of(
                              NAME,
                              "-n",
                              ns,
                              "--timeout",
                              "2",
                              "--kubeconfig",
                              cluster.kubeconfig().toString()),
                          StatusCommand::kubeconfig,
                          java.time.Clock.systemUTC(),
                          new java.io.PrintStream(out, true, UTF_8),
                          new java.io.PrintStream(err, true, UTF_8)))
              .get(6, java.util.concurrent.TimeUnit.SECONDS);
      millis = (System.nanoTime() - t0) / 1_000_000;
    } finally {
      signal("CONT", pid);
    }
    System.out.println(
        "status while the API server is frozen: exit " + exit + " after " + millis + " ms: " + err);
    assertThat(exit).isEqualTo(StatusCommand.FAILED);
    assertThat(out.toString(UTF_8)).isEmpty();
    assertThat(err.toString(UTF_8))
        .startsWith("error: no answer from the API server (https://")
        .endsWith(" within 2 s; nothing was changed\n");
    // And it answers again once the server does.
    assertThat(statusInProcess()).startsWith("TTStack " + ns + "/" + NAME + "\nReady: ");
  }

  /** kill -SIG -- -PGID: the whole process group of a control-plane component. */
  private static void signal(String sig, String pgid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + sig, "--", "-" + pgid).inheritIO().start();
    assertThat(kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -" + sig + " -- -" + pgid).isZero();
  }

  /** {@code status NAME -n NS} in this JVM, as the admin's kubeconfig gives it; its stdout. */
  private static String statusInProcess() {
    var out = new java.io.ByteArrayOutputStream();
    var err = new java.io.ByteArrayOutputStream();
    int exit =
        StatusCommand.run(
            List.of(NAME, "-n", ns, "--kubeconfig", cluster.kubeconfig().toString()),
            StatusCommand::kubeconfig,
            java.time.Clock.systemUTC(),
            new java.io.PrintStream(out, true, UTF_8),
            new java.io.PrintStream(err, true, UTF_8));
    assertThat(exit).as(err.toString(UTF_8)).isEqualTo(StatusCommand.OK);
    return out.toString(UTF_8);
  }

  private static AutoCloseable crdWithoutMinimumOfRedisMasters() {
    var crds = cluster.admin().apiextensions().v1().customResourceDefinitions();
    CustomResourceDefinition original = crds.withName(ChartInstall.CRD).get();
    String manager =
        original.getMetadata().getManagedFields().stream()
            .filter(m -> "Apply".equals(m.getOperation()) && m.getSubresource() == null)
            .map(io.fabric8.kubernetes.api.model.ManagedFieldsEntry::getManager)
            .findFirst()
            .orElseThrow(() -> new AssertionError("the CRD was not applied server-side by Helm"));
    CustomResourceDefinition lax = copyForApply(original);
    var masters =
        lax.getSpec().getVersions().stream()
            .filter(CustomResourceDefinitionVersion::getStorage)
            .findFirst()
            .orElseThrow()
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec")
            .getProperties()
            .get("redis")
            .getProperties()
            .get("masters");
    assertThat(masters.getMinimum())
        .as("the chart's CRD's minimum of spec.redis.masters")
        .isEqualTo(3.0);
    masters.setMinimum(null);
    crds.resource(lax).fieldManager(manager).forceConflicts().serverSideApply();
    return () ->
        crds.resource(copyForApply(original))
            .fieldManager(manager)
            .forceConflicts()
            .serverSideApply();
  }

  /** The CRD as Helm applies it: spec and identity only, none of the server's bookkeeping. */
  private static CustomResourceDefinition copyForApply(CustomResourceDefinition crd) {
    CustomResourceDefinition copy = io.fabric8.kubernetes.client.utils.Serialization.clone(crd);
    copy.getMetadata().setManagedFields(null);
    copy.getMetadata().setResourceVersion(null);
    copy.getMetadata().setUid(null);
    copy.getMetadata().setCreationTimestamp(null);
    copy.getMetadata().setGeneration(null);
    copy.setStatus(null);
    return copy;
  }

  /**
   * Edits the stack as a user would, retrying while the API server still refuses it: a CRD's new
   * schema takes effect a moment after the CRD is written.
   */
  private static TTStack editOnceTheServerTakesIt(UnaryOperator<TTStack> edit) {
    return await("edit accepted by the API server")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              try {
                return cluster
                    .admin()
                    .resources(TTStack.class)
                    .inNamespace(ns)
                    .withName(NAME)
                    .edit(edit);
              } catch (KubernetesClientException e) {
                if (e.getCode() == 422) {
                  return null;
                }
                throw e;
              }
            },
            s -> s != null);
  }

  private static boolean refusedByTheServer(java.util.function.Consumer<TTStack> change) {
    try {
      cluster
          .admin()
          .resources(TTStack.class)
          .inNamespace(ns)
          .withName(NAME)
          .dryRun()
          .edit(
              s -> {
                change.accept(s);
                return s;
              });
      return false;
    } catch (KubernetesClientException e) {
      return e.getCode() == 422 && e.getMessage().contains("spec.redis.masters");
    }
  }

  private void assertHealedCleanly() {
    List<AuditLog.Entry> refused =
        cluster.auditLog().since(mark, ChartInstall.user(), e -> e.code() >= 400);
    System.out.println("states seen:\n  " + String.join("\n  ", seen));
    assertThat(seen)
        .as("states of the stack on the way")
        .noneMatch(s -> s.contains("ReconcileError"));
    assertThat(refused).as("requests of the operator refused by the API server").isEmpty();
    assertThat(failures() - failuresBefore).as("failed reconciles").isZero();
  }

  private static TTStack stack() {
    return cluster.admin().resources(TTStack.class).inNamespace(ns).withName(NAME).get();
  }

  private static int statefulSetReplicas(String name) {
    return cluster
        .admin()
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .withName(name)
        .get()
        .getSpec()
        .getReplicas();
  }

  private static int deploymentReplicas(String name) {
    return cluster
        .admin()
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName(name)
        .get()
        .getSpec()
        .getReplicas();
  }

  private static void awaitSeen(String state) {
    await(state + " seen")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> seen.stream().anyMatch(s -> s.contains(state)));
  }

  private static void deletePod(String name) {
    Pod before = cluster.admin().pods().inNamespace(ns).withName(name).get();
    cluster.kubectl().run("delete", "pod", "-n", ns, name, "--wait=false").orFail();
    await(name + " re-created")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Pod now = cluster.admin().pods().inNamespace(ns).withName(name).get();
              return now != null
                  && !now.getMetadata().getUid().equals(before.getMetadata().getUid());
            });
  }

  private static void awaitCondition(String type, String status, Duration bound) {
    await(type + "=" + status)
        .atMost(bound)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              TTStack s = stack();
              assertThat(s.getStatus()).as("status").isNotNull();
              Condition c = s.getStatus().condition(type);
              assertThat(c).as(String.valueOf(s.getStatus().conditions)).isNotNull();
              assertThat(c.status).as(String.valueOf(s.getStatus().conditions)).isEqualTo(status);
            });
  }

  /**
   * Every status the API server sends, as "Type=Status(Reason)" lines: nothing transient is missed.
   */
  private static Watcher<TTStack> recorder() {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, TTStack stack) {
        if (stack.getStatus() == null) {
          return;
        }
        StringBuilder line = new StringBuilder();
        for (Condition c : stack.getStatus().conditions) {
          line.append(c.type)
              .append('=')
              .append(c.status)
              .append('(')
              .append(c.reason)
              .append(") ");
        }
        seen.add(line.toString().trim());
        seenObjects.add(stack);
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  private static double failures() {
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
