package dev.ttstack.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStackStatus;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Turns freshly observed conditions into the next status, keeping what must not churn: a condition
 * whose status did not change keeps its {@code lastTransitionTime}, so a reconcile that observes
 * the same world produces an identical status and therefore makes no write.
 */
public final class StatusCalculator {
  /** Reason of {@code Ready=False} when the spec breaks a rule. */
  public static final String INVALID_SPEC = "InvalidSpec";

  /** Reason of {@code Ready=False} while some component is not ready. */
  public static final String COMPONENTS_NOT_READY = "ComponentsNotReady";

  /** Reason of {@code Ready=True}. */
  public static final String ALL_READY = "AllComponentsReady";

  /** Reason of {@code Ready=False} after an unexpected error in the reconciler. */
  public static final String RECONCILE_ERROR = "ReconcileError";

  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private final Clock clock;

  public StatusCalculator(Clock clock) {
    this.clock = clock;
  }

  /** Ready aggregated from the component conditions, in the order given. */
  public static Condition ready(List<Condition> components) {
    List<Condition> pending = components.stream().filter(c -> !c.isTrue()).toList();
    if (pending.isEmpty()) {
      return new Condition(
          ConditionType.READY, Condition.TRUE, ALL_READY, "all components are ready");
    }
    String waiting =
        pending.stream().map(c -> c.type + " (" + c.reason + ")").collect(Collectors.joining(", "));
    return new Condition(
        ConditionType.READY, Condition.FALSE, COMPONENTS_NOT_READY, "waiting for " + waiting);
  }

  /**
   * The next status: {@code current} with {@code observed} conditions merged in (conditions of
   * other types are kept as they were), stamped with {@code generation}.
   */
  public TTStackStatus next(
      TTStackStatus current, TTStackStatus proposed, List<Condition> observed, long generation) {
    List<Condition> previous = current == null ? List.of() : current.conditions;
    List<Condition> merged = new ArrayList<>();
    for (Condition c : observed) {
      merged.add(stamp(c, find(previous, c.type), generation));
    }
    for (Condition old : previous) {
      if (find(observed, old.type) == null) {
        merged.add(old);
      }
    }
    proposed.conditions = merged;
    proposed.observedGeneration = generation;
    return proposed;
  }

  private Condition stamp(Condition fresh, Condition old, long generation) {
    Condition c = new Condition(fresh.type, fresh.status, fresh.reason, fresh.message);
    c.observedGeneration = generation;
    c.lastTransitionTime =
        old != null && Objects.equals(old.status, fresh.status) && old.lastTransitionTime != null
            ? old.lastTransitionTime
            : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    return c;
  }

  private static Condition find(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
  }

  /**
   * Whether two statuses would serialise identically (so writing {@code b} over {@code a} is a
   * no-op).
   */
  public static boolean same(TTStackStatus a, TTStackStatus b) {
    JsonNode left = JSON.convertValue(a == null ? new TTStackStatus() : a, JsonNode.class);
    JsonNode right = JSON.convertValue(b == null ? new TTStackStatus() : b, JsonNode.class);
    return left.equals(right);
  }

  /** A deep copy, so that a proposed status never aliases the cached resource's. */
  public static TTStackStatus copy(TTStackStatus status) {
    return status == null ? new TTStackStatus() : JSON.clone(status);
  }
}
