package dev.ttstack.tt.flow;

import static dev.ttstack.tt.support.Problems.assertInvalid;
import static dev.ttstack.tt.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.tt.support.Api;
import dev.ttstack.tt.support.AppIntegrationTest;
import dev.ttstack.tt.support.AppTestBase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every way a request can be refused: its status, its problem body, and that it wrote nothing. */
@AppIntegrationTest
class ErrorCasesIT extends AppTestBase {

  private static final String UNKNOWN_TOKEN = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  private static final String UNKNOWN_HOLD = "00000000-0000-0000-0000-000000000000";

  long performance;
  List<Long> seats;
  String token;

  @BeforeEach
  void setUp() {
    performance = tt.performance(1, 4);
    seats = tt.seatIds(performance);
    token = tt.token(performance, "erin");
  }

  @Test
  void unknownIdsAre404() {
    assertProblem(api.get("/api/performances/987654321"), 404, "PERFORMANCE_NOT_FOUND");
    assertProblem(api.get("/api/performances/987654321/seats"), 404, "PERFORMANCE_NOT_FOUND");
    assertProblem(tt.join(987654321, "erin"), 404, "PERFORMANCE_NOT_FOUND");
    assertProblem(tt.status(performance, "nobody"), 404, "NOT_IN_QUEUE");
    assertProblem(tt.hold(performance, token, 987654321), 404, "SEAT_NOT_FOUND");
    assertProblem(tt.confirm(performance, token, UNKNOWN_HOLD, "k1"), 404, "HOLD_NOT_FOUND");
    assertProblem(tt.release(performance, token, UNKNOWN_HOLD), 404, "HOLD_NOT_FOUND");
    Api.Response route = api.get("/api/no-such-thing");
    assertThat(route.status()).isEqualTo(404);
    assertThat(route.contentType()).startsWith("application/problem+json");
  }

  @Test
  void aSeatOfAnotherPerformanceIsNotFound() {
    long other = tt.performance(1, 1);
    long foreignSeat = tt.seatIds(other).get(0);
    assertProblem(tt.hold(performance, token, foreignSeat), 404, "SEAT_NOT_FOUND");
    assertThat(status(foreignSeat)).isEqualTo("AVAILABLE");
  }

  @Test
  void invalidPerformanceInputNamesEachField() {
    assertInvalid(
        api.post("/api/performances", Map.of("rows", 0, "seatsPerRow", 501)),
        "name",
        "rows",
        "seatsPerRow",
        "startsAt");
    Map<String, Object> wrongType =
        new HashMap<>(
            Map.of(
                "name", "x", "startsAt", "2030-01-01T20:00:00Z", "rows", "many", "seatsPerRow", 3));
    assertInvalid(api.post("/api/performances", wrongType), "rows");
    assertInvalid(
        api.post(
            "/api/performances",
            Map.of("name", "x", "startsAt", "next friday", "rows", 1, "seatsPerRow", 1)),
        "startsAt");
    assertInvalid(api.post("/api/performances", "{not json"), "body");
    assertInvalid(api.get("/api/performances/abc"), "performanceId");
  }

  @Test
  void invalidQueueInputNamesTheField() {
    assertInvalid(tt.join(performance, "bad user!"), "userId");
    assertInvalid(api.post("/api/performances/" + performance + "/queue", Map.of()), "userId");
    assertInvalid(tt.status(performance, "x".repeat(65)), "userId");
    assertInvalid(tt.admit(performance, 0), "count");
    assertInvalid(tt.admit(performance, 1001), "count");
  }

  @Test
  void seatEndpointsNeedAValidEntryTokenForThisPerformance() {
    long seat = seats.get(0);
    assertInvalid(
        api.post("/api/performances/" + performance + "/holds", Map.of("seatId", seat)),
        "X-Entry-Token");
    assertInvalid(tt.hold(performance, "short", seat), "X-Entry-Token");
    assertProblem(tt.hold(performance, UNKNOWN_TOKEN, seat), 409, "NOT_ADMITTED");
    long other = tt.performance(1, 1);
    String otherToken = tt.token(other, "erin");
    assertProblem(tt.hold(performance, otherToken, seat), 409, "NOT_ADMITTED");
    // Still waiting in line: not admitted either.
    tt.join(performance, "frank");
    assertThat(tt.status(performance, "frank").json().get("status").asString())
        .isEqualTo("WAITING");
    assertThat(holdCount()).isZero();
    assertThat(status(seat)).isEqualTo("AVAILABLE");
  }

