package dev.ttstack.tt.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real services the app runs against in tests: one PostgreSQL and one six-node Redis Cluster
 * per test JVM, started on first use. They are stopped by the JUnit extension at the end of the run
 * (after the Spring contexts using them are closed), or by a JVM shutdown hook if the run dies
 * earlier.
 */
public final class LocalServices implements AutoCloseable {

  /**
   * Node timeout of the test cluster: failover after ~4 s instead of ~8 s with production's 5000.
   */
  public static final Duration NODE_TIMEOUT = Duration.ofMillis(2000);

  private static LocalServices shared;

  private final Path dir;
  private final LocalPostgres postgres;
  private final LocalRedisCluster redis;
  private final List<ConfigurableApplicationContext> contexts =
      Collections.synchronizedList(new ArrayList<>());
  private boolean closed;

  private LocalServices(Path dir, LocalPostgres postgres, LocalRedisCluster redis) {
    this.dir = dir;
    this.postgres = postgres;
    this.redis = redis;
  }

  /**
   * The JVM's services, started on first call. System property {@code tt.services.durable=true}
   * keeps PostgreSQL's fsync on (benchmarks); tests turn it off, their data is thrown away.
   */
  public static synchronized LocalServices shared() {
    if (shared == null) {
      shared = start(Boolean.getBoolean("tt.services.durable"));
      LocalServices services = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(services::close, "local-services-stop"));
    }
    return shared;
  }

  static synchronized void closeShared() {
    if (shared != null) {
      shared.close();
    }
  }

  private static LocalServices start(boolean durable) {
    long t0 = System.nanoTime();
    Path dir;
    try {
      // World-traversable: as root, PostgreSQL runs as the postgres user and must reach its
      // directory.
      dir =
          Files.createTempDirectory(
              "tt-local-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LocalPostgres postgres = null;
    try {
      postgres = LocalPostgres.start(dir, randomSecret(), durable);
      long t1 = System.nanoTime();
      log(
          "PostgreSQL on 127.0.0.1:%d in %.1f s (fsync %s)",
          postgres.port(), (t1 - t0) / 1e9, durable ? "on" : "off");
      LocalRedisCluster redis = LocalRedisCluster.start(dir, randomSecret(), NODE_TIMEOUT);
      log(
          "Redis Cluster on 127.0.0.1 ports %s, healthy in %.1f s",
          redis.ports(), (System.nanoTime() - t1) / 1e9);
      return new LocalServices(dir, postgres, redis);
    } catch (RuntimeException e) {
      if (postgres != null) {
        postgres.close();
      }
      Commands.deleteTree(dir);
      throw e;
    }
  }

  public LocalPostgres postgres() {
    return postgres;
  }

  public LocalRedisCluster redis() {
    return redis;
  }

  /** Exactly the variables the TTStack operator sets on the app's container. */
  public Map<String, String> appEnvironment() {
    return Map.of(
        "SPRING_DATASOURCE_URL", postgres.jdbcUrl(),
        "SPRING_DATASOURCE_USERNAME", postgres.user(),
        "SPRING_DATASOURCE_PASSWORD", postgres.password(),
        "SPRING_DATA_REDIS_CLUSTER_NODES", redis.nodesProperty(),
        "SPRING_DATA_REDIS_PASSWORD", redis.password());
  }

  /** Spring contexts started against these services are closed before the services stop. */
  void register(ConfigurableApplicationContext context) {
    contexts.add(context);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (contexts) {
      for (int i = contexts.size() - 1; i >= 0; i--) {
        contexts.get(i).close();
      }
    }
    redis.close();
    postgres.close();
    Commands.deleteTree(dir);
    log("stopped and deleted %s", dir);
  }

  private static String randomSecret() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void log(String format, Object... args) {
    System.out.printf("[local-services] " + format + "%n", args);
  }
}
