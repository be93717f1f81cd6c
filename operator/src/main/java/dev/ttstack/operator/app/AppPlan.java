package dev.ttstack.operator.app;

import dev.ttstack.operator.api.Condition;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Optional;

/**
 * What {@link AppComponent} decided when the workflow reached the app (its dependencies ready).
 *
 * @param run the spec.app the Deployment must run (the wanted one, or the last available one after
 *     a failure); null: leave the Deployment as it is (a backup before the new version runs)
 * @param secretHash hash of the secret keys the app consumes (null: keep what runs)
 * @param waiting why the Deployment is held as it is, or null
 */
public record AppPlan(dev.ttstack.operator.api.AppSpec run, String secretHash, Condition waiting) {
  static final String KEY = AppPlan.class.getName();

  static Optional<AppPlan> of(Context<?> context) {
    return context.managedWorkflowAndDependentResourceContext().get(KEY, AppPlan.class);
  }
}
