package dev.ttstack.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** "Older than two schedules" needs the longest gap between two runs of a CronJob schedule. */
class CronScheduleTest {

  @ParameterizedTest(name = "{0} -> {1} min")
  @CsvSource(
      delimiter = '|',
      value = {
        "0 3 * * *        | 1440", // the default: nightly
        "*/15 * * * *     | 15",
        "0 */6 * * *      | 360",
        "30 1,13 * * *    | 720",
        "0 22 * * 1-5     | 4320", // weekdays: Friday 22:00 to Monday 22:00
        "0 0 * * SUN      | 10080",
        "0 0 * * 7        | 10080", // 7 is Sunday too
        "0 0 1 * *        | 44640", // monthly: the 31-day months
        "0 0 1,15 * *     | 24480", // the 15th to the 1st of a 31-day month: 17 days
        "0 0 13 * 5       | 10080", // 13th OR Friday (both restricted): never more than a week
        "0 0 ? * MON      | 10080", // ? is *: Mondays only
        "0 0 1 JAN *      | 527040", // yearly, across the leap year 2024
        "5/20 8-10 * * *  | 1280", // 8:05 8:25 8:45 ... 10:45, then 8:05 the next day
        "@hourly          | 60",
        "@daily           | 1440",
        "@weekly          | 10080",
        "@monthly         | 44640",
      })
  void longestGap(String schedule, long minutes) {
    assertThat(CronSchedule.parse(schedule).longestGap()).isEqualTo(Duration.ofMinutes(minutes));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "60 * * * *   | out of range",
        "0 24 * * *   | out of range",
        "0 0 * 13 *   | out of range",
        "0 0 * * 8    | out of range",
        "x 0 * * *    | cannot read 'x'",
        "0 0 * *      | 5 fields",
        "10-5 * * * * | runs backwards",
        "@often       | unknown schedule macro",
      })
  void refusesWhatItCannotRead(String schedule, String message) {
    assertThatThrownBy(() -> CronSchedule.parse(schedule))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @org.junit.jupiter.api.Test
  void aScheduleThatNeverRunsCountsAsYears() {
    assertThat(CronSchedule.parse("0 0 30 2 *").longestGap())
        .isGreaterThan(Duration.ofDays(4 * 365));
  }
}
