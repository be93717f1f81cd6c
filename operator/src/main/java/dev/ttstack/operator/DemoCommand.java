package dev.ttstack.operator;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.demo.DemoKubelet;
import dev.ttstack.operator.demo.DemoRedis;
import dev.ttstack.operator.demo.FakeDoppler;
import dev.ttstack.operator.demo.RedisPods;
import dev.ttstack.operator.demo.SimulatedRedisCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;

/**
 * The demo: the real operator runs a stack's whole lifecycle against an embedded, in-process API
 * server (fabric8's mock), with stand-ins for what is not there — an in-process fake Doppler
 * serving the stack's secrets (the contract of the secrets tests), the tests' simulator playing the
 * kubelet ({@link DemoKubelet}: pods are objects, no container runs), and six real {@code
 * redis-server} processes on 127.0.0.1 for the Redis pods when {@code redis-server} is on PATH
 * ({@link SimulatedRedisCluster} answering for them otherwise, and the demo says which).
 *
 * <p>It prints a timeline as {@code kubectl get tts -w} and {@code kubectl get events -w} would
 * show it, through these steps, each with a bound: applied, SecretsSynced, PostgresReady, Redis
 * bootstrapped, AppReady, Ready; an upgrade (a backup Job first, then the rollout); a broken
 * version, crash-looping, rolled back by itself with the reason, and the spec set back; a change of
 * one secret in Doppler, which restarts only what uses it. Then the {@code status} screen and the
 * API requests served. Exit 0 only when every step happened; otherwise the first step that did not
 * is named, with what was seen, and the rest are listed as not attempted (exit 1).
 */
public final class DemoCommand {
  /** A key only the app reads: its change must restart the app and nothing else. */
  static final String APP_ONLY_KEY = "TT_PAYMENT_API_KEY";

  private static final Duration POLL = Duration.ofMillis(50);

  /**
   * What a run may be given: each step's bound; backups that fail (the demo's test of a step that
   * does not happen); the simulated Redis even when redis-server is on PATH; the secret values to
   * serve (generated when null).
   */
  record Options(
      Duration stepBound,
      boolean failingBackups,
      boolean simulatedRedis,
      Map<String, String> values) {
    static final Options DEFAULTS = new Options(Duration.ofSeconds(40), false, false, null);
  }

  private DemoCommand() {}

  public static int run(Path manifest, PrintStream out, PrintStream err) throws Exception {
    return run(manifest, Options.DEFAULTS, out, err);
  }

