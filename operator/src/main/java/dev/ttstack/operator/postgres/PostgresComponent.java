package dev.ttstack.operator.postgres;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.reconciler.NotImplemented;
import dev.ttstack.operator.reconciler.StackComponent;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * PostgreSQL: StatefulSet, Service, exporter, backups and NetworkPolicy.
 *
 * <p>Not implemented yet: until it is, {@code POSTGRES_READY} stays Unknown with reason NotImplemented.
 */
public class PostgresComponent implements StackComponent {

  @Override
  public String conditionType() {
    return ConditionType.POSTGRES_READY;
  }

  @Override
  public Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next) {
    return NotImplemented.condition(conditionType(), "the PostgreSQL component");
  }
}
