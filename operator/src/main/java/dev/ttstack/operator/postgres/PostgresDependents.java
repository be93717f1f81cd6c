package dev.ttstack.operator.postgres;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.reconciler.RetainedVolumeDependent;
import dev.ttstack.operator.secrets.SecretsOutcome;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** The JOSDK dependents of PostgreSQL; each builds its object with {@link PostgresObjects}. */
public final class PostgresDependents {
  private PostgresDependents() {}

  /** The StatefulSet, with the image and secret hash {@link PostgresComponent} planned. */
  @KubernetesDependent
  public static class Database extends CRUDKubernetesDependentResource<StatefulSet, TTStack> {
    public Database() {
      super(StatefulSet.class);
    }

    @Override
    protected StatefulSet desired(TTStack stack, Context<TTStack> context) {
      PostgresPlan plan = PostgresPlan.of(context).orElseThrow();
      return PostgresObjects.statefulSet(stack, plan.secretName(), plan.secretHash(), plan.image());
    }
  }

  @KubernetesDependent
  public static class ClientService extends CRUDKubernetesDependentResource<Service, TTStack> {
    public ClientService() {
      super(Service.class);
    }

    @Override
    protected Service desired(TTStack stack, Context<TTStack> context) {
      return PostgresObjects.service(stack);
    }
  }

  @KubernetesDependent
  public static class Firewall extends CRUDKubernetesDependentResource<NetworkPolicy, TTStack> {
    public Firewall() {
      super(NetworkPolicy.class);
    }

    @Override
    protected NetworkPolicy desired(TTStack stack, Context<TTStack> context) {
      return PostgresObjects.networkPolicy(stack);
    }
  }

  @KubernetesDependent
  public static class BackupScript extends CRUDKubernetesDependentResource<ConfigMap, TTStack> {
    public BackupScript() {
      super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(TTStack stack, Context<TTStack> context) {
      return PostgresObjects.backupScript(stack);
    }
  }

  /** The dumps' volume: never deleted by a reconcile; owned only with deletionPolicy Delete. */
  @KubernetesDependent
  public static class BackupVolume extends RetainedVolumeDependent {
    @Override
    protected PersistentVolumeClaim desired(TTStack stack, Context<TTStack> context) {
      return PostgresObjects.backupVolume(stack);
    }
  }

  @KubernetesDependent
  public static class BackupSchedule extends CRUDKubernetesDependentResource<CronJob, TTStack> {
    public BackupSchedule() {
      super(CronJob.class);
    }

    @Override
    protected CronJob desired(TTStack stack, Context<TTStack> context) {
      PostgresPlan plan = PostgresPlan.of(context).orElseThrow();
      return PostgresObjects.cronJob(stack, plan.secretName(), plan.image());
    }
  }

  /**
   * The database is created once the credentials exist, and never deleted because they went missing
   * later (a Doppler outage must not take PostgreSQL down).
   */
  public static class CredentialsAvailable implements Condition<StatefulSet, TTStack> {
    @Override
    public boolean isMet(DependentResource<StatefulSet, TTStack> dependent, TTStack stack, Context<TTStack> context) {
      boolean content = SecretsOutcome.of(context).map(o -> o.content() != null).orElse(false);
      return content || dependent.getSecondaryResource(stack, context).isPresent();
    }
  }

  /** Scheduled backups run when enabled; disabling them removes the CronJob (the dumps stay). */
  public static class BackupsEnabled implements Condition<CronJob, TTStack> {
    @Override
    public boolean isMet(DependentResource<CronJob, TTStack> dependent, TTStack stack, Context<TTStack> context) {
      return Boolean.TRUE.equals(stack.getSpec().postgres.backup.enabled)
          && (SecretsOutcome.of(context).map(o -> o.content() != null).orElse(false)
              || dependent.getSecondaryResource(stack, context).isPresent());
    }
  }
}
