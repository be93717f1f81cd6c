package dev.ttstack.operator.monitoring;

/**
 * Names of the operator's own metrics that the shipped alert rules and dashboards read. The
 * operator's {@code /metrics} is scraped as job {@code operator} (see {@link PrometheusConfig}).
 *
 * <p>Those marked <em>published by ...</em> are a contract for other components: the monitoring
 * component only reads them. Until the component named publishes them, the alerts built on them
 * stay silent (they cannot fire on a series that does not exist), and the dashboard panels show no
 * data. Micrometer names map to these Prometheus names (e.g. {@code ttstack.app.rollbacks} → a
 * Counter, exported as {@code ttstack_app_rollbacks_total}).
 */
public final class OperatorMetricNames {
  /** Label holding the TTStack's namespace (JOSDK's own metrics use the same name). */
  public static final String NAMESPACE_LABEL = "namespace";

  /** Label holding the TTStack's name. */
  public static final String STACK_LABEL = "stack";

  /** Gauge, 1 while this replica leads. Published by the operator process (TTStackOperator). */
  public static final String LEADER = "ttstack_operator_leader";

  /** Counter of Doppler downloads by {@code result}. Published by the secrets component. */
  public static final String SECRETS_SYNC_TOTAL = "ttstack_secrets_sync_total";

  /**
   * Gauge, epoch seconds of the last successful Doppler download. Published by the secrets
   * component.
   */
  public static final String SECRETS_LAST_SUCCESS =
      "ttstack_secrets_last_success_timestamp_seconds";

  /**
   * Counter of heal actions by {@code stack} and {@code action}. Published by the Redis cluster
   * manager.
   */
  public static final String REDIS_HEAL_ACTIONS_TOTAL = "ttstack_redis_heal_actions_total";

  /**
   * Gauge {namespace, stack}: epoch seconds at which the newest successful PostgreSQL backup
   * finished ({@code status.postgres.lastBackup.time}). Published by the postgres component once
   * the stack's first backup succeeded.
   */
  public static final String POSTGRES_LAST_BACKUP_TIMESTAMP =
      "ttstack_postgres_last_backup_timestamp_seconds";

  /**
   * Gauge {namespace, stack}: 1 when the newest backup Job failed after the last successful one
   * ({@code status.postgres.lastFailedBackup} is set), else 0. Published by the postgres component.
   */
  public static final String POSTGRES_LAST_BACKUP_FAILED = "ttstack_postgres_last_backup_failed";

  /**
   * Counter {namespace, stack}: automatic rollbacks of the app to its last good version. Published
   * by the app component, registered at 0 as soon as the stack is reconciled: the rule uses {@code
   * increase()}, which cannot see the first increment of a series that starts at 1.
   */
  public static final String APP_ROLLBACKS_TOTAL = "ttstack_app_rollbacks_total";

  private OperatorMetricNames() {}
}
