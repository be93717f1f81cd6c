package dev.ttstack.tt.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The steps most tests start with, done through the public API like a real client. */
public final class Tt {

  private final Api api;

  public Tt(Api api) {
    this.api = api;
  }

  public Api api() {
    return api;
  }

  /** A new upcoming performance with rows x seatsPerRow seats; returns its id. */
  public long performance(int rows, int seatsPerRow) {
    Api.Response r =
        api.post(
            "/api/performances",
            Map.of(
                "name",
                "Test concert",
                "startsAt",
                Instant.now().plus(30, ChronoUnit.DAYS).toString(),
                "rows",
                rows,
                "seatsPerRow",
                seatsPerRow));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("id").asLong();
  }

  /** The seat ids of a performance, in label order (A-1, A-2, ...). */
  public List<Long> seatIds(long performanceId) {
    Api.Response r = api.get("/api/performances/" + performanceId + "/seats");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json().valueStream().map(s -> s.get("id").asLong()).toList();
  }

  public Api.Response join(long performanceId, String userId) {
    return api.post("/api/performances/" + performanceId + "/queue", Map.of("userId", userId));
  }

  public Api.Response status(long performanceId, String userId) {
    return api.get("/api/performances/" + performanceId + "/queue/" + userId);
  }

  public Api.Response admit(long performanceId, int count) {
    return api.post(
        "/api/performances/" + performanceId + "/queue/admissions", Map.of("count", count));
  }

  /** Joins the users in order, admits them all, and returns user -> entry token. */
  public Map<String, String> admitted(long performanceId, List<String> users) {
    for (String user : users) {
      assertThat(join(performanceId, user).status()).isIn(200, 201);
    }
    Api.Response admission = admit(performanceId, users.size());
    assertThat(admission.status()).as(admission.text()).isEqualTo(200);
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String user : users) {
      Api.Response s = status(performanceId, user);
      assertThat(s.json().path("status").asString()).as(s.text()).isEqualTo("ADMITTED");
      tokens.put(user, s.json().get("entryToken").asString());
    }
    return tokens;
  }

  public String token(long performanceId, String user) {
    return admitted(performanceId, List.of(user)).get(user);
  }

  public Api.Response hold(long performanceId, String token, long seatId) {
    return api.post(
        "/api/performances/" + performanceId + "/holds",
        Map.of("seatId", seatId),
        "X-Entry-Token",
        token);
  }

  public Api.Response confirm(
      long performanceId, String token, String holdId, String idempotencyKey) {
    return api.post(
        "/api/performances/" + performanceId + "/holds/" + holdId + "/confirm",
        "",
        "X-Entry-Token",
        token,
        "Idempotency-Key",
        idempotencyKey);
  }

  public Api.Response release(long performanceId, String token, String holdId) {
    return api.delete(
        "/api/performances/" + performanceId + "/holds/" + holdId, "X-Entry-Token", token);
  }
}
