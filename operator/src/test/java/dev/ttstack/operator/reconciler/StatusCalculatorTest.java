package dev.ttstack.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusCalculatorTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final StatusCalculator calculator = new StatusCalculator(clock);

  private static Condition c(String type, String status, String reason) {
    return new Condition(type, status, reason, type + " is " + status);
  }

  @Test
  void readyIsTrueOnlyWhenEveryComponentIsTrue() {
    Condition allTrue =
        StatusCalculator.ready(
            List.of(
                c(ConditionType.SECRETS_SYNCED, Condition.TRUE, "Synced"),
                c(ConditionType.APP_READY, Condition.TRUE, "Available")));
    Condition oneUnknown =
        StatusCalculator.ready(
            List.of(
                c(ConditionType.SECRETS_SYNCED, Condition.TRUE, "Synced"),
                c(ConditionType.APP_READY, Condition.UNKNOWN, "NotImplemented")));

    assertThat(allTrue.status).isEqualTo(Condition.TRUE);
    assertThat(oneUnknown.status).isEqualTo(Condition.FALSE);
    assertThat(oneUnknown.message).isEqualTo("waiting for AppReady (NotImplemented)");
  }

  @Test
  void unchangedConditionKeepsItsTransitionTimeSoTheStatusIsIdentical() {
    TTStackStatus first =
        calculator.next(
            null,
            new TTStackStatus(),
            List.of(c(ConditionType.APP_READY, Condition.FALSE, "Waiting")),
            1);
    clock.advance(Duration.ofMinutes(5));

    TTStackStatus second =
        calculator.next(
            first,
            StatusCalculator.copy(first),
            List.of(c(ConditionType.APP_READY, Condition.FALSE, "Waiting")),
            1);

    assertThat(second.condition(ConditionType.APP_READY).lastTransitionTime)
        .isEqualTo("2026-01-01T00:00:00Z");
    assertThat(StatusCalculator.same(first, second)).isTrue();
  }

  @Test
  void statusFlipMovesTheTransitionTimeAndReasonChangeAloneDoesNot() {
    TTStackStatus first =
        calculator.next(
            null,
            new TTStackStatus(),
            List.of(c(ConditionType.APP_READY, Condition.FALSE, "Waiting")),
            1);
    clock.advance(Duration.ofMinutes(5));
    TTStackStatus reasonOnly =
        calculator.next(
            first,
            StatusCalculator.copy(first),
            List.of(c(ConditionType.APP_READY, Condition.FALSE, "StillWaiting")),
            1);
    clock.advance(Duration.ofMinutes(5));
    TTStackStatus flipped =
        calculator.next(
            reasonOnly,
            StatusCalculator.copy(reasonOnly),
            List.of(c(ConditionType.APP_READY, Condition.TRUE, "Available")),
            2);

    assertThat(reasonOnly.condition(ConditionType.APP_READY).lastTransitionTime)
        .isEqualTo("2026-01-01T00:00:00Z");
    assertThat(StatusCalculator.same(first, reasonOnly)).isFalse();
    assertThat(flipped.condition(ConditionType.APP_READY).lastTransitionTime)
        .isEqualTo("2026-01-01T00:10:00Z");
    assertThat(flipped.condition(ConditionType.APP_READY).observedGeneration).isEqualTo(2L);
    assertThat(flipped.observedGeneration).isEqualTo(2L);
  }

  @Test
  void conditionsNotObservedThisTimeAreKept() {
    TTStackStatus first =
        calculator.next(
            null,
            new TTStackStatus(),
            List.of(
                c(ConditionType.READY, Condition.FALSE, "ComponentsNotReady"),
                c(ConditionType.APP_READY, Condition.TRUE, "Available")),
            1);

    TTStackStatus invalid =
        calculator.next(
            first,
            StatusCalculator.copy(first),
            List.of(c(ConditionType.READY, Condition.FALSE, StatusCalculator.INVALID_SPEC)),
            2);

    assertThat(invalid.conditions)
        .extracting(x -> x.type)
        .containsExactly(ConditionType.READY, ConditionType.APP_READY);
    assertThat(invalid.condition(ConditionType.APP_READY).observedGeneration).isEqualTo(1L);
  }

  @Test
  void copyIsDeep() {
    TTStackStatus original =
        calculator.next(
            null,
            new TTStackStatus(),
            List.of(c(ConditionType.APP_READY, Condition.FALSE, "Waiting")),
            1);
    TTStackStatus copy = StatusCalculator.copy(original);
    copy.conditions.get(0).status = Condition.TRUE;

    assertThat(original.conditions.get(0).status).isEqualTo(Condition.FALSE);
  }
}
