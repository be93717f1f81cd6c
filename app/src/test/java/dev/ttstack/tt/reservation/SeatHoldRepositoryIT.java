package dev.ttstack.tt.reservation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.tt.support.AppIntegrationTest;
import dev.ttstack.tt.support.AppTestBase;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The seat SQL on its own, for what the API cannot set up: a hold that expired but was not swept
 * yet.
 */
@AppIntegrationTest
class SeatHoldRepositoryIT extends AppTestBase {

  @Autowired SeatHoldRepository repository;

  @Test
  void anExpiredHoldIsTakenOverAndEndedInTheSameStatement() {
    long performance = tt.performance(1, 1);
    long seat = tt.seatIds(performance).get(0);
    UUID first = UUID.randomUUID();
    assertThat(repository.grant(performance, seat, first, "early", Duration.ofMillis(1)))
        .isPresent();
    // Expired by the database clock, or already swept by the app's sweeper (which clears
    // held_until: the comparison alone was then NULL, and failed this test once in CI).
    await("first hold expired (database clock)")
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                db.sql(
                        "select held_until is null or held_until < clock_timestamp() from seat"
                            + " where id = :id")
                    .param("id", seat)
                    .query(Boolean.class)
                    .single());

    // Expired, swept or not yet: the seat can be held again, and the old hold ends as EXPIRED.
    UUID second = UUID.randomUUID();
    assertThat(repository.grant(performance, seat, second, "late", Duration.ofMinutes(5)))
        .hasValueSatisfying(g -> assertThat(g.label()).isEqualTo("A-1"));
    assertThat(holdStatus(first)).isEqualTo("EXPIRED");
    assertThat(holdStatus(second)).isEqualTo("ACTIVE");
    assertThat(
            db.sql("select hold_id from seat where id = :id")
                .param("id", seat)
                .query(UUID.class)
                .single())
        .isEqualTo(second);
    // A live hold does block it, and the first holder can no longer buy it.
    assertThat(
            repository.grant(performance, seat, UUID.randomUUID(), "third", Duration.ofMinutes(5)))
        .isEmpty();
    assertThat(repository.sell(performance, first, "early", "k")).isEmpty();
    assertThat(repository.sell(performance, second, "late", "k")).isPresent();
  }

  private String holdStatus(UUID hold) {
    return db.sql("select status from hold where id = :id")
        .param("id", hold)
        .query(String.class)
        .single();
  }
}
