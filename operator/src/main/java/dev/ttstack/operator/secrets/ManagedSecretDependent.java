package dev.ttstack.operator.secrets;

import dev.ttstack.operator.api.SecretsSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.SecretsOutcome;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The managed Secret {@code <stack>-secrets}, owned by the TTStack. Its content is decided by
 * {@link SecretsComponent} before the workflow runs; this dependent only applies it.
 *
 * <p>Its informer is the operator's one view of Secrets: besides the managed ones (found through
 * ownerReferences) it maps the Secrets a TTStack <em>references</em> (the Doppler token, or {@code
 * spec.secrets.secretRef}) to that TTStack, so that rotating a token or editing the referenced
 * Secret reconciles the stack at once.
 */
@KubernetesDependent
public class ManagedSecretDependent extends CRUDKubernetesDependentResource<Secret, TTStack> {
  static final String REFERENCED_SECRETS_INDEX = "ttstack-referenced-secrets";

  public ManagedSecretDependent() {
    super(Secret.class);
  }

  /**
   * The Secret to apply: the new one if the content changed, otherwise the one in the cluster as it
   * is (no write). The precondition guarantees one of the two exists.
   */
  @Override
  protected Secret desired(TTStack stack, Context<TTStack> context) {
    SecretsOutcome outcome = SecretsOutcome.of(context).orElseThrow();
    if (outcome.toWrite() != null) {
      return outcome.toWrite();
    }
    return getSecondaryResource(stack, context).orElseThrow();
  }

  /**
   * Deletes the managed Secret only if this stack owns it. The name {@code <stack>-secrets} may
   * also be the user's own Secret: a stack {@code tt} with {@code secretRef: tt-secrets} (seen on
   * the real API server: the operator deleted the very Secret the stack reads, two seconds after
   * the first reconcile, and the stack then waited for it forever).
   */
  @Override
  protected void handleDelete(TTStack stack, Secret secret, Context<TTStack> context) {
    boolean owned =
        secret != null
            && secret.getMetadata().getOwnerReferences() != null
            && secret.getMetadata().getOwnerReferences().stream()
                .anyMatch(
                    o ->
                        stack.getMetadata().getUid() != null
                            && stack.getMetadata().getUid().equals(o.getUid()));
    if (owned) {
      super.handleDelete(stack, secret, context);
    }
  }

  @Override
  protected ResourceID targetSecondaryResourceID(TTStack stack, Context<TTStack> context) {
    return new ResourceID(ManagedSecret.name(stack), stack.getMetadata().getNamespace());
  }

  @Override
  protected Optional<SecondaryToPrimaryMapper<Secret>> getSecondaryToPrimaryMapper(
      EventSourceContext<TTStack> context) {
    context
        .getPrimaryCache()
        .addIndexer(REFERENCED_SECRETS_INDEX, ManagedSecretDependent::referencedSecrets);
    SecondaryToPrimaryMapper<Secret> owners = Mappers.fromOwnerReferences(TTStack.class);
    return Optional.of(
        secret -> {
          Set<ResourceID> primaries = new HashSet<>(owners.toPrimaryResourceIDs(secret));
          String key = secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName();
          primaries.addAll(
              context.getPrimaryCache().byIndex(REFERENCED_SECRETS_INDEX, key).stream()
                  .map(ResourceID::fromResource)
                  .collect(Collectors.toSet()));
          return primaries;
        });
  }

  /** {@code namespace/name} of every Secret the stack reads but does not own. */
  static List<String> referencedSecrets(TTStack stack) {
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
