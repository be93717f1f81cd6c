package dev.ttstack.operator.postgres;

import dev.ttstack.operator.api.StorageSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.BuiltDependent;
import dev.ttstack.operator.kit.ComponentSignals;
import dev.ttstack.operator.kit.RetainedVolumeDependent;
import dev.ttstack.operator.kit.SecretsOutcome;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** The JOSDK dependents of PostgreSQL; each builds its object with {@link PostgresObjects}. */
public final class PostgresDependents {
  private PostgresDependents() {}

  /**
   * The StatefulSet, with the image and secret hash {@link PostgresComponent} planned. Created once
   * the credentials exist, and never deleted because they went missing later (a Doppler outage must
   * not take PostgreSQL down).
   */
  public static class Database extends BuiltDependent<StatefulSet> {
    @Override
    protected boolean mayCreate(TTStack stack, Context<TTStack> context) {
      return SecretsOutcome.of(context).map(o -> o.content() != null).orElse(false);
    }

    public Database() {
      super(
          StatefulSet.class,
          (stack, context) -> {
            PostgresPlan plan = PostgresPlan.of(context).orElseThrow();
            return PostgresObjects.statefulSet(
                withDataSize(stack, plan.storage().templateSize()),
                plan.secretName(),
                plan.secretHash(),
                plan.image());
          });
    }
  }

  /** The stack, its data volume sized as the live claim template allows (VolumeGrowth). */
  private static TTStack withDataSize(TTStack stack, String size) {
    var spec = stack.getSpec().postgres;
    if (size.equals(
        StorageSpec.sizeOr(
            spec.storage, dev.ttstack.operator.api.PostgresSpec.DEFAULT_STORAGE_SIZE))) {
      return stack;
    }
    TTStack sized = io.fabric8.kubernetes.client.utils.Serialization.clone(stack);
    if (sized.getSpec().postgres.storage == null) {
      sized.getSpec().postgres.storage = new dev.ttstack.operator.api.StorageSpec();
    }
    sized.getSpec().postgres.storage.size = size;
    return sized;
  }

  public static class ClientService extends BuiltDependent<Service> {
    public ClientService() {
      super(Service.class, (stack, context) -> PostgresObjects.service(stack));
    }
  }

  public static class Firewall extends BuiltDependent<NetworkPolicy> {
    public Firewall() {
      super(NetworkPolicy.class, (stack, context) -> PostgresObjects.networkPolicy(stack));
    }
  }

  public static class BackupScript extends BuiltDependent<ConfigMap> {
    public BackupScript() {
      super(ConfigMap.class, (stack, context) -> PostgresObjects.backupScript(stack));
    }
  }

  /** The dumps' volume: never deleted by a reconcile; owned only with deletionPolicy Delete. */
  public static class BackupVolume extends RetainedVolumeDependent {
    @Override
    protected PersistentVolumeClaim desired(TTStack stack, Context<TTStack> context) {
      return PostgresObjects.backupVolume(stack);
    }
  }

  /** Created once the credentials exist; never deleted because they went missing later. */
  public static class BackupSchedule extends BuiltDependent<CronJob> {
    @Override
    protected boolean mayCreate(TTStack stack, Context<TTStack> context) {
      return SecretsOutcome.of(context).map(o -> o.content() != null).orElse(false);
    }

    public BackupSchedule() {
      super(
          CronJob.class,
          (stack, context) -> {
            PostgresPlan plan = PostgresPlan.of(context).orElseThrow();
            return PostgresObjects.cronJob(stack, plan.secretName(), plan.image());
          });
    }
  }

  /**
   * PostgreSQL serves: the workflow's gate for what uses it (the app {@code dependsOn} this
   * dependent). The same condition {@link PostgresComponent} reports, published for this reconcile.
   */
  public static class Ready implements Condition<StatefulSet, TTStack> {
    @Override
    public boolean isMet(
        DependentResource<StatefulSet, TTStack> dependent,
        TTStack stack,
        Context<TTStack> context) {
      dev.ttstack.operator.api.Condition ready = PostgresComponent.condition(stack, context);
      ComponentSignals.publishCondition(context, ready);
      return ready.isTrue();
    }
  }
}
