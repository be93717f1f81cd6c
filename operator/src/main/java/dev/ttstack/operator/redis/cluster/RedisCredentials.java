package dev.ttstack.operator.redis.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The password the nodes should accept ({@code current}) and, during a rotation, the one they may
 * still have ({@code previous}, may be null). Connections try them in that order. Never printed:
 * {@link #toString()} is redacted.
 */
public final class RedisCredentials {
  private final String current;
  private final String previous;

  public RedisCredentials(String current, String previous) {
    this.current = Objects.requireNonNull(current, "current password");
    this.previous = previous;
  }

  public static RedisCredentials of(String current) {
    return new RedisCredentials(current, null);
  }

  public String current() {
    return current;
  }

  /** The passwords to try, current first, without duplicates. */
  public List<String> candidates() {
    List<String> all = new ArrayList<>(2);
    all.add(current);
    if (previous != null && !previous.equals(current)) {
      all.add(previous);
    }
    return all;
  }

  @Override
  public String toString() {
    return "RedisCredentials[redacted]";
  }
}
