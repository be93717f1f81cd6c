package dev.ttstack.operator.redis.cluster;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Collectors;

/** An inclusive range of hash slots, {@code 0-5460} or a single slot {@code 42}. */
public record SlotRange(int from, int to) {
  public static final int SLOTS = 16384;

  public SlotRange {
    if (from < 0 || to >= SLOTS || from > to) {
      throw new IllegalArgumentException("bad slot range " + from + "-" + to);
    }
  }

  public int size() {
    return to - from + 1;
  }

  /** Parses {@code 0-5460} or {@code 42}. */
  public static SlotRange parse(String text) {
    int dash = text.indexOf('-');
    if (dash < 0) {
      int slot = Integer.parseInt(text);
      return new SlotRange(slot, slot);
    }
    return new SlotRange(
        Integer.parseInt(text.substring(0, dash)), Integer.parseInt(text.substring(dash + 1)));
  }

  /**
   * The 16384 slots split evenly into {@code parts} contiguous ranges (the first ones one larger).
   */
  public static List<SlotRange> evenSplit(int parts) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts must be >= 1");
    }
    List<SlotRange> ranges = new ArrayList<>(parts);
    int base = SLOTS / parts;
    int extra = SLOTS % parts;
    int from = 0;
    for (int i = 0; i < parts; i++) {
      int size = base + (i < extra ? 1 : 0);
      ranges.add(new SlotRange(from, from + size - 1));
      from += size;
    }
    return ranges;
  }

  public static BitSet toBits(List<SlotRange> ranges) {
    BitSet bits = new BitSet(SLOTS);
    for (SlotRange r : ranges) {
      bits.set(r.from, r.to + 1);
    }
    return bits;
  }

  /** The set bits as the fewest ranges, in order. */
  public static List<SlotRange> fromBits(BitSet bits) {
    List<SlotRange> ranges = new ArrayList<>();
    int from = bits.nextSetBit(0);
    while (from >= 0 && from < SLOTS) {
      int to = bits.nextClearBit(from) - 1;
      ranges.add(new SlotRange(from, Math.min(to, SLOTS - 1)));
      from = bits.nextSetBit(to + 1);
    }
    return ranges;
  }

  /** {@code 0-5460,10923-16383}. */
  public static String format(List<SlotRange> ranges) {
    return ranges.stream().map(SlotRange::toString).collect(Collectors.joining(","));
  }

  /**
   * {@link #format} when short; else a summary such as {@code 1371 slots in 1120 ranges within
   * 10926-16381}.
   */
  public static String describe(List<SlotRange> ranges) {
    if (ranges.size() <= 8) {
      return format(ranges);
    }
    return count(ranges)
        + " slots in "
        + ranges.size()
        + " ranges within "
        + ranges.get(0).from()
        + "-"
        + ranges.get(ranges.size() - 1).to();
  }

  public static int count(List<SlotRange> ranges) {
    return ranges.stream().mapToInt(SlotRange::size).sum();
  }

  @Override
  public String toString() {
    return from == to ? Integer.toString(from) : from + "-" + to;
  }
}
