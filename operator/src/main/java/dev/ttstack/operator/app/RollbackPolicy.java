package dev.ttstack.operator.app;

import dev.ttstack.operator.api.AppSpec;
import dev.ttstack.operator.api.AppState;
import dev.ttstack.operator.api.AppStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Objects;

/**
 * The one place that decides when the app rolls back (Flink's operator keeps it in one place too).
 * Pure: no API call, no clock. A rollout is the pod-shaping part of spec.app it runs ({@link
 * AppObjects#specHash}), so a failed change of env or resources at the same version is rolled back
 * just like a failed new version: to {@code status.app.lastAvailableSpec}, the last one that became
 * Available. The failed spec is not retried until spec.app changes.
 */
final class RollbackPolicy {
  private RollbackPolicy() {}

  /** What the observation of a rollout means. */
  enum Verdict {
    /** The wanted spec runs, every pod available; nothing new. */
    AVAILABLE,
    /** The wanted spec has just become available: it is the new lastAvailableSpec. */
    BECAME_AVAILABLE,
    /** A failed spec was rolled back and the last available one runs again, or rolls out. */
    ROLLED_BACK,
    /** The wanted spec failed now: roll back to lastAvailableSpec (recorded in the status). */
    ROLL_BACK_NOW,
    /** The wanted spec failed; autoRollback is off, so nothing is restored. */
    FAILED_AUTO_ROLLBACK_OFF,
    /** What runs failed, and nothing earlier was available to return to. */
    FAILED_NOTHING_EARLIER,
    /** Rolling out. */
    PROGRESSING
  }

  /**
   * The spec.app to run: the wanted one, unless it is the one that failed and was rolled back; then
   * the last available pod shape (replicas and rollout stay the wanted ones).
   */
  static AppSpec target(AppSpec wanted, AppStatus previous) {
    if (previous == null || !failedBefore(wanted, previous)) {
      return wanted;
    }
    if (previous.lastAvailableSpec != null) {
      AppSpec run = Serialization.clone(previous.lastAvailableSpec);
      run.replicas = wanted.replicas;
      run.rollout = wanted.rollout;
      run.ingress = wanted.ingress;
      return run;
    }
    if (previous.lastGoodVersion != null) {
      // a status written before lastAvailableSpec existed: only the version is known
      AppSpec run = Serialization.clone(wanted);
      run.version = previous.lastGoodVersion;
      return run;
    }
    return wanted;
  }

  /**
   * Decides, and records the decision in {@code status} (a copy of the previous app status): the
   * state, the last available spec, and the failed spec with its reason and {@code now}.
   */
  static Verdict decide(
      AppSpec wanted,
      AppStatus status,
      DeploymentRollout rollout,
      boolean autoRollback,
      String now) {
    String wantedHash = AppObjects.specHash(wanted);
    boolean wantedFailed = failedBefore(wanted, status);
    if (rollout.complete()) {
      status.version = rollout.version();
      if (wantedFailed && !Objects.equals(rollout.specHash(), status.failedSpecHash)) {
        status.state = AppState.RolledBack;
        return Verdict.ROLLED_BACK;
      }
      status.state = AppState.Available;
      boolean runsWanted =
          rollout.specHash() != null
              ? rollout.specHash().equals(wantedHash)
              : Objects.equals(rollout.version(), wanted.version);
      if (runsWanted && !wantedHash.equals(lastAvailableHash(status))) {
        status.lastAvailableSpec = AppObjects.podShaping(wanted);
        status.lastGoodVersion = wanted.version;
        if (wantedHash.equals(status.failedSpecHash)) {
          status.failedSpecHash = null; // it came up after all: no longer held back
        }
        return Verdict.BECAME_AVAILABLE;
      }
      return Verdict.AVAILABLE;
    }
    if (rollout.failure().isPresent()) {
      if (wantedFailed) {
        // the failed spec still runs while the rollback is applied: rolling back; else the
        // rollback target fails too
        boolean runsFailed =
            rollout.specHash() != null
                ? rollout.specHash().equals(status.failedSpecHash)
                : Objects.equals(rollout.version(), status.failedVersion);
        status.state = runsFailed ? AppState.RolledBack : AppState.Failed;
        return runsFailed ? Verdict.ROLLED_BACK : Verdict.FAILED_NOTHING_EARLIER;
      }
      boolean runsLastAvailable =
          status.lastAvailableSpec != null && rollout.specHash() != null
              ? rollout.specHash().equals(lastAvailableHash(status))
              : Objects.equals(rollout.version(), status.lastGoodVersion);
      boolean earlier =
          (status.lastAvailableSpec != null || status.lastGoodVersion != null)
              && !runsLastAvailable;
      if (earlier && autoRollback) {
        status.failedSpecHash = rollout.specHash() != null ? rollout.specHash() : wantedHash;
        status.failedVersion = rollout.version();
        status.failureReason = rollout.failure().get();
        status.lastRollbackTime = now;
        status.state = AppState.RolledBack;
        return Verdict.ROLL_BACK_NOW;
      }
      status.state = AppState.Failed;
      return earlier ? Verdict.FAILED_AUTO_ROLLBACK_OFF : Verdict.FAILED_NOTHING_EARLIER;
    }
    status.state = wantedFailed ? AppState.RolledBack : AppState.Progressing;
    return wantedFailed ? Verdict.ROLLED_BACK : Verdict.PROGRESSING;
  }

  /** Whether the wanted spec.app is the one that failed and was rolled back. */
  static boolean failedBefore(AppSpec wanted, AppStatus status) {
    if (status.failedSpecHash != null) {
      return status.failedSpecHash.equals(AppObjects.specHash(wanted));
    }
    // a status written before failedSpecHash existed: only the version is known
    return status.failedVersion != null
        && status.lastGoodVersion != null
        && status.failedVersion.equals(wanted.version);
  }

  private static String lastAvailableHash(AppStatus status) {
    return status.lastAvailableSpec == null ? null : AppObjects.specHash(status.lastAvailableSpec);
  }
}
