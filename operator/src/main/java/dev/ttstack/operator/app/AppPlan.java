package dev.ttstack.operator.app;

import dev.ttstack.operator.api.AppSpec;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Optional;

/**
 * What {@link AppComponent} decided when the workflow reached the app (its dependencies ready, a
 * backup it waited for taken). Absent: the workflow did not reach it, and the Deployment is left as
 * it is.
 *
 * @param run the spec.app the Deployment must run (the wanted one, or the last available one after
 *     a failure)
 * @param secretHash hash of the secret keys the app consumes (null: keep what runs)
 */
public record AppPlan(AppSpec run, String secretHash) {
  static final String KEY = AppPlan.class.getName();

  static Optional<AppPlan> of(Context<?> context) {
    return context.managedWorkflowAndDependentResourceContext().get(KEY, AppPlan.class);
  }
}
