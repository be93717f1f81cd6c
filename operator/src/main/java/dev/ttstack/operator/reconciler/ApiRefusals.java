package dev.ttstack.operator.reconciler;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the API server said when it refused the operator's objects, for the stack's condition and
 * Event: which object, which field, why — in the server's own words ({@code StatefulSet.apps
 * "tt-postgres" is invalid: spec: Forbidden: updates to statefulset spec for fields other than
 * ...}). Without it a user sees "reconcile failed" and has to find the operator's log.
 *
 * <p>Only the Status the API server returns is quoted, never a request body: the server's messages
 * name objects, fields and rules. A refused Secret is reported by name and reason only, in case a
 * message ever quoted a value.
 */
public final class ApiRefusals {
  /** Long enough for a field path and its rule, short enough for a condition. */
  static final int MAX_MESSAGE = 600;

  private ApiRefusals() {}

  /** The refusals inside {@code e} (one per dependent of the workflow that failed), or empty. */
  public static Optional<String> describe(Exception e) {
    List<String> parts = new ArrayList<>();
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    collect(null, e, parts, seen);
    return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", parts));
  }

  private static void collect(
      String dependent, Throwable t, List<String> parts, Map<Throwable, Boolean> seen) {
    for (Throwable cause = t;
        cause != null && seen.put(cause, Boolean.TRUE) == null;
        cause = cause.getCause()) {
      if (cause instanceof AggregatedOperatorException aggregated) {
        aggregated
            .getAggregatedExceptions()
            .forEach((name, inner) -> collect(name, inner, parts, seen));
        return;
      }
      if (cause instanceof KubernetesClientException k
          && k.getStatus() != null
          && k.getCode() >= 400) {
        parts.add(
            (dependent == null ? "" : dependent + ": ")
                + "refused by the API server ("
                + k.getCode()
                + reason(k.getStatus())
                + "): "
                + message(k));
        return;
      }
    }
  }

  private static String reason(Status status) {
    return status.getReason() == null || status.getReason().isBlank()
        ? ""
        : " " + status.getReason();
  }

  private static String message(KubernetesClientException k) {
    Status status = k.getStatus();
    String kind =
        status.getDetails() != null && status.getDetails().getKind() != null
            ? status.getDetails().getKind()
            : k.getResourcePlural();
    String name =
        status.getDetails() != null && status.getDetails().getName() != null
            ? status.getDetails().getName()
            : k.getName();
    if (kind != null && Set.of("secrets", "Secret").contains(kind)) {
      return "Secret " + name;
    }
    String message = status.getMessage() == null ? "(no message)" : status.getMessage();
    if (name != null && !name.isBlank() && !message.contains(name)) {
      // Admission policies speak of the request, not of the object: say which one it was.
      message = kind + " " + name + ": " + message;
    }
    return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "…";
  }
}
