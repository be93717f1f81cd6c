package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A larger volume for a StatefulSet. Its {@code volumeClaimTemplates} are immutable: applying a new
 * size is refused by the API server (422), which used to leave the stack in ReconcileError with no
 * way back (the CRD refuses a smaller size). So the template is never edited in place:
 *
 * <ol>
 *   <li>each existing claim's storage request is raised to the new size. Whether its StorageClass
 *       can expand is decided by the API server itself (admission refuses the patch unless the
 *       class has {@code allowVolumeExpansion: true}), so the operator needs no cluster-wide read
 *       of StorageClasses;
 *   <li>if every claim accepted, the StatefulSet is deleted with {@code propagationPolicy=Orphan}
 *       and re-created with the new template: its pods keep running and are adopted again, its
 *       claims are kept (a claim is never deleted here);
 *   <li>if a claim was refused, the StatefulSet keeps its current template (no 422, everything else
 *       keeps reconciling) and the component reports {@link #REFUSED}, naming the field, the class
 *       and what the user can do. The refusal is remembered for {@link #RETRY_AFTER}, so a stack in
 *       that state does not send a refused request on every reconcile.
 * </ol>
 */
public final class VolumeGrowth {
  public static final String REFUSED = "StorageGrowthRefused";
  public static final String GROWING = "StorageGrowing";

  /**
   * A refused expansion is asked again after this long (an admin may have enabled expansion since).
   */
  static final Duration RETRY_AFTER = Duration.ofMinutes(10);

  /** How long a reconcile waits for the orphaning delete to finish before re-creating. */
  private static final Duration GONE_WITHIN = Duration.ofSeconds(20);

  private static final Logger LOG = LoggerFactory.getLogger(VolumeGrowth.class);

  /**
   * What the StatefulSet's claim template must say now, and what to tell the user.
   *
   * @param templateSize the size to build the template with: the new one only once no StatefulSet
   *     with the old template exists
   * @param reason {@link #REFUSED} or {@link #GROWING}, or null when nothing is pending
   * @param message for the component's condition, or null
   */
  public record Outcome(String templateSize, String reason, String message) {
    /** {@code health} with this outcome folded in: the reason when healthy, the message always. */
    public Condition into(Condition health) {
      if (reason == null) {
        return health;
      }
      return new Condition(
          health.type,
          health.status,
          health.isTrue() ? reason : health.reason,
          health.message + "; " + message);
    }
  }

  private record Refusal(Instant at, String wanted, String message) {}

  private final Clock clock;
  private final EventRecorder events;
  private final Map<String, Refusal> refusals = new ConcurrentHashMap<>();

  public VolumeGrowth(Clock clock) {
    this.clock = clock;
    this.events = new EventRecorder(clock);
  }

  /**
   * @param live the StatefulSet as the cache has it
   * @param template the name of its claim template ({@code data}); claims are {@code
   *     data-<sts>-<i>}
   * @param field the spec field, for messages ({@code spec.postgres.storage.size})
   * @param wanted the size the spec asks for
   */
  public Outcome plan(
      TTStack stack,
      Context<TTStack> context,
      Optional<StatefulSet> live,
      String template,
      String field,
      String wanted) {
    if (live.isEmpty()) {
      return new Outcome(wanted, null, null);
    }
    StatefulSet sts = live.get();
    String name = sts.getMetadata().getName();
    String ns = sts.getMetadata().getNamespace();
    String current = templateSize(sts, template);
    if (current == null || compare(wanted, current) <= 0) {
      // Equal (in any spelling) or smaller (the CRD refuses that): nothing to grow.
      refusals.remove(ns + "/" + name);
      return new Outcome(
          compare(wanted, current == null ? wanted : current) == 0 ? wanted : current, null, null);
    }
    if (sts.getMetadata().getDeletionTimestamp() != null) {
      return new Outcome(
          current,
          GROWING,
          "replacing StatefulSet "
              + name
              + " to apply "
              + field
              + " "
              + wanted
              + " (its pods and volumes are kept)");
    }

    String key = ns + "/" + name;
    Refusal refused = refusals.get(key);
    if (refused != null
        && refused.wanted().equals(wanted)
        && Duration.between(refused.at(), clock.instant()).compareTo(RETRY_AFTER) < 0) {
      return new Outcome(current, REFUSED, refused.message());
    }

    int replicas = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
    List<String> grown = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      String claimName = template + "-" + name + "-" + i;
      Optional<PersistentVolumeClaim> claim =
          Secondaries.get(context, PersistentVolumeClaim.class, claimName, ns);
      if (claim.isEmpty() || compare(wanted, request(claim.get())) <= 0) {
        continue;
      }
      try {
        context
            .getClient()
            .persistentVolumeClaims()
            .inNamespace(ns)
            .withName(claimName)
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"" + wanted + "\"}}}}");
        grown.add(claimName);
      } catch (KubernetesClientException e) {
        if (e.getCode() < 400 || e.getCode() >= 500) {
          throw e;
        }
        String storageClass =
            Optional.ofNullable(claim.get().getSpec().getStorageClassName()).orElse("(none)");
        String message = refusedMessage(field, wanted, current, name, claimName, storageClass, e);
        refusals.put(key, new Refusal(clock.instant(), wanted, message));
        LOG.warn("TTStack {}/{}: {}", ns, stack.getMetadata().getName(), message);
        events.record(context.getClient(), stack, EventRecorder.WARNING, REFUSED, message);
        return new Outcome(current, REFUSED, message);
      }
    }
    refusals.remove(key);

    // Every claim holds the new size: replace the StatefulSet, orphaning (not deleting) its pods.
    context
        .getClient()
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .withName(name)
        .withPropagationPolicy(DeletionPropagation.ORPHAN)
        .delete();
    String message =
        "grew "
            + (grown.isEmpty() ? "no claim (all had the size already)" : String.join(", ", grown))
            + " to "
            + wanted
            + " ("
            + field
            + ") and replaced StatefulSet "
            + name
            + " with the new volumeClaimTemplates, keeping its pods and volumes";
    events.record(context.getClient(), stack, EventRecorder.NORMAL, GROWING, message);
    LOG.info("TTStack {}/{}: {}", ns, stack.getMetadata().getName(), message);
    // The garbage collector removes the orphan finalizer within moments; once the cache no longer
    // holds the old StatefulSet, this very reconcile creates the new one.
    Instant until = clock.instant().plus(GONE_WITHIN);
    while (Secondaries.get(context, StatefulSet.class, name, ns)
        .filter(s -> s.getMetadata().getUid().equals(sts.getMetadata().getUid()))
        .isPresent()) {
      if (clock.instant().isAfter(until)) {
        return new Outcome(current, GROWING, message + "; waiting for the old StatefulSet to go");
      }
      try {
        Thread.sleep(100); // polling a local cache, bounded above
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Outcome(current, GROWING, message);
      }
    }
    return new Outcome(wanted, null, null);
  }

  private static String refusedMessage(
      String field,
      String wanted,
      String current,
      String sts,
      String claim,
      String storageClass,
      KubernetesClientException e) {
    String server =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    return field
        + " "
        + wanted
        + " is not applied: the volumes of StatefulSet "
        + sts
        + " stay "
        + current
        + ", because the API server refused to grow PersistentVolumeClaim "
        + claim
        + " of StorageClass "
        + storageClass
        + " (HTTP "
        + e.getCode()
        + ": "
        + server
        + "). A StatefulSet's volumeClaimTemplates cannot be"
        + " changed, so it is left as it is; everything else is still reconciled. To grow the volumes, the class"
        + " needs allowVolumeExpansion: true and a provisioner that can resize (the operator then grows the claims"
        + " by itself, within "
        + RETRY_AFTER.toMinutes()
        + " minutes); otherwise move the data to a new stack."
        + ("local-path".equals(storageClass)
            ? " local-path cannot expand, but it does not enforce the size either: its volumes are folders on the"
                + " node's disk and may already use all of the disk's free space"
            : "");
  }

  static String templateSize(StatefulSet sts, String template) {
    if (sts.getSpec().getVolumeClaimTemplates() == null) {
      return null;
    }
    return sts.getSpec().getVolumeClaimTemplates().stream()
        .filter(t -> template.equals(t.getMetadata().getName()))
        .map(VolumeGrowth::request)
        .filter(s -> s != null)
        .findFirst()
        .orElse(null);
  }

  private static String request(PersistentVolumeClaim claim) {
    if (claim.getSpec() == null
        || claim.getSpec().getResources() == null
        || claim.getSpec().getResources().getRequests() == null) {
      return null;
    }
    Quantity q = claim.getSpec().getResources().getRequests().get("storage");
    return q == null ? null : q.toString();
  }

  /** Compares two sizes by bytes; a missing one counts as smaller. */
  static int compare(String a, String b) {
    if (b == null) {
      return a == null ? 0 : 1;
    }
    if (a == null) {
      return -1;
    }
    return Quantity.getAmountInBytes(new Quantity(a))
        .compareTo(Quantity.getAmountInBytes(new Quantity(b)));
  }
}
