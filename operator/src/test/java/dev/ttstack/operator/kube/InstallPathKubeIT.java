package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.ttstack.operator.api.RedisSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.chart.Helm;
import dev.ttstack.operator.demo.FakeDoppler;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The install path of the README, as a user runs it, with the real binaries: the chart installed by
 * {@code helm install} (done once per JVM by {@link ChartInstall}; here checked as a user would
 * check it), the operator as its own process with the chart Deployment's environment and the chart
 * ServiceAccount's token ({@link OperatorProcess}: SSA on, leader election on the chart's Lease,
 * every namespace watched), then {@code kubectl apply -f examples/ttstack.yaml} — the complete
 * stack, secrets from Doppler (a local fake that follows Doppler's contract) — and {@code kubectl
 * wait --for=condition=Ready}; {@code kubectl get tts} and {@code kubectl explain} show what the
 * CRD promises. No secret value may reach the operator's output, an Event or the stack's status.
 *
 * <p>Runs first ({@link Order}): the install path is proven on a fresh control plane, before other
 * tests leave their stacks in other namespaces (which this operator, watching all of them, would
 * also reconcile).
 */
@Order(1)
class InstallPathKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();

  private static final String NS =
      "tt"; // the example's namespace, as written in examples/ttstack.yaml
  private static final Path EXAMPLES = Path.of("..", "examples");

  /** The example's Doppler project and config (spec.secrets.doppler). */
  private static final String PROJECT = "tt-backend";

  private static final String CONFIG = "prd";

  @TempDir Path tmp;

  @Test
  void helmInstallThenKubectlApplyOfTheExampleBecomesReady() throws Exception {
    Kubectl kubectl = cluster.kubectl();

    // 1. The chart, as `helm install` left it: the release deployed, the CRD (templates/crd.yaml)
    // Established.
    String kubeconfig = cluster.kubeconfig().toString();
    String status =
        Helm.run(
                "status",
                ChartInstall.RELEASE,
                "-n",
                ChartInstall.NAMESPACE,
                "--kubeconfig",
                kubeconfig)
            .orFail("helm status")
            .stdout();
    assertThat(status)
        .contains(
            "NAME: " + ChartInstall.RELEASE,
            "NAMESPACE: " + ChartInstall.NAMESPACE,
            "STATUS: deployed");
    String list =
        Helm.run("list", "-n", ChartInstall.NAMESPACE, "--kubeconfig", kubeconfig, "-o", "json")
            .orFail("helm list")
            .stdout();
    var releases = Serialization.jsonMapper().readTree(list);
    assertThat(releases.size()).as("helm list: %s", list).isEqualTo(1);
    assertThat(releases.get(0).path("name").asText()).isEqualTo(ChartInstall.RELEASE);
    assertThat(releases.get(0).path("status").asText())
        .as("helm list: %s", list)
        .isEqualTo("deployed");
    kubectl
        .run("wait", "--for=condition=Established", "crd/" + ChartInstall.CRD, "--timeout=60s")
        .orFail();
    CustomResourceDefinition fromChart =
        Serialization.unmarshal(
            Files.readString(
                Path.of("..", "helm", "tt-operator", "files", ChartInstall.CRD + "-v1.yml")),
            CustomResourceDefinition.class);
    CustomResourceDefinition installed =
        cluster
            .admin()
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(ChartInstall.CRD)
            .get();
    assertThat(installed.getSpec().getVersions())
        .as("the installed CRD is the chart's CRD file")
        .extracting(InstallPathKubeIT::columns)
        .containsExactlyElementsOf(
            fromChart.getSpec().getVersions().stream().map(InstallPathKubeIT::columns).toList());

    // 2. What the example's comments say must exist first, made as they say.
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    Map<String, String> doppler = new LinkedHashMap<>();
    doppler.put("POSTGRES_USER", "tt");
    doppler.put("POSTGRES_DB", "tt");
    doppler.put("POSTGRES_PORT", "5432");
    doppler.put("SPRING_PROFILES_ACTIVE", "prod");
    doppler.put("POSTGRES_PASSWORD", "pg-pass-" + suffix);
    doppler.put("REDIS_PASSWORD", "redis-pass-" + suffix);
    doppler.put("GRAFANA_PASSWORD", "grafana-pass-" + suffix);
    doppler.put("SLACK_WEBHOOK_URL", "https://hooks.slack.invalid/services/T0/B0/slack-" + suffix);
    doppler.put("TT_APP_API_KEY", "app-key-" + suffix);
    String tokenManifest = Files.readString(EXAMPLES.resolve("doppler-token-secret.yaml"));
    String token =
        "dp.st.xxx"; // the placeholder the example file ships with; the fake Doppler accepts it
    assertThat(tokenManifest).contains("serviceToken: " + token);
    String dockerPassword = "ghcr-token-" + suffix;
    List<String> secretValues = new ArrayList<>(List.of(token, dockerPassword));
    doppler.forEach(
        (k, v) -> {
          if (v.contains(suffix)) {
            secretValues.add(v);
          }
        });

    try (FakeDoppler fake = new FakeDoppler()) {
      fake.setConfig(PROJECT, CONFIG, doppler);
      fake.addToken(token, PROJECT, CONFIG);
      kubectl.run("create", "namespace", NS).orFail();
      kubectl.withInput(tokenManifest, "apply", "-f", "-").orFail();
      kubectl
          .run(
              "-n",
              NS,
              "create",
              "secret",
              "docker-registry",
              "ghcr-pull",
              "--docker-server=ghcr.io",
              "--docker-username=tt-bot",
              "--docker-password=" + dockerPassword)
          .orFail();
      Path key = tmp.resolve("tls.key");
      Path cert = tmp.resolve("tls.crt");
      Process openssl =
          new ProcessBuilder(
                  "openssl",
                  "req",
                  "-x509",
                  "-newkey",
                  "rsa:2048",
                  "-nodes",
                  "-days",
                  "1",
                  "-subj",
                  "/CN=api.tt.example.com",
                  "-keyout",
                  key.toString(),
                  "-out",
                  cert.toString())
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("openssl.out").toFile())
              .start();
      assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0)
          .as("openssl: %s", Files.readString(tmp.resolve("openssl.out")))
          .isTrue();
      kubectl
          .run("-n", NS, "create", "secret", "tls", "tt-api-tls", "--cert=" + cert, "--key=" + key)
          .orFail();

      // 3. The operator, as the chart runs it.
      try (OperatorProcess operator = OperatorProcess.start(cluster, "tt-operator-install-0")) {
        assertThat(operator.environment())
            .as("the chart's settings")
            .containsEntry("USE_SSA", "true")
            .containsEntry("LEADER_ELECTION", "true")
            .containsEntry("LEASE_NAME", "ttstack-operator")
            .containsEntry("LEASE_NAMESPACE", ChartInstall.NAMESPACE)
            .containsEntry("POD_NAMESPACE", ChartInstall.NAMESPACE)
            .containsEntry("LOG_FORMAT", "json")
            .containsEntry("WATCH_NAMESPACES", "");
        await("the operator's /readyz")
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  assertThat(operator.isAlive())
                      .as("operator process alive; its output:\n%s", operator.output())
                      .isTrue();
                  return operator.status("/readyz") == 200;
                });

        // 4. kubectl apply -f examples/ttstack.yaml, Doppler's host pointed at the fake (plain
        // http: loopback only).
        String example = Files.readString(EXAMPLES.resolve("ttstack.yaml"));
        String hostLine =
            "      # host: https://api.doppler.com   # default; plain http is accepted for loopback only";
        assertThat(example).contains(hostLine);
        String manifest = example.replace(hostLine, "      host: " + fake.url());
        long applied = System.nanoTime();
        kubectl.withInput(manifest, "apply", "-f", "-").orFail();
        Kubectl.Result wait =
            kubectl.run("wait", "--for=condition=Ready", "tts/tt", "-n", NS, "--timeout=240s");
        double readySeconds = (System.nanoTime() - applied) / 1e9;
        TTStack stack =
            cluster.admin().resources(TTStack.class).inNamespace(NS).withName("tt").get();
        assertThat(wait.exitCode())
            .as(
                "kubectl wait: %s%nconditions: %s%noperator output (tail):%n%s",
                wait.output(),
                stack.getStatus() == null ? null : stack.getStatus().conditions,
                tail(operator.output(), 60))
            .isZero();
        assertThat(wait.stdout()).contains("ttstack.ttstack.dev/tt condition met");
        System.out.printf(
            "%n[figure] install path: kubectl apply of examples/ttstack.yaml -> kubectl wait Ready in %.1f s"
                + " (operator as its own process, chart RBAC, SSA on, leader election on)%n",
            readySeconds);

        assertThat(operator.environment().get("LEASE_NAME")).isEqualTo("ttstack-operator");
        assertThat(
                cluster
                    .admin()
                    .leases()
                    .inNamespace(ChartInstall.NAMESPACE)
                    .withName("ttstack-operator")
                    .get()
                    .getSpec()
                    .getHolderIdentity())
            .as("the Lease's holder")
            .isEqualTo(operator.identity());
        assertThat(fake.requests())
            .as("requests to the fake Doppler")
            .isNotEmpty()
            .allSatisfy(
                r -> assertThat(r.project() + "/" + r.config()).isEqualTo(PROJECT + "/" + CONFIG));

        // 5. kubectl get tts: the printer columns, with values.
        String table = kubectl.run("get", "tts", "-n", NS).orFail().stdout();
        List<String> lines = table.lines().toList();
        assertThat(lines).as(table).hasSize(2);
        List<String> header = List.of(lines.get(0).trim().split("\\s+"));
        List<String> row = List.of(lines.get(1).trim().split("\\s+"));
        assertThat(header)
            .as("kubectl get tts: the printer columns%n%s", table)
            .containsExactlyInAnyOrder("NAME", "READY", "APP", "REDIS", "AGE");
        assertThat(row).as(table).hasSameSizeAs(header);
        Map<String, String> columns = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
          columns.put(header.get(i), row.get(i));
        }
        assertThat(columns.get("NAME")).isEqualTo("tt");
        assertThat(columns.get("READY")).as("READY").isEqualTo("True");
        assertThat(columns.get("APP")).as("APP (the running version)").isEqualTo("v1.4.2");
        assertThat(columns.get("REDIS")).as("REDIS (cluster_state)").isEqualTo("ok");
        assertThat(columns.get("AGE")).as("AGE").matches("[0-9]+[smh]([0-9]+s)?");
        String wide = kubectl.run("get", "tts", "-n", NS, "-o", "wide").orFail().stdout();
        assertThat(wide.lines().findFirst().orElseThrow().trim().split("\\s+"))
            .as("-o wide adds the Reason")
            .containsExactlyInAnyOrder("NAME", "READY", "APP", "REDIS", "REASON", "AGE");

        // 6. kubectl explain: the descriptions of RedisSpec's fields (from
        // @JsonPropertyDescription).
        String explain = kubectl.run("explain", "ttstack.spec.redis").orFail().stdout();
        String flat = explain.replaceAll("\\s+", " ");
        for (Field field : RedisSpec.class.getFields()) {
          JsonPropertyDescription description = field.getAnnotation(JsonPropertyDescription.class);
          if (description != null) {
            assertThat(flat)
                .as(
                    "kubectl explain ttstack.spec.redis shows %s's description:%n%s",
                    field.getName(), explain)
                .contains(field.getName())
                .contains(description.value().replaceAll("\\s+", " "));
          }
        }
        assertThat(flat)
            .contains("Number of masters; the 16384 slots are split evenly between them");

        // 7. No secret value anywhere a user or a log collector reads.
        stack = cluster.admin().resources(TTStack.class).inNamespace(NS).withName("tt").get();
        String statusJson = Serialization.asJson(stack.getStatus());
        List<Event> events = cluster.admin().v1().events().inAnyNamespace().list().getItems();
        assertThat(events)
            .as("Events about the stack")
            .anySatisfy(e -> assertThat(e.getInvolvedObject().getName()).isEqualTo("tt"));
        String eventsText =
            events.stream().map(e -> e.getReason() + " " + e.getMessage()).toList().toString();
        String output = operator.output();
        assertThat(output).as("operator output").contains("acquired leader Lease");
        for (String secret : secretValues) {
          assertThat(output.contains(secret))
              .as("a secret value (length %d) in the operator's output", secret.length())
              .isFalse();
          assertThat(eventsText.contains(secret))
              .as("a secret value (length %d) in an Event", secret.length())
              .isFalse();
          assertThat(statusJson.contains(secret))
              .as("a secret value (length %d) in the TTStack's status", secret.length())
              .isFalse();
          assertThat(table.contains(secret) || explain.contains(secret)).isFalse();
        }
        // LOG_FORMAT=json: every line the operator itself writes is one JSON object (the JVM's own
        // "Picked up JAVA_TOOL_OPTIONS" notice is not the operator's).
        assertThat(
                output
                    .lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("Picked up JAVA_TOOL_OPTIONS")))
            .allSatisfy(l -> assertThat(l).startsWith("{").endsWith("}"));

        // Last, so that everything above is proven whatever this says: the README promises the
        // columns in this order ("kubectl -n tt get tts   # NAME  READY  APP  REDIS  AGE"), as
        // @AdditionalPrinterColumn on TTStack lists them. fabric8's crd-generator 7.9 sorts them by
        // JSON path (a TreeMap, case-insensitive), so the CRD says Age, App, Reason, Ready, Redis.
        assertThat(header)
            .as("the column order of kubectl get tts (README: NAME READY APP REDIS AGE)%n%s", table)
            .containsExactly("NAME", "READY", "APP", "REDIS", "AGE");
      } finally {
        // The operator has stopped (released its Lease): the stack goes, so that the later tests'
        // operators, which watch every namespace, do not reconcile a stack whose Doppler is gone.
        kubectl.run("delete", "namespace", NS, "--wait=false");
      }
    }
  }

  /** A version's printer columns (name, JSON path, type; the server defaults the priority to 0). */
  private static String columns(
      io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion v) {
    return v.getName()
        + " "
        + v.getAdditionalPrinterColumns().stream()
            .map(c -> c.getName() + "=" + c.getJsonPath() + ":" + c.getType())
            .toList();
  }

  static String tail(String text, int lines) {
    List<String> all = text.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}
