package dev.ttstack.tt.reservation;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of holds and reservations. Every state change of a seat is ONE conditional UPDATE whose
 * WHERE clause states the allowed "from" state: PostgreSQL's row lock serialises racing requests and
 * re-checks the condition for the loser, so a seat is never held or sold twice whatever the Java code
 * does. Locks are always taken seat first, then hold row, in every statement order below: no deadlock.
 */
@Repository
class SeatHoldRepository {

    private final JdbcClient jdbc;

    SeatHoldRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A seat just held: its label, the hold's expiry, and the expired hold it replaced, if any. */
    record Granted(String label, Instant heldUntil, UUID replacedHoldId) {}

    /** A hold as stored, for explaining why a confirm or release did not apply. */
    record StoredHold(String userId, String status, Instant expiresAt) {}

    /**
     * AVAILABLE -> HELD, also taking over a hold that expired but was not swept yet (so a seat is never
     * blocked longer than its hold, whatever the sweep interval).
     */
    Optional<Granted> grant(long performanceId, long seatId, UUID holdId, String userId, Duration ttl) {
        return jdbc.sql("""
                with target as (
                    select id, hold_id as replaced_hold_id
                    from seat
                    where id = :seatId and performance_id = :performanceId
                      and (status = 'AVAILABLE' or (status = 'HELD' and held_until <= now()))
                    for update)
                update seat s
                set status = 'HELD', hold_id = :holdId, held_by = :userId,
                    held_until = now() + make_interval(secs => :ttlSeconds), version = s.version + 1
                from target
                where s.id = target.id
                returning s.label, s.held_until, target.replaced_hold_id
                """)
                .param("seatId", seatId)
                .param("performanceId", performanceId)
                .param("holdId", holdId)
                .param("userId", userId)
                .param("ttlSeconds", ttl.toMillis() / 1000.0)
                .query((rs, n) -> new Granted(rs.getString("label"), instant(rs, "held_until"),
                        rs.getObject("replaced_hold_id", UUID.class)))
                .optional();
    }

    void insertHold(UUID holdId, long seatId, long performanceId, String userId, Instant expiresAt) {
        jdbc.sql("""
                insert into hold (id, seat_id, performance_id, user_id, status, expires_at)
                values (:id, :seatId, :performanceId, :userId, 'ACTIVE', :expiresAt)
                """)
                .param("id", holdId)
                .param("seatId", seatId)
                .param("performanceId", performanceId)
                .param("userId", userId)
                .param("expiresAt", Timestamp.from(expiresAt))
                .update();
    }

    /** Ends an ACTIVE hold with the given outcome; a hold that already has an outcome is left alone. */
    void endHold(UUID holdId, String outcome) {
        jdbc.sql("update hold set status = :outcome where id = :id and status = 'ACTIVE'")
                .param("outcome", outcome)
                .param("id", holdId)
                .update();
    }

    Optional<String> seatStatus(long performanceId, long seatId) {
        return jdbc.sql("select status from seat where id = :seatId and performance_id = :performanceId")
                .param("seatId", seatId)
                .param("performanceId", performanceId)
                .query(String.class)
                .optional();
    }

    /** HELD -> SOLD, only by the holder, only before the hold expires. Returns the seat id and label. */
    Optional<SeatRef> sell(long performanceId, UUID holdId, String userId) {
        return jdbc.sql("""
                update seat set status = 'SOLD', version = version + 1
                where hold_id = :holdId and performance_id = :performanceId and held_by = :userId
                  and status = 'HELD' and held_until > now()
                returning id, label
                """)
                .param("holdId", holdId)
                .param("performanceId", performanceId)
                .param("userId", userId)
                .query((rs, n) -> new SeatRef(rs.getLong("id"), rs.getString("label")))
                .optional();
    }

    record SeatRef(long id, String label) {}

    /** HELD -> AVAILABLE by the holder (expired or not: releasing early or late frees the seat the same). */
    boolean free(long performanceId, UUID holdId, String userId) {
        return jdbc.sql("""
                update seat set status = 'AVAILABLE', hold_id = null, held_by = null, held_until = null,
                                version = version + 1
                where hold_id = :holdId and performance_id = :performanceId and held_by = :userId and status = 'HELD'
                """)
                .param("holdId", holdId)
                .param("performanceId", performanceId)
                .param("userId", userId)
                .update() == 1;
    }

    ReservationView insertReservation(long performanceId, UUID holdId, SeatRef seat, String userId,
            String idempotencyKey) {
        return jdbc.sql("""
                insert into reservation (seat_id, hold_id, performance_id, user_id, idempotency_key)
                values (:seatId, :holdId, :performanceId, :userId, :key)
                returning id, created_at
                """)
                .param("seatId", seat.id())
                .param("holdId", holdId)
                .param("performanceId", performanceId)
                .param("userId", userId)
                .param("key", idempotencyKey)
                .query((rs, n) -> new ReservationView(rs.getLong("id"), holdId, seat.id(), seat.label(), userId,
                        instant(rs, "created_at")))
                .single();
    }

    /** The reservation a user created with this idempotency key. */
    Optional<Keyed> reservationByKey(String userId, String idempotencyKey) {
        return reservationWhere("r.user_id = :userId and r.idempotency_key = :key",
                q -> q.param("userId", userId).param("key", idempotencyKey));
    }

    /** The reservation that confirmed this hold. */
    Optional<Keyed> reservationOfHold(UUID holdId) {
        return reservationWhere("r.hold_id = :holdId", q -> q.param("holdId", holdId));
    }

    /** A reservation with the idempotency key that created it. */
    record Keyed(String idempotencyKey, ReservationView reservation) {}

    Optional<StoredHold> hold(long performanceId, UUID holdId) {
        return jdbc.sql("select user_id, status, expires_at from hold where id = :id and performance_id = :performanceId")
                .param("id", holdId)
                .param("performanceId", performanceId)
                .query((rs, n) -> new StoredHold(rs.getString("user_id"), rs.getString("status"),
                        instant(rs, "expires_at")))
                .optional();
    }

    /**
     * Returns up to {@code batch} expired holds to AVAILABLE in one statement. SKIP LOCKED: seats that a
     * request is changing right now are left to the next sweep, and several app replicas can sweep at
     * once without waiting on each other.
     */
    int sweepExpired(int batch) {
        return jdbc.sql("""
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

    private Optional<Keyed> reservationWhere(String condition, UnaryOperator<JdbcClient.StatementSpec> params) {
        return params.apply(jdbc.sql("""
                select r.id, r.hold_id, r.seat_id, s.label, r.user_id, r.created_at, r.idempotency_key
                from reservation r join seat s on s.id = r.seat_id
                where\s""" + condition))
                .query((rs, n) -> new Keyed(rs.getString("idempotency_key"), new ReservationView(rs.getLong("id"),
                        rs.getObject("hold_id", UUID.class), rs.getLong("seat_id"), rs.getString("label"),
                        rs.getString("user_id"), instant(rs, "created_at"))))
                .optional();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getTimestamp(column).toInstant();
    }
}
