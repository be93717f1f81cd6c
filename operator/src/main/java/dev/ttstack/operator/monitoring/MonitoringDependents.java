package dev.ttstack.operator.monitoring;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.BuiltDependent;
import dev.ttstack.operator.kit.RetainedVolumeDependent;
import dev.ttstack.operator.kit.StackLabels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The JOSDK dependents of the monitoring stack; each builds its object with {@link
 * MonitoringObjects} from the {@link MonitoringPlan}. The Deployments, ConfigMaps and Services
 * share one informer per kind ({@link #eventSources}, registered by the reconciler and named in the
 * workflow); the others watch only their own component's objects.
 *
 * <p>{@code spec.monitoring.enabled: false} fails every precondition below, so JOSDK deletes those
 * objects, except the Prometheus volume: a {@link RetainedVolumeDependent} is never deleted by a
 * reconcile.
 */
public final class MonitoringDependents {
  static final String PROMETHEUS_OBJECTS =
      "app.kubernetes.io/component=" + MonitoringObjects.PROMETHEUS;
  static final String ALERTMANAGER_OBJECTS =
      "app.kubernetes.io/component=" + MonitoringObjects.ALERTMANAGER;
  static final String GRAFANA_OBJECTS = "app.kubernetes.io/component=" + MonitoringObjects.GRAFANA;

  /** Names of the shared informers, for {@code @Dependent(useEventSourceWithName = ...)}. */
  public static final String DEPLOYMENTS = "monitoring-deployments";

  public static final String CONFIG_MAPS = "monitoring-configmaps";
  public static final String SERVICES = "monitoring-services";

  private MonitoringDependents() {}

  /**
   * One informer each for the Deployments, ConfigMaps and Services the operator manages, shared by
   * the monitoring dependents of that kind (ten dependents, three watches), mapped to their TTStack
   * by owner reference.
   */
  public static List<EventSource<?, TTStack>> eventSources(EventSourceContext<TTStack> context) {
    return List.of(
        shared(Deployment.class, DEPLOYMENTS, context),
        shared(ConfigMap.class, CONFIG_MAPS, context),
        shared(Service.class, SERVICES, context));
  }

  private static <R extends HasMetadata> InformerEventSource<R, TTStack> shared(
      Class<R> type, String name, EventSourceContext<TTStack> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, TTStack.class)
            .withName(name)
            .withLabelSelector(StackLabels.MANAGED_BY + "=" + StackLabels.OPERATOR)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(TTStack.class))
            .build(),
        context);
  }

  /**
   * A monitoring object, built from the stack and the {@link MonitoringPlan} by a {@link
   * MonitoringObjects} builder.
   */
  abstract static class Planned<R extends HasMetadata> extends BuiltDependent<R> {
    Planned(Class<R> type, BiFunction<TTStack, MonitoringPlan, R> builder) {
      super(type, (stack, context) -> builder.apply(stack, MonitoringPlan.require(context)));
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = PROMETHEUS_OBJECTS))
  public static class PrometheusAccount extends Planned<ServiceAccount> {
    public PrometheusAccount() {
      super(ServiceAccount.class, (stack, plan) -> MonitoringObjects.prometheusAccount(stack));
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = PROMETHEUS_OBJECTS))
  public static class PrometheusRole extends Planned<Role> {
    public PrometheusRole() {
      super(Role.class, (stack, plan) -> MonitoringObjects.prometheusRole(stack));
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = PROMETHEUS_OBJECTS))
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
  @KubernetesDependent(informer = @Informer(labelSelector = PROMETHEUS_OBJECTS))
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

  public static class AlertmanagerServer extends Planned<Deployment> {
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

  public static class GrafanaServer extends Planned<Deployment> {
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

  /** {@code spec.monitoring.enabled} (default true). */
  public static class Enabled implements Condition<HasMetadata, TTStack> {
    @Override
    public boolean isMet(
        DependentResource<HasMetadata, TTStack> dependent,
        TTStack stack,
        Context<TTStack> context) {
      return MonitoringComponent.enabled(stack);
    }
  }

  /** Monitoring and Grafana both enabled. */
  public static class GrafanaEnabled implements Condition<HasMetadata, TTStack> {
    @Override
    public boolean isMet(
        DependentResource<HasMetadata, TTStack> dependent,
        TTStack stack,
        Context<TTStack> context) {
      return MonitoringComponent.grafanaEnabled(stack);
    }
  }

  /**
   * Alertmanager with Slack mounts the webhook key: it is created once the Secret has content, and
   * never deleted because that content went missing later (a Doppler outage must not silence
   * alerts).
   */
  public static class AlertmanagerCanRun implements Condition<Deployment, TTStack> {
    @Override
    public boolean isMet(
        DependentResource<Deployment, TTStack> dependent, TTStack stack, Context<TTStack> context) {
      return MonitoringComponent.enabled(stack)
          && (AlertmanagerConfig.slack(stack) == null
              || MonitoringPlan.require(context).secretsAvailable()
              || dependent.getSecondaryResource(stack, context).isPresent());
    }
  }

  /** Grafana reads its admin password from the Secret: the same rule as Alertmanager's webhook. */
  public static class GrafanaCanRun implements Condition<Deployment, TTStack> {
    @Override
    public boolean isMet(
        DependentResource<Deployment, TTStack> dependent, TTStack stack, Context<TTStack> context) {
      return MonitoringComponent.grafanaEnabled(stack)
          && (MonitoringPlan.require(context).secretsAvailable()
              || dependent.getSecondaryResource(stack, context).isPresent());
    }
  }
}
