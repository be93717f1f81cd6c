package dev.ttstack.operator.monitoring;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.reconciler.RetainedVolumeDependent;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The JOSDK dependents of the monitoring stack; each builds its object with {@link MonitoringObjects}
 * from the {@link MonitoringPlan}. Their informers only cache objects of their own component.
 *
 * <p>{@code spec.monitoring.enabled: false} fails every precondition below, so JOSDK deletes those
 * objects, except the Prometheus volume: a {@link RetainedVolumeDependent} is never deleted by a
 * reconcile.
 */
public final class MonitoringDependents {
  static final String PROMETHEUS_OBJECTS = "app.kubernetes.io/component=" + MonitoringObjects.PROMETHEUS;
  static final String ALERTMANAGER_OBJECTS = "app.kubernetes.io/component=" + MonitoringObjects.ALERTMANAGER;
  static final String GRAFANA_OBJECTS = "app.kubernetes.io/component=" + MonitoringObjects.GRAFANA;

  private MonitoringDependents() {}

  @KubernetesDependent(informer = @Informer(labelSelector = PROMETHEUS_OBJECTS))
  public static class PrometheusAccount extends CRUDKubernetesDependentResource<ServiceAccount, TTStack> {
    public PrometheusAccount() {
      super(ServiceAccount.class);
    }

    @Override
    protected ServiceAccount desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.prometheusAccount(stack);
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = PROMETHEUS_OBJECTS))
  public static class PrometheusRole extends CRUDKubernetesDependentResource<Role, TTStack> {
    public PrometheusRole() {
      super(Role.class);
    }

    @Override
    protected Role desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.prometheusRole(stack);
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = PROMETHEUS_OBJECTS))
  public static class PrometheusRoleBinding extends CRUDKubernetesDependentResource<RoleBinding, TTStack> {
    public PrometheusRoleBinding() {
      super(RoleBinding.class);
    }

    @Override
    protected RoleBinding desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.prometheusRoleBinding(stack);
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = PROMETHEUS_OBJECTS))
  public static class PrometheusConfigMap extends CRUDKubernetesDependentResource<ConfigMap, TTStack> {
    public PrometheusConfigMap() {
      super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.prometheusConfig(stack, MonitoringPlan.require(context).config());
    }
  }

  /** The time-series database: never deleted by a reconcile; owned only with deletionPolicy Delete. */
  @KubernetesDependent(informer = @Informer(labelSelector = PROMETHEUS_OBJECTS))
  public static class PrometheusVolume extends RetainedVolumeDependent {
    @Override
    protected PersistentVolumeClaim desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.prometheusVolume(stack);
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = PROMETHEUS_OBJECTS))
  public static class PrometheusServer extends CRUDKubernetesDependentResource<Deployment, TTStack> {
    public PrometheusServer() {
      super(Deployment.class);
    }

    @Override
    protected Deployment desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.prometheusDeployment(stack, MonitoringPlan.require(context).config());
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = PROMETHEUS_OBJECTS))
  public static class PrometheusService extends CRUDKubernetesDependentResource<Service, TTStack> {
    public PrometheusService() {
      super(Service.class);
    }

    @Override
    protected Service desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.prometheusService(stack);
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = ALERTMANAGER_OBJECTS))
  public static class AlertmanagerConfigMap extends CRUDKubernetesDependentResource<ConfigMap, TTStack> {
    public AlertmanagerConfigMap() {
      super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.alertmanagerConfig(stack, MonitoringPlan.require(context).config());
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = ALERTMANAGER_OBJECTS))
  public static class AlertmanagerServer extends CRUDKubernetesDependentResource<Deployment, TTStack> {
    public AlertmanagerServer() {
      super(Deployment.class);
    }

    @Override
    protected Deployment desired(TTStack stack, Context<TTStack> context) {
      MonitoringPlan plan = MonitoringPlan.require(context);
      return MonitoringObjects.alertmanagerDeployment(stack, plan.config(), plan.secretName());
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = ALERTMANAGER_OBJECTS))
  public static class AlertmanagerService extends CRUDKubernetesDependentResource<Service, TTStack> {
    public AlertmanagerService() {
      super(Service.class);
    }

    @Override
    protected Service desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.alertmanagerService(stack);
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = GRAFANA_OBJECTS))
  public static class GrafanaConfigMap extends CRUDKubernetesDependentResource<ConfigMap, TTStack> {
    public GrafanaConfigMap() {
      super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.grafanaConfig(stack, MonitoringPlan.require(context).config());
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = GRAFANA_OBJECTS))
  public static class GrafanaDashboards extends CRUDKubernetesDependentResource<ConfigMap, TTStack> {
    public GrafanaDashboards() {
      super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.grafanaDashboards(stack, MonitoringPlan.require(context).config());
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = GRAFANA_OBJECTS))
  public static class GrafanaServer extends CRUDKubernetesDependentResource<Deployment, TTStack> {
    public GrafanaServer() {
      super(Deployment.class);
    }

    @Override
    protected Deployment desired(TTStack stack, Context<TTStack> context) {
      MonitoringPlan plan = MonitoringPlan.require(context);
      return MonitoringObjects.grafanaDeployment(stack, plan.config(), plan.secretName(), plan.grafanaSecretHash());
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = GRAFANA_OBJECTS))
  public static class GrafanaService extends CRUDKubernetesDependentResource<Service, TTStack> {
    public GrafanaService() {
      super(Service.class);
    }

    @Override
    protected Service desired(TTStack stack, Context<TTStack> context) {
      return MonitoringObjects.grafanaService(stack);
    }
  }

  /** {@code spec.monitoring.enabled} (default true). */
  public static class Enabled implements Condition<HasMetadata, TTStack> {
    @Override
    public boolean isMet(DependentResource<HasMetadata, TTStack> dependent, TTStack stack, Context<TTStack> context) {
      return MonitoringComponent.enabled(stack);
    }
  }

  /** Monitoring and Grafana both enabled. */
  public static class GrafanaEnabled implements Condition<HasMetadata, TTStack> {
    @Override
    public boolean isMet(DependentResource<HasMetadata, TTStack> dependent, TTStack stack, Context<TTStack> context) {
      return MonitoringComponent.grafanaEnabled(stack);
    }
  }

  /**
   * Alertmanager with Slack mounts the webhook key: it is created once the Secret has content, and
   * never deleted because that content went missing later (a Doppler outage must not silence alerts).
   */
  public static class AlertmanagerCanRun implements Condition<Deployment, TTStack> {
    @Override
    public boolean isMet(DependentResource<Deployment, TTStack> dependent, TTStack stack, Context<TTStack> context) {
      return MonitoringComponent.enabled(stack) && (AlertmanagerConfig.slack(stack) == null
          || MonitoringPlan.require(context).secretsAvailable() || dependent.getSecondaryResource(stack, context).isPresent());
    }
  }

  /** Grafana reads its admin password from the Secret: the same rule as Alertmanager's webhook. */
  public static class GrafanaCanRun implements Condition<Deployment, TTStack> {
    @Override
    public boolean isMet(DependentResource<Deployment, TTStack> dependent, TTStack stack, Context<TTStack> context) {
      return MonitoringComponent.grafanaEnabled(stack)
          && (MonitoringPlan.require(context).secretsAvailable() || dependent.getSecondaryResource(stack, context).isPresent());
    }
  }
}
