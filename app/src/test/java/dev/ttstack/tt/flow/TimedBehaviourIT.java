package dev.ttstack.tt.flow;

import static dev.ttstack.tt.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.tt.support.Api;
import dev.ttstack.tt.support.AppIntegrationTest;
import dev.ttstack.tt.support.AppTestBase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;

/**
 * What happens with time: holds expiring and being swept, and the automatic admission schedule.
 * Runs with short timings, in its own Spring context that is closed afterwards (its admission
 * schedule would otherwise keep admitting other tests' queues).
 */
@AppIntegrationTest(
    properties = {
      "tt.queue.admission.enabled=true",
      "tt.queue.admission.interval=250ms",
      "tt.queue.admission.batch-size=2",
      "tt.seats.hold-ttl=1s",
      "tt.seats.sweep-interval=200ms"
    })
@DirtiesContext
@Order(Order.DEFAULT + 1)
class TimedBehaviourIT extends AppTestBase {

  private static final Duration INTERVAL = Duration.ofMillis(250);

  @Test
  void anExpiredHoldIsSweptBackToAvailableAndCannotBeConfirmed() {
    long performance = tt.performance(1, 2);
    long seat = tt.seatIds(performance).get(0);
    String token = tt.token(performance, "henry");
    Api.Response hold = tt.hold(performance, token, seat);
    assertThat(hold.status()).isEqualTo(201);
    String holdId = hold.json().get("holdId").asString();
    Instant expiresAt = Instant.parse(hold.json().get("expiresAt").asString());
    assertThat(expiresAt).isBetween(Instant.now().plusMillis(200), Instant.now().plusSeconds(2));

    await("seat swept back to AVAILABLE")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                "AVAILABLE"
                    .equals(
                        db.sql("select status from seat where id = :id")
                            .param("id", seat)
                            .query(String.class)
                            .single()));
    assertThat(Instant.now()).isAfter(expiresAt);
    assertThat(
            db.sql("select status from hold where id = :id::uuid")
                .param("id", holdId)
                .query(String.class)
                .single())
        .isEqualTo("EXPIRED");

    assertProblem(tt.confirm(performance, token, holdId, "too-late"), 409, "HOLD_EXPIRED");
    assertThat(
            db.sql("select count(*) from reservation where seat_id = :s")
                .param("s", seat)
                .query(Long.class)
                .single())
        .isZero();
    // Releasing an expired hold is a harmless no-op; the seat can be held again.
    assertThat(tt.release(performance, token, holdId).status()).isEqualTo(204);
    assertThat(tt.hold(performance, tt.token(performance, "irene"), seat).status()).isEqualTo(201);
  }

  @Test
  void theScheduleAdmitsBatchesInArrivalOrderAtTheConfiguredRate() {
    // Created as past, so the schedule ignores it while six users line up...
    Api.Response created =
        tt.api()
            .post(
                "/api/performances",
                Map.of(
                    "name",
                    "Yesterday's concert",
                    "startsAt",
                    Instant.now().minus(Duration.ofDays(1)).toString(),
                    "rows",
                    1,
                    "seatsPerRow",
                    1));
    long performance = created.json().get("id").asLong();
    List<String> users = IntStream.rangeClosed(1, 6).mapToObj(i -> "auto-" + i).toList();
    users.forEach(u -> assertThat(tt.join(performance, u).status()).isEqualTo(201));
    // ...then it goes on sale and the schedule takes over: 2 users every 250 ms.
    db.sql("update performance set starts_at = now() + interval '1 day' where id = :id")
        .param("id", performance)
        .update();

    // Read in reverse arrival order: a step landing mid-read can then only make earlier users look
    // admitted, never a later one, so the check below is exact even though the six reads are not
    // atomic.
    List<String> reversed = new ArrayList<>(users);
    Collections.reverse(reversed);
    await("all six admitted")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              List<Boolean> admitted =
                  new ArrayList<>(
                      reversed.stream()
                          .map(
                              u ->
                                  "ADMITTED"
                                      .equals(
                                          tt.status(performance, u)
                                              .json()
                                              .get("status")
                                              .asString()))
                          .toList());
              Collections.reverse(admitted);
              int count = (int) admitted.stream().filter(a -> a).count();
              // Arrival order: whoever is admitted, everyone who arrived earlier is admitted too.
              assertThat(admitted.subList(0, count)).as(admitted.toString()).doesNotContain(false);
              return count == 6;
            });
    // When each was admitted, as Redis saw it: entry expiry minus the entry TTL (10 min by
    // default).
    List<Instant> at =
        users.stream()
            .map(
                u ->
                    Instant.parse(tt.status(performance, u).json().get("entryExpiresAt").asString())
                        .minus(Duration.ofMinutes(10)))
            .toList();
    // Three steps of exactly two (the six were waiting before the first step), one interval apart.
    for (int batch = 0; batch < 3; batch++) {
      assertThat(Duration.between(at.get(2 * batch), at.get(2 * batch + 1)).abs())
          .as("batch %d", batch)
          .isLessThan(Duration.ofMillis(50));
    }
    assertThat(Duration.between(at.get(0), at.get(2)))
        .isGreaterThanOrEqualTo(INTERVAL.minusMillis(10));
    assertThat(Duration.between(at.get(2), at.get(4)))
        .isGreaterThanOrEqualTo(INTERVAL.minusMillis(10));
  }
}
