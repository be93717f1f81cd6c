package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.TTStack;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A PostgreSQL backup that must succeed before a change of another component (the app's new
 * version, whose migrations may change the schema). The app asks for it before the workflow ({@link
 * #ask}); PostgreSQL's workflow node takes it (a backup Job, created once), and the app, which
 * {@code dependsOn} that node, changes only once it succeeded. Whoever asked reads where it stands
 * ({@link #state}) through what PostgreSQL published ({@link #answerWith}). Kept in the reconcile's
 * context, so it never outlives it, and components never import each other for it.
 */
public final class PreChangeBackup {
  private static final String ASKED = PreChangeBackup.class.getName() + ".asked";
  private static final String ANSWER = PreChangeBackup.class.getName() + ".answer";

  private PreChangeBackup() {}

  /** The change that waits for a backup, e.g. "app 1.5.0", and how to say so in a condition. */
  public record Request(String target, String change, String running) {}

  /** Asks for one backup before {@code request.target()} in this reconcile. */
  public static void ask(Context<?> context, Request request) {
    context.managedWorkflowAndDependentResourceContext().put(ASKED, request);
  }

  /** What was asked in this reconcile, if anything. */
  public static Optional<Request> asked(Context<?> context) {
    return context.managedWorkflowAndDependentResourceContext().get(ASKED, Request.class);
  }

  /** How PostgreSQL tells where the backup before a target stands (it reads its Jobs). */
  public static void answerWith(
      Context<?> context, BiFunction<TTStack, String, BackupGate> stateOfTarget) {
    context.managedWorkflowAndDependentResourceContext().put(ANSWER, new Answer(stateOfTarget));
  }

  /** Where the backup before {@code target} stands; empty when nobody answers (no PostgreSQL). */
  public static Optional<BackupGate> state(Context<?> context, TTStack stack, String target) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(ANSWER, Answer.class)
        .map(a -> a.stateOfTarget().apply(stack, target));
  }

  private record Answer(BiFunction<TTStack, String, BackupGate> stateOfTarget) {}
}