  @Test
  void invalidHoldAndConfirmInputNamesTheField() {
    assertInvalid(
        api.post("/api/performances/" + performance + "/holds", Map.of(), "X-Entry-Token", token),
        "seatId");
    assertInvalid(tt.hold(performance, token, -1), "seatId");
    String holdId = tt.hold(performance, token, seats.get(0)).json().get("holdId").asString();
    assertInvalid(
        api.post(
            "/api/performances/" + performance + "/holds/" + holdId + "/confirm",
            "",
            "X-Entry-Token",
            token),
        "Idempotency-Key");
    assertInvalid(tt.confirm(performance, token, holdId, "k".repeat(101)), "Idempotency-Key");
    assertInvalid(tt.confirm(performance, token, "not-a-uuid", "k1"), "holdId");
    assertThat(reservationCount()).isZero();
  }

  @Test
  void aTakenOrSoldSeatIs409AndChangesNothing() {
    long seat = seats.get(1);
    String holdId = tt.hold(performance, token, seat).json().get("holdId").asString();
    String rival = tt.token(performance, "gina");
    assertProblem(tt.hold(performance, rival, seat), 409, "SEAT_TAKEN");
    assertThat(tt.confirm(performance, token, holdId, "k-sold").status()).isEqualTo(201);
    Api.Response sold = tt.hold(performance, rival, seat);
    assertProblem(sold, 409, "SEAT_TAKEN");
    assertThat(sold.json().get("detail").asString()).contains("sold");
    assertThat(holdCount()).isEqualTo(1);
  }

  @Test
  void confirmConflictsAre409WithoutPartialWrites() {
    String first = tt.hold(performance, token, seats.get(0)).json().get("holdId").asString();
    String second = tt.hold(performance, token, seats.get(1)).json().get("holdId").asString();
    assertThat(tt.confirm(performance, token, first, "order-7").status()).isEqualTo(201);

    // Same key for another hold: refused, and the second seat stays HELD with no reservation.
    assertProblem(tt.confirm(performance, token, second, "order-7"), 409, "IDEMPOTENCY_KEY_REUSED");
    assertThat(status(seats.get(1))).isEqualTo("HELD");
    assertThat(reservationCount()).isEqualTo(1);

    // Confirming an already confirmed hold with a new key is not a second sale.
    assertProblem(tt.confirm(performance, token, first, "order-8"), 409, "ALREADY_CONFIRMED");
    assertProblem(tt.release(performance, token, first), 409, "ALREADY_CONFIRMED");
    assertThat(status(seats.get(0))).isEqualTo("SOLD");
    assertThat(reservationCount()).isEqualTo(1);
  }

  @Test
  void anotherUsersHoldIsNotFound() {
    String holdId = tt.hold(performance, token, seats.get(2)).json().get("holdId").asString();
    String mallory = tt.token(performance, "mallory");
    assertProblem(tt.confirm(performance, mallory, holdId, "steal"), 404, "HOLD_NOT_FOUND");
    assertProblem(tt.release(performance, mallory, holdId), 404, "HOLD_NOT_FOUND");
    assertThat(status(seats.get(2))).isEqualTo("HELD");
    assertThat(reservationCount()).isZero();
  }

  private String status(long seatId) {
    return db.sql("select status from seat where id = :id")
        .param("id", seatId)
        .query(String.class)
        .single();
  }

  private long holdCount() {
    return db.sql("select count(*) from hold where performance_id = :p")
        .param("p", performance)
        .query(Long.class)
        .single();
  }

  private long reservationCount() {
    return db.sql("select count(*) from reservation where performance_id = :p")
        .param("p", performance)
        .query(Long.class)
        .single();
  }
}
