package dev.ttstack.operator.reconciler;

import dev.ttstack.operator.api.TTStackSpec;
import dev.ttstack.operator.api.TTStackStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Optional;

/**
 * The last spec that passed validation, kept in the status ({@code lastValidSpec}, as JSON, and
 * {@code lastValidGeneration}): what the operator goes on reconciling while a newer generation is
 * invalid, as Flink's operator keeps its {@code lastReconciledSpec}. A copy on every read, so a
 * reconcile never changes the status it came from.
 *
 * @param spec the spec of that generation
 * @param generation the metadata.generation it was taken from
 */
record LastValidSpec(TTStackSpec spec, long generation) {

  /** The last valid spec the status records, if any (and if it still reads as a spec). */
  static Optional<LastValidSpec> of(TTStackStatus status) {
    if (status == null || status.lastValidSpec == null) {
      return Optional.empty();
    }
    try {
      TTStackSpec spec = Serialization.unmarshal(status.lastValidSpec, TTStackSpec.class);
      return spec == null
          ? Optional.empty()
          : Optional.of(
              new LastValidSpec(
                  spec, status.lastValidGeneration == null ? 0 : status.lastValidGeneration));
    } catch (RuntimeException e) {
      // a status edited by hand: nothing to fall back to, as before the first valid spec
      return Optional.empty();
    }
  }

  /** Records {@code spec} of {@code generation} as the last valid one. */
  static void record(TTStackStatus status, TTStackSpec spec, long generation) {
    status.lastValidSpec = Serialization.asJson(spec);
    status.lastValidGeneration = generation;
  }
}
