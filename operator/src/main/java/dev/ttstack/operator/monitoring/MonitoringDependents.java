package dev.ttstack.operator.monitoring;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.BuiltDependent;
import dev.ttstack.operator.kit.RetainedVolumeDependent;
import dev.ttstack.operator.kit.StackInformers;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.function.BiFunction;

/**
 * The JOSDK dependents of the monitoring stack; each builds its object with {@link
 * MonitoringObjects} from the {@link MonitoringPlan}; each uses its kind's informer of {@link
 * StackInformers} (named in the workflow).
 *
 * <p>When each is wanted is the registration's ({@link MonitoringComponent#register}): {@code
 * spec.monitoring.enabled: false} fails their spec rule, so JOSDK deletes those objects, except the
 * Prometheus volume: a {@link RetainedVolumeDependent} is never deleted by a reconcile.
 */
public final class MonitoringDependents {
  private MonitoringDependents() {}

  /**
   * A monitoring object, built from the stack and the {@link MonitoringPlan} by a {@link
   * MonitoringObjects} builder.
   */
  abstract static class Planned<R extends HasMetadata> extends BuiltDependent<R> {
    Planned(Class<R> type, BiFunction<TTStack, MonitoringPlan, R> builder) {
      super(type, (stack, context) -> builder.apply(stack, MonitoringPlan.require(context)));
    }
  }

  public static class PrometheusAccount extends Planned<ServiceAccount> {
    public PrometheusAccount() {
      super(ServiceAccount.class, (stack, plan) -> MonitoringObjects.prometheusAccount(stack));
    }
  }

  public static class PrometheusRole extends Planned<Role> {
    public PrometheusRole() {
      super(Role.class, (stack, plan) -> MonitoringObjects.prometheusRole(stack));
    }
  }

  public static class PrometheusRoleBinding extends Planned<RoleBinding> {
    public PrometheusRoleBinding() {
      super(RoleBinding.class, (stack, plan) -> MonitoringObjects.prometheusRoleBinding(stack));
    }
  }

  public static class PrometheusConfigMap extends Planned<ConfigMap> {
    public PrometheusConfigMap() {
      super(
          ConfigMap.class,
          (stack, plan) -> MonitoringObjects.prometheusConfig(stack, plan.config()));
    }
  }

  /**
   * The time-series database: never deleted by a reconcile; owned only with deletionPolicy Delete.
   */
  public static class PrometheusVolume extends RetainedVolumeDependent {
    @Override
    protected PersistentVolumeClaim desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.prometheusVolume(stack);
    }
  }

  public static class PrometheusServer extends Planned<Deployment> {
    public PrometheusServer() {
      super(
          Deployment.class,
          (stack, plan) -> MonitoringObjects.prometheusDeployment(stack, plan.config()));
    }
  }

  public static class PrometheusService extends Planned<Service> {
    public PrometheusService() {
      super(Service.class, (stack, plan) -> MonitoringObjects.prometheusService(stack));
    }
  }

  public static class AlertmanagerConfigMap extends Planned<ConfigMap> {
    public AlertmanagerConfigMap() {
      super(
          ConfigMap.class,
          (stack, plan) -> MonitoringObjects.alertmanagerConfig(stack, plan.config()));
    }
  }

  /**
   * Alertmanager with Slack mounts the webhook key: it is created once the Secret has content, and
   * never deleted because that content went missing later (a Doppler outage must not silence
   * alerts).
   */
  public static class AlertmanagerServer extends Planned<Deployment> {
    @Override
    protected boolean mayCreate(TTStack stack, Context<TTStack> context) {
      return AlertmanagerConfig.slack(stack) == null
          || MonitoringPlan.require(context).secretsAvailable();
    }

    public AlertmanagerServer() {
      super(
          Deployment.class,
          (stack, plan) ->
              MonitoringObjects.alertmanagerDeployment(stack, plan.config(), plan.secretName()));
    }
  }

  public static class AlertmanagerService extends Planned<Service> {
    public AlertmanagerService() {
      super(Service.class, (stack, plan) -> MonitoringObjects.alertmanagerService(stack));
    }
  }

  public static class GrafanaConfigMap extends Planned<ConfigMap> {
    public GrafanaConfigMap() {
      super(
          ConfigMap.class, (stack, plan) -> MonitoringObjects.grafanaConfig(stack, plan.config()));
    }
  }

  public static class GrafanaDashboards extends Planned<ConfigMap> {
    public GrafanaDashboards() {
      super(
          ConfigMap.class,
          (stack, plan) -> MonitoringObjects.grafanaDashboards(stack, plan.config()));
    }
  }

  /** Grafana reads its admin password from the Secret: the same rule as Alertmanager's webhook. */
  public static class GrafanaServer extends Planned<Deployment> {
    @Override
    protected boolean mayCreate(TTStack stack, Context<TTStack> context) {
      return MonitoringPlan.require(context).secretsAvailable();
    }

    public GrafanaServer() {
      super(
          Deployment.class,
          (stack, plan) ->
              MonitoringObjects.grafanaDeployment(
                  stack, plan.config(), plan.secretName(), plan.grafanaSecretHash()));
    }
  }

  public static class GrafanaService extends Planned<Service> {
    public GrafanaService() {
      super(Service.class, (stack, plan) -> MonitoringObjects.grafanaService(stack));
    }
  }
}
