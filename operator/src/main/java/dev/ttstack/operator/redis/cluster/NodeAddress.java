package dev.ttstack.operator.redis.cluster;

import java.util.Objects;

/**
 * Where the operator reaches one Redis node: its host (an IP: {@code CLUSTER MEET} refuses names),
 * its Redis port (the cluster bus is {@code port + 10000}), and the port of its start-up gate.
 */
public record NodeAddress(String host, int port, int gatePort) {
  public static final int BUS_PORT_OFFSET = 10000;

  public NodeAddress {
    Objects.requireNonNull(host, "host");
  }

  public int busPort() {
    return port + BUS_PORT_OFFSET;
  }

  /** {@code host:port}, as Redis prints it. */
  @Override
  public String toString() {
    return host + ":" + port;
  }
}
