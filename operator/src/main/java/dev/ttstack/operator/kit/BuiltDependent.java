package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A JOSDK dependent whose desired object comes from a component's pure builder. Each component's
 * dependents are one-line subclasses (JOSDK instantiates them by their no-argument constructor).
 *
 * <p>With {@code name}, the object in the cluster is found by that name instead of by computing the
 * desired object first: needed when {@code desired()} itself reads the current object, or when
 * there is no desired object to take the name from (a precondition that fails deletes it).
 *
 * <p>{@link #mayCreate} is the "created once X, never deleted because X went away later" rule. It
 * is not a JOSDK reconcile precondition on purpose: a precondition that fails deletes the object
 * and every dependent below it in the workflow (the app below PostgreSQL would go with it).
 */
public abstract class BuiltDependent<R extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, TTStack> {
  private final BiFunction<TTStack, Context<TTStack>, R> builder;
  private final Function<TTStack, String> name;

  protected BuiltDependent(Class<R> type, BiFunction<TTStack, Context<TTStack>, R> builder) {
    this(type, builder, null);
  }

  protected BuiltDependent(
      Class<R> type,
      BiFunction<TTStack, Context<TTStack>, R> builder,
      Function<TTStack, String> name) {
    super(type);
    this.builder = builder;
    this.name = name;
  }

  /**
   * Whether the object may be created now; an object that exists is always reconciled. Default:
   * always.
   */
  protected boolean mayCreate(TTStack stack, Context<TTStack> context) {
    return true;
  }

  @Override
  public ReconcileResult<R> reconcile(TTStack stack, Context<TTStack> context) {
    if (!mayCreate(stack, context) && getSecondaryResource(stack, context).isEmpty()) {
      return ReconcileResult.noOperation(null);
    }
    return super.reconcile(stack, context);
  }

  @Override
  protected R desired(TTStack stack, Context<TTStack> context) {
    return builder.apply(stack, context);
  }

  @Override
  protected ResourceID targetSecondaryResourceID(TTStack stack, Context<TTStack> context) {
    return name == null
        ? super.targetSecondaryResourceID(stack, context)
        : new ResourceID(name.apply(stack), stack.getMetadata().getNamespace());
  }
}
