package dev.ttstack.operator.postgres;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.kit.VolumeGrowth;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Optional;

/**
 * What {@link PostgresComponent} decided before the workflow, for the dependents to apply.
 *
 * @param image the image the StatefulSet runs (the spec's, or the running one while an upgrade
 *     waits)
 * @param secretName the Secret holding the credentials
 * @param secretHash hash of the keys PostgreSQL consumes, or null if unknown yet
 * @param blocked a condition that explains why the spec is not applied yet, or null
 * @param storage the data volume's size for the StatefulSet's claim template (see VolumeGrowth)
 * @param imageChangeBackup the target of the backup a new image waits for ("postgres image X"), or
 *     null; it is taken with the running image
 */
public record PostgresPlan(
    String image,
    String secretName,
    String secretHash,
    Condition blocked,
    VolumeGrowth.Outcome storage,
    String imageChangeBackup) {
  static final String KEY = PostgresPlan.class.getName();

  public static Optional<PostgresPlan> of(Context<?> context) {
    return context.managedWorkflowAndDependentResourceContext().get(KEY, PostgresPlan.class);
  }
}
