package dev.ttstack.operator.monitoring;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.MonitoringStatus;
import dev.ttstack.operator.api.SlackSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.kit.Secondaries;
import dev.ttstack.operator.kit.SecretKeys;
import dev.ttstack.operator.kit.SecretsOutcome;
import dev.ttstack.operator.kit.StackComponent;
import dev.ttstack.operator.kit.StackInformers;
import dev.ttstack.operator.kit.StackWorkflow;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Monitoring: Prometheus (scraping the app, the exporters, Alertmanager, itself and the operator),
 * the alert rules, Alertmanager (Slack or nowhere), Grafana with its data source and dashboards.
 * Reports {@code MonitoringReady} and {@code status.monitoring}.
 *
 * <p>The operator's own metrics address is not something a TTStack can know: it comes from the
 * operator's environment ({@code OPERATOR_METRICS_TARGET}, {@code host:port}, set by the Helm
 * chart); without it there is no {@code operator} job and the alerts that need the operator's
 * metrics are left out, which the condition says.
 */
public class MonitoringComponent implements StackComponent {
  public static final String OPERATOR_METRICS_TARGET = "OPERATOR_METRICS_TARGET";
  static final String READY = "Ready";
  static final String READY_WITHOUT_RECEIVER = "ReadyWithoutReceiver";
  static final String DISABLED = "Disabled";
  static final String WAITING_FOR_SECRETS = "WaitingForSecrets";
  static final String VOLUME_PENDING = "VolumePending";
  static final String STARTING = "Starting";

  private final String operatorTarget;

  /**
   * Reads {@code OPERATOR_METRICS_TARGET} from the environment; fails on a value that is not
   * host:port.
   */
  public MonitoringComponent() {
    this(System.getenv(OPERATOR_METRICS_TARGET));
  }

  public MonitoringComponent(String operatorTarget) {
    this.operatorTarget = PrometheusConfig.checkTarget(operatorTarget);
  }

  @Override
  public String conditionType() {
    return ConditionType.MONITORING_READY;
  }

  static boolean enabled(TTStack stack) {
    return stack.getSpec().monitoring != null
        && !Boolean.FALSE.equals(stack.getSpec().monitoring.enabled);
  }

  static boolean grafanaEnabled(TTStack stack) {
    return enabled(stack) && !Boolean.FALSE.equals(stack.getSpec().monitoring.grafana.enabled);
  }

