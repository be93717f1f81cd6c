package dev.ttstack.operator.postgres;

import dev.ttstack.operator.api.StorageSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.BuiltDependent;
import dev.ttstack.operator.kit.ComponentSignals;
import dev.ttstack.operator.kit.PreChangeBackup;
import dev.ttstack.operator.kit.RetainedVolumeDependent;
import dev.ttstack.operator.kit.Secondaries;
import dev.ttstack.operator.kit.SecretsOutcome;
import dev.ttstack.operator.kit.WorkflowNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Optional;

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
   * The gate on PostgreSQL: applies nothing; ready when PostgresReady is True in this reconcile
   * ({@link Ready}). What uses PostgreSQL (the app) {@code dependsOn} it.
   */
  public static class ReadyGate extends WorkflowNode<StatefulSet> {
    public ReadyGate() {
      super(StatefulSet.class);
    }

    @Override
    public Optional<StatefulSet> getSecondaryResource(TTStack stack, Context<TTStack> context) {
      return Secondaries.get(
          context,
          StatefulSet.class,
          PostgresObjects.name(stack),
          stack.getMetadata().getNamespace());
    }
  }

  /**
   * PostgreSQL serves and nothing holds it: the gate's readiness. The same condition {@link
   * PostgresComponent} reports, published for this reconcile.
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

  /**
   * The backup a change waits for: PostgreSQL's own new image (taken with the running one), else
   * what another component asked ({@link PreChangeBackup}, the app's upgrade). Null: none.
   */
  static String pendingBackup(Context<TTStack> context) {
    PostgresPlan plan = PostgresPlan.of(context).orElseThrow();
    if (plan.imageChangeBackup() != null) {
      return plan.imageChangeBackup();
    }
    return PreChangeBackup.asked(context).map(PreChangeBackup.Request::target).orElse(null);
  }

  /**
   * The one-off backup Job before a change, created once while PostgreSQL serves, never changed (a
   * Job is immutable, and a backup that ran is history the status reads) and never deleted by a
   * reconcile. Found by the pending change's name; with none pending there is nothing to find.
   */
  public static class PreChangeBackupJob extends KubernetesDependentResource<Job, TTStack>
      implements Creator<Job, TTStack>, GarbageCollected<TTStack> {
    public PreChangeBackupJob() {
      super(Job.class);
    }

    /** Not an Updater: once created, the Job is left as it is. */
    @Override
    public ReconcileResult<Job> reconcile(TTStack stack, Context<TTStack> context) {
      Optional<Job> existing = getSecondaryResource(stack, context);
      if (existing.isEmpty()
          && (pendingBackup(context) == null || !PostgresComponent.serving(stack, context))) {
        return ReconcileResult.noOperation(null);
      }
      return super.reconcile(stack, context);
    }

    @Override
    protected ResourceID targetSecondaryResourceID(TTStack stack, Context<TTStack> context) {
      String target = pendingBackup(context);
      String name =
          target != null
              ? BackupJobs.preChangeJobName(stack, target)
              : PostgresObjects.backupName(stack) + "-pre-none";
      return new ResourceID(name, stack.getMetadata().getNamespace());
    }

    @Override
    protected Job desired(TTStack stack, Context<TTStack> context) {
      PostgresPlan plan = PostgresPlan.of(context).orElseThrow();
      String target = pendingBackup(context);
      // plan.image() is the running image while a new one waits for this backup (prepare holds it)
      return BackupJobs.preChangeJob(stack, target, plan.secretName(), plan.image());
    }
  }

  /** No backup is pending, or the pending one succeeded: what waits for it may change now. */
  public static class PreChangeBackupDone implements Condition<Job, TTStack> {
    @Override
    public boolean isMet(
        DependentResource<Job, TTStack> dependent, TTStack stack, Context<TTStack> context) {
      String target = pendingBackup(context);
      return target == null
          || BackupJobs.gate(stack, context, target).state()
              == dev.ttstack.operator.kit.BackupGate.State.SUCCEEDED;
    }
  }
}