  static int run(Path manifest, Options options, PrintStream out, PrintStream err)
      throws Exception {
    TTStack stack;
    try (InputStream in = Files.newInputStream(manifest)) {
      stack = RenderCommand.parse(in);
    } catch (IOException e) {
      err.println("error: cannot read " + manifest + ": " + e.getMessage());
      return RenderCommand.INVALID;
    }
    if (stack == null) {
      err.println("error: " + manifest + " is not a TTStack");
      return RenderCommand.INVALID;
    }
    List<dev.ttstack.operator.api.Violation> invalid =
        dev.ttstack.operator.api.SpecValidator.validate(stack);
    if (!invalid.isEmpty()) {
      err.println(
          "error: "
              + manifest
              + " is not a valid TTStack: "
              + dev.ttstack.operator.api.SpecValidator.describe(invalid));
      return RenderCommand.INVALID;
    }
    String namespace = Objects.requireNonNullElse(stack.getMetadata().getNamespace(), "default");
    stack.getMetadata().setNamespace(namespace);
    String name = stack.getMetadata().getName();
    String good = stack.getSpec().app.version;
    String upgrade = nextVersion(good, 1);
    String broken = nextVersion(good, 2);
    Map<String, String> values =
        new TreeMap<>(options.values() != null ? options.values() : generatedValues());
    Optional<Path> redisServer =
        options.simulatedRedis() ? Optional.empty() : DemoRedis.redisServer();

    out.println(
        "=== TTStack DEMO: not a cluster. The real operator, and stand-ins for the rest ===");
    out.println("  API server  in-process (fabric8's mock): no scheduling, no controllers, no SSA");
    out.println(
        "  kubelet     simulated (the tests' simulator): pods are objects, no container runs;"
            + " image tag "
            + broken
            + " is made to crash-loop");
    out.println(
        "  Redis       "
            + redisServer
                .map(p -> "real redis-server processes on 127.0.0.1 (" + p + ")")
                .orElse(
                    "SIMULATED: "
                        + (options.simulatedRedis()
                            ? "asked for"
                            : "redis-server is not on PATH (install it to see real ones)")
                        + "; loopback ports answer as Redis Cluster nodes would, from one model"
                        + " (instant gossip, no data)"));

    long t0 = System.nanoTime();
    AtomicReference<RedisPods> redis = new AtomicReference<>();
    FakeDoppler doppler = null;
    try (EmbeddedApiServer api = EmbeddedApiServer.start()) {
      KubernetesClient client = api.client();
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
      var secrets = stack.getSpec().secrets;
      Runnable changeTheAppOnlyKey;
      if (secrets.doppler != null) {
        doppler = new FakeDoppler();
        doppler.setConfig(secrets.doppler.project, secrets.doppler.config, values);
        String token = "dp.st." + secrets.doppler.config + ".demo" + hex(12);
        doppler.addToken(token, secrets.doppler.project, secrets.doppler.config);
        putSecret(
            client,
            namespace,
            secrets.doppler.tokenSecretRef.name,
            Map.of(secrets.doppler.tokenSecretRef.key, token));
        secrets.doppler.host = doppler.url();
        secrets.doppler.resyncSeconds = 10;
        out.println(
            "  Doppler     fake, in-process, at "
                + doppler.url()
                + " (spec.secrets.doppler.host set to it, resyncSeconds 10): "
                + secrets.doppler.project
                + "/"
                + secrets.doppler.config
                + " serves "
                + values.size()
                + " keys; token Secret "
                + secrets.doppler.tokenSecretRef.name
                + " created");
        FakeDoppler served = doppler;
        changeTheAppOnlyKey =
            () -> {
              values.put(APP_ONLY_KEY, hex(16));
              served.setConfig(secrets.doppler.project, secrets.doppler.config, values);
            };
      } else {
        String secretName = secrets.secretRef.name;
        putSecret(client, namespace, secretName, values);
        out.println(
            "  Secret      "
                + secretName
                + " created with "
                + values.size()
                + " generated keys (the stack reads it; no Doppler)");
        changeTheAppOnlyKey =
            () -> {
              values.put(APP_ONLY_KEY, hex(16));
              putSecret(client, namespace, secretName, values);
            };
      }

      OperatorSettings settings =
          OperatorSettings.from(Map.of())
              .withHttp("127.0.0.1", 0)
              .withServerSideApply(false) // the mock server has no Server-Side Apply
              .withLeaderElection(true, namespace);
      Function<
              List<io.fabric8.kubernetes.api.model.Pod>,
              dev.ttstack.operator.redis.cluster.NodeAddressResolver>
          redisAddresses =
              pods -> pod -> redis.get() == null ? null : redis.get().resolver().resolve(pod);
      String redisPassword = values.get("REDIS_PASSWORD");
      DemoKubelet kubelet =
          new DemoKubelet(
              client,
              namespace,
              name + "-redis",
              broken::equals,
              replicas -> {
                try {
                  if (redisServer.isEmpty()) {
                    redis.set(new SimulatedRedisCluster(name, replicas, redisPassword));
                    return;
                  }
                  DemoRedis r = new DemoRedis(name, replicas, redisPassword);
                  redis.set(r);
                  r.startAll();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      if (options.failingBackups()) {
        kubelet.failingBackups();
      }
      try (TTStackOperator operator =
              TTStackOperator.create(
                  settings, api.operatorClient(), Clock.systemUTC(), redisAddresses);
          OperatorHttpServer http =
              new OperatorHttpServer(
                  "127.0.0.1",
                  0,
                  operator.registry()::scrape,
                  operator::isHealthy,
                  operator::isStarted);
          DemoKubelet running = kubelet.start()) {
        operator.start();
        out.printf(
            "  operator    started in %d ms; metrics at http://127.0.0.1:%d/metrics%n%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), http.port());
        Timeline timeline =
            new Timeline(client, namespace, name, out, options.stepBound(), running);
        List<Step> steps =
            steps(timeline, client, stack, upgrade, broken, changeTheAppOnlyKey, running);
        boolean all = true;
        for (Step step : steps) {
          if (!all) {
            step.outcome = "not attempted";
            continue;
          }
          String failed = step.action.get();
          if (failed == null) {
            step.ok = true;
          } else {
            step.outcome = failed;
            all = false;
            timeline.line(
                "step did not happen: "
                    + step.name
                    + ": "
                    + failed
                    + " (a step's bound: "
                    + options.stepBound().toSeconds()
                    + " s)");
          }
        }

        out.println();
        out.println("--- kubectl ttstack status " + name + " -n " + namespace + " ---");
        Object report = StatusCommand.gather(client, namespace, name);
        out.print(
            report instanceof StatusCommand.Report r
                ? StatusCommand.text(r, Clock.systemUTC())
                : report + "\n");
        out.println();
        out.println("--- steps ---");
        for (Step step : steps) {
          out.println(
              (step.ok ? "  done     " : "  MISSING  ")
                  + step.name
                  + (step.ok ? "" : "  (" + step.outcome + ")"));
        }
        out.printf(
            "=== end of DEMO after %.1f s: %s; API requests served: %d%s ===%n",
            (System.nanoTime() - t0) / 1e9,
            all ? "every step happened" : "a step did not happen",
            api.requestsServed(),
            doppler == null ? "" : ", Doppler requests: " + doppler.requests().size());
        return all ? 0 : 1;
      }
    } finally {
      if (redis.get() != null) {
        redis.get().close();
      }
      if (doppler != null) {
        doppler.close();
      }
    }
  }

  /** One step: what it does and waits for; null when it happened, else what was seen. */
  private static final class Step {
    final String name;
    final java.util.function.Supplier<String> action;
    boolean ok;
    String outcome;

    Step(String name, java.util.function.Supplier<String> action) {
      this.name = name;
      this.action = action;
    }
  }

  private static List<Step> steps(
      Timeline t,
      KubernetesClient client,
      TTStack stack,
      String upgrade,
      String broken,
      Runnable changeTheAppOnlyKey,
      DemoKubelet kubelet) {
    String ns = stack.getMetadata().getNamespace();
    String name = stack.getMetadata().getName();
    String good = stack.getSpec().app.version;
    String app = name + "-app";
    List<Step> steps = new ArrayList<>();
    steps.add(
        new Step(
            "applied",
            () -> {
              client.resource(stack).create();
              t.line("applied TTStack " + ns + "/" + name + " (app " + good + ")");
              return t.await(s -> s.getStatus() != null && s.getStatus().observedGeneration != null)
                  ? null
                  : "no status written";
            }));
    for (String type : List.of(ConditionType.SECRETS_SYNCED, ConditionType.POSTGRES_READY)) {
      steps.add(new Step(type, () -> t.awaitTrue(type)));
    }
    steps.add(
        new Step(
            "Redis bootstrapped (masters, replicas, slots)",
            () -> {
              String failed = t.awaitTrue(ConditionType.REDIS_CLUSTER_READY);
              if (failed == null) {
                var r = t.stack().getStatus().redis;
                t.line(
                    "Redis Cluster: "
                        + r.masters
                        + " masters, "
                        + r.replicas
                        + " replicas, "
                        + r.slotsOk
                        + "/16384 slots, cluster_state "
                        + r.clusterState);
              }
              return failed;
            }));
    steps.add(new Step(ConditionType.APP_READY, () -> t.awaitTrue(ConditionType.APP_READY)));
    steps.add(new Step(ConditionType.READY, () -> t.awaitTrue(ConditionType.READY)));
    steps.add(
        new Step(
            "upgrade to " + upgrade + ": a backup Job first, then the rollout",
            () -> {
              Set<String> jobsBefore = jobs(client, ns);
              edit(client, ns, name, s -> s.getSpec().app.version = upgrade);
              t.line("edited spec.app.version: " + good + " -> " + upgrade);
              List<String> backupJobs = new ArrayList<>();
              boolean[] rolledBeforeBackup = {false};
              boolean done =
                  t.await(
                      s -> {
                        Set<String> now = jobs(client, ns);
                        now.removeAll(jobsBefore);
                        boolean rolled = upgrade.equals(deployedVersion(client, ns, app));
                        if (rolled && now.isEmpty() && backupJobs.isEmpty()) {
                          rolledBeforeBackup[0] = true;
                        }
                        for (String j : now) {
                          if (!backupJobs.contains(j)) {
                            backupJobs.add(j);
                            t.line("Job " + j + " created (the backup before the upgrade)");
                          }
                        }
                        Condition c = s.getStatus().condition(ConditionType.APP_READY);
                        return rolled
                            && c != null
                            && c.isTrue()
                            && upgrade.equals(s.getStatus().app.version);
                      },
                      s -> blocked(s, "BackupFailed"));
              if (rolledBeforeBackup[0]) {
                return "the Deployment ran " + upgrade + " before any backup Job existed";
              }
              if (!done) {
                return t.seen(ConditionType.APP_READY);
              }
              var backup = t.stack().getStatus().postgres.lastBackup;
              t.line(
                  upgrade
                      + " is available; last good "
                      + t.stack().getStatus().app.lastGoodVersion
                      + "; last backup "
                      + (backup == null ? "-" : backup.file + " (job " + backup.job + ")"));
              return backupJobs.isEmpty() ? "no backup Job was created" : null;
            }));
    steps.add(
        new Step(
            "broken " + broken + " (crash loop) rolled back by itself, with the reason",
            () -> {
              edit(client, ns, name, s -> s.getSpec().app.version = broken);
              t.line("edited spec.app.version: " + upgrade + " -> " + broken);
              boolean done =
                  t.await(
                      s -> {
                        Condition c = s.getStatus().condition(ConditionType.APP_READY);
                        return c != null
                            && "RolledBack".equals(c.reason)
                            && broken.equals(s.getStatus().app.failedVersion)
                            && upgrade.equals(deployedVersion(client, ns, app));
                      });
              if (!done) {
                return t.seen(ConditionType.APP_READY);
              }
              var a = t.stack().getStatus().app;
              t.line(
                  "rolled back to "
                      + upgrade
                      + ": failed version "
                      + a.failedVersion
                      + ", reason: "
                      + a.failureReason);
              // What the person paged does: the spec back to the version that runs.
              edit(client, ns, name, s -> s.getSpec().app.version = upgrade);
              t.line("edited spec.app.version: " + broken + " -> " + upgrade + " (as it runs)");
              return t.awaitTrue(ConditionType.READY);
            }));
    steps.add(
        new Step(
            "a changed secret (" + APP_ONLY_KEY + ") restarts only what uses it",
            () -> {
              Map<String, String> before = templates(client, ns);
              String hashBefore = t.stack().getStatus().secrets.contentHash;
              changeTheAppOnlyKey.run();
              t.line(
                  "changed "
                      + APP_ONLY_KEY
                      + " at the source ("
                      + t.stack().getStatus().secrets.source
                      + ")");
              boolean done =
                  t.await(
                      s ->
                          !Objects.equals(hashBefore, s.getStatus().secrets.contentHash)
                              && !Objects.equals(
                                  before.get("Deployment/" + app),
                                  templates(client, ns).get("Deployment/" + app))
                              && s.getStatus().condition(ConditionType.READY).isTrue());
              if (!done) {
                return "the app was not restarted: " + t.seen(ConditionType.SECRETS_SYNCED);
              }
              Map<String, String> after = templates(client, ns);
              List<String> restarted = new ArrayList<>();
              List<String> unchanged = new ArrayList<>();
              for (var e : before.entrySet()) {
                (Objects.equals(e.getValue(), after.get(e.getKey())) ? unchanged : restarted)
                    .add(e.getKey());
              }
              t.line("restarted: " + restarted + "; unchanged: " + unchanged);
              return restarted.equals(List.of("Deployment/" + app))
                  ? null
                  : "restarted " + restarted + ", not only Deployment/" + app;
            }));
    return steps;
  }

  /** The stack's conditions and Events as they change, printed with the time since the start. */
  private static final class Timeline {
    private final KubernetesClient client;
    private final String ns;
    private final String name;
    private final PrintStream out;
    private final Duration bound;
    private final DemoKubelet kubelet;
    private final long start = System.nanoTime();
    private final Map<String, String> conditions = new HashMap<>();
    private final Set<String> events = new java.util.HashSet<>();
    private TTStack last;

    Timeline(
        KubernetesClient client,
        String ns,
        String name,
        PrintStream out,
        Duration bound,
        DemoKubelet kubelet) {
      this.kubelet = kubelet;
      this.client = client;
      this.ns = ns;
      this.name = name;
      this.out = out;
      this.bound = bound;
      out.println("  TIME    WHAT (as kubectl get tts -w and kubectl get events -w show it)");
    }

    void line(String what) {
      out.printf("%7.1fs  %s%n", (System.nanoTime() - start) / 1e9, what);
    }

    TTStack stack() {
      return last;
    }

    /** Null once the condition is True for the current generation, else what was seen. */
    String awaitTrue(String type) {
      return await(
              s -> {
                Condition c = s.getStatus().condition(type);
                return c != null
                    && c.isTrue()
                    && Objects.equals(
                        s.getStatus().observedGeneration, s.getMetadata().getGeneration());
              })
          ? null
          : seen(type);
    }

    /** The condition as last seen, for the step that did not happen. */
    String seen(String type) {
      if (kubelet.failure() != null) {
        return "the demo's kubelet stopped: " + kubelet.failure().getMessage();
      }
      Condition c =
          last == null || last.getStatus() == null ? null : last.getStatus().condition(type);
      return c == null
          ? type + " not reported"
          : "last seen " + type + "=" + c.status + " (" + c.reason + "): " + c.message;
    }

    boolean await(Predicate<TTStack> done) {
      return await(done, s -> false);
    }

    /** Polls the stack until {@code done} (true) or {@code hopeless} or the bound (false). */
    boolean await(Predicate<TTStack> done, Predicate<TTStack> hopeless) {
      long deadline = System.nanoTime() + bound.toNanos();
      while (System.nanoTime() < deadline && kubelet.failure() == null) {
        TTStack s = poll();
        if (s != null && s.getStatus() != null) {
          if (done.test(s)) {
            return true;
          }
          if (hopeless.test(s)) {
            return false;
          }
        }
        try {
          Thread.sleep(POLL.toMillis()); // the demo's poll of an in-process server, bounded
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return false;
    }

    private TTStack poll() {
      TTStack s = client.resources(TTStack.class).inNamespace(ns).withName(name).get();
      if (s != null && s.getStatus() != null) {
        last = s;
        for (Condition c : s.getStatus().conditions) {
          String now = c.status + " " + c.reason;
          if (!now.equals(conditions.put(c.type, now))) {
            line(c.type + "=" + c.status + " (" + c.reason + "): " + c.message);
          }
        }
      }
      List<Event> fresh =
          client.v1().events().inNamespace(ns).list().getItems().stream()
              .filter(e -> name.equals(e.getInvolvedObject().getName()))
              .filter(e -> events.add(e.getMetadata().getName() + "/" + e.getCount()))
              // An Event that only repeats a condition's change (its message "Type=Status: ...")
              // is the line printed for that change already.
              .filter(
                  e ->
                      !String.valueOf(e.getMessage())
                          .matches("^[A-Za-z]+=(True|False|Unknown): .*"))
              .sorted(Comparator.comparing(e -> String.valueOf(e.getLastTimestamp())))
              .toList();
      for (Event e : fresh) {
        line("event " + e.getType() + " " + e.getReason() + ": " + e.getMessage());
      }
      return s;
    }
  }

  private static boolean blocked(TTStack s, String reason) {
    Condition c = s.getStatus().condition(ConditionType.APP_READY);
    return c != null && reason.equals(c.reason);
  }

  private static String deployedVersion(KubernetesClient client, String ns, String name) {
    Deployment d = client.apps().deployments().inNamespace(ns).withName(name).get();
    if (d == null) {
      return null;
    }
    String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    return image.substring(image.lastIndexOf(':') + 1);
  }

  private static Set<String> jobs(KubernetesClient client, String ns) {
    Set<String> names = new java.util.TreeSet<>();
    client.batch().v1().jobs().inNamespace(ns).list().getItems().stream()
        .map(j -> j.getMetadata().getName())
        .forEach(names::add);
    return names;
  }

  /** Every workload's pod template: a change of one is a restart of its pods. */
  private static Map<String, String> templates(KubernetesClient client, String ns) {
    Map<String, String> t = new LinkedHashMap<>();
    for (HasMetadata d : client.apps().deployments().inNamespace(ns).list().getItems()) {
      t.put(
          "Deployment/" + d.getMetadata().getName(),
          Serialization.asJson(((Deployment) d).getSpec().getTemplate()));
    }
    for (var s : client.apps().statefulSets().inNamespace(ns).list().getItems()) {
      t.put(
          "StatefulSet/" + s.getMetadata().getName(),
          Serialization.asJson(s.getSpec().getTemplate()));
    }
    return t;
  }

  /**
   * A change as {@code kubectl edit} makes it: retried on a conflict with the operator's status
   * writes; the generation bumped by hand, which the mock does for patches only.
   */
  private static void edit(
      KubernetesClient client,
      String ns,
      String name,
      java.util.function.Consumer<TTStack> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        TTStack current = client.resources(TTStack.class).inNamespace(ns).withName(name).get();
        change.accept(current);
        current.getMetadata().setGeneration(current.getMetadata().getGeneration() + 1);
        client.resource(current).update();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) {
          throw e;
        }
      }
    }
  }

  private static void putSecret(
      KubernetesClient client, String ns, String name, Map<String, String> data) {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .withStringData(data)
                .build())
        .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
  }

  /** What the stack's secret source serves: random values, never printed. */
  private static Map<String, String> generatedValues() {
    Map<String, String> v = new HashMap<>();
    v.put("POSTGRES_USER", "tt");
    v.put("POSTGRES_DB", "tt");
    v.put("POSTGRES_PASSWORD", hex(24));
    v.put("REDIS_PASSWORD", hex(24));
    v.put("GRAFANA_PASSWORD", hex(24));
    v.put("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0DEMO/B0DEMO/" + hex(12));
    v.put(APP_ONLY_KEY, hex(16));
    return v;
  }

  /** vX.Y.Z with Y raised by {@code minors} (and Z 0); another tag gets a suffix. */
  static String nextVersion(String version, int minors) {
    Matcher m = java.util.regex.Pattern.compile("^(v?)(\\d+)\\.(\\d+)\\.(\\d+)$").matcher(version);
    if (m.matches()) {
      return m.group(1) + m.group(2) + "." + (Integer.parseInt(m.group(3)) + minors) + ".0";
    }
    return version + "-demo" + minors;
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
