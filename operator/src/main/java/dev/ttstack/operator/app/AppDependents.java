package dev.ttstack.operator.app;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.BuiltDependent;
import dev.ttstack.operator.kit.Secondaries;
import dev.ttstack.operator.kit.SecretsOutcome;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** The JOSDK dependents of the app; each builds its object with {@link AppObjects}. */
public final class AppDependents {
  private AppDependents() {}

  /**
   * The Deployment as {@link AppComponent} planned it. While the gate is closed, the one that runs
   * is kept as it is ("created or changed only when its dependencies are ready"): it matches by
   * definition, so nothing is applied. Found by name: {@code desired()} reads the current
   * Deployment.
   *
   * <p>The desired object is always built, never the live one: with Server-Side Apply the desired
   * object is the apply body, and a live object carries server-owned fields (managedFields,
   * resourceVersion, status). The API server refuses that apply ("metadata.managedFields must be
   * nil"), the workflow fails before the components observe, and the stack stayed at ReconcileError
   * after one PostgreSQL pod restart (seen on a real node; RecoveryKubeIT reproduces it). JOSDK's
   * SSA matcher would never match a live object either (FACTS.md).
   */
  public static class App extends BuiltDependent<Deployment> {
    public App() {
      super(Deployment.class, App::build, AppObjects::name);
    }

    @Override
    public Matcher.Result<Deployment> match(
        Deployment actual, TTStack stack, Context<TTStack> context) {
      if (!AppPlan.of(context).orElseThrow().gateOpen()) {
        return Matcher.Result.nonComputed(true);
      }
      return super.match(actual, stack, context);
    }

    private static Deployment build(TTStack stack, Context<TTStack> context) {
      AppPlan plan = AppPlan.of(context).orElseThrow();
      var actual =
          Secondaries.get(
              context,
              Deployment.class,
              AppObjects.name(stack),
              stack.getMetadata().getNamespace());
      String runningHash =
          actual
              .map(d -> d.getSpec().getTemplate().getMetadata().getAnnotations())
              .map(a -> a.get(AppObjects.SECRET_HASH_ANNOTATION))
              .orElse(null);
      if (!plan.gateOpen() && actual.isPresent()) {
        // What runs, rebuilt: its version and secret hash (match() keeps it from being applied).
        String runningVersion =
            actual
                .map(d -> d.getSpec().getTemplate().getMetadata().getLabels())
                .map(l -> l.get(AppObjects.VERSION_LABEL))
                .orElse(plan.version());
        return AppObjects.deployment(
            stack, runningVersion, SecretsOutcome.secretNameFor(stack), runningHash);
      }
      String hash = plan.secretHash() != null ? plan.secretHash() : runningHash;
      return AppObjects.deployment(
          stack, plan.version(), SecretsOutcome.secretNameFor(stack), hash);
    }
  }

  public static class ClientService extends BuiltDependent<Service> {
    public ClientService() {
      super(Service.class, (stack, context) -> AppObjects.service(stack));
    }
  }

  /**
   * Found by name: without spec.app.ingress there is no desired Ingress to take the name from
   * (deletion).
   */
  public static class Entry extends BuiltDependent<Ingress> {
    public Entry() {
      super(Ingress.class, (stack, context) -> AppObjects.ingress(stack), AppObjects::name);
    }
  }

  /** Created once its dependencies are ready; never deleted because one of them fails later. */
  public static class DependenciesReady implements Condition<Deployment, TTStack> {
    @Override
    public boolean isMet(
        DependentResource<Deployment, TTStack> dependent, TTStack stack, Context<TTStack> context) {
      return AppPlan.of(context).map(AppPlan::gateOpen).orElse(false)
          || dependent.getSecondaryResource(stack, context).isPresent();
    }
  }

  /**
   * An Ingress only when spec.app.ingress is set; removing it from the spec removes the Ingress.
   */
  public static class IngressWanted implements Condition<Ingress, TTStack> {
    @Override
    public boolean isMet(
        DependentResource<Ingress, TTStack> dependent, TTStack stack, Context<TTStack> context) {
      return stack.getSpec().app.ingress != null;
    }
  }
}
