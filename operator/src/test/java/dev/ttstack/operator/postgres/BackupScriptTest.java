package dev.ttstack.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttstack.operator.testing.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The very backup script the CronJob runs, against a real PostgreSQL: it dumps a seeded database,
 * prunes to RETAIN, reports file and size, and the README's pg_restore brings every row back.
 */
class BackupScriptTest {
  @RegisterExtension static final LocalPostgres PG = new LocalPostgres();
  static final String DB = "tt_db";
  static final int ROWS = 50_000;
  static final String CHECKSUM = "SELECT md5(string_agg(s::text, ',' ORDER BY id)) FROM seats s";

  @TempDir Path tmp;

  @BeforeAll
  static void seed() throws Exception {
    PG.sql("postgres", "CREATE DATABASE " + DB);
    PG.sql(
        DB,
        "CREATE TABLE seats (id serial PRIMARY KEY, section text NOT NULL, price numeric(8,2) NOT NULL,"
            + " holder text, note text)");
    PG.sql(
        DB,
        "INSERT INTO seats (section, price, holder, note) SELECT 'S' || (g % 40), (g % 300) + 0.5,"
            + " CASE WHEN g % 3 = 0 THEN 'user-' || g END, 'Grüße ' || md5(g::text) FROM generate_series(1, "
            + ROWS
            + ") g");
  }

  private Path script() throws Exception {
    Path script = tmp.resolve("backup.sh");
    Files.writeString(script, PostgresObjects.script());
    return script;
  }

  private String backup(Path dir, Path terminationLog, int retain, Map<String, String> override)
      throws Exception {
    Map<String, String> env = new HashMap<>(PG.clientEnv(DB));
    env.put("BACKUP_DIR", dir.toString());
    env.put("RETAIN", String.valueOf(retain));
    env.put("TERMINATION_LOG", terminationLog.toString());
    env.putAll(override);
    return LocalPostgres.run(List.of("sh", script().toString()), env);
  }

  private static List<Path> dumps(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".dump")).sorted().toList();
    }
  }

  @Test
  void dumpPruneAndRestoreRoundTrip() throws Exception {
    Path dir = tmp.resolve("backups");
    Path log = tmp.resolve("termination-log");

    long t0 = System.nanoTime();
    backup(dir, log, 3, Map.of());
    double backupSeconds = (System.nanoTime() - t0) / 1e9;
    JsonNode result = new ObjectMapper().readTree(Files.readString(log));
    Path dump = dir.resolve(result.get("file").asText());
    assertThat(dump).exists();
    assertThat(result.get("sizeBytes").asLong()).isEqualTo(Files.size(dump)).isPositive();
    assertThat(result.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

    // Several within one second too: their names must still sort in the order they were taken.
    for (int i = 0; i < 6; i++) {
      backup(dir, log, 3, Map.of());
    }
    List<Path> kept = dumps(dir);
    assertThat(kept).hasSize(3);
    String newest = new ObjectMapper().readTree(Files.readString(log)).get("file").asText();
    assertThat(kept.get(2).getFileName().toString()).isEqualTo(newest);
    assertThat(kept).doesNotContain(dump);

    // The documented restore, into a fresh database.
    PG.sql("postgres", "CREATE DATABASE restored");
    long t1 = System.nanoTime();
    Map<String, String> env = PG.clientEnv("restored");
    LocalPostgres.run(
        List.of(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "-d",
            "restored",
            kept.get(2).toString()),
        env);
    double restoreSeconds = (System.nanoTime() - t1) / 1e9;

    assertThat(PG.sql("restored", "SELECT count(*) FROM seats")).isEqualTo(String.valueOf(ROWS));
    assertThat(PG.sql("restored", CHECKSUM)).isEqualTo(PG.sql(DB, CHECKSUM));
    long dbBytes = Long.parseLong(PG.sql(DB, "SELECT pg_database_size('" + DB + "')"));
    System.out.printf(
        "%n[benchmark] backup/restore round trip: database %.1f MB (%d rows), dump %.1f MB,"
            + " backup %.2f s, restore %.2f s, %d dumps kept of 7 (RETAIN=3)%n",
        dbBytes / 1e6,
        ROWS,
        Files.size(kept.get(2)) / 1e6,
        backupSeconds,
        restoreSeconds,
        kept.size());
  }

  @Test
  void failedDumpLeavesNothingThatLooksLikeABackup() throws Exception {
    Path dir = tmp.resolve("failing");
    Path log = tmp.resolve("termination-log");

    assertThatThrownBy(() -> backup(dir, log, 3, Map.of("PGPASSWORD", "wrong-password")))
        .hasMessageContaining("exited 1");

    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.toList()).isEmpty();
    }
    assertThat(Files.readString(log)).contains("\"error\"");
  }

  @Test
  void invalidRetainIsRefused() {
    assertThatThrownBy(() -> backup(tmp.resolve("x"), tmp.resolve("log"), 0, Map.of()))
        .hasMessageContaining("RETAIN");
  }
}
