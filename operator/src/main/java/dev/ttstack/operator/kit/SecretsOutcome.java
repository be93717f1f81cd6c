package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * What the secrets step found, for the rest of this reconcile: the managed Secret to write (if the
 * content changed), the content the components may use, and the SecretsSynced condition. Stored in
 * the reconcile's context; never logged (its {@code toString} names keys only).
 *
 * @param source "doppler" or "secretRef"
 * @param secretName the Secret the components read
 * @param content the current good content, or null when there is none yet (components must wait)
 * @param toWrite the managed Secret to create or update, or null to leave it as it is
 * @param condition SecretsSynced
 * @param syncedAt when the content was last written (RFC 3339), or null
 * @param resyncAfter when to look again
 */
public record SecretsOutcome(
    String source,
    String secretName,
    SecretContent content,
    Secret toWrite,
    Condition condition,
    String syncedAt,
    Duration resyncAfter) {

  public static final String KEY = SecretsOutcome.class.getName();
  public static final String DOPPLER = "doppler";
  public static final String SECRET_REF = "secretRef";

  /** The outcome of this reconcile's secrets step, if it ran (it does not for invalid specs). */
  public static Optional<SecretsOutcome> of(Context<?> context) {
    return context.managedWorkflowAndDependentResourceContext().get(KEY, SecretsOutcome.class);
  }

  /**
   * The Secret the components read for that stack: the managed one, or spec.secrets.secretRef's.
   */
  public static String secretNameFor(dev.ttstack.operator.api.TTStack stack) {
    var secrets = stack.getSpec().secrets;
    return secrets.secretRef != null && secrets.doppler == null
        ? secrets.secretRef.name
        : StackEndpoints.managedSecret(stack);
  }

  /** Whether the components may start: content present and every required key in it. */
  public boolean ready() {
    return content != null && condition.isTrue();
  }

  /** The hash a component puts on its pod template: over only the keys it consumes. */
  public String hashOf(Collection<String> keys) {
    return content == null ? null : content.hashOf(keys);
  }

  public boolean isDoppler() {
    return DOPPLER.equals(source);
  }

  @Override
  public String toString() {
    return "SecretsOutcome["
        + source
        + ", secret="
        + secretName
        + ", "
        + content
        + ", write="
        + (toWrite != null)
        + ", "
        + condition.reason
        + "]";
  }
}
