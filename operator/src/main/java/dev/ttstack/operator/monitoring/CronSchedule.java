package dev.ttstack.operator.monitoring;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Kubernetes CronJob schedule (five fields, or a macro such as {@code @daily}), read the way the
 * CronJob controller reads it (robfig/cron's standard parser): names for months and weekdays,
 * {@code *}, {@code ?}, ranges, lists and steps; day-of-month and day-of-week are OR-ed unless one
 * of them starts with {@code *} or {@code ?}. Only used to know how far apart runs are, so that
 * "older than two schedules" can be a number in an alert rule.
 */
public final class CronSchedule {
  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly",
          "0 0 1 1 *",
          "@annually",
          "0 0 1 1 *",
          "@monthly",
          "0 0 1 * *",
          "@weekly",
          "0 0 * * 0",
          "@daily",
          "0 0 * * *",
          "@midnight",
          "0 0 * * *",
          "@hourly",
          "0 * * * *");
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  /**
   * Four years from a Monday, leap day included: every pattern of a five-field schedule repeats
   * within.
   */
  private static final LocalDate SCAN_FROM = LocalDate.of(2024, 1, 1);

  private static final int SCAN_DAYS = 4 * 366 + 7;

  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean domStar;
  private final boolean dowStar;

  private CronSchedule(String[] f) {
    minutes = field(f[0], 0, 59, List.of());
    hours = field(f[1], 0, 23, List.of());
    daysOfMonth = field(f[2], 1, 31, List.of());
    months = field(f[3], 1, 12, MONTHS);
    BitSet dow = field(f[4], 0, 7, DAYS);
    if (dow.get(7)) {
      dow.set(0); // 7 is Sunday too
    }
    daysOfWeek = dow;
    domStar = f[2].startsWith("*") || f[2].startsWith("?");
    dowStar = f[4].startsWith("*") || f[4].startsWith("?");
  }

  /** Parses a schedule; throws {@link IllegalArgumentException} naming what it cannot read. */
  public static CronSchedule parse(String schedule) {
    String s = schedule.trim();
    String expanded = s.startsWith("@") ? MACROS.get(s.toLowerCase(Locale.ROOT)) : s;
    if (expanded == null) {
      throw new IllegalArgumentException("unknown schedule macro " + s);
    }
    String[] fields = expanded.split("\\s+");
    if (fields.length != 5) {
      throw new IllegalArgumentException(
          "a schedule has 5 fields, not " + fields.length + ": " + s);
    }
    return new CronSchedule(fields);
  }

  /**
   * The longest time between two consecutive runs, e.g. 24 h for {@code 0 3 * * *}, 7 days for
   * {@code @weekly}, 31 days for {@code @monthly}. A schedule that never runs gives the four years
   * scanned.
   */
  public Duration longestGap() {
    List<Integer> minuteOfDay = new ArrayList<>();
    for (int h = hours.nextSetBit(0); h >= 0; h = hours.nextSetBit(h + 1)) {
      for (int m = minutes.nextSetBit(0); m >= 0; m = minutes.nextSetBit(m + 1)) {
        minuteOfDay.add(h * 60 + m);
      }
    }
    if (minuteOfDay.isEmpty()) {
      return Duration.ofDays(SCAN_DAYS);
    }
    long longest = 0;
    long previous = Long.MIN_VALUE;
    for (int d = 0; d < SCAN_DAYS; d++) {
      LocalDate day = SCAN_FROM.plusDays(d);
      if (!runsOn(day)) {
        continue;
      }
      long dayStart = (long) d * 24 * 60;
      for (int m : minuteOfDay) {
        long at = dayStart + m;
        if (previous != Long.MIN_VALUE) {
          longest = Math.max(longest, at - previous);
        }
        previous = at;
      }
    }
    return longest == 0 ? Duration.ofDays(SCAN_DAYS) : Duration.ofMinutes(longest);
  }

  private boolean runsOn(LocalDate day) {
    if (!months.get(day.getMonthValue())) {
      return false;
    }
    boolean dom = daysOfMonth.get(day.getDayOfMonth());
    boolean dow = daysOfWeek.get(day.getDayOfWeek().getValue() % 7);
    return domStar || dowStar ? dom && dow : dom || dow;
  }

  private static BitSet field(String text, int min, int max, List<String> names) {
    BitSet bits = new BitSet(max + 1);
    for (String part : text.split(",")) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(part.substring(slash + 1), names, 1, Integer.MAX_VALUE, text);
      }
      int from;
      int to;
      if (range.equals("*") || range.equals("?")) {
        from = min;
        to = max;
      } else if (range.contains("-")) {
        String[] ends = range.split("-", 2);
        from = number(ends[0], names, min, max, text);
        to = number(ends[1], names, min, max, text);
      } else {
        from = number(range, names, min, max, text);
        to = slash >= 0 ? max : from; // "5/15" means from 5 to the end, every 15
      }
      if (from > to) {
        throw new IllegalArgumentException("range " + range + " runs backwards in " + text);
      }
      for (int v = from; v <= to; v += step) {
        bits.set(v);
      }
    }
    return bits;
  }

  private static int number(String token, List<String> names, int min, int max, String field) {
    int index = names.indexOf(token.toUpperCase(Locale.ROOT));
    int value;
    if (index >= 0) {
      value = index + (names.size() == 12 ? 1 : 0);
    } else {
      try {
        value = Integer.parseInt(token);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "cannot read '" + token + "' in schedule field " + field);
      }
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          token + " is out of range " + min + "-" + max + " in " + field);
    }
    return value;
  }
}
