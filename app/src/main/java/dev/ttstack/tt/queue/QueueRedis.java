package dev.ttstack.tt.queue;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * The queue's connections to the Redis Cluster, opened from the Lettuce client that Spring Boot
 * configured (nodes, password, command timeout, adaptive topology refresh: all from the
 * environment).
 *
 * <p>Two connections, because admission ends with WAIT: WAIT blocks the connection it is sent on
 * until a replica acknowledges, and it must not stall joins and token checks behind it.
 */
@Component
class QueueRedis implements SmartLifecycle {

  private final LettuceConnectionFactory factory;
  private final Lazy commands = new Lazy();
  private final Lazy admissions = new Lazy();
  private volatile boolean running;

  QueueRedis(LettuceConnectionFactory factory) {
    // The queue relies on hash-tagged keys and replica promotion: a standalone Redis (what Boot
    // falls
    // back to when no cluster nodes are configured) would silently work in tests and fail in
    // production.
    if (!factory.isClusterAware()) {
      throw new IllegalStateException(
          "The waiting queue needs a Redis Cluster: set SPRING_DATA_REDIS_CLUSTER_NODES (host:port,...)");
    }
    this.factory = factory;
  }

  /** Connection for joins, position reads and token checks (pipelined, shared by all threads). */
  StatefulRedisClusterConnection<String, String> commands() {
    return commands.get(this);
  }

  /** Connection for admission steps, which end with WAIT. */
  StatefulRedisClusterConnection<String, String> admissions() {
    return admissions.get(this);
  }

  private StatefulRedisClusterConnection<String, String> open() {
    return ((RedisClusterClient) factory.getRequiredNativeClient()).connect();
  }

  @Override
  public void start() {
    running = true;
  }

  /**
   * Closes the queue's connections on shutdown, after the web server drained in-flight requests and
   * before the connection factory shuts the Lettuce client down (a higher phase stops earlier).
   */
  @Override
  public void stop() {
    running = false;
    commands.close();
    admissions.close();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return 1;
  }

  /**
   * A connection opened on first use, so that the app starts (and reports not-ready through its
   * health groups) even while the Redis Cluster is still forming; a failed open is retried next
   * call.
   */
  private static final class Lazy {
    private volatile StatefulRedisClusterConnection<String, String> connection;

    StatefulRedisClusterConnection<String, String> get(QueueRedis owner) {
      StatefulRedisClusterConnection<String, String> c = connection;
      if (c == null) {
        synchronized (this) {
          if (connection == null) {
            connection = owner.open();
          }
          c = connection;
        }
      }
      return c;
    }

    synchronized void close() {
      if (connection != null && connection.isOpen()) {
        connection.close();
      }
      connection = null;
    }
  }
}
