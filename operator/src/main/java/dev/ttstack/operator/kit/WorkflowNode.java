package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.TTStack;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.NameSetter;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;

/**
 * A workflow node that is not a Kubernetes object (an external dependent, as the schema is in
 * JOSDK's mysql-schema sample): a gate others {@code dependsOn}, or work such as the Redis Cluster
 * protocol. By default it applies nothing and offers what {@link #getSecondaryResource} finds.
 *
 * <p>It takes the name the workflow gives it ({@link NameSetter}): JOSDK links {@code dependsOn} by
 * that name, and a dependent without a setter keeps its class name (the link then fails).
 */
public abstract class WorkflowNode<R> implements DependentResource<R, TTStack>, NameSetter {
  private final Class<R> type;
  private String name;

  protected WorkflowNode(Class<R> type) {
    this.type = type;
    this.name = DependentResource.defaultNameFor(getClass());
  }

  @Override
  public ReconcileResult<R> reconcile(TTStack stack, Context<TTStack> context) {
    return ReconcileResult.noOperation(getSecondaryResource(stack, context).orElse(null));
  }

  @Override
  public Class<R> resourceType() {
    return type;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void setName(String name) {
    this.name = name;
  }
}
