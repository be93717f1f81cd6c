package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** PostgreSQL as running. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresStatus {

  @JsonPropertyDescription("Image the instance runs.")
  public String image;

  @JsonPropertyDescription("The newest successful backup.")
  public BackupStatus lastBackup;
}
