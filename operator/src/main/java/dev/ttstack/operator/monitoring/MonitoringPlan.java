package dev.ttstack.operator.monitoring;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Optional;

/**
 * What {@link MonitoringComponent} prepared before the workflow, for the dependents to apply.
 *
 * @param config every generated file, rendered once for this reconcile
 * @param secretName the Secret holding Grafana's password and the Slack webhook
 * @param grafanaSecretHash hash of Grafana's password key, or null if unknown yet
 * @param secretsAvailable whether that Secret has content the servers may start with
 */
public record MonitoringPlan(
    MonitoringConfig config,
    String secretName,
    String grafanaSecretHash,
    boolean secretsAvailable) {
  static final String KEY = MonitoringPlan.class.getName();

  static Optional<MonitoringPlan> of(Context<?> context) {
    return context.managedWorkflowAndDependentResourceContext().get(KEY, MonitoringPlan.class);
  }

  static MonitoringPlan require(Context<?> context) {
    return of(context)
        .orElseThrow(() -> new IllegalStateException("MonitoringComponent.prepare did not run"));
  }
}
