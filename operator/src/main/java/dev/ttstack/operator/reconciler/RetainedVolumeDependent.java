package dev.ttstack.operator.reconciler;

import dev.ttstack.operator.api.DeletionPolicy;
import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;

/**
 * A data volume the operator creates itself (not through a StatefulSet), e.g. the backup volume.
 *
 * <p>It is never deleted by a reconcile (this dependent is no {@code Deleter}: switching a feature off
 * keeps its data), and it is owned by the TTStack only with {@code deletionPolicy: Delete}, so that by
 * default deleting the TTStack keeps it and a TTStack re-created with the same name finds it again.
 * The TTStack is always found from the volume through JOSDK's annotations, owned or not.
 */
public abstract class RetainedVolumeDependent extends KubernetesDependentResource<PersistentVolumeClaim, TTStack>
    implements Creator<PersistentVolumeClaim, TTStack> {

  protected RetainedVolumeDependent() {
    super(PersistentVolumeClaim.class);
  }

  @Override
  protected void addReferenceHandlingMetadata(PersistentVolumeClaim volume, TTStack stack) {
    super.addReferenceHandlingMetadata(volume, stack);
    if (stack.getSpec().deletionPolicy == DeletionPolicy.Delete) {
      volume.addOwnerReference(stack);
    }
  }
}
