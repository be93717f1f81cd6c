package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Set;

/**
 * Informers for objects the operator does not apply itself but must see to judge health: Pods
 * (crash loops, image pulls, backup results), Jobs (backups) and the PersistentVolumeClaims a
 * StatefulSet creates. Only objects labelled {@code managed-by=ttstack-operator} are watched, and
 * each maps to the TTStack named by its {@code instance} label.
 */
public final class ObservedObjects {
  /** Name of the Jobs informer (backup Jobs created by a component go into its cache at once). */
  public static final String JOBS = "observed-jobs";

  private static final String SELECTOR = StackLabels.MANAGED_BY + "=" + StackLabels.OPERATOR;

  private ObservedObjects() {}

  public static List<EventSource<?, TTStack>> eventSources(EventSourceContext<TTStack> context) {
    return List.of(
        informer(Pod.class, "observed-pods", context),
        informer(Job.class, JOBS, context),
        informer(PersistentVolumeClaim.class, "observed-volumes", context));
  }

  private static <R extends HasMetadata> InformerEventSource<R, TTStack> informer(
      Class<R> type, String name, EventSourceContext<TTStack> context) {
    var config =
        InformerEventSourceConfiguration.from(type, TTStack.class)
            .withName(name)
            .withLabelSelector(SELECTOR)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(ObservedObjects::byInstanceLabel)
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
