package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.TTStack;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * A PostgreSQL backup taken before a change of another component (the app's upgrade, whose
 * migrations may change the schema). PostgreSQL provides it; the app is given one, so it never
 * reaches into how backups are made.
 */
@FunctionalInterface
public interface PreChangeBackup {
  /**
   * Ensures one backup has been taken before {@code target} (e.g. "app 1.5.0"): starts it the first
   * time, then reports where it stands. A failed one keeps failing until someone deletes it.
   */
  BackupGate ensureBefore(TTStack stack, Context<TTStack> context, String target);
}
