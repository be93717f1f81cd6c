package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One completed backup. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupStatus {

  @JsonPropertyDescription("When the dump finished (RFC 3339).")
  public String time;

  @JsonPropertyDescription("File name of the dump on the backup volume.")
  public String file;

  @JsonPropertyDescription("Size of the dump in bytes.")
  public Long sizeBytes;

  @JsonPropertyDescription("Name of the Job that took it.")
  public String job;
}