  /**
   * Prometheus (account, role and binding, configuration, volume, server, Service), Alertmanager
   * and Grafana. {@code spec.monitoring.enabled: false} removes them all but the Prometheus volume
   * (a {@link dev.ttstack.operator.kit.RetainedVolumeDependent} is never deleted by a reconcile);
   * {@code grafana.enabled: false} removes Grafana.
   */
  @Override
  public void register(StackWorkflow workflow) {
    Predicate<TTStack> on = MonitoringComponent::enabled;
    Predicate<TTStack> grafana = MonitoringComponent::grafanaEnabled;
    workflow
        .add("prometheus-service-account", MonitoringDependents.PrometheusAccount.class)
        .informer(StackInformers.SERVICE_ACCOUNTS)
        .onlyIf(on)
        .renders(MonitoringObjects::prometheusAccount);
    workflow
        .add("prometheus-role", MonitoringDependents.PrometheusRole.class)
        .informer(StackInformers.ROLES)
        .onlyIf(on)
        .renders(MonitoringObjects::prometheusRole);
    // After the Role: the API server refuses a binding to a Role it cannot find yet (404), since
    // it checks that the operator holds what it grants (seen on the real API server).
    workflow
        .add("prometheus-role-binding", MonitoringDependents.PrometheusRoleBinding.class)
        .informer(StackInformers.ROLE_BINDINGS)
        .dependsOn("prometheus-role", "prometheus-service-account")
        .onlyIf(on)
        .renders(MonitoringObjects::prometheusRoleBinding);
    workflow
        .add("prometheus-config", MonitoringDependents.PrometheusConfigMap.class)
        .informer(StackInformers.CONFIG_MAPS)
        .onlyIf(on)
        .renders(stack -> MonitoringObjects.prometheusConfig(stack, config(stack)));
    workflow
        .add("prometheus-volume", MonitoringDependents.PrometheusVolume.class)
        .informer(StackInformers.VOLUMES)
        .onlyIf(on)
        .renders(MonitoringObjects::prometheusVolume);
    workflow
        .add("prometheus", MonitoringDependents.PrometheusServer.class)
        .informer(StackInformers.DEPLOYMENTS)
        .onlyIf(on)
        .renders(stack -> MonitoringObjects.prometheusDeployment(stack, config(stack)));
    workflow
        .add("prometheus-service", MonitoringDependents.PrometheusService.class)
        .informer(StackInformers.SERVICES)
        .onlyIf(on)
        .renders(MonitoringObjects::prometheusService);
    workflow
        .add("alertmanager-config", MonitoringDependents.AlertmanagerConfigMap.class)
        .informer(StackInformers.CONFIG_MAPS)
        .onlyIf(on)
        .renders(stack -> MonitoringObjects.alertmanagerConfig(stack, config(stack)));
    workflow
        .add("alertmanager", MonitoringDependents.AlertmanagerServer.class)
        .informer(StackInformers.DEPLOYMENTS)
        .onlyIf(on)
        .renders(
            stack ->
                MonitoringObjects.alertmanagerDeployment(
                    stack, config(stack), SecretsOutcome.secretNameFor(stack)));
    workflow
        .add("alertmanager-service", MonitoringDependents.AlertmanagerService.class)
        .informer(StackInformers.SERVICES)
        .onlyIf(on)
        .renders(MonitoringObjects::alertmanagerService);
    workflow
        .add("grafana-config", MonitoringDependents.GrafanaConfigMap.class)
        .informer(StackInformers.CONFIG_MAPS)
        .onlyIf(grafana)
        .renders(stack -> MonitoringObjects.grafanaConfig(stack, config(stack)));
    workflow
        .add("grafana-dashboards", MonitoringDependents.GrafanaDashboards.class)
        .informer(StackInformers.CONFIG_MAPS)
        .onlyIf(grafana)
        .renders(stack -> MonitoringObjects.grafanaDashboards(stack, config(stack)));
    workflow
        .add("grafana", MonitoringDependents.GrafanaServer.class)
        .informer(StackInformers.DEPLOYMENTS)
        .onlyIf(grafana)
        .renders(
            stack ->
                MonitoringObjects.grafanaDeployment(
                    stack, config(stack), SecretsOutcome.secretNameFor(stack), null));
    workflow
        .add("grafana-service", MonitoringDependents.GrafanaService.class)
        .informer(StackInformers.SERVICES)
        .onlyIf(grafana)
        .renders(MonitoringObjects::grafanaService);
  }

  private MonitoringConfig config(TTStack stack) {
    return MonitoringConfig.render(stack, operatorTarget);
  }

  /**
   * Renders the configuration once for this reconcile, and finds the Grafana password's hash. Also
   * when monitoring is off: JOSDK names the objects to delete from their desired state.
   */
  @Override
  public void prepare(TTStack stack, Context<TTStack> context) {
    SecretsOutcome secrets = SecretsOutcome.of(context).orElseThrow();
    String hash =
        secrets.content() != null
            ? secrets.hashOf(SecretKeys.grafana(stack.getSpec()))
            : deployment(stack, context, MonitoringObjects.grafanaName(stack))
                .map(d -> d.getSpec().getTemplate().getMetadata().getAnnotations())
                .map(a -> a.get(MonitoringObjects.SECRET_HASH_ANNOTATION))
                .orElse(null);
    context
        .managedWorkflowAndDependentResourceContext()
        .put(
            MonitoringPlan.KEY,
            new MonitoringPlan(
                MonitoringConfig.render(stack, operatorTarget),
                secrets.secretName(),
                hash,
                secrets.content() != null));
  }

