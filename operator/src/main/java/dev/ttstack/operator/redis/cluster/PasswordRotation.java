package dev.ttstack.operator.redis.cluster;

import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Changes the password of every node without dropping a replica link or refusing a client, in the
 * order measured in FACTS.md:
 *
 * <ol>
 *   <li>{@link #addNewPassword}: {@code ACL SETUSER default >NEW} on every node (NEW is accepted,
 *       OLD still is), then {@code CONFIG SET masterauth NEW} on every node (replicas use NEW on
 *       their next connection; established links are not touched);
 *   <li>the clients move to NEW (the app restarts with the new Secret value);
 *   <li>{@link #dropOldPassword}: {@code CONFIG SET requirepass NEW} on every node (OLD is refused
 *       from now on), then {@code CONFIG REWRITE}, so the runtime config (which the readiness probe
 *       reads) holds NEW until the pod restarts with NEW from the Secret.
 * </ol>
 *
 * Each phase is idempotent and can be repeated after a failure. The passwords are never logged.
 */
public final class PasswordRotation {

  /** Pods a phase could not complete on (not answering, or refusing both passwords). */
  public record Result(List<String> done, List<String> failed) {
    public boolean complete() {
      return failed.isEmpty();
    }
  }

  private final List<String> pods;
  private final NodeAddressResolver resolver;

  public PasswordRotation(List<String> pods, NodeAddressResolver resolver) {
    this.pods = List.copyOf(pods);
    this.resolver = resolver;
  }

  /**
   * Phase 1: every node accepts NEW besides OLD, and replicas authenticate with NEW from now on.
   */
  public Result addNewPassword(String oldPassword, String newPassword) {
    RedisCredentials either = new RedisCredentials(newPassword, oldPassword);
    Result added =
        onEveryNode(either, c -> c.call("ACL", "SETUSER", "default", "on", ">" + newPassword));
    if (!added.complete()) {
      return added;
    }
    return onEveryNode(either, c -> c.call("CONFIG", "SET", "masterauth", newPassword));
  }

  /** Phase 2: OLD is refused; the runtime config is rewritten with NEW. */
  public Result dropOldPassword(String newPassword) {
    return onEveryNode(
        RedisCredentials.of(newPassword),
        c -> {
          c.call("CONFIG", "SET", "requirepass", newPassword);
          c.call("CONFIG", "REWRITE");
        });
  }

  /** Both phases, for when no client needs moving in between. */
  public Result rotate(String oldPassword, String newPassword) {
    Result first = addNewPassword(oldPassword, newPassword);
    return first.complete() ? dropOldPassword(newPassword) : first;
  }

  private interface NodeStep {
    void apply(NodeClient client);
  }

  private Result onEveryNode(RedisCredentials credentials, NodeStep step) {
    List<String> done = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (String pod : pods) {
      NodeAddress address = resolver.resolve(pod);
      if (address == null) {
        failed.add(pod);
        continue;
      }
      try (NodeClient c = NodeClient.connect(address, credentials)) {
        step.apply(c);
        done.add(pod);
      } catch (JedisException e) {
        failed.add(pod);
      }
    }
    return new Result(List.copyOf(done), List.copyOf(failed));
  }
}
