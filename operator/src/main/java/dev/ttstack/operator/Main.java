package dev.ttstack.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's entry point.
 *
 * <pre>
 *   ttstack-operator              run against the cluster in KUBECONFIG (or in-cluster); if none is
 *                                 reachable, run the demo on examples/ttstack.yaml instead
 *   ttstack-operator run          run against the cluster, never the demo (what the image runs)
 *   ttstack-operator demo [FILE]  the demo: FILE's whole lifecycle on stand-ins (see DemoCommand)
 *   ttstack-operator render -f FILE   print every object the operator would create for FILE
 *   ttstack-operator crd          print the CustomResourceDefinition
 *   ttstack-operator status [NAME] [-n NS] [--output json]   one screen on a stack (reads only)
 *   ttstack-operator crd-reference   print the CRD reference (Markdown, as in the README)
 * </pre>
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final String DEFAULT_EXAMPLE = "examples/ttstack.yaml";
  private static final String USAGE =
      "usage: ttstack-operator [run | demo [FILE] | render -f FILE | status [NAME] [-n NAMESPACE]"
          + " [--output text|json] [--timeout SECONDS] | crd | crd-reference]";

  private Main() {}

  public static void main(String[] argv) throws Exception {
    List<String> args = Arrays.asList(argv);
    String command = args.isEmpty() ? "auto" : args.get(0);
    List<String> rest = args.isEmpty() ? List.of() : args.subList(1, args.size());
    int code =
        switch (command) {
          case "auto" -> auto();
          case "run" -> runOperator();
          case "demo" -> demo(rest.isEmpty() ? DEFAULT_EXAMPLE : rest.get(0));
          case "render" -> {
            Logging.configure("WARN", false);
            yield RenderCommand.run(rest, System.in, System.out, System.err);
          }
          case "status" -> {
            Logging.configure("WARN", false);
            yield StatusCommand.run(
                rest,
                StatusCommand::kubeconfig,
                java.time.Clock.systemUTC(),
                System.out,
                System.err);
          }
          case "crd" -> {
            System.out.print(
                io.fabric8.kubernetes.client.utils.Serialization.asYaml(
                    EmbeddedApiServer.loadCrd()));
            yield 0;
          }
          case "crd-reference" -> {
            System.out.print(CrdReference.markdown(EmbeddedApiServer.loadCrd()));
            yield 0;
          }
          case "help", "-h", "--help" -> {
            System.out.println(USAGE);
            yield 0;
          }
          default -> {
            System.err.println("error: unknown command '" + command + "'\n" + USAGE);
            yield 2;
          }
        };
    System.exit(code);
  }

  /** A cluster if one is configured and answers, otherwise the demo. */
  private static int auto() throws Exception {
    boolean inCluster = System.getenv("KUBERNETES_SERVICE_HOST") != null;
    if (inCluster || clusterAnswers()) {
      return runOperator();
    }
    System.out.println(
        "No Kubernetes cluster reachable (KUBECONFIG / ~/.kube/config): running the demo instead.");
    return demo(DEFAULT_EXAMPLE);
  }

  private static boolean clusterAnswers() {
    String kubeconfig =
        System.getenv()
            .getOrDefault(
                "KUBECONFIG",
                System.getProperty("user.home")
                    + File.separator
                    + ".kube"
                    + File.separator
                    + "config");
    if (Arrays.stream(kubeconfig.split(File.pathSeparator)).noneMatch(p -> new File(p).isFile())) {
      return false;
    }
    Config config =
        new ConfigBuilder(Config.autoConfigure(null))
            .withConnectionTimeout(3000)
            .withRequestTimeout(3000)
            .withRequestRetryBackoffLimit(0)
            .build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      client.getKubernetesVersion();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static int demo(String file) throws Exception {
    Logging.configure("WARN", false);
    return DemoCommand.run(Path.of(file), System.out, System.err);
  }

  /** The operator process: runs until SIGTERM (exit 0) or until it loses its Lease (exit 1). */
  static int runOperator() throws Exception {
    OperatorSettings settings;
    try {
      settings = OperatorSettings.fromEnvironment();
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    Logging.configure(settings.logLevel(), settings.jsonLogs());
    long t0 = System.nanoTime();
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(TTStackOperator.clientConfig(Config.autoConfigure(null)))
            .build();
    if (settings.leaderElection() && settings.leaseNamespace() == null) {
      settings =
          settings.withLeaderElection(
              true, client.getNamespace() == null ? "default" : client.getNamespace());
    }
    TTStackOperator operator = TTStackOperator.create(settings, client, Clock.systemUTC());
    OperatorHttpServer http =
        new OperatorHttpServer(
            settings.httpAddress(),
            settings.httpPort(),
            operator.registry()::scrape,
            operator::isHealthy,
            operator::isStarted);

    CountDownLatch done = new CountDownLatch(1);
    AtomicInteger exitCode = new AtomicInteger(0);
    // Exit (from the main thread, not from a callback) so Kubernetes restarts us as a follower.
    operator.onLeadershipLost(
        () -> {
          exitCode.set(1);
          done.countDown();
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("shutting down");
                  operator.close();
                  http.close();
                  client.close();
                  done.countDown();
                },
                "shutdown"));

    operator.start();
    LOG.info(
        "TTStack operator started in {} ms (namespaces: {}, leader election: {}, SSA: {}, http port {})",
        (System.nanoTime() - t0) / 1_000_000,
        settings.watchNamespaces().isEmpty() ? "all" : settings.watchNamespaces(),
        settings.leaderElection(),
        settings.useServerSideApply(),
        http.port());
    done.await();
    return exitCode.get();
  }
}