  @Override
  public Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next) {
    if (!enabled(stack)) {
      next.monitoring = null;
      // Nothing is wanted, so nothing is missing: disabled monitoring does not hold Ready back.
      return new Condition(
          conditionType(),
          Condition.TRUE,
          DISABLED,
          "spec.monitoring.enabled is false: Prometheus, Alertmanager and Grafana are removed;"
              + " the Prometheus volume "
              + MonitoringObjects.prometheusName(stack)
              + " is kept");
    }
    MonitoringPlan plan = MonitoringPlan.require(context);
    SlackSpec slack = AlertmanagerConfig.slack(stack);
    Optional<Deployment> prometheus =
        deployment(stack, context, MonitoringObjects.prometheusName(stack));
    Optional<Deployment> alertmanager =
        deployment(stack, context, MonitoringObjects.alertmanagerName(stack));
    Optional<Deployment> grafana =
        grafanaEnabled(stack)
            ? deployment(stack, context, MonitoringObjects.grafanaName(stack))
            : Optional.empty();

    MonitoringStatus before = stack.getStatus() == null ? null : stack.getStatus().monitoring;
    MonitoringStatus status = new MonitoringStatus();
    status.prometheus =
        prometheus.map(d -> available(d, before == null ? null : before.prometheus)).orElse(false);
    status.alertmanager =
        alertmanager
            .map(d -> available(d, before == null ? null : before.alertmanager))
            .orElse(false);
    status.grafana =
        grafanaEnabled(stack)
            ? grafana.map(d -> available(d, before == null ? null : before.grafana)).orElse(false)
            : null;
    status.slackReceiver = slack != null;
    status.configHash = plan.config().configHash();
    next.monitoring = status;

    List<String> waitingForSecrets = new ArrayList<>();
    if (alertmanager.isEmpty() && slack != null) {
      waitingForSecrets.add("Alertmanager (Slack webhook key " + slack.webhookKey + ")");
    }
    if (grafanaEnabled(stack) && grafana.isEmpty()) {
      waitingForSecrets.add(
          "Grafana (admin password key "
              + stack.getSpec().monitoring.grafana.adminPasswordKey
              + ")");
    }
    if (!waitingForSecrets.isEmpty() && !plan.secretsAvailable()) {
      SecretsOutcome secrets = SecretsOutcome.of(context).orElseThrow();
      return notReady(
          WAITING_FOR_SECRETS,
          String.join(" and ", waitingForSecrets)
              + " wait for the Secret "
              + plan.secretName()
              + ": SecretsSynced is "
              + secrets.condition().reason);
    }
    Optional<PersistentVolumeClaim> volume =
        Secondaries.get(
            context,
            PersistentVolumeClaim.class,
            MonitoringObjects.prometheusName(stack),
            stack.getMetadata().getNamespace());
    if (volume.isPresent()
        && volume.get().getStatus() != null
        && "Pending".equals(volume.get().getStatus().getPhase())) {
      return notReady(
          VOLUME_PENDING,
          "PersistentVolumeClaim "
              + MonitoringObjects.prometheusName(stack)
              + " is Pending: no volume of that size/class can be provisioned yet");
    }
    List<String> starting = new ArrayList<>();
    if (!status.prometheus) {
      starting.add(MonitoringObjects.prometheusName(stack));
    }
    if (!status.alertmanager) {
      starting.add(MonitoringObjects.alertmanagerName(stack));
    }
    if (Boolean.FALSE.equals(status.grafana)) {
      starting.add(MonitoringObjects.grafanaName(stack));
    }
    if (!starting.isEmpty()) {
      return notReady(
          STARTING,
          "waiting for Deployment(s) " + String.join(", ", starting) + " to become available");
    }
    String servers =
        grafanaEnabled(stack)
            ? "Prometheus, Alertmanager and Grafana are"
            : "Prometheus and Alertmanager are";
    String operatorNote =
        plan.config().operatorTarget() != null
            ? ""
            : "; the operator's /metrics is not scraped (the operator has no "
                + OPERATOR_METRICS_TARGET
                + "), so the operator-down, secrets-sync, backup and rollback alerts are off";
    if (slack == null) {
      return new Condition(
          conditionType(),
          Condition.TRUE,
          READY_WITHOUT_RECEIVER,
          servers
              + " available, but alerts go"
              + " nowhere: spec.monitoring.alertmanager.slack is not set, so Alertmanager's receiver is 'null' and alerts"
              + " are only seen in its UI and in Grafana"
              + operatorNote);
    }
    return new Condition(
        conditionType(),
        Condition.TRUE,
        READY,
        servers + " available; alerts go to Slack channel " + slack.channel + operatorNote);
  }

  /**
   * Rolled out: the current spec observed, and its replicas updated and available. A generation the
   * Deployment controller has not observed yet tells nothing new: annotation changes bump it too
   * (the controller copies them to the ReplicaSets), as GitOps tools and {@code kubectl annotate}
   * make, so until it has caught up (a second on a loaded node) the verdict {@code before} it
   * holds; a template change shows once observed.
   */
  static boolean available(Deployment d, Boolean before) {
    var s = d.getStatus();
    if (before != null
        && s != null
        && !Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())) {
      return before;
    }
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return s != null
        && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
        && s.getUpdatedReplicas() != null
        && s.getUpdatedReplicas() >= replicas
        && s.getAvailableReplicas() != null
        && s.getAvailableReplicas() >= replicas;
  }

  private Condition notReady(String reason, String message) {
    return new Condition(conditionType(), Condition.FALSE, reason, message);
  }

  private static Optional<Deployment> deployment(
      TTStack stack, Context<TTStack> context, String name) {
    return Secondaries.get(context, Deployment.class, name, stack.getMetadata().getNamespace());
  }
}
