package dev.ttstack.operator.api;

/** The condition types a TTStack reports, in the order they are listed in its status. */
public final class ConditionType {
  private ConditionType() {}

  public static final String READY = "Ready";
  public static final String SECRETS_SYNCED = "SecretsSynced";
  public static final String POSTGRES_READY = "PostgresReady";
  public static final String REDIS_CLUSTER_READY = "RedisClusterReady";
  public static final String APP_READY = "AppReady";
  public static final String MONITORING_READY = "MonitoringReady";
}
