package dev.ttstack.tt.queue;

/**
 * Redis keys of one performance's queue. Every key carries the hash tag {@code {perf:ID}}, so all
 * of them hash to the same cluster slot: the Lua scripts that touch several of them run on one
 * node, atomically, without CROSSSLOT errors.
 */
public final class QueueKeys {

  private QueueKeys() {}

  /** Common prefix, also handed to scripts that build entry/token keys themselves. */
  public static String prefix(long performanceId) {
    return "tt:{perf:" + performanceId + "}:";
  }

  /** Sorted set of waiting users, scored by arrival number. */
  public static String waiting(long performanceId) {
    return prefix(performanceId) + "waiting";
  }

  /** Counter handing out arrival numbers. */
  public static String arrivals(long performanceId) {
    return prefix(performanceId) + "arrivals";
  }

  /** Short-lived marker: a scheduled admission step ran recently (rate limit across replicas). */
  public static String admissionStep(long performanceId) {
    return prefix(performanceId) + "admission-step";
  }

  /** The entry token of an admitted user; expires with the token. */
  public static String entry(long performanceId, String userId) {
    return prefix(performanceId) + "entry:" + userId;
  }

  /** Token to user id: what the seat endpoints look up. */
  public static String token(long performanceId, String token) {
    return prefix(performanceId) + "token:" + token;
  }
}
