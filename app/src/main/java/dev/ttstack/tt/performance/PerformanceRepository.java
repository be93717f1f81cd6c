package dev.ttstack.tt.performance;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for performances and their seats. */
@Repository
class PerformanceRepository {

  private final JdbcClient jdbc;

  PerformanceRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  long insert(String name, Instant startsAt) {
    return jdbc.sql(
            "insert into performance (name, starts_at) values (:name, :startsAt) returning id")
        .param("name", name)
        .param("startsAt", Timestamp.from(startsAt))
        .query(Long.class)
        .single();
  }

  /**
   * Seats labelled row letter + number ("A-1"), generated in SQL: one round trip for any hall size.
   */
  int insertSeats(long performanceId, int rows, int seatsPerRow) {
    return jdbc.sql(
            """
                insert into seat (performance_id, label)
                select :performanceId, chr(64 + r) || '-' || s
                from generate_series(1, :rows) r, generate_series(1, :seatsPerRow) s
                order by r, s
                """)
        .param("performanceId", performanceId)
        .param("rows", rows)
        .param("seatsPerRow", seatsPerRow)
        .update();
  }

  Optional<Performance> find(long id) {
    return jdbc.sql("select id, name, starts_at from performance where id = :id")
        .param("id", id)
        .query(
            (rs, n) ->
                new Performance(
                    rs.getLong("id"),
                    rs.getString("name"),
                    rs.getTimestamp("starts_at").toInstant()))
        .optional();
  }

  /** Performances still to come: the ones whose queues are admitted automatically. */
  List<Long> upcomingIds() {
    return jdbc.sql("select id from performance where starts_at > now() order by id")
        .query(Long.class)
        .list();
  }

  Map<String, Long> seatCountsByStatus(long performanceId) {
    return jdbc
        .sql("select status, count(*) as n from seat where performance_id = :id group by status")
        .param("id", performanceId)
        .query((rs, n) -> Map.entry(rs.getString("status"), rs.getLong("n")))
        .list()
        .stream()
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  List<Seat> seats(long performanceId) {
    return jdbc.sql("select id, label, status from seat where performance_id = :id order by id")
        .param("id", performanceId)
        .query((rs, n) -> new Seat(rs.getLong("id"), rs.getString("label"), rs.getString("status")))
        .list();
  }
}
