package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.DeletionPolicy;
import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A data volume the operator creates itself (not through a StatefulSet), e.g. the backup volume.
 *
 * <p>It is never deleted by a reconcile (this dependent is no {@code Deleter}: switching a feature
 * off keeps its data), and it is owned by the TTStack only with {@code deletionPolicy: Delete}, so
 * that by default deleting the TTStack keeps it and a TTStack re-created with the same name finds
 * it again. The TTStack is always found from the volume through JOSDK's annotations, owned or not.
 *
 * <p>The policy may change after the volume exists, and the garbage collector acts on the
 * ownerReference alone: so the ownerReference of an existing volume follows the policy, patched on
 * its own (a JSON merge patch of {@code metadata.ownerReferences}, guarded by the resourceVersion).
 * Nothing else of the claim is ever updated: its spec is the StorageClass' business once it is
 * bound. Seen on the real API server (DeletionKubeIT) before this: a stack created with Retain and
 * switched to Delete kept both volumes after {@code kubectl delete tts}, and one created with
 * Delete and switched to Retain lost them.
 */
public abstract class RetainedVolumeDependent
    extends KubernetesDependentResource<PersistentVolumeClaim, TTStack>
    implements Creator<PersistentVolumeClaim, TTStack> {

  protected RetainedVolumeDependent() {
    super(PersistentVolumeClaim.class);
  }

  @Override
  protected void addReferenceHandlingMetadata(PersistentVolumeClaim volume, TTStack stack) {
    super.addReferenceHandlingMetadata(volume, stack);
    if (ownedBy(stack)) {
      volume.addOwnerReference(stack);
    }
  }

  @Override
  protected ReconcileResult<PersistentVolumeClaim> reconcile(
      TTStack stack, PersistentVolumeClaim actual, Context<TTStack> context) {
    if (actual == null) {
      return super.reconcile(stack, null, context);
    }
    List<OwnerReference> refs =
        actual.getMetadata().getOwnerReferences() == null
            ? List.of()
            : actual.getMetadata().getOwnerReferences();
    String uid = stack.getMetadata().getUid();
    boolean owned = refs.stream().anyMatch(r -> uid.equals(r.getUid()));
    if (owned == ownedBy(stack)) {
      return ReconcileResult.noOperation(actual);
    }
    List<OwnerReference> wanted =
        new ArrayList<>(refs.stream().filter(r -> !uid.equals(r.getUid())).toList());
    if (!owned) {
      // The very reference a new volume gets (addReferenceHandlingMetadata above).
      PersistentVolumeClaim probe = new PersistentVolumeClaim();
      probe.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
              .withNamespace(actual.getMetadata().getNamespace())
              .build());
      probe.addOwnerReference(stack);
      wanted.addAll(probe.getMetadata().getOwnerReferences());
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("resourceVersion", actual.getMetadata().getResourceVersion());
    metadata.put("ownerReferences", wanted);
    // resource(actual): fabric8 then patches the object it has, where withName(..).patch would GET
    // it
    // first, a verb the chart does not grant (seen: 403 on the real API server).
    PersistentVolumeClaim patched =
        context
            .getClient()
            .resource(actual)
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                Serialization.asJson(Map.of("metadata", metadata)));
    return ReconcileResult.resourceUpdated(patched);
  }

  private static boolean ownedBy(TTStack stack) {
    return stack.getSpec().deletionPolicy == DeletionPolicy.Delete;
  }
}
