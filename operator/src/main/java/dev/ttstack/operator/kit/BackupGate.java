package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.Condition;
import java.util.Optional;

/**
 * Where a PostgreSQL backup that must succeed before a change stands (an app upgrade, a new
 * PostgreSQL image), and the condition that holds the change back until it has.
 *
 * @param job the backup Job's name
 * @param detail what went wrong, for FAILED
 */
public record BackupGate(State state, String job, String detail) {
  /** Reasons of the condition a pending or failed backup sets. */
  public static final String BACKING_UP = "BackingUpBeforeUpgrade";

  public static final String BACKUP_FAILED = "BackupFailed";

  public enum State {
    RUNNING,
    SUCCEEDED,
    FAILED
  }

  /**
   * The condition that holds {@code change} (e.g. "upgrading from 1.4 to 1.5") back while this
   * backup is not done, with the way out when it failed; empty once it succeeded.
   */
  public Optional<Condition> holding(String conditionType, String change, String running) {
    return switch (state) {
      case SUCCEEDED -> Optional.empty();
      case RUNNING ->
          Optional.of(
              new Condition(
                  conditionType,
                  Condition.FALSE,
                  BACKING_UP,
                  "taking a PostgreSQL backup (Job " + job + ") before " + change));
      case FAILED ->
          Optional.of(
              new Condition(
                  conditionType,
                  Condition.FALSE,
                  BACKUP_FAILED,
                  "the PostgreSQL backup before "
                      + change
                      + " failed (Job "
                      + job
                      + ": "
                      + detail
                      + "); still running "
                      + running
                      + ". Fix the cause and delete Job "
                      + job
                      + " to retry, or set spec.postgres.backup.beforeUpgrade: false to go ahead without a backup"));
    };
  }
}
