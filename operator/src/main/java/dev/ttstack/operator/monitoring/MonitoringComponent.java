package dev.ttstack.operator.monitoring;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.reconciler.NotImplemented;
import dev.ttstack.operator.reconciler.StackComponent;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * Monitoring: Prometheus, Alertmanager, Grafana, rules and dashboards.
 *
 * <p>Not implemented yet: until it is, {@code MONITORING_READY} stays Unknown with reason NotImplemented.
 */
public class MonitoringComponent implements StackComponent {

  @Override
  public String conditionType() {
    return ConditionType.MONITORING_READY;
  }

  @Override
  public Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next) {
    var monitoring = stack.getSpec().monitoring;
    if (monitoring != null && Boolean.FALSE.equals(monitoring.enabled)) {
      // Nothing is wanted, so nothing is missing: disabled monitoring does not hold Ready back.
      return new Condition(conditionType(), Condition.TRUE, "Disabled", "spec.monitoring.enabled is false");
    }
    return NotImplemented.condition(conditionType(), "the monitoring component");
  }
}
