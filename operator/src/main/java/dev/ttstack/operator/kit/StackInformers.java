package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operator's one informer per kind: every dependent names its kind's informer here ({@code
 * useEventSourceWithName} in the workflow), and components read the same caches ({@link
 * Secondaries}). Each watches only objects labelled {@code managed-by=ttstack-operator}, in the
 * operator's namespaces, so the operator caches what it manages and nothing else of the cluster
 * (before: five informers on Services, three on ConfigMaps, and every Secret, ConfigMap and
 * Deployment of the cluster cached).
 *
 * <p>An object maps to the TTStack named by its {@code instance} label: that covers the owned
 * objects, the Pods and Jobs that other controllers create from the operator's templates (labels
 * are inherited, ownerReferences are not), and the volumes that outlive their stack (no
 * ownerReference with {@code deletionPolicy: Retain}).
 *
 * <p>The one exception is the Secrets a stack reads but does not own (the Doppler token, {@code
 * spec.secrets.secretRef}): they carry no label of the operator's, so the secrets component watches
 * each of them by name (its {@code ReferencedSecrets}).
 */
public final class StackInformers {
  public static final String SECRETS = "managed-secrets";
  public static final String CONFIG_MAPS = "managed-configmaps";
  public static final String SERVICES = "managed-services";
  public static final String DEPLOYMENTS = "managed-deployments";
  public static final String STATEFUL_SETS = "managed-statefulsets";
  public static final String VOLUMES = "managed-volumes";
  public static final String NETWORK_POLICIES = "managed-networkpolicies";
  public static final String DISRUPTION_BUDGETS = "managed-poddisruptionbudgets";
  public static final String CRON_JOBS = "managed-cronjobs";
  public static final String INGRESSES = "managed-ingresses";
  public static final String SERVICE_ACCOUNTS = "managed-serviceaccounts";
  public static final String ROLES = "managed-roles";
  public static final String ROLE_BINDINGS = "managed-rolebindings";

  /** Objects the operator does not apply but must see to judge health: Pods and backup Jobs. */
  public static final String PODS = "managed-pods";

  public static final String JOBS = "managed-jobs";

  /** The label selector of every informer above. */
  public static final String SELECTOR = StackLabels.MANAGED_BY + "=" + StackLabels.OPERATOR;

  /** Kind → informer name, in the order they are registered. */
  public static final Map<Class<? extends HasMetadata>, String> KINDS = kinds();

  private StackInformers() {}

  private static Map<Class<? extends HasMetadata>, String> kinds() {
    Map<Class<? extends HasMetadata>, String> kinds = new LinkedHashMap<>();
    kinds.put(Secret.class, SECRETS);
    kinds.put(ConfigMap.class, CONFIG_MAPS);
    kinds.put(Service.class, SERVICES);
    kinds.put(Deployment.class, DEPLOYMENTS);
    kinds.put(StatefulSet.class, STATEFUL_SETS);
    kinds.put(PersistentVolumeClaim.class, VOLUMES);
    kinds.put(NetworkPolicy.class, NETWORK_POLICIES);
    kinds.put(PodDisruptionBudget.class, DISRUPTION_BUDGETS);
    kinds.put(CronJob.class, CRON_JOBS);
    kinds.put(Ingress.class, INGRESSES);
    kinds.put(ServiceAccount.class, SERVICE_ACCOUNTS);
    kinds.put(Role.class, ROLES);
    kinds.put(RoleBinding.class, ROLE_BINDINGS);
    kinds.put(Pod.class, PODS);
    kinds.put(Job.class, JOBS);
    return java.util.Collections.unmodifiableMap(kinds);
  }

  public static List<EventSource<?, TTStack>> eventSources(EventSourceContext<TTStack> context) {
    return KINDS.entrySet().stream()
        .<EventSource<?, TTStack>>map(e -> informer(e.getKey(), e.getValue(), context))
        .toList();
  }

  private static <R extends HasMetadata> InformerEventSource<R, TTStack> informer(
      Class<R> type, String name, EventSourceContext<TTStack> context) {
    var config =
        InformerEventSourceConfiguration.from(type, TTStack.class)
            .withName(name)
            .withLabelSelector(SELECTOR)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(StackInformers::byInstanceLabel)
            .build();
    return new InformerEventSource<>(config, context);
  }

  static Set<ResourceID> byInstanceLabel(HasMetadata object) {
    var labels = object.getMetadata().getLabels();
    String instance = labels == null ? null : labels.get(StackLabels.INSTANCE);
    return instance == null
        ? Set.of()
        : Set.of(new ResourceID(instance, object.getMetadata().getNamespace()));
  }
}
