package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.Condition;

/**
 * The honest condition of a component whose implementation has not landed yet: Unknown, never True,
 * so that nobody reads a green stack that runs nothing.
 */
public final class NotImplemented {
  public static final String REASON = "NotImplemented";

  private NotImplemented() {}

  public static Condition condition(String type, String what) {
    return new Condition(
        type,
        Condition.UNKNOWN,
        REASON,
        what + " is not implemented in this operator version yet; nothing is deployed for it");
  }
}
