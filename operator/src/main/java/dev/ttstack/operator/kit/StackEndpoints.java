package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.TTStack;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The names and ports by which one component reaches another: what PostgreSQL, Redis and the
 * secrets component publish, so that the app (and monitoring) connect to them without importing
 * them. The component that makes an object names it from here too, so the two cannot drift.
 */
public final class StackEndpoints {
  public static final int POSTGRES_PORT = 5432;
  public static final int REDIS_PORT = 6379;

  private StackEndpoints() {}

  /** PostgreSQL's Service (and StatefulSet): {@code <stack>-postgres}. */
  public static String postgres(TTStack stack) {
    return StackLabels.objectName(stack, "postgres");
  }

  /** The Redis StatefulSet: {@code <stack>-redis}; its pods are {@code <stack>-redis-<i>}. */
  public static String redis(String stack) {
    return stack + "-redis";
  }

  /** The headless Service that gives each Redis pod its stable DNS name. */
  public static String redisHeadless(String stack) {
    return redis(stack) + "-headless";
  }

  /**
   * Every Redis node as {@code host:port}, by the stable names the headless Service publishes for
   * the StatefulSet's pods (a Redis Cluster client needs the nodes, not a load-balanced address).
   */
  public static List<String> redisNodes(TTStack stack) {
    String s = stack.getMetadata().getName();
    String headless = redisHeadless(s) + "." + stack.getMetadata().getNamespace() + ".svc";
    return IntStream.range(0, stack.getSpec().redis.nodeCount())
        .mapToObj(i -> redis(s) + "-" + i + "." + headless + ":" + REDIS_PORT)
        .toList();
  }

  /** The Secret the secrets component writes from Doppler: {@code <stack>-secrets}. */
  public static String managedSecret(TTStack stack) {
    return StackLabels.objectName(stack, "secrets");
  }
}
