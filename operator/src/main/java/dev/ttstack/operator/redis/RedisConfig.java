package dev.ttstack.operator.redis;

import dev.ttstack.operator.api.RedisSpec;
import dev.ttstack.operator.support.ClasspathText;

/**
 * The files of the Redis ConfigMap, from {@code src/main/resources/redis/}: {@code redis.conf}
 * (with {@code ${NODE_TIMEOUT_MILLIS}} filled in from the spec), the start-up gate and the probes.
 * No secret is ever part of them.
 */
public final class RedisConfig {
  public static final String REDIS_CONF = "redis.conf";
  public static final String START_SCRIPT = "redis-start.sh";
  public static final String PROBE_SCRIPT = "redis-probe.sh";

  private RedisConfig() {}

  public static String redisConf(RedisSpec spec) {
    return redisConf(spec.nodeTimeoutMillis);
  }

  public static String redisConf(int nodeTimeoutMillis) {
    return resource(REDIS_CONF)
        .replace("${NODE_TIMEOUT_MILLIS}", Integer.toString(nodeTimeoutMillis));
  }

  public static String startScript() {
    return resource(START_SCRIPT);
  }

  public static String probeScript() {
    return resource(PROBE_SCRIPT);
  }

  static String resource(String name) {
    return ClasspathText.read("/redis/" + name);
  }
}
