package dev.ttstack.operator.app;

import dev.ttstack.operator.api.AppSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.BuiltDependent;
import dev.ttstack.operator.kit.Secondaries;
import dev.ttstack.operator.kit.SecretsOutcome;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;

/** The JOSDK dependents of the app; each builds its object with {@link AppObjects}. */
public final class AppDependents {
  private AppDependents() {}

  /**
   * The Deployment as {@link AppComponent} plans it. The workflow reaches it only once secrets,
   * PostgreSQL and the Redis Cluster are ready (it {@code dependsOn} their gates); until then the
   * Deployment is neither created nor changed, and one that runs is left as it is. Found by name:
   * {@code desired()} reads the current Deployment.
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
    public ReconcileResult<Deployment> reconcile(TTStack stack, Context<TTStack> context) {
      AppComponent.planner(context).plan(stack, context);
      return super.reconcile(stack, context);
    }

    private static Deployment build(TTStack stack, Context<TTStack> context) {
      AppPlan plan = AppPlan.of(context).orElseThrow();
      String hash =
          plan.secretHash() != null
              ? plan.secretHash()
              : Secondaries.get(
                      context,
                      Deployment.class,
                      AppObjects.name(stack),
                      stack.getMetadata().getNamespace())
                  .map(d -> d.getSpec().getTemplate().getMetadata().getAnnotations())
                  .map(a -> a.get(AppObjects.SECRET_HASH_ANNOTATION))
                  .orElse(null);
      TTStack running = stack;
      AppSpec run = plan.run();
      if (run != stack.getSpec().app) {
        running = io.fabric8.kubernetes.client.utils.Serialization.clone(stack);
        running.getSpec().app = run;
      }
      return AppObjects.deployment(running, run.version, SecretsOutcome.secretNameFor(stack), hash);
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
}
