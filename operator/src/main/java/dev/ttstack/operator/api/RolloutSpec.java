package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Rollout and rollback policy of the app. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutSpec {

  @Default("600")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(30)
  @Max(7200)
  @JsonPropertyDescription(
      "Seconds a new version has to become Available before it counts as failed (default 600).")
  public Integer progressDeadlineSeconds = 600;

  @Default("true")
  @JsonSetter(nulls = Nulls.SKIP)
  @JsonPropertyDescription(
      "Roll back to the last good version when a new version fails: not Available in time,"
          + " crash-looping, or its image cannot be pulled (default true).")
  public Boolean autoRollback = true;
}
