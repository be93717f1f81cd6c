package dev.ttstack.operator;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.StackInformers;
import dev.ttstack.operator.kit.StackLabels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The demo: the real operator against an embedded, in-process API server with a TTStack applied.
 * Nothing runs: there is no kubelet, so no pod ever starts. It shows what the operator reconciles
 * and the status it reports, without a cluster.
 */
public final class DemoCommand {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private DemoCommand() {}

  public static int run(Path manifest, PrintStream out, PrintStream err) throws Exception {
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
    String namespace = Objects.requireNonNullElse(stack.getMetadata().getNamespace(), "default");
    stack.getMetadata().setNamespace(namespace);

    out.println(
        "=== TTStack DEMO: in-process API server (fabric8 mock), no cluster, no pods run ===");
    long t0 = System.nanoTime();
    try (EmbeddedApiServer api = EmbeddedApiServer.start()) {
      KubernetesClient client = api.client();
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
      OperatorSettings settings =
          OperatorSettings.from(java.util.Map.of())
              .withHttp("127.0.0.1", 0)
              .withServerSideApply(false) // the mock server has no Server-Side Apply
              .withLeaderElection(true, namespace);
      try (TTStackOperator operator =
              TTStackOperator.create(settings, api.operatorClient(), Clock.systemUTC());
          OperatorHttpServer http =
              new OperatorHttpServer(
                  "127.0.0.1",
                  0,
                  operator.registry()::scrape,
                  operator::isHealthy,
                  operator::isStarted)) {
        operator.start();
        out.printf(
            "operator started in %d ms; metrics at http://127.0.0.1:%d/metrics%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), http.port());
        long applied = System.nanoTime();
        client.resource(stack).create();
        out.println(
            "applied " + manifest + " as " + namespace + "/" + stack.getMetadata().getName());
        TTStack reconciled = awaitObserved(client, namespace, stack.getMetadata().getName());
        if (reconciled == null) {
          err.println(
              "error: the operator did not report a status within " + WAIT.toSeconds() + " s");
          return 1;
        }
        out.printf(
            "first status written %d ms after apply%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - applied));
        // What exists in the API server, not what render would build: a component still waiting
        // (here: for its secrets) has created nothing yet, and the list says so.
        out.println("--- objects the operator made in namespace " + namespace + " ---");
        int listed = 0;
        for (var kind : StackInformers.KINDS.keySet()) {
          for (HasMetadata o :
              client
                  .resources(kind)
                  .inNamespace(namespace)
                  .withLabel(StackLabels.MANAGED_BY, StackLabels.OPERATOR)
                  .list()
                  .getItems()) {
            out.println(o.getKind() + " " + o.getMetadata().getName());
            listed++;
          }
        }
        if (listed == 0) {
          out.println("(none yet)");
        }
        out.println(
            "--- status of TTStack " + namespace + "/" + stack.getMetadata().getName() + " ---");
        out.print(Serialization.asYaml(reconciled.getStatus()));
        out.println("=== end of DEMO (API requests served: " + api.requestsServed() + ") ===");
        return 0;
      }
    }
  }

  private static TTStack awaitObserved(KubernetesClient client, String namespace, String name) {
    try {
      return client
          .resources(TTStack.class)
          .inNamespace(namespace)
          .withName(name)
          .waitUntilCondition(
              s ->
                  s != null
                      && s.getStatus() != null
                      && s.getStatus().observedGeneration != null
                      && s.getStatus().observedGeneration >= s.getMetadata().getGeneration(),
              WAIT.toSeconds(),
              TimeUnit.SECONDS);
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      return null;
    }
  }
}
