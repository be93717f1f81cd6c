package dev.ttstack.tt.reservation;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of holds and reservations. Every state change is ONE statement (data-modifying CTEs), so
 * it is atomic without a surrounding transaction and costs one round trip. Its core is a
 * conditional UPDATE of the seat whose WHERE clause states the allowed "from" state: PostgreSQL's
 * row lock serialises racing requests and re-checks the condition for the loser, so a seat is never
 * held or sold twice whatever the Java code does. Each statement locks the seat row first, then its
 * hold row: the same order everywhere, so no deadlock.
 */
@Repository
class SeatHoldRepository {

  private final JdbcClient jdbc;

  SeatHoldRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** A seat just held: its label and when the hold expires. */
  record Granted(String label, Instant heldUntil) {}

  /** A seat just sold: its id and label. */
  record SeatRef(long id, String label) {}

  /** A hold as stored, for explaining why a confirm or release did not apply. */
  record StoredHold(String userId, String status, Instant expiresAt) {}

  /** A reservation with the idempotency key that created it. */
  record Keyed(String idempotencyKey, ReservationView reservation) {}

  /**
   * AVAILABLE -> HELD and a new ACTIVE hold record. Also takes over a hold that expired but was not
   * swept yet (ending it as EXPIRED), so a seat is never blocked longer than its hold.
   */
  Optional<Granted> grant(
      long performanceId, long seatId, UUID holdId, String userId, Duration ttl) {
    return jdbc.sql(
            """
                with target as (
                    select id, hold_id as replaced_hold_id
                    from seat
                    where id = :seatId and performance_id = :performanceId
                      and (status = 'AVAILABLE' or (status = 'HELD' and held_until <= now()))
                    for update),
                granted as (
                    update seat s
                    set status = 'HELD', hold_id = :holdId, held_by = :userId,
                        held_until = now() + make_interval(secs => :ttlSeconds), version = s.version + 1
                    from target
                    where s.id = target.id
                    returning s.id, s.label, s.held_until, target.replaced_hold_id),
                replaced as (
                    update hold set status = 'EXPIRED'
                    where id = (select replaced_hold_id from granted) and status = 'ACTIVE'),
                recorded as (
                    insert into hold (id, seat_id, performance_id, user_id, status, expires_at)
                    select :holdId, id, :performanceId, :userId, 'ACTIVE', held_until from granted)
                select label, held_until from granted
                """)
        .param("seatId", seatId)
        .param("performanceId", performanceId)
        .param("holdId", holdId)
        .param("userId", userId)
        .param("ttlSeconds", ttl.toMillis() / 1000.0)
        .query((rs, n) -> new Granted(rs.getString("label"), instant(rs, "held_until")))
        .optional();
  }

  Optional<String> seatStatus(long performanceId, long seatId) {
    return jdbc.sql(
            "select status from seat where id = :seatId and performance_id = :performanceId")
        .param("seatId", seatId)
        .param("performanceId", performanceId)
        .query(String.class)
        .optional();
  }

  /**
   * HELD -> SOLD (only by the holder, only before the hold expires), the hold CONFIRMED, and the
   * reservation recorded. Empty when the seat was not sellable. A unique violation (this user's key
   * already used, or the seat already reserved) fails the whole statement.
   */
  Optional<ReservationView> sell(
      long performanceId, UUID holdId, String userId, String idempotencyKey) {
    return jdbc.sql(
            """
                with sold as (
                    update seat set status = 'SOLD', version = version + 1
                    where hold_id = :holdId and performance_id = :performanceId and held_by = :userId
                      and status = 'HELD' and held_until > now()
                    returning id, label),
                confirmed as (
                    update hold set status = 'CONFIRMED'
                    where id = :holdId and status = 'ACTIVE' and exists (select 1 from sold)),
                reserved as (
                    insert into reservation (seat_id, hold_id, performance_id, user_id, idempotency_key)
                    select id, :holdId, :performanceId, :userId, :key from sold
                    returning id, seat_id, created_at)
                select r.id, r.seat_id, s.label, r.created_at from reserved r join sold s on s.id = r.seat_id
                """)
        .param("holdId", holdId)
        .param("performanceId", performanceId)
        .param("userId", userId)
        .param("key", idempotencyKey)
        .query(
            (rs, n) ->
                new ReservationView(
                    rs.getLong("id"),
                    holdId,
                    rs.getLong("seat_id"),
                    rs.getString("label"),
                    userId,
                    instant(rs, "created_at")))
        .optional();
  }

