package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last secret sync; names and hashes only, never a value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretsStatus {

  @JsonPropertyDescription("doppler or secretRef.")
  public String source;

  @JsonPropertyDescription(
      "Secret the components read (the managed <stack>-secrets, or secretRef's).")
  public String secretName;

  @JsonPropertyDescription("When the content was last confirmed current (RFC 3339).")
  public String lastSyncTime;

  @JsonPropertyDescription(
      "SHA-256 of the Secret's content; changes restart the workloads that use it.")
  public String contentHash;

  @JsonPropertyDescription("Number of keys in the Secret.")
  public Integer keyCount;
}
