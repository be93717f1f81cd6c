package dev.ttstack.tt.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.tt.support.Api;
import dev.ttstack.tt.support.AppIntegrationTest;
import dev.ttstack.tt.support.AppTestBase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Many clients at once through the real HTTP stack: the database and Redis decide the races, and
 * the outcome is checked in the database itself, not only in the responses.
 */
@AppIntegrationTest
class ConcurrencyIT extends AppTestBase {

  @Test
  void fiveHundredConcurrentHoldsOnAHundredSeatsGrantExactlyAHundred() {
    long performance = tt.performance(4, 25);
    List<Long> seats = tt.seatIds(performance);
    assertThat(seats).hasSize(100);
    List<String> users = IntStream.range(0, 500).mapToObj(i -> "holder-" + i).toList();
    Map<String, String> tokens = tt.admitted(performance, users);

    // Five users race for every seat, all 500 requests in flight together.
    List<Api.Response> attempts =
        all(
            IntStream.range(0, 500)
                .mapToObj(
                    i ->
                        (Supplier<CompletableFuture<Api.Response>>)
                            () ->
                                api.postAsync(
                                    "/api/performances/" + performance + "/holds",
                                    Map.of("seatId", seats.get(i % 100)),
                                    "X-Entry-Token",
                                    tokens.get(users.get(i))))
                .toList());

    Map<Integer, Long> byStatus =
        attempts.stream()
            .collect(Collectors.groupingBy(Api.Response::status, Collectors.counting()));
    assertThat(byStatus)
        .as(byStatus.toString())
        .containsOnlyKeys(201, 409)
        .containsEntry(201, 100L)
        .containsEntry(409, 400L);
    assertThat(attempts.stream().filter(r -> r.status() == 409).map(Api.Response::code))
        .containsOnly("SEAT_TAKEN");
    List<Api.Response> granted = attempts.stream().filter(r -> r.status() == 201).toList();
    assertThat(granted.stream().map(r -> r.json().get("seatId").asLong()).distinct()).hasSize(100);

    // The database agrees: 100 HELD seats, each pointing at the one hold that was granted for it.
    assertThat(
            count(
                "select count(*) from seat where performance_id = :p and status = 'HELD'",
                performance))
        .isEqualTo(100);
    assertThat(count("select count(*) from hold where performance_id = :p", performance))
        .isEqualTo(100);
    Map<Long, String> holdOfSeat =
        db
            .sql("select id, hold_id::text from seat where performance_id = :p")
            .param("p", performance)
            .query((rs, n) -> Map.entry(rs.getLong(1), rs.getString(2)))
            .list()
            .stream()
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    for (Api.Response r : granted) {
      assertThat(holdOfSeat.get(r.json().get("seatId").asLong()))
          .isEqualTo(r.json().get("holdId").asString());
    }

    confirmRaces(performance, granted);
  }

  /**
   * Per hold, three confirms at once: two retries of one order (same key) and one other order.
   * Exactly one sale per seat; the retry of the winner gets the same reservation back.
   */
  private void confirmRaces(long performance, List<Api.Response> holds) {
    List<Supplier<CompletableFuture<Api.Response>>> calls = new ArrayList<>();
    for (Api.Response hold : holds) {
      String holdId = hold.json().get("holdId").asString();
      String token = tokenOf(performance, hold.json().get("userId").asString());
      for (String key : List.of("order-a-" + holdId, "order-a-" + holdId, "order-b-" + holdId)) {
        calls.add(
            () ->
                api.postAsync(
                    "/api/performances/" + performance + "/holds/" + holdId + "/confirm",
                    "",
                    "X-Entry-Token",
                    token,
                    "Idempotency-Key",
                    key));
      }
    }
    List<Api.Response> results = all(calls);
    for (int h = 0; h < holds.size(); h++) {
      List<Api.Response> three = results.subList(3 * h, 3 * h + 3);
      List<Api.Response> created = three.stream().filter(r -> r.status() == 201).toList();
      assertThat(created).as(three.toString()).hasSize(1);
      long reservationId = created.get(0).json().get("reservationId").asLong();
      for (Api.Response r : three) {
        assertThat(r.status()).as(r.text()).isIn(200, 201, 409);
        if (r.status() == 200) {
          assertThat(r.json().get("reservationId").asLong()).isEqualTo(reservationId);
        }
        if (r.status() == 409) {
          assertThat(r.code()).isEqualTo("ALREADY_CONFIRMED");
        }
      }
    }
    assertThat(count("select count(*) from reservation where performance_id = :p", performance))
        .isEqualTo(100);
    assertThat(
            count(
                "select count(distinct seat_id) from reservation where performance_id = :p",
                performance))
        .isEqualTo(100);
    assertThat(
            count(
                "select count(*) from seat where performance_id = :p and status = 'SOLD'",
                performance))
        .isEqualTo(100);
  }

  @Test
  void twoHundredConcurrentJoinsGetStrictlyOrderedPositions() {
    long performance = tt.performance(1, 1);
    List<String> users = IntStream.range(0, 200).mapToObj(i -> "joiner-" + i).toList();

    List<Api.Response> joins =
        all(
            users.stream()
                .map(
                    u ->
                        (Supplier<CompletableFuture<Api.Response>>)
                            () ->
                                api.postAsync(
                                    "/api/performances/" + performance + "/queue",
                                    Map.of("userId", u)))
                .toList());

    assertThat(joins).allSatisfy(r -> assertThat(r.status()).as(r.text()).isEqualTo(201));
    Map<String, Long> positionAtJoin = new HashMap<>();
    for (int i = 0; i < users.size(); i++) {
      positionAtJoin.put(users.get(i), joins.get(i).json().get("position").asLong());
    }
    // Every place handed out exactly once: 1..200, no duplicate, no gap.
    assertThat(positionAtJoin.values())
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
    // The queue still says so afterwards...
    for (String user : users) {
      assertThat(tt.status(performance, user).json().get("position").asLong())
          .isEqualTo(positionAtJoin.get(user));
    }
    // ...and admits in exactly that order.
    List<String> inLine = users.stream().sorted(Comparator.comparing(positionAtJoin::get)).toList();
    List<String> admitted = new ArrayList<>();
    for (int batch = 0; batch < 4; batch++) {
      admitted.addAll(
          tt.admit(performance, 50)
              .json()
              .get("admitted")
              .valueStream()
              .map(n -> n.asString())
              .toList());
    }
    assertThat(admitted).containsExactlyElementsOf(inLine);
  }

  private String tokenOf(long performance, String user) {
    return tt.status(performance, user).json().get("entryToken").asString();
  }

  /** Starts every call before waiting for any, then returns the responses in call order. */
  private static List<Api.Response> all(List<Supplier<CompletableFuture<Api.Response>>> calls) {
    List<CompletableFuture<Api.Response>> started = calls.stream().map(Supplier::get).toList();
    return started.stream().map(CompletableFuture::join).map(Function.identity()).toList();
  }

  private long count(String sql, long performance) {
    return db.sql(sql).param("p", performance).query(Long.class).single();
  }
}
