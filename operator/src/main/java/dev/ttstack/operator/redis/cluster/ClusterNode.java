package dev.ttstack.operator.redis.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One line of {@code CLUSTER NODES}: a node as one member of the cluster sees it.
 *
 * <pre>id ip:port@cport[,hostname] flags master ping-sent pong-recv config-epoch link-state slot...
 * </pre>
 *
 * @param host the IP, empty when the node has no known address ({@code noaddr})
 * @param hostname the announced hostname, empty when none
 * @param masterId the master's id for a replica, null for a master
 */
public record ClusterNode(
    String id,
    String host,
    int port,
    int busPort,
    String hostname,
    Set<String> flags,
    String masterId,
    long configEpoch,
    boolean linkConnected,
    List<SlotRange> slots) {

  public static ClusterNode parse(String line) {
    String[] f = line.trim().split(" ");
    if (f.length < 8) {
      throw new IllegalArgumentException("not a CLUSTER NODES line: " + line);
    }
    String[] addressAndAux = f[1].split(",");
    String address = addressAndAux[0];
    String hostname = "";
    for (int i = 1; i < addressAndAux.length; i++) {
      if (!addressAndAux[i].contains("=")) {
        hostname = addressAndAux[i];
      } else if (addressAndAux[i].startsWith("hostname=")) {
        hostname = addressAndAux[i].substring("hostname=".length());
      }
    }
    int at = address.indexOf('@');
    String hostPort = at < 0 ? address : address.substring(0, at);
    int busPort = at < 0 ? 0 : parseIntOr(address.substring(at + 1), 0);
    int colon = hostPort.lastIndexOf(':');
    String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
    int port = colon < 0 ? 0 : parseIntOr(hostPort.substring(colon + 1), 0);
    Set<String> flags = Set.copyOf(Arrays.asList(f[2].split(",")));
    String masterId = "-".equals(f[3]) ? null : f[3];
    List<SlotRange> slots = new ArrayList<>();
    for (int i = 8; i < f.length; i++) {
      if (!f[i].startsWith("[")) { // [slot->-id] / [slot-<-id]: migrating/importing, not owned
        slots.add(SlotRange.parse(f[i]));
      }
    }
    return new ClusterNode(
        f[0],
        host,
        port,
        busPort,
        hostname,
        flags,
        masterId,
        Long.parseLong(f[6]),
        "connected".equals(f[7]),
        List.copyOf(slots));
  }

  /** Every line of a {@code CLUSTER NODES} reply. */
  public static List<ClusterNode> parseAll(String reply) {
    return reply
        .lines()
        .filter(l -> !l.isBlank())
        .map(ClusterNode::parse)
        .collect(Collectors.toList());
  }

  private static int parseIntOr(String s, int fallback) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  public boolean myself() {
    return flags.contains("myself");
  }

  public boolean isMaster() {
    return flags.contains("master");
  }

  public boolean isReplica() {
    return flags.contains("slave");
  }

  /** Flagged {@code fail} (agreed by the majority) or {@code fail?} (this node's suspicion). */
  public boolean failing() {
    return flags.contains("fail") || flags.contains("fail?");
  }

  public boolean noAddress() {
    return flags.contains("noaddr") || host.isEmpty();
  }

  public boolean inHandshake() {
    return flags.contains("handshake");
  }

  public boolean hasSlots() {
    return !slots.isEmpty();
  }

  public int slotCount() {
    return SlotRange.count(slots);
  }

  /** True when this entry claims that address. */
  public boolean isAt(NodeAddress address) {
    return address != null && !noAddress() && host.equals(address.host()) && port == address.port();
  }
}
