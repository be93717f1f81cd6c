package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** PostgreSQL as running. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresStatus {

  @JsonPropertyDescription("Image the instance runs.")
  public String image;

  @JsonPropertyDescription("PostgreSQL major version the data directory was initialised with.")
  public Integer majorVersion;

  @JsonPropertyDescription("The newest successful backup.")
  public BackupStatus lastBackup;

  @JsonPropertyDescription("The newest failed backup, while it is newer than lastBackup.")
  public BackupStatus lastFailedBackup;
}
