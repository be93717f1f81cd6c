package dev.ttstack.operator.api;

/** Where the app's rollout stands ({@code status.app.state}). */
public enum AppState {
  /** A change is rolling out, or waits for its dependencies or a backup. */
  Progressing,
  /** What spec.app asks for runs, and every pod is available. */
  Available,
  /**
   * A rollout failed and was not rolled back: autoRollback is off, or nothing earlier was
   * available.
   */
  Failed,
  /**
   * A failed change was rolled back to status.app.lastAvailableSpec; it is not retried until
   * spec.app changes.
   */
  RolledBack
}