  /**
   * HELD -> AVAILABLE by the holder (expired or not: releasing late frees the seat the same) and
   * the hold RELEASED. Returns whether a seat was freed.
   */
  boolean release(long performanceId, UUID holdId, String userId) {
    return jdbc.sql(
                """
                with freed as (
                    update seat set status = 'AVAILABLE', hold_id = null, held_by = null, held_until = null,
                                    version = version + 1
                    where hold_id = :holdId and performance_id = :performanceId and held_by = :userId
                      and status = 'HELD'
                    returning id),
                ended as (
                    update hold set status = 'RELEASED'
                    where id = :holdId and status = 'ACTIVE' and exists (select 1 from freed))
                select count(*) from freed
                """)
            .param("holdId", holdId)
            .param("performanceId", performanceId)
            .param("userId", userId)
            .query(Long.class)
            .single()
        == 1;
  }

  /** The reservation a user created with this idempotency key. */
  Optional<Keyed> reservationByKey(String userId, String idempotencyKey) {
    return reservationWhere(
        "r.user_id = :userId and r.idempotency_key = :key",
        q -> q.param("userId", userId).param("key", idempotencyKey));
  }

  /** The reservation that confirmed this hold. */
  Optional<Keyed> reservationOfHold(UUID holdId) {
    return reservationWhere("r.hold_id = :holdId", q -> q.param("holdId", holdId));
  }

  Optional<StoredHold> hold(long performanceId, UUID holdId) {
    return jdbc.sql(
            "select user_id, status, expires_at from hold where id = :id and performance_id = :performanceId")
        .param("id", holdId)
        .param("performanceId", performanceId)
        .query(
            (rs, n) ->
                new StoredHold(
                    rs.getString("user_id"), rs.getString("status"), instant(rs, "expires_at")))
        .optional();
  }

  /**
   * Returns up to {@code batch} expired holds to AVAILABLE in one statement. SKIP LOCKED: seats
   * that a request is changing right now are left to the next sweep, and several app replicas can
   * sweep at once without waiting on each other.
   */
  int sweepExpired(int batch) {
    return jdbc.sql(
            """
                with expired as (
                    select id, hold_id from seat
                    where status = 'HELD' and held_until <= now()
                    order by held_until
                    limit :batch
                    for update skip locked),
                freed as (
                    update seat s
                    set status = 'AVAILABLE', hold_id = null, held_by = null, held_until = null, version = s.version + 1
                    from expired e
                    where s.id = e.id
                    returning e.hold_id)
                update hold set status = 'EXPIRED'
                where id in (select hold_id from freed) and status = 'ACTIVE'
                """)
        .param("batch", batch)
        .update();
  }

  private Optional<Keyed> reservationWhere(
      String condition, UnaryOperator<JdbcClient.StatementSpec> params) {
    return params
        .apply(
            jdbc.sql(
                """
                select r.id, r.hold_id, r.seat_id, s.label, r.user_id, r.created_at, r.idempotency_key
                from reservation r join seat s on s.id = r.seat_id
                where\s"""
                    + condition))
        .query(
            (rs, n) ->
                new Keyed(
                    rs.getString("idempotency_key"),
                    new ReservationView(
                        rs.getLong("id"),
                        rs.getObject("hold_id", UUID.class),
                        rs.getLong("seat_id"),
                        rs.getString("label"),
                        rs.getString("user_id"),
                        instant(rs, "created_at"))))
        .optional();
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getTimestamp(column).toInstant();
  }
}
