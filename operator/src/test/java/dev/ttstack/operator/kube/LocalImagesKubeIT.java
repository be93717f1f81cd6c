package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttstack.operator.RenderCommand;
import dev.ttstack.operator.api.PrometheusSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.monitoring.MonitoringObjects;
import dev.ttstack.operator.monitoring.PrometheusConfig;
import dev.ttstack.operator.reconciler.StackComposition;
import dev.ttstack.operator.redis.RedisConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local node's test images ({@code k3s/local-node/images.sh}) are real docker-archives and what
 * is inside them works as the TTStack pods use it — run for real, without a container runtime: the
 * layer unpacked and its programs run by chroot in namespaces of their own ({@link LocalImages}),
 * as the pods' uids, servers on loopback ports chosen at run time.
 */
@BesideTheSharedCluster
class LocalImagesKubeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path REPO = LocalImages.SCRIPT.getParent().getParent().getParent();

  @Test
  void redisArchiveIsAWellFormedDockerArchiveAndASecondCallIsCached(@TempDir Path dir)
      throws Exception {
    LocalImages.Image image = LocalImages.build("redis");
    assertThat(image.ref()).startsWith("ttstack.local/redis:7.");
    JsonNode cfg = checkArchive(image, dir);
    assertThat(cfg.at("/config/User").asText()).as("the Redis pods' uid:gid").isEqualTo("999:1000");
    assertThat(cfg.at("/config/Env").toString()).contains("PATH=");

    LocalImages.Image again = LocalImages.build("redis");
    assertThat(again)
        .extracting(LocalImages.Image::ref, LocalImages.Image::archive)
        .containsExactly(image.ref(), image.archive());
    assertThat(again.buildLog()).contains("cached").doesNotContain("debootstrap");
  }

  /**
   * A rebuild removes the image's older keys and nothing else: not another image whose name starts
   * with the same word (postgres / postgres-exporter). On a cache of its own, seeded with the jre
   * image (hard links), so only the operator image (one jar layer) is built.
   */
  @Test
  void aBuildRemovesItsOwnStaleKeysOnly(@TempDir Path cache) throws Exception {
    LocalImages.Image jre = LocalImages.build("jre");
    Path images = Files.createDirectories(cache.resolve("ttstack/images"));
    Path jreDir = jre.archive().getParent();
    LocalImages.Run seeded =
        LocalImages.run(List.of("cp", "-al", jreDir.toString(), images.toString()), Map.of(), 1);
    assertThat(seeded.exit()).as(seeded.stderr()).isZero();
    Path stale = Files.createDirectories(images.resolve("operator-0123456789abcdef"));
    Path other = Files.createDirectories(images.resolve("operator-extra-0123456789abcdef"));
    LocalImages.Run run =
        LocalImages.run(
            List.of(LocalImages.SCRIPT.toString(), "operator"),
            Map.of("XDG_CACHE_HOME", cache.toString()),
            10);
    assertThat(run.exit()).as(run.stderr()).isZero();
    assertThat(run.stderr()).contains("jre: cached").contains("operator: built");
    assertThat(stale).as("the operator image's older key").doesNotExist();
    assertThat(other).as("another image's folder").exists();
    assertThat(images.resolve(jreDir.getFileName())).as("the jre image it was built on").exists();
    assertThat(Path.of(run.stdout().trim().split(" ", 2)[1])).exists().startsWith(images);
  }

  @Test
  void redisImageRunsTheOperatorsStartScriptAndProbes(@TempDir Path dir) throws Exception {
    Path root = unpackedRoot("redis", dir);
    assertThat(LocalImages.inRoot(root, "999:1000", Map.of(), "redis-server", "--version").stdout())
        .contains("Redis server v=7.");
    // The pod's ConfigMap at /config, its emptyDir /run/redis (writable by the pod's uid via
    // fsGroup).
    Path config = Files.createDirectories(root.resolve("config"));
    Files.writeString(config.resolve(RedisConfig.REDIS_CONF), RedisConfig.redisConf(5000));
    Files.writeString(config.resolve(RedisConfig.START_SCRIPT), RedisConfig.startScript());
    Files.writeString(config.resolve(RedisConfig.PROBE_SCRIPT), RedisConfig.probeScript());
    Path run = Files.createDirectories(root.resolve("run/redis"));
    chown(run, "999:1000");
    int port = freePort();
    int gate = freePort();
    Map<String, String> env =
        Map.of(
            "REDIS_PASSWORD",
            "images-test-pw",
            "POD_NAME",
            "tt-redis-0",
            "REDIS_PORT",
            Integer.toString(port),
            "REDIS_GATE_PORT",
            Integer.toString(gate),
            "REDIS_BIND",
            "127.0.0.1",
            "REDIS_BASE_CONF",
            "/config/redis.conf",
            "REDIS_DATA_DIR",
            "/data",
            "REDIS_RUN_DIR",
            "/run/redis");
    Path log = dir.resolve("redis.log");
    Process redis = LocalImages.start(root, "999:1000", env, log, "sh", "/config/redis-start.sh");
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(probe(root, env, "live")).as(() -> read(log)).isZero());
      LocalImages.Run ping =
          LocalImages.inRoot(
              root,
              "999:1000",
              Map.of("REDISCLI_AUTH", "images-test-pw"),
              "redis-cli",
              "-p",
              Integer.toString(port),
              "cluster",
              "info");
      assertThat(ping.stdout())
          .as("a cluster-enabled node, not yet in a cluster")
          .contains("cluster_known_nodes:1");
      LocalImages.Run noAuth =
          LocalImages.inRoot(
              root, "999:1000", Map.of(), "redis-cli", "-p", Integer.toString(port), "ping");
      assertThat(noAuth.stdout()).contains("NOAUTH");
      assertThat(read(log)).contains("starting redis-server as a new node");
      assertThat(Files.exists(root.resolve("data/nodes.conf")))
          .as("nodes.conf written to /data by uid 999")
          .isTrue();
    } finally {
      LocalImages.stop(redis);
    }
    assertThat(redis.isAlive()).isFalse();
    assertThat(listening(port)).as("the Redis port after the namespace ended").isFalse();
  }

  @Test
  void postgresImageInitialisesAsTheOfficialImageAndBacksUpWithPgDump(@TempDir Path dir)
      throws Exception {
    Path root = unpackedRoot("postgres", dir);
    // The pod's volume at /var/lib/postgresql/data (PGDATA a sub-folder, as PostgresObjects sets
    // it),
    // the official image's environment, and a server on a loopback port chosen now.
    int port = freePort();
    Map<String, String> env =
        Map.of(
            "PGDATA",
            "/var/lib/postgresql/data/pgdata",
            "POSTGRES_USER",
            "tt",
            "POSTGRES_PASSWORD",
            "images-test-pw",
            "POSTGRES_DB",
            "ttdb",
            "POSTGRES_INITDB_ARGS",
            "-E UTF8 --locale=C");
    List<String> args =
        List.of(
            "/usr/local/bin/postgres-entrypoint.sh",
            "postgres",
            "-p",
            Integer.toString(port),
            "-c",
            "listen_addresses=127.0.0.1");
    Path log = dir.resolve("postgres.log");
    Process postgres = LocalImages.start(root, "70:70", env, log, args.toArray(String[]::new));
    try {
      awaitReady(root, port, log);
      assertThat(read(log))
          .contains("initialising a new cluster")
          .contains("initialisation complete");
      LocalImages.Run login =
          psql(
              root,
              port,
              "images-test-pw",
              "select current_user || ' ' || current_database() || ' ' || current_setting('password_encryption')"
                  + " || ' ' || (select left(rolpassword, 14) from pg_authid where rolname = current_user)");
      assertThat(login.exit()).as(login.stderr()).isZero();
      assertThat(login.stdout().trim()).isEqualTo("tt ttdb scram-sha-256 SCRAM-SHA-256$");
      LocalImages.Run wrong = psql(root, port, "not-the-password", "select 1");
      assertThat(wrong.exit()).isNotZero();
      assertThat(wrong.stderr()).contains("password authentication failed for user \"tt\"");
      assertThat(
              psql(
                      root,
                      port,
                      "images-test-pw",
                      "create table t (v text); insert into t values ('kept')")
                  .exit())
          .isZero();

      // The backup Job's pg_dump (custom format) from this image, read back by pg_restore --list.
      LocalImages.Run dump =
          LocalImages.inRoot(
              root,
              "70:70",
              Map.of(
                  "PGHOST",
                  "127.0.0.1",
                  "PGPORT",
                  Integer.toString(port),
                  "PGUSER",
                  "tt",
                  "PGPASSWORD",
                  "images-test-pw",
                  "PGDATABASE",
                  "ttdb"),
              "pg_dump",
              "--format=custom",
              "--no-password",
              "--file=/tmp/ttdb.dump");
      assertThat(dump.exit()).as(dump.stderr()).isZero();
      LocalImages.Run list =
          LocalImages.inRoot(root, "70:70", Map.of(), "pg_restore", "--list", "/tmp/ttdb.dump");
      assertThat(list.stdout()).contains("TABLE public t tt");
    } finally {
      LocalImages.stop(postgres);
    }
    assertThat(listening(port)).isFalse();

    // A second start on the same PGDATA keeps the database: no second initdb.
    Process again =
        LocalImages.start(
            root, "70:70", env, dir.resolve("postgres-2.log"), args.toArray(String[]::new));
    try {
      awaitReady(root, port, dir.resolve("postgres-2.log"));
      assertThat(psql(root, port, "images-test-pw", "select v from t").stdout().trim())
          .isEqualTo("kept");
      assertThat(read(dir.resolve("postgres-2.log"))).doesNotContain("initialising");
    } finally {
      LocalImages.stop(again);
    }
  }

  @Test
  void postgresEntrypointRefusesAnEmptyPgdataWithoutAPassword(@TempDir Path dir) throws Exception {
    Path root = unpackedRoot("postgres", dir);
    LocalImages.Run run =
        LocalImages.inRoot(
            root,
            "70:70",
            Map.of("PGDATA", "/var/lib/postgresql/data/pgdata"),
            "/usr/local/bin/postgres-entrypoint.sh",
            "postgres");
    assertThat(run.exit()).isNotZero();
    assertThat(run.stderr()).contains("POSTGRES_PASSWORD is not set");
    assertThat(Files.exists(root.resolve("var/lib/postgresql/data/pgdata/PG_VERSION"))).isFalse();
  }

  private static void awaitReady(Path root, int port, Path log) {
    // The operator's own readiness check (pg_isready over TCP), from the image.
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(
                        LocalImages.inRoot(
                                root,
                                "70:70",
                                Map.of(),
                                "pg_isready",
                                "-h",
                                "127.0.0.1",
                                "-p",
                                Integer.toString(port))
                            .exit())
                    .as(() -> read(log))
                    .isZero());
  }

  private static LocalImages.Run psql(Path root, int port, String password, String sql)
      throws Exception {
    return LocalImages.inRoot(
        root,
        "70:70",
        Map.of("PGPASSWORD", password),
        "psql",
        "-X",
        "-At",
        "-v",
        "ON_ERROR_STOP=1",
        "host=127.0.0.1 port=" + port + " user=tt dbname=ttdb",
        "-c",
        sql);
  }

  @Test
  void operatorImageIsTheJreWithTheJarAndRunsItAsItsDockerfileDoes(@TempDir Path dir)
      throws Exception {
    Path jar = Path.of("target", "ttstack-operator.jar").toAbsolutePath();
    LocalImages.Image image = LocalImages.build("operator");
    assertThat(image.ref())
        .isEqualTo("ttstack.local/operator:" + LocalImages.sha256(jar).substring(0, 12));
    JsonNode cfg = checkArchive(image, dir.resolve("archive"));
    LocalImages.Image jre = LocalImages.build("jre");
    JsonNode jreCfg = checkArchive(jre, dir.resolve("jre"));
    // The JRE's layer shared as it is (containerd stores it once), the jar's on top.
    assertThat(cfg.at("/rootfs/diff_ids")).hasSize(2);
    assertThat(cfg.at("/rootfs/diff_ids/0")).isEqualTo(jreCfg.at("/rootfs/diff_ids/0"));
    assertThat(cfg.at("/config/User").asText()).isEqualTo("10001:10001");
    assertThat(cfg.at("/config/Env").toString())
        .as("the JRE's PATH kept")
        .contains("PATH=/usr/local/sbin");

    Path root = dir.resolve("root");
    JsonNode entry = JSON.readTree(dir.resolve("archive/manifest.json").toFile()).get(0);
    for (JsonNode layer : entry.get("Layers")) {
      LocalImages.unpackLayer(dir.resolve("archive").resolve(layer.asText()), root);
    }
    assertThat(LocalImages.sha256(root.resolve("app/ttstack-operator.jar")))
        .isEqualTo(LocalImages.sha256(jar));
    // As the runtime would: the config's User, Env and Entrypoint, with the `crd` command.
    Map<String, String> env = new java.util.HashMap<>();
    cfg.at("/config/Env")
        .forEach(e -> env.put(e.asText().split("=", 2)[0], e.asText().split("=", 2)[1]));
    List<String> command = new java.util.ArrayList<>();
    cfg.at("/config/Entrypoint").forEach(a -> command.add(a.asText()));
    command.add("crd");
    LocalImages.Run crd =
        LocalImages.inRoot(
            root, cfg.at("/config/User").asText(), env, command.toArray(String[]::new));
    assertThat(crd.exit()).as(crd.stderr()).isZero();
    assertThat(crd.stdout()).contains("CustomResourceDefinition").contains("ttstacks.ttstack.dev");
  }

  /**
   * The redis archive in a real container runtime: a throw-away containerd (its own root, state and
   * socket in the test's folder; every registry pointed at a closed loopback port, so nothing can
   * be pulled; restrict_oom_score_adj, as this machine needs) imports it, lists it by its tag, and
   * runc runs a container of it as the config's user. Nothing is left: no process naming the
   * folder, no mount under it.
   */
  @Test
  void redisArchiveImportsIntoContainerdAndRunsThere(@TempDir Path dir) throws Exception {
    LocalImages.Image image = LocalImages.build("redis");
    Path hosts = Files.createDirectories(dir.resolve("certs.d/_default")).resolve("hosts.toml");
    Files.writeString(hosts, "server = \"http://127.0.0.1:1\"\n");
    String socket = dir.resolve("containerd.sock").toString();
    Files.writeString(
        dir.resolve("config.toml"),
        String.join(
            "\n",
            "version = 2",
            "root = \"" + dir.resolve("root") + "\"",
            "state = \"" + dir.resolve("state") + "\"",
            "[grpc]",
            "  address = \"" + socket + "\"",
            "[ttrpc]",
            "  address = \"" + socket + ".ttrpc\"",
            "[debug]",
            "  address = \"\"",
            "[metrics]",
            "  address = \"\"",
            "[plugins.\"io.containerd.grpc.v1.cri\"]",
            "  restrict_oom_score_adj = true",
            "  disable_tcp_service = true",
            "  stream_server_address = \"127.0.0.1\"",
            "  stream_server_port = \"0\"",
            "  [plugins.\"io.containerd.grpc.v1.cri\".registry]",
            "    config_path = \"" + dir.resolve("certs.d") + "\"",
            ""));
    Process containerd =
        new ProcessBuilder("containerd", "--config", dir.resolve("config.toml").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("containerd.log").toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () ->
                  assertThat(ctr(socket, "version").exit())
                      .as(() -> read(dir.resolve("containerd.log")))
                      .isZero());
      LocalImages.Run imported =
          ctr(socket, "-n", "k8s.io", "images", "import", image.archive().toString());
      assertThat(imported.exit()).as(imported.stderr()).isZero();
      assertThat(ctr(socket, "-n", "k8s.io", "images", "ls", "-q").stdout().lines())
          .contains(image.ref());
      // --cgroup "": the container's cgroup is /<id>, which runc removes with it (no parent left).
      LocalImages.Run inside =
          ctr(
              socket,
              "-n",
              "k8s.io",
              "run",
              "--rm",
              "--cgroup",
              "",
              image.ref(),
              "ttstack-images-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
              "sh",
              "-c",
              "id -u; id -g; redis-server --version");
      assertThat(inside.exit()).as(inside.stderr()).isZero();
      assertThat(inside.stdout().lines().toList()).startsWith("999", "1000");
      assertThat(inside.stdout()).contains("Redis server v=7.");
    } finally {
      containerd.destroy();
      if (!containerd.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        containerd.destroyForcibly();
      }
    }
    assertThat(Files.readAllLines(Path.of("/proc/mounts")))
        .as("mounts under " + dir)
        .noneMatch(line -> line.contains(dir.toString()));
    assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse("")))
        .as("processes naming " + dir)
        .noneMatch(line -> line.contains(dir.toString()));
  }

  // ---- monitoring: each server started from its image as the operator starts it (args only, so
  // the
  // image's Entrypoint and User), on a loopback port chosen now, until its HTTP endpoint answers.

  /**
   * Prometheus is built from its Go module (build-prometheus.sh), the version of the operator's
   * default image, with Kubernetes service discovery (Debian's package has none): promtool accepts
   * the operator's own rendered config (kubernetes_sd_configs, rule file) and refuses a misspelt
   * field, and the server runs with the operator's Deployment's args and that config until /-/ready
   * answers (pod discovery fails without an API server: logged, not fatal).
   */
  @Test
  void prometheusImageRunsTheOperatorsRenderedConfigWithKubernetesDiscovery(@TempDir Path dir)
      throws Exception {
    LocalImages.Image image = LocalImages.build("prometheus");
    assertThat("prom/prometheus:v" + image.ref().substring(image.ref().indexOf(':') + 1))
        .as("the operator's default image's version")
        .isEqualTo(PrometheusSpec.DEFAULT_IMAGE)
        .isEqualTo("prom/prometheus:v2.53.3");
    JsonNode cfg = checkArchive(image, dir.resolve("archive-check"));
    assertThat(cfg.at("/config/User").asText()).isEqualTo("65534:65534");
    assertThat(cfg.at("/config/Entrypoint").toString()).isEqualTo("[\"/bin/prometheus\"]");
    Path root = unpackedRoot("prometheus", dir.resolve("check"));
    LocalImages.Run version =
        LocalImages.inRoot(root, "65534:65534", Map.of(), "/bin/prometheus", "--version");
    assertThat(version.exit()).as(version.stderr()).isZero();
    assertThat(version.stdout() + version.stderr()).contains("prometheus, version 2.53.3 ");
    assertThat(LocalImages.inRoot(root, "65534:65534", Map.of(), "id", "-un").stdout().trim())
        .isEqualTo("nobody");

    // The operator's objects for the example stack, rendered by its own builders.
    TTStack stack =
        Serialization.unmarshal(
            Files.readString(REPO.resolve("examples/ttstack.yaml")), TTStack.class);
    List<HasMetadata> objects =
        RenderCommand.render(
            stack,
            StackComposition.defaultComponents(
                java.time.Clock.systemUTC(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
    String name = MonitoringObjects.prometheusName(stack);
    ConfigMap config =
        objects.stream()
            .filter(ConfigMap.class::isInstance)
            .map(ConfigMap.class::cast)
            .filter(c -> c.getMetadata().getName().equals(name))
            .findFirst()
            .orElseThrow();
    Deployment deployment =
        objects.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .filter(d -> d.getMetadata().getName().equals(name))
            .findFirst()
            .orElseThrow();
    String yml = config.getData().get(PrometheusConfig.CONFIG_FILE);
    assertThat(yml).contains("kubernetes_sd_configs");
    Map<String, String> files = new java.util.HashMap<>();
    config.getData().forEach((k, v) -> files.put(PrometheusConfig.CONFIG_DIR + "/" + k, v));
    for (Map.Entry<String, String> f : files.entrySet()) {
      Files.writeString(root.resolve(f.getKey().substring(1)), f.getValue());
    }
    LocalImages.Run check =
        LocalImages.inRoot(
            root,
            "65534:65534",
            Map.of(),
            "/bin/promtool",
            "check",
            "config",
            PrometheusConfig.CONFIG_DIR + "/" + PrometheusConfig.CONFIG_FILE);
    assertThat(check.exit()).as(check.stdout() + check.stderr()).isZero();
    assertThat(check.stdout() + check.stderr())
        .contains("SUCCESS")
        .contains(PrometheusConfig.RULES_FILE);
    Files.writeString(
        root.resolve("tmp/misspelt.yml"),
        yml.replace("kubernetes_sd_configs", "kubernetes_sd_config"));
    LocalImages.Run bad =
        LocalImages.inRoot(
            root, "65534:65534", Map.of(), "/bin/promtool", "check", "config", "/tmp/misspelt.yml");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.stdout() + bad.stderr()).contains("field kubernetes_sd_config not found");

    int port = freePort();
    List<String> args =
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().stream()
            .map(
                a ->
                    a.startsWith("--web.listen-address=")
                        ? "--web.listen-address=127.0.0.1:" + port
                        : a)
            .toList();
    assertThat(args)
        .contains("--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.path=/prometheus");
    Path serving = dir.resolve("serve");
    String body = serve("prometheus", serving, files, Map.of(), args, port, "/-/ready");
    assertThat(body).contains("Ready");
    assertThat(read(serving.resolve("prometheus.log")))
        .contains("version=2.53.3")
        .contains("Completed loading of configuration file")
        .as("pod discovery tried (no API server here: an error, logged)")
        .contains("type=kubernetes");
  }

  @Test
  void alertmanagerImageServesWithTheOperatorsArgs(@TempDir Path dir) throws Exception {
    int port = freePort();
    String body =
        serve(
            "alertmanager",
            dir,
            Map.of(
                "/config/alertmanager.yml",
                "route:\n  receiver: none\nreceivers:\n  - name: none\n"),
            Map.of(),
            List.of(
                "--config.file=/config/alertmanager.yml",
                "--storage.path=/alertmanager",
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address="),
            port,
            "/-/ready");
    assertThat(body).contains("OK");
  }

  @Test
  void exporterImagesReportTheirServiceDownWhenItIsAbsent(@TempDir Path dir) throws Exception {
    int closed = freePort(); // nothing listens there
    int port = freePort();
    String pg =
        serve(
            "postgres-exporter",
            dir.resolve("pg"),
            Map.of(),
            Map.of(
                "DATA_SOURCE_NAME", "postgresql://u:p@127.0.0.1:" + closed + "/db?sslmode=disable"),
            List.of("--web.listen-address=127.0.0.1:" + port),
            port,
            "/metrics");
    assertThat(pg).contains("pg_up 0");
    int port2 = freePort();
    String redis =
        serve(
            "redis-exporter",
            dir.resolve("redis"),
            Map.of(),
            Map.of(
                "REDIS_ADDR",
                "redis://127.0.0.1:" + closed,
                "REDIS_EXPORTER_WEB_LISTEN_ADDRESS",
                "127.0.0.1:" + port2),
            List.of(),
            port2,
            "/metrics");
    assertThat(redis).contains("redis_up 0");
  }

  /**
   * Starts image NAME's Entrypoint with {@code args} as its config's User and Env (plus {@code
   * env}), with {@code files} written into its root first; returns the body of the first 200 answer
   * of GET path on port (bounded wait), and stops it (nothing of it left).
   */
  private static String serve(
      String name,
      Path dir,
      Map<String, String> files,
      Map<String, String> env,
      List<String> args,
      int port,
      String path)
      throws Exception {
    Files.createDirectories(dir);
    Path root = unpackedRoot(name, dir);
    JsonNode cfg =
        JSON.readTree(
            dir.resolve("archive")
                .resolve(
                    JSON.readTree(dir.resolve("archive/manifest.json").toFile())
                        .get(0)
                        .get("Config")
                        .asText())
                .toFile());
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path file = root.resolve(f.getKey().substring(1));
      Files.createDirectories(file.getParent());
      Files.writeString(file, f.getValue());
    }
    Map<String, String> all = new java.util.HashMap<>();
    cfg.at("/config/Env")
        .forEach(e -> all.put(e.asText().split("=", 2)[0], e.asText().split("=", 2)[1]));
    all.putAll(env);
    List<String> command = new java.util.ArrayList<>();
    cfg.at("/config/Entrypoint").forEach(a -> command.add(a.asText()));
    command.addAll(args);
    Path log = dir.resolve(name + ".log");
    Process server =
        LocalImages.start(
            root, cfg.at("/config/User").asText(), all, log, command.toArray(String[]::new));
    java.net.http.HttpClient http =
        java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    java.net.http.HttpRequest get =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build();
    try {
      String[] body = new String[1];
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                assertThat(server.isAlive()).as(() -> name + " exited: " + read(log)).isTrue();
                java.net.http.HttpResponse<String> r;
                try {
                  r = http.send(get, java.net.http.HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                  throw new AssertionError(name + " not answering yet: " + e);
                }
                assertThat(r.statusCode()).as(() -> read(log)).isEqualTo(200);
                body[0] = r.body();
              });
      return body[0];
    } finally {
      LocalImages.stop(server);
      assertThat(listening(port)).as(name + "'s port after stop").isFalse();
    }
  }

  // ---- the e2e run's stand-ins (k3s/local-node/stand-ins/) and its in-cluster client, started
  // from
  // their images as their manifests (k3s/local-node/e2e/) start them: the image's Entrypoint, User
  // and Env, the options from the environment, files where the pod mounts its Secrets.

  /**
   * fake-doppler over HTTPS with a CA made here by openssl (a serving certificate for 127.0.0.1
   * whose EC key is PKCS#8 PEM, as openssl genpkey writes it), its configuration a Secret volume
   * laid out as the kubelet lays it out (files that are symlinks through {@code ..data} to a
   * timestamped folder, updated by swapping {@code ..data}): Doppler's contract as the operator's
   * DopplerClient speaks it, a change served on the next request, /_stats, and nothing secret in
   * its log. Values are compared by hash: a failing assertion prints no secret.
   */
  @Test
  void standInsFakeDopplerServesDopplersContractOverHttps(@TempDir Path dir) throws Exception {
    LocalImages.Image image = LocalImages.build("stand-ins");
    String key =
        image.archive().getParent().getFileName().toString().substring("stand-ins-".length());
    assertThat(image.ref())
        .as("tagged by its key")
        .isEqualTo("ttstack.local/stand-ins:" + key.substring(0, 12));
    JsonNode cfg = checkArchive(image, dir.resolve("archive"));
    JsonNode jreCfg = checkArchive(LocalImages.build("jre"), dir.resolve("jre"));
    assertThat(cfg.at("/rootfs/diff_ids")).hasSize(2);
    assertThat(cfg.at("/rootfs/diff_ids/0"))
        .as("the jre's layer, shared")
        .isEqualTo(jreCfg.at("/rootfs/diff_ids/0"));
    assertThat(cfg.at("/config/User").asText()).isEqualTo("10001:10001");
    assertThat(LocalImages.build("stand-ins").buildLog()).contains("stand-ins: cached");

    Path root = unpackedRoot("stand-ins", dir);
    Path tls = Files.createDirectories(root.resolve("tls"));
    Path ca = makeCaAndServingCert(dir.resolve("pki"), tls);
    chown(tls.resolve("tls.key"), "10001:10001");

    String token = "dp.st.prd." + java.util.UUID.randomUUID();
    Map<String, String> secrets =
        new java.util.TreeMap<>(
            Map.of(
                "POSTGRES_PASSWORD",
                "pg-" + java.util.UUID.randomUUID(),
                "REDIS_PASSWORD",
                "redis-" + java.util.UUID.randomUUID(),
                "SLACK_WEBHOOK_URL",
                "http://slack-receiver/services/T0/B0/" + java.util.UUID.randomUUID(),
                "WITH \"QUOTES\"",
                "a\\b\n\"c\""));
    Path config = Files.createDirectories(root.resolve("config"));
    secretVolume(
        config, 1, Map.of("token", token, "secrets.json", JSON.writeValueAsString(secrets)));

    Map<String, String> changed = new java.util.TreeMap<>(secrets);
    changed.put("REDIS_PASSWORD", "redis-" + java.util.UUID.randomUUID());
    int port = freePort();
    Process server =
        startFromImage(
            root,
            dir,
            "fake-doppler.log",
            Map.of(
                "PORT",
                Integer.toString(port),
                "BIND",
                "127.0.0.1",
                "TLS_CERT",
                "/tls/tls.crt",
                "TLS_KEY",
                "/tls/tls.key",
                "CONFIG_DIR",
                "/config"),
            "fake-doppler");
    Path log = dir.resolve("fake-doppler.log");
    java.net.http.HttpClient https =
        java.net.http.HttpClient.newBuilder()
            .sslContext(trusting(ca))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String base = "https://127.0.0.1:" + port;
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () -> {
                assertThat(server.isAlive()).as(() -> "fake-doppler exited: " + read(log)).isTrue();
                assertThat(get(https, base + "/_health", Map.of()).statusCode())
                    .as("readiness")
                    .isEqualTo(200);
              });

      // 200: the secrets and Doppler's own keys, a weak ETag.
      var ok = download(https, base, token, "tt-backend", "prd", null);
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json");
      Map<String, String> expected = new java.util.TreeMap<>(secrets);
      expected.putAll(
          Map.of(
              "DOPPLER_PROJECT",
              "tt-backend",
              "DOPPLER_CONFIG",
              "prd",
              "DOPPLER_ENVIRONMENT",
              "prd"));
      assertThat(fingerprint(ok.body())).isEqualTo(fingerprint(expected));
      String etag = ok.headers().firstValue("ETag").orElseThrow();
      assertThat(etag).matches("W/\"[0-9a-f]{32}\"");

      // 304 on the same ETag, no body; an unknown one gets the content again.
      var same = download(https, base, token, "tt-backend", "prd", etag);
      assertThat(same.statusCode()).isEqualTo(304);
      assertThat(same.body()).isEmpty();
      assertThat(same.headers().firstValue("ETag")).hasValue(etag);
      assertThat(download(https, base, token, "tt-backend", "prd", "W/\"0000\"").statusCode())
          .isEqualTo(200);

      // The envelope, for a wrong and a missing token, a wrong project and a wrong config.
      assertEnvelope(
          download(https, base, token + "x", "tt-backend", "prd", null), 401, "Invalid Auth token");
      assertEnvelope(
          download(https, base, null, "tt-backend", "prd", null), 401, "Invalid Auth token");
      assertEnvelope(
          download(https, base, token, "other", "prd", null),
          404,
          "Could not find requested project");
      assertEnvelope(
          download(https, base, token, "tt-backend", "dev", null),
          404,
          "Could not find requested config");

      // The Secret changed (the kubelet's ..data swap): the next request serves it, under a new
      // ETag,
      // and the old ETag is no longer "not modified".
      secretVolume(
          config, 2, Map.of("token", token, "secrets.json", JSON.writeValueAsString(changed)));
      var after = download(https, base, token, "tt-backend", "prd", etag);
      assertThat(after.statusCode()).isEqualTo(200);
      Map<String, String> expectedAfter = new java.util.TreeMap<>(changed);
      expectedAfter.putAll(
          Map.of(
              "DOPPLER_PROJECT",
              "tt-backend",
              "DOPPLER_CONFIG",
              "prd",
              "DOPPLER_ENVIRONMENT",
              "prd"));
      assertThat(fingerprint(after.body())).isEqualTo(fingerprint(expectedAfter));
      String etag2 = after.headers().firstValue("ETag").orElseThrow();
      assertThat(etag2).isNotEqualTo(etag);
      assertThat(download(https, base, token, "tt-backend", "prd", etag2).statusCode())
          .isEqualTo(304);

      // A fault file: every download gets it (a rate limit with Doppler's headers) until it is
      // gone.
      secretVolume(
          config,
          3,
          Map.of("token", token, "secrets.json", JSON.writeValueAsString(changed), "fault", "429"));
      var limited = download(https, base, token, "tt-backend", "prd", etag2);
      assertEnvelope(limited, 429, "rate limit");
      assertThat(limited.headers().firstValue("retry-after")).hasValue("30");
      secretVolume(
          config, 4, Map.of("token", token, "secrets.json", JSON.writeValueAsString(changed)));
      assertThat(download(https, base, token, "tt-backend", "prd", etag2).statusCode())
          .isEqualTo(304);

      // /_stats: the downloads above, by status; no token, no value.
      var stats = get(https, base + "/_stats", Map.of());
      assertThat(stats.statusCode()).isEqualTo(200);
      JsonNode downloads = JSON.readTree(stats.body()).get("downloads");
      assertThat(downloads.get("total").asInt()).isEqualTo(11);
      assertThat(downloads.get("conditional").asInt())
          .as("requests with If-None-Match")
          .isEqualTo(6);
      assertThat(JSON.convertValue(downloads.get("byStatus"), Map.class))
          .isEqualTo(Map.of("200", 3, "304", 3, "401", 2, "404", 2, "429", 1));
      assertNoSecretIn(stats.body(), "/_stats", token, secrets, changed);
      assertThat(get(https, base + "/nothing", Map.of()).statusCode()).isEqualTo(404);
    } finally {
      LocalImages.stop(server);
    }
    assertThat(listening(port)).isFalse();
    String lines = read(log);
    assertThat(lines)
        .contains(
            "fake-doppler GET /v3/configs/config/secrets/download 200",
            "fake-doppler GET /v3/configs/config/secrets/download 304",
            "fake-doppler GET /v3/configs/config/secrets/download 401",
            "fake-doppler GET /_stats 200");
    assertNoSecretIn(lines, "the fake-doppler log", token, secrets, changed);
  }

  /**
   * slack-receiver as Alertmanager's Slack webhook: POSTs recorded in order and answered 200 "ok",
   * a non-JSON body refused as Slack refuses it, {@code /_received} returns them parsed, DELETE
   * empties it; its log names no webhook path (the URL is a secret) and no body.
   */
  @Test
  void standInsSlackReceiverRecordsWhatIsPosted(@TempDir Path dir) throws Exception {
    Path root = unpackedRoot("stand-ins", dir);
    int port = freePort();
    Process server =
        startFromImage(
            root,
            dir,
            "slack-receiver.log",
            Map.of("PORT", Integer.toString(port), "BIND", "127.0.0.1"),
            "slack-receiver");
    Path log = dir.resolve("slack-receiver.log");
    java.net.http.HttpClient http =
        java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = "http://127.0.0.1:" + port;
    String hook =
        "/services/T0000/B0000/" + java.util.UUID.randomUUID().toString().replace("-", "");
    String first =
        "{\"text\":\"[FIRING:1] TTStackAppDown\",\"attachments\":[{\"color\":\"danger\",\"n\":1.5}]}";
    String second = "{\"text\":\"[RESOLVED] TTStackAppDown\",\"unicode\":\"\\u00e9\"}";
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () -> {
                assertThat(server.isAlive())
                    .as(() -> "slack-receiver exited: " + read(log))
                    .isTrue();
                assertThat(get(http, base + "/_health", Map.of()).statusCode()).isEqualTo(200);
              });
      for (String body : List.of(first, second)) {
        var r = post(http, base + hook, body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok");
      }
      var bad = post(http, base + hook, "payload={not json");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).isEqualTo("invalid_payload");
      assertThat(get(http, base + hook, Map.of()).statusCode()).isEqualTo(404);

      JsonNode received = JSON.readTree(get(http, base + "/_received", Map.of()).body());
      assertThat(received).hasSize(2);
      assertThat(received.get(0).get("path").asText()).isEqualTo(hook);
      assertThat(received.get(0).get("body")).isEqualTo(JSON.readTree(first));
      assertThat(received.get(1).get("body")).isEqualTo(JSON.readTree(second));

      var cleared =
          http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/_received"))
                  .DELETE()
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(cleared.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(get(http, base + "/_received", Map.of()).body())).isEmpty();
    } finally {
      LocalImages.stop(server);
    }
    assertThat(listening(port)).isFalse();
    String lines = read(log);
    assertThat(lines.lines().filter(l -> l.contains(" slack-receiver POST ")).count()).isEqualTo(3);
    assertThat(lines).contains(" 400").contains("GET /_received 200");
    assertThat(lines.contains(hook.substring(hook.lastIndexOf('/') + 1)))
        .as("the webhook's secret path in the log")
        .isFalse();
    assertThat(lines.contains("TTStackAppDown")).as("a body in the log").isFalse();
  }

  /**
   * The toolbox: the e2e run's client programs as its non-root user (a passwd entry, HOME=/tmp),
   * and an entrypoint that waits until SIGTERM and then exits 0 at once (a pod deleted without its
   * grace period running out).
   */
  @Test
  void toolboxImageHasTheClientsAndStopsOnSigterm(@TempDir Path dir) throws Exception {
    LocalImages.Image image = LocalImages.build("toolbox");
    assertThat(image.ref()).startsWith("ttstack.local/toolbox:15.");
    JsonNode cfg = checkArchive(image, dir.resolve("archive-check"));
    String user = cfg.at("/config/User").asText();
    assertThat(user).isEqualTo("10002:10002");
    Path root = unpackedRoot("toolbox", dir);
    Map<String, String> env = imageEnv(cfg);
    assertThat(env).containsEntry("HOME", "/tmp");
    Map<String, String> versions = new java.util.LinkedHashMap<>();
    versions.put("curl --version", "curl 7.");
    versions.put("jq --version", "jq-1.");
    versions.put("redis-cli --version", "redis-cli 7.");
    versions.put("pg_restore --version", "pg_restore (PostgreSQL) 15.");
    versions.put("psql --version", "psql (PostgreSQL) 15.");
    versions.put("id -un", "toolbox");
    for (Map.Entry<String, String> v : versions.entrySet()) {
      LocalImages.Run run = LocalImages.inRoot(root, user, env, v.getKey().split(" "));
      assertThat(run.exit()).as(v.getKey() + ": " + run.stderr()).isZero();
      assertThat(run.stdout()).as(v.getKey()).startsWith(v.getValue());
    }
    assertThat(LocalImages.inRoot(root, user, env, "id", "-u").stdout().trim()).isEqualTo("10002");
    assertThat(
            LocalImages.inRoot(
                    root, user, env, "sh", "-c", "echo '{\"a\":[1,2]}' | jq -c '.a | length'")
                .stdout()
                .trim())
        .isEqualTo("2");

    // The Entrypoint in the background; once its shell has forked `sleep` (the trap is set by
    // then),
    // SIGTERM to it: it exits 0 (a shell without the trap dies of the signal: 143).
    List<String> entry =
        new java.util.ArrayList<>(
            List.of(
                "sh",
                "-c",
                "\"$@\" & p=$!; until [ -n \"$(cat /proc/$p/task/$p/children)\" ]; do :; done; kill -TERM $p; wait $p; echo exit=$?",
                "sh"));
    cfg.at("/config/Entrypoint").forEach(a -> entry.add(a.asText()));
    LocalImages.Run stopped = LocalImages.inRoot(root, user, env, entry.toArray(String[]::new));
    assertThat(stopped.stdout().trim()).as(stopped.stderr()).isEqualTo("exit=0");
  }

  /** A CA (EC, by openssl req -x509) and a serving certificate it signs for 127.0.0.1 into tls/. */
  private static Path makeCaAndServingCert(Path pki, Path tls) throws Exception {
    Files.createDirectories(pki);
    Files.writeString(
        pki.resolve("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:fake-doppler\n" + "extendedKeyUsage=serverAuth\n");
    openssl(
        pki,
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-noenc",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "1",
        "-subj",
        "/CN=stand-ins test CA");
    openssl(
        pki,
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        tls.resolve("tls.key").toString());
    openssl(
        pki,
        "req",
        "-new",
        "-key",
        tls.resolve("tls.key").toString(),
        "-subj",
        "/CN=fake-doppler",
        "-out",
        "tls.csr");
    openssl(
        pki,
        "x509",
        "-req",
        "-in",
        "tls.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "ext.cnf",
        "-out",
        tls.resolve("tls.crt").toString());
    assertThat(Files.readString(tls.resolve("tls.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    return pki.resolve("ca.crt");
  }

  private static void openssl(Path cwd, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    ProcessBuilder b =
        new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
    Process p = b.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("openssl " + String.join(" ", args) + ": " + out).isZero();
  }

  /**
   * An SSL context that trusts only that CA (and checks the name, as the operator's client does).
   */
  private static javax.net.ssl.SSLContext trusting(Path caPem) throws Exception {
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (var in = Files.newInputStream(caPem)) {
      store.setCertificateEntry(
          "ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    var trust =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    var context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /**
   * Writes {@code files} as the kubelet writes a Secret volume: into a new folder {@code ..vN},
   * then {@code ..data} swapped to it in one rename, every key a symlink {@code KEY -> ..data/KEY}.
   */
  private static void secretVolume(Path volume, int version, Map<String, String> files)
      throws IOException {
    Path folder = Files.createDirectories(volume.resolve("..v" + version));
    for (Map.Entry<String, String> f : files.entrySet()) {
      Files.writeString(folder.resolve(f.getKey()), f.getValue());
    }
    Path next = volume.resolve("..data_tmp");
    Files.deleteIfExists(next);
    Files.createSymbolicLink(next, folder.getFileName());
    Files.move(
        next,
        volume.resolve("..data"),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    for (String k : List.of("token", "secrets.json", "fault", "project", "config")) {
      Path link = volume.resolve(k);
      if (files.containsKey(k) && !Files.isSymbolicLink(link)) {
        Files.createSymbolicLink(link, Path.of("..data", k));
      } else if (!files.containsKey(k)) {
        Files.deleteIfExists(link);
      }
    }
  }

  /** The image's Entrypoint with {@code args}, as its User, with its Env plus {@code env}. */
  private static Process startFromImage(
      Path root, Path dir, String logName, Map<String, String> env, String... args)
      throws Exception {
    JsonNode cfg =
        JSON.readTree(
            dir.resolve("archive")
                .resolve(
                    JSON.readTree(dir.resolve("archive/manifest.json").toFile())
                        .get(0)
                        .get("Config")
                        .asText())
                .toFile());
    Map<String, String> all = imageEnv(cfg);
    all.putAll(env);
    List<String> command = new java.util.ArrayList<>();
    cfg.at("/config/Entrypoint").forEach(a -> command.add(a.asText()));
    command.addAll(List.of(args));
    return LocalImages.start(
        root,
        cfg.at("/config/User").asText(),
        all,
        dir.resolve(logName),
        command.toArray(String[]::new));
  }

  private static Map<String, String> imageEnv(JsonNode cfg) {
    Map<String, String> env = new java.util.HashMap<>();
    cfg.at("/config/Env")
        .forEach(e -> env.put(e.asText().split("=", 2)[0], e.asText().split("=", 2)[1]));
    return env;
  }

  /** The operator's request (DopplerClient): Bearer token, Accept JSON, optional If-None-Match. */
  private static java.net.http.HttpResponse<String> download(
      java.net.http.HttpClient http,
      String base,
      String token,
      String project,
      String config,
      String etag)
      throws Exception {
    Map<String, String> headers = new java.util.HashMap<>(Map.of("Accept", "application/json"));
    if (token != null) {
      headers.put("Authorization", "Bearer " + token);
    }
    if (etag != null) {
      headers.put("If-None-Match", etag);
    }
    return get(
        http,
        base
            + "/v3/configs/config/secrets/download?project="
            + project
            + "&config="
            + config
            + "&format=json",
        headers);
  }

  private static java.net.http.HttpResponse<String> get(
      java.net.http.HttpClient http, String url, Map<String, String> headers) throws Exception {
    var b =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .GET();
    headers.forEach(b::header);
    try {
      return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + url.replaceAll("\\?.*", "") + ": " + e);
    }
  }

  private static java.net.http.HttpResponse<String> post(
      java.net.http.HttpClient http, String url, String body) throws Exception {
    return http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  private static void assertEnvelope(
      java.net.http.HttpResponse<String> r, int status, String message) throws Exception {
    assertThat(r.statusCode()).isEqualTo(status);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("success").asBoolean(true)).isFalse();
    assertThat(body.get("messages")).hasSize(1);
    assertThat(body.get("messages").get(0).asText()).contains(message);
  }

  /** Key -> first 12 hex of the value's SHA-256: comparable, printable. */
  private static Map<String, String> fingerprint(Map<String, String> secrets) {
    Map<String, String> f = new java.util.TreeMap<>();
    secrets.forEach(
        (k, v) -> f.put(k, dev.ttstack.operator.support.Hashes.sha256(v).substring(0, 12)));
    return f;
  }

  private static Map<String, String> fingerprint(String json) throws IOException {
    JsonNode node = JSON.readTree(json);
    assertThat(node.isObject()).as("a flat JSON object").isTrue();
    Map<String, String> values = new java.util.TreeMap<>();
    node.fields()
        .forEachRemaining(
            e -> {
              assertThat(e.getValue().isTextual()).as(e.getKey() + " is a string").isTrue();
              values.put(e.getKey(), e.getValue().asText());
            });
    return fingerprint(values);
  }

  @SafeVarargs
  private static void assertNoSecretIn(
      String text, String where, String token, Map<String, String>... secrets) {
    assertThat(text.contains(token)).as("the token in " + where).isFalse();
    for (Map<String, String> s : secrets) {
      s.forEach(
          (k, v) ->
              assertThat(text.contains(v)).as("the value of " + k + " in " + where).isFalse());
    }
  }

  private static LocalImages.Run ctr(String socket, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("ctr", "--address", socket));
    command.addAll(List.of(args));
    return LocalImages.run(command, Map.of(), 5);
  }

  /**
   * A docker-archive as {@code ctr images import} reads it: one manifest entry naming the config by
   * its sha256 and the layers whose sha256 are the config's diff_ids; the one tag ttstack.local/...
   */
  private static JsonNode checkArchive(LocalImages.Image image, Path dir) throws Exception {
    Files.createDirectories(dir);
    LocalImages.unpackArchive(image.archive(), dir);
    JsonNode manifest = JSON.readTree(dir.resolve("manifest.json").toFile());
    assertThat(manifest).hasSize(1);
    JsonNode entry = manifest.get(0);
    assertThat(entry.get("RepoTags")).hasSize(1);
    assertThat(entry.get("RepoTags").get(0).asText())
        .isEqualTo(image.ref())
        .startsWith("ttstack.local/");
    String configName = entry.get("Config").asText();
    Path config = dir.resolve(configName);
    assertThat(configName)
        .as("the config is named by its digest")
        .isEqualTo(LocalImages.sha256(config) + ".json");
    JsonNode cfg = JSON.readTree(config.toFile());
    assertThat(cfg.get("os").asText()).isEqualTo("linux");
    assertThat(cfg.get("rootfs").get("type").asText()).isEqualTo("layers");
    JsonNode diffIds = cfg.get("rootfs").get("diff_ids");
    JsonNode layers = entry.get("Layers");
    assertThat(diffIds).hasSameSizeAs(layers).isNotEmpty();
    for (int i = 0; i < layers.size(); i++) {
      assertThat(diffIds.get(i).asText())
          .as("diff_id of layer " + i)
          .isEqualTo("sha256:" + LocalImages.sha256(dir.resolve(layers.get(i).asText())));
    }
    return cfg;
  }

  private static Path unpackedRoot(String name, Path dir) throws Exception {
    LocalImages.Image image = LocalImages.build(name);
    Path archive = Files.createDirectories(dir.resolve("archive"));
    LocalImages.unpackArchive(image.archive(), archive);
    JsonNode entry = JSON.readTree(archive.resolve("manifest.json").toFile()).get(0);
    Path root = dir.resolve("root");
    for (JsonNode layer : entry.get("Layers")) {
      LocalImages.unpackLayer(archive.resolve(layer.asText()), root);
    }
    return root;
  }

  private static int probe(Path root, Map<String, String> env, String mode) throws Exception {
    return LocalImages.inRoot(root, "999:1000", env, "sh", "/config/redis-probe.sh", mode).exit();
  }

  static void chown(Path path, String owner) throws Exception {
    LocalImages.Run r = LocalImages.run(List.of("chown", owner, path.toString()), Map.of(), 1);
    assertThat(r.exit()).as(r.stderr()).isZero();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
