package dev.ttstack.operator.secrets;

import dev.ttstack.operator.api.SecretsSpec;
import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.FieldSelector;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Watches, one by one and by name, the Secrets a stack reads but does not own: the Doppler token
 * ({@code spec.secrets.doppler.tokenSecretRef}) or {@code spec.secrets.secretRef}. They are the
 * user's, carry no label of the operator's, and so are not in the label-selected Secret informer;
 * caching every Secret of the cluster to find them is what the operator did before (and what issue
 * 19 measured). Each referenced Secret gets its own informer, registered when a stack first needs
 * it (JOSDK's dynamic event-source registration) with the field selector {@code
 * metadata.name=<name>} in the stack's namespace: one object cached per reference, and an edit of
 * the Secret (a rotated token) reconciles every stack that references it at once.
 *
 * <p>A watch no stack references any more is dropped on the next reconcile of any stack.
 */
public final class ReferencedSecrets {
  static final String INDEX = "ttstack-referenced-secrets";
  static final String PREFIX = "referenced-secret:";

  private ReferencedSecrets() {}

  /**
   * Indexes the stacks by the Secrets they reference, before the informers start: the watches map a
   * Secret's events to its stacks through it.
   */
  public static void indexStacks(EventSourceContext<TTStack> context) {
    context.getPrimaryCache().addIndexer(INDEX, ReferencedSecrets::keys);
  }

  /**
   * Ensures the stack's referenced Secrets are watched (blocking until a new watch has listed its
   * Secret, so that it can be read at once), and drops the watches that nothing references.
   */
  static void watch(TTStack stack, Context<TTStack> context) {
    var retriever = context.eventSourceRetriever();
    Set<String> watched =
        retriever.getEventSourcesFor(Secret.class).stream()
            .map(EventSource::name)
            .filter(n -> n.startsWith(PREFIX))
            .collect(Collectors.toCollection(HashSet::new));
    List<String> needed = keys(stack);
    for (String key : needed) {
      if (!watched.contains(PREFIX + key)) {
        retriever.dynamicallyRegisterEventSource(
            informer(key, retriever.eventSourceContextForDynamicRegistration()));
      }
    }
    for (String name : watched) {
      String key = name.substring(PREFIX.length());
      if (!needed.contains(key) && context.getPrimaryCache().byIndex(INDEX, key).isEmpty()) {
        retriever.dynamicallyDeRegisterEventSource(name);
      }
    }
  }

  private static InformerEventSource<Secret, TTStack> informer(
      String key, EventSourceContext<TTStack> context) {
    int slash = key.indexOf('/');
    String namespace = key.substring(0, slash);
    String name = key.substring(slash + 1);
    var config =
        InformerEventSourceConfiguration.from(Secret.class, TTStack.class)
            .withName(PREFIX + key)
            .withNamespaces(Set.of(namespace))
            .withFieldSelector(new FieldSelector(new FieldSelector.Field("metadata.name", name)))
            .withSecondaryToPrimaryMapper(
                secret ->
                    context.getPrimaryCache().byIndex(INDEX, key).stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .build();
    return new InformerEventSource<>(config, context);
  }

  /** {@code namespace/name} of every Secret the stack reads but does not own. */
  static List<String> keys(TTStack stack) {
    List<String> names = new ArrayList<>();
    SecretsSpec secrets = stack.getSpec() == null ? null : stack.getSpec().secrets;
    if (secrets == null) {
      return names;
    }
    String ns = stack.getMetadata().getNamespace();
    if (secrets.doppler != null && secrets.doppler.tokenSecretRef != null) {
      names.add(ns + "/" + secrets.doppler.tokenSecretRef.name);
    }
    if (secrets.secretRef != null) {
      names.add(ns + "/" + secrets.secretRef.name);
    }
    return names;
  }
}
