package dev.ttstack.tt.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.tt.support.Api;
import dev.ttstack.tt.support.AppIntegrationTest;
import dev.ttstack.tt.support.AppTestBase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The happy path a ticket buyer takes: queue, admission, hold, confirm; and what the database then
 * holds.
 */
@AppIntegrationTest
class TicketFlowIT extends AppTestBase {

  @Test
  void queueThenAdmitThenHoldThenConfirm() {
    long performance = tt.performance(2, 5);
    List<Long> seats = tt.seatIds(performance);
    assertThat(seats).hasSize(10);

    Api.Response first = tt.join(performance, "alice");
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.json().get("status").asString()).isEqualTo("WAITING");
    assertThat(first.json().get("position").asLong()).isEqualTo(1);
    Api.Response second = tt.join(performance, "bob");
    assertThat(second.json().get("position").asLong()).isEqualTo(2);
    // Joining again keeps the place (200, not a new place at the end).
    Api.Response again = tt.join(performance, "alice");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("position").asLong()).isEqualTo(1);

    Api.Response admission = tt.admit(performance, 1);
    assertThat(admission.status()).isEqualTo(200);
    assertThat(admission.json().get("admitted").valueStream().map(n -> n.asString()).toList())
        .containsExactly("alice");
    assertThat(admission.json().get("waiting").asLong()).isEqualTo(1);

    Api.Response alice = tt.status(performance, "alice");
    assertThat(alice.json().get("status").asString()).isEqualTo("ADMITTED");
    String token = alice.json().get("entryToken").asString();
    assertThat(token).hasSizeGreaterThanOrEqualTo(32);
    assertThat(tt.status(performance, "bob").json().get("position").asLong()).isEqualTo(1);

    long seat = seats.get(3);
    Api.Response hold = tt.hold(performance, token, seat);
    assertThat(hold.status()).as(hold.text()).isEqualTo(201);
    assertThat(hold.json().get("seatLabel").asString()).isEqualTo("A-4");
    assertThat(hold.json().get("userId").asString()).isEqualTo("alice");
    String holdId = hold.json().get("holdId").asString();
    assertThat(seatStatus(seat)).isEqualTo("HELD");

    Api.Response confirm = tt.confirm(performance, token, holdId, "order-1");
    assertThat(confirm.status()).as(confirm.text()).isEqualTo(201);
    assertThat(confirm.json().get("seatId").asLong()).isEqualTo(seat);
    assertThat(seatStatus(seat)).isEqualTo("SOLD");

    // A retry with the same key (lost response) gets the same reservation, and nothing is written
    // twice.
    Api.Response retry = tt.confirm(performance, token, holdId, "order-1");
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.json()).isEqualTo(confirm.json());
    assertThat(
            db.sql("select count(*) from reservation where seat_id = :s")
                .param("s", seat)
                .query(Long.class)
                .single())
        .isEqualTo(1);
    assertThat(
            db.sql("select status from hold where id = :h::uuid")
                .param("h", holdId)
                .query(String.class)
                .single())
        .isEqualTo("CONFIRMED");

    Api.Response summary = tt.api().get("/api/performances/" + performance);
    assertThat(summary.json().get("sold").asLong()).isEqualTo(1);
    assertThat(summary.json().get("available").asLong()).isEqualTo(9);
  }

  @Test
  void releaseMakesTheSeatAvailableAgain() {
    long performance = tt.performance(1, 3);
    long seat = tt.seatIds(performance).get(0);
    Map<String, String> tokens = tt.admitted(performance, List.of("carol", "dave"));

    String holdId = tt.hold(performance, tokens.get("carol"), seat).json().get("holdId").asString();
    assertThat(tt.hold(performance, tokens.get("dave"), seat).code()).isEqualTo("SEAT_TAKEN");

    assertThat(tt.release(performance, tokens.get("carol"), holdId).status()).isEqualTo(204);
    assertThat(seatStatus(seat)).isEqualTo("AVAILABLE");
    // Releasing twice is harmless.
    assertThat(tt.release(performance, tokens.get("carol"), holdId).status()).isEqualTo(204);

    Api.Response daveHold = tt.hold(performance, tokens.get("dave"), seat);
    assertThat(daveHold.status()).isEqualTo(201);
    assertThat(tt.confirm(performance, tokens.get("carol"), holdId, "k").code())
        .isEqualTo("HOLD_RELEASED");
  }

  private String seatStatus(long seatId) {
    return db.sql("select status from seat where id = :id")
        .param("id", seatId)
        .query(String.class)
        .single();
  }
}
