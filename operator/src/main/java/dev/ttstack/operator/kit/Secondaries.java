package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Optional;

/** Lookups in the operator's informer caches by name (no API call). */
public final class Secondaries {
  private Secondaries() {}

  /**
   * The object of that type and name in the stack's namespace, from whichever informer of that type
   * holds it (several components may watch the same type). An informer still starting is skipped:
   * it knows nothing yet, and reading it fails (JOSDK creates its cache in start()). That happens
   * when another stack's reconcile registers a by-name Secret watch ({@code ReferencedSecrets}) at
   * the same moment; seen under load in OperatorLifecycleTest, as a passing ReconcileError.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <R extends HasMetadata> Optional<R> get(
      Context<TTStack> context, Class<R> type, String name, String namespace) {
    ResourceID id = new ResourceID(name, namespace);
    for (var source : context.eventSourceRetriever().getEventSourcesFor(type)) {
      if (source instanceof InformerEventSource informer && informer.isRunning()) {
        Optional<R> found = informer.get(id);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }
}
