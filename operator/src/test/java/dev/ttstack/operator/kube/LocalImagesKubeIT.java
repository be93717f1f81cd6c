package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttstack.operator.redis.RedisConfig;
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
class LocalImagesKubeIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void redisArchiveIsAWellFormedDockerArchiveAndASecondCallIsCached(@TempDir Path dir) throws Exception {
    LocalImages.Image image = LocalImages.build("redis");
    assertThat(image.ref()).startsWith("ttstack.local/redis:7.");
    JsonNode cfg = checkArchive(image, dir);
    assertThat(cfg.at("/config/User").asText()).as("the Redis pods' uid:gid").isEqualTo("999:1000");
    assertThat(cfg.at("/config/Env").toString()).contains("PATH=");

    LocalImages.Image again = LocalImages.build("redis");
    assertThat(again).extracting(LocalImages.Image::ref, LocalImages.Image::archive)
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
    LocalImages.Run seeded = LocalImages.run(List.of("cp", "-al", jreDir.toString(), images.toString()), Map.of(), 1);
    assertThat(seeded.exit()).as(seeded.stderr()).isZero();
    Path stale = Files.createDirectories(images.resolve("operator-0123456789abcdef"));
    Path other = Files.createDirectories(images.resolve("operator-extra-0123456789abcdef"));
    LocalImages.Run run = LocalImages.run(List.of(LocalImages.SCRIPT.toString(), "operator"),
        Map.of("XDG_CACHE_HOME", cache.toString()), 10);
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
    // The pod's ConfigMap at /config, its emptyDir /run/redis (writable by the pod's uid via fsGroup).
    Path config = Files.createDirectories(root.resolve("config"));
    Files.writeString(config.resolve(RedisConfig.REDIS_CONF), RedisConfig.redisConf(5000));
    Files.writeString(config.resolve(RedisConfig.START_SCRIPT), RedisConfig.startScript());
    Files.writeString(config.resolve(RedisConfig.PROBE_SCRIPT), RedisConfig.probeScript());
    Path run = Files.createDirectories(root.resolve("run/redis"));
    chown(run, "999:1000");
    int port = freePort();
    int gate = freePort();
    Map<String, String> env = Map.of("REDIS_PASSWORD", "images-test-pw", "POD_NAME", "tt-redis-0",
        "REDIS_PORT", Integer.toString(port), "REDIS_GATE_PORT", Integer.toString(gate), "REDIS_BIND", "127.0.0.1",
        "REDIS_BASE_CONF", "/config/redis.conf", "REDIS_DATA_DIR", "/data", "REDIS_RUN_DIR", "/run/redis");
    Path log = dir.resolve("redis.log");
    Process redis = LocalImages.start(root, "999:1000", env, log, "sh", "/config/redis-start.sh");
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(probe(root, env, "live")).as(() -> read(log)).isZero());
      LocalImages.Run ping = LocalImages.inRoot(root, "999:1000", Map.of("REDISCLI_AUTH", "images-test-pw"),
          "redis-cli", "-p", Integer.toString(port), "cluster", "info");
      assertThat(ping.stdout()).as("a cluster-enabled node, not yet in a cluster").contains("cluster_known_nodes:1");
      LocalImages.Run noAuth = LocalImages.inRoot(root, "999:1000", Map.of(), "redis-cli", "-p",
          Integer.toString(port), "ping");
      assertThat(noAuth.stdout()).contains("NOAUTH");
      assertThat(read(log)).contains("starting redis-server as a new node");
      assertThat(Files.exists(root.resolve("data/nodes.conf"))).as("nodes.conf written to /data by uid 999").isTrue();
    } finally {
      LocalImages.stop(redis);
    }
    assertThat(redis.isAlive()).isFalse();
    assertThat(listening(port)).as("the Redis port after the namespace ended").isFalse();
  }

  @Test
  void postgresImageInitialisesAsTheOfficialImageAndBacksUpWithPgDump(@TempDir Path dir) throws Exception {
    Path root = unpackedRoot("postgres", dir);
    // The pod's volume at /var/lib/postgresql/data (PGDATA a sub-folder, as PostgresObjects sets it),
    // the official image's environment, and a server on a loopback port chosen now.
    int port = freePort();
    Map<String, String> env = Map.of("PGDATA", "/var/lib/postgresql/data/pgdata", "POSTGRES_USER", "tt",
        "POSTGRES_PASSWORD", "images-test-pw", "POSTGRES_DB", "ttdb", "POSTGRES_INITDB_ARGS", "-E UTF8 --locale=C");
    List<String> args = List.of("/usr/local/bin/postgres-entrypoint.sh", "postgres", "-p", Integer.toString(port),
        "-c", "listen_addresses=127.0.0.1");
    Path log = dir.resolve("postgres.log");
    Process postgres = LocalImages.start(root, "70:70", env, log, args.toArray(String[]::new));
    try {
      awaitReady(root, port, log);
      assertThat(read(log)).contains("initialising a new cluster").contains("initialisation complete");
      LocalImages.Run login = psql(root, port, "images-test-pw",
          "select current_user || ' ' || current_database() || ' ' || current_setting('password_encryption')"
              + " || ' ' || (select left(rolpassword, 14) from pg_authid where rolname = current_user)");
      assertThat(login.exit()).as(login.stderr()).isZero();
      assertThat(login.stdout().trim()).isEqualTo("tt ttdb scram-sha-256 SCRAM-SHA-256$");
      LocalImages.Run wrong = psql(root, port, "not-the-password", "select 1");
      assertThat(wrong.exit()).isNotZero();
      assertThat(wrong.stderr()).contains("password authentication failed for user \"tt\"");
      assertThat(psql(root, port, "images-test-pw", "create table t (v text); insert into t values ('kept')").exit())
          .isZero();

      // The backup Job's pg_dump (custom format) from this image, read back by pg_restore --list.
      LocalImages.Run dump = LocalImages.inRoot(root, "70:70", Map.of("PGHOST", "127.0.0.1", "PGPORT",
          Integer.toString(port), "PGUSER", "tt", "PGPASSWORD", "images-test-pw", "PGDATABASE", "ttdb"),
          "pg_dump", "--format=custom", "--no-password", "--file=/tmp/ttdb.dump");
      assertThat(dump.exit()).as(dump.stderr()).isZero();
      LocalImages.Run list = LocalImages.inRoot(root, "70:70", Map.of(), "pg_restore", "--list", "/tmp/ttdb.dump");
      assertThat(list.stdout()).contains("TABLE public t tt");
    } finally {
      LocalImages.stop(postgres);
    }
    assertThat(listening(port)).isFalse();

    // A second start on the same PGDATA keeps the database: no second initdb.
    Process again = LocalImages.start(root, "70:70", env, dir.resolve("postgres-2.log"), args.toArray(String[]::new));
    try {
      awaitReady(root, port, dir.resolve("postgres-2.log"));
      assertThat(psql(root, port, "images-test-pw", "select v from t").stdout().trim()).isEqualTo("kept");
      assertThat(read(dir.resolve("postgres-2.log"))).doesNotContain("initialising");
    } finally {
      LocalImages.stop(again);
    }
  }

  @Test
  void postgresEntrypointRefusesAnEmptyPgdataWithoutAPassword(@TempDir Path dir) throws Exception {
    Path root = unpackedRoot("postgres", dir);
    LocalImages.Run run = LocalImages.inRoot(root, "70:70", Map.of("PGDATA", "/var/lib/postgresql/data/pgdata"),
        "/usr/local/bin/postgres-entrypoint.sh", "postgres");
    assertThat(run.exit()).isNotZero();
    assertThat(run.stderr()).contains("POSTGRES_PASSWORD is not set");
    assertThat(Files.exists(root.resolve("var/lib/postgresql/data/pgdata/PG_VERSION"))).isFalse();
  }

  private static void awaitReady(Path root, int port, Path log) {
    // The operator's own readiness check (pg_isready over TCP), from the image.
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(LocalImages.inRoot(root, "70:70", Map.of(), "pg_isready", "-h", "127.0.0.1",
            "-p", Integer.toString(port)).exit()).as(() -> read(log)).isZero());
  }

  private static LocalImages.Run psql(Path root, int port, String password, String sql) throws Exception {
    return LocalImages.inRoot(root, "70:70", Map.of("PGPASSWORD", password), "psql", "-X", "-At",
        "-v", "ON_ERROR_STOP=1", "host=127.0.0.1 port=" + port + " user=tt dbname=ttdb", "-c", sql);
  }

  @Test
  void operatorImageIsTheJreWithTheJarAndRunsItAsItsDockerfileDoes(@TempDir Path dir) throws Exception {
    Path jar = Path.of("target", "ttstack-operator.jar").toAbsolutePath();
    LocalImages.Image image = LocalImages.build("operator");
    assertThat(image.ref()).isEqualTo("ttstack.local/operator:" + LocalImages.sha256(jar).substring(0, 12));
    JsonNode cfg = checkArchive(image, dir.resolve("archive"));
    LocalImages.Image jre = LocalImages.build("jre");
    JsonNode jreCfg = checkArchive(jre, dir.resolve("jre"));
    // The JRE's layer shared as it is (containerd stores it once), the jar's on top.
    assertThat(cfg.at("/rootfs/diff_ids")).hasSize(2);
    assertThat(cfg.at("/rootfs/diff_ids/0")).isEqualTo(jreCfg.at("/rootfs/diff_ids/0"));
    assertThat(cfg.at("/config/User").asText()).isEqualTo("10001:10001");
    assertThat(cfg.at("/config/Env").toString()).as("the JRE's PATH kept").contains("PATH=/usr/local/sbin");

    Path root = dir.resolve("root");
    JsonNode entry = JSON.readTree(dir.resolve("archive/manifest.json").toFile()).get(0);
    for (JsonNode layer : entry.get("Layers")) {
      LocalImages.unpackLayer(dir.resolve("archive").resolve(layer.asText()), root);
    }
    assertThat(LocalImages.sha256(root.resolve("app/ttstack-operator.jar"))).isEqualTo(LocalImages.sha256(jar));
    // As the runtime would: the config's User, Env and Entrypoint, with the `crd` command.
    Map<String, String> env = new java.util.HashMap<>();
    cfg.at("/config/Env").forEach(e -> env.put(e.asText().split("=", 2)[0], e.asText().split("=", 2)[1]));
    List<String> command = new java.util.ArrayList<>();
    cfg.at("/config/Entrypoint").forEach(a -> command.add(a.asText()));
    command.add("crd");
    LocalImages.Run crd = LocalImages.inRoot(root, cfg.at("/config/User").asText(), env, command.toArray(String[]::new));
    assertThat(crd.exit()).as(crd.stderr()).isZero();
    assertThat(crd.stdout()).contains("CustomResourceDefinition").contains("ttstacks.ttstack.dev");
  }

  /**
   * The redis archive in a real container runtime: a throw-away containerd (its own root, state and
   * socket in the test's folder; every registry pointed at a closed loopback port, so nothing can be
   * pulled; restrict_oom_score_adj, as this machine needs) imports it, lists it by its tag, and runc
   * runs a container of it as the config's user. Nothing is left: no process naming the folder, no
   * mount under it.
   */
  @Test
  void redisArchiveImportsIntoContainerdAndRunsThere(@TempDir Path dir) throws Exception {
    LocalImages.Image image = LocalImages.build("redis");
    Path hosts = Files.createDirectories(dir.resolve("certs.d/_default")).resolve("hosts.toml");
    Files.writeString(hosts, "server = \"http://127.0.0.1:1\"\n");
    String socket = dir.resolve("containerd.sock").toString();
    Files.writeString(dir.resolve("config.toml"), String.join("\n",
        "version = 2",
        "root = \"" + dir.resolve("root") + "\"",
        "state = \"" + dir.resolve("state") + "\"",
        "[grpc]", "  address = \"" + socket + "\"",
        "[ttrpc]", "  address = \"" + socket + ".ttrpc\"",
        "[debug]", "  address = \"\"",
        "[metrics]", "  address = \"\"",
        "[plugins.\"io.containerd.grpc.v1.cri\"]",
        "  restrict_oom_score_adj = true",
        "  disable_tcp_service = true",
        "  stream_server_address = \"127.0.0.1\"",
        "  stream_server_port = \"0\"",
        "  [plugins.\"io.containerd.grpc.v1.cri\".registry]",
        "    config_path = \"" + dir.resolve("certs.d") + "\"", ""));
    Process containerd = new ProcessBuilder("containerd", "--config", dir.resolve("config.toml").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
          assertThat(ctr(socket, "version").exit()).as(() -> read(dir.resolve("containerd.log"))).isZero());
      LocalImages.Run imported = ctr(socket, "-n", "k8s.io", "images", "import", image.archive().toString());
      assertThat(imported.exit()).as(imported.stderr()).isZero();
      assertThat(ctr(socket, "-n", "k8s.io", "images", "ls", "-q").stdout().lines()).contains(image.ref());
      // --cgroup "": the container's cgroup is /<id>, which runc removes with it (no parent left).
      LocalImages.Run inside = ctr(socket, "-n", "k8s.io", "run", "--rm", "--cgroup", "", image.ref(),
          "ttstack-images-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
          "sh", "-c", "id -u; id -g; redis-server --version");
      assertThat(inside.exit()).as(inside.stderr()).isZero();
      assertThat(inside.stdout().lines().toList()).startsWith("999", "1000");
      assertThat(inside.stdout()).contains("Redis server v=7.");
    } finally {
      containerd.destroy();
      if (!containerd.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        containerd.destroyForcibly();
      }
    }
    assertThat(Files.readAllLines(Path.of("/proc/mounts"))).as("mounts under " + dir)
        .noneMatch(line -> line.contains(dir.toString()));
    assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse("")))
        .as("processes naming " + dir).noneMatch(line -> line.contains(dir.toString()));
  }

  // ---- monitoring: each server started from its image as the operator starts it (args only, so the
  // image's Entrypoint and User), on a loopback port chosen now, until its HTTP endpoint answers.

  @Test
  void prometheusImageServesWithTheOperatorsArgs(@TempDir Path dir) throws Exception {
    int port = freePort();
    String body = serve("prometheus", dir, Map.of("/config/prometheus.yml", "global:\n  scrape_interval: 15s\n"),
        Map.of(), List.of("--config.file=/config/prometheus.yml", "--storage.tsdb.path=/prometheus",
            "--web.listen-address=127.0.0.1:" + port), port, "/-/ready");
    assertThat(body).contains("Ready");
  }

  @Test
  void alertmanagerImageServesWithTheOperatorsArgs(@TempDir Path dir) throws Exception {
    int port = freePort();
    String body = serve("alertmanager", dir,
        Map.of("/config/alertmanager.yml", "route:\n  receiver: none\nreceivers:\n  - name: none\n"), Map.of(),
        List.of("--config.file=/config/alertmanager.yml", "--storage.path=/alertmanager",
            "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address="), port, "/-/ready");
    assertThat(body).contains("OK");
  }

  @Test
  void exporterImagesReportTheirServiceDownWhenItIsAbsent(@TempDir Path dir) throws Exception {
    int closed = freePort(); // nothing listens there
    int port = freePort();
    String pg = serve("postgres-exporter", dir.resolve("pg"), Map.of(),
        Map.of("DATA_SOURCE_NAME", "postgresql://u:p@127.0.0.1:" + closed + "/db?sslmode=disable"),
        List.of("--web.listen-address=127.0.0.1:" + port), port, "/metrics");
    assertThat(pg).contains("pg_up 0");
    int port2 = freePort();
    String redis = serve("redis-exporter", dir.resolve("redis"), Map.of(),
        Map.of("REDIS_ADDR", "redis://127.0.0.1:" + closed, "REDIS_EXPORTER_WEB_LISTEN_ADDRESS", "127.0.0.1:" + port2),
        List.of(), port2, "/metrics");
    assertThat(redis).contains("redis_up 0");
  }

  /**
   * Starts image NAME's Entrypoint with {@code args} as its config's User and Env (plus {@code env}),
   * with {@code files} written into its root first; returns the body of the first 200 answer of
   * GET path on port (bounded wait), and stops it (nothing of it left).
   */
  private static String serve(String name, Path dir, Map<String, String> files, Map<String, String> env,
      List<String> args, int port, String path) throws Exception {
    Files.createDirectories(dir);
    Path root = unpackedRoot(name, dir);
    JsonNode cfg = JSON.readTree(dir.resolve("archive").resolve(
        JSON.readTree(dir.resolve("archive/manifest.json").toFile()).get(0).get("Config").asText()).toFile());
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path file = root.resolve(f.getKey().substring(1));
      Files.createDirectories(file.getParent());
      Files.writeString(file, f.getValue());
    }
    Map<String, String> all = new java.util.HashMap<>();
    cfg.at("/config/Env").forEach(e -> all.put(e.asText().split("=", 2)[0], e.asText().split("=", 2)[1]));
    all.putAll(env);
    List<String> command = new java.util.ArrayList<>();
    cfg.at("/config/Entrypoint").forEach(a -> command.add(a.asText()));
    command.addAll(args);
    Path log = dir.resolve(name + ".log");
    Process server = LocalImages.start(root, cfg.at("/config/User").asText(), all, log, command.toArray(String[]::new));
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build();
    try {
      String[] body = new String[1];
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
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
    assertThat(entry.get("RepoTags").get(0).asText()).isEqualTo(image.ref()).startsWith("ttstack.local/");
    String configName = entry.get("Config").asText();
    Path config = dir.resolve(configName);
    assertThat(configName).as("the config is named by its digest").isEqualTo(LocalImages.sha256(config) + ".json");
    JsonNode cfg = JSON.readTree(config.toFile());
    assertThat(cfg.get("os").asText()).isEqualTo("linux");
    assertThat(cfg.get("rootfs").get("type").asText()).isEqualTo("layers");
    JsonNode diffIds = cfg.get("rootfs").get("diff_ids");
    JsonNode layers = entry.get("Layers");
    assertThat(diffIds).hasSameSizeAs(layers).isNotEmpty();
    for (int i = 0; i < layers.size(); i++) {
      assertThat(diffIds.get(i).asText()).as("diff_id of layer " + i)
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
