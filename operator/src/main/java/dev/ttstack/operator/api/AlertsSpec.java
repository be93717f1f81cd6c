package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Thresholds of the shipped alert rules. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AlertsSpec {
  static final double MIN_ERROR_RATE_PERCENT = 0.01;

  @Default("80")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "Alert when the app uses more than this percentage of its CPU limit (default 80).")
  public Integer cpuPercent = 80;

  @Default("85")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "Alert when the app uses more than this percentage of its memory (default 85).")
  public Integer memoryPercent = 85;

  @Default("1")
  @JsonSetter(nulls = Nulls.SKIP)
  @Min(MIN_ERROR_RATE_PERCENT)
  @Max(100)
  // The schema's minimum is not enough: the API server compares an integral value with a minimum
  // truncated to an integer (kube-openapi's MinimumNativeType: int64(0.01) = 0), so it accepted
  // "errorRatePercent: 0" (seen on the real server). CEL compares numbers as numbers.
  @ValidationRule(
      value = "self >= " + MIN_ERROR_RATE_PERCENT,
      message = "must be >= " + MIN_ERROR_RATE_PERCENT)
  @JsonPropertyDescription(
      "Alert when more than this percentage of HTTP requests fail with 5xx (default 1).")
  public Double errorRatePercent = 1.0;
}
