package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Logical PostgreSQL backups ({@code pg_dump -Fc}) kept on their own volume. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupSpec {
  public static final String DEFAULT_SCHEDULE = "0 3 * * *";
  public static final String DEFAULT_STORAGE_SIZE = "10Gi";

  @Default("true")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription("Run scheduled backups (default true).")
  public Boolean enabled = true;

  @Default(DEFAULT_SCHEDULE)
  @JsonSetter(nulls = Nulls.SKIP)
  @Pattern(Patterns.CRON)
  @JsonPropertyDescription(
      "Cron schedule of backups, in the cluster's time zone (default 0 3 * * *).")
  public String schedule = DEFAULT_SCHEDULE;

  @Default("7")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription(
      "How many of the newest dumps to keep; older ones are deleted (default 7).")
  public Integer retain = 7;

  @Default("true")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription(
      "Take a backup, and require it to succeed, before the app's version changes (default true).")
  public Boolean beforeUpgrade = true;

  @JsonPropertyDescription("Backup volume (default 10Gi on the cluster's default StorageClass).")
  public StorageSpec storage;
}
