package dev.ttstack.operator.demo;

import dev.ttstack.operator.redis.cluster.NodeAddressResolver;

/** What answers for the demo's Redis pods: real redis-servers, or a simulation of them. */
public interface RedisPods extends AutoCloseable {
  /** Where the operator reaches each pod, instead of its pod IP. */
  NodeAddressResolver resolver();

  /** One line for the demo's header: what runs the pods. */
  String describe();

  @Override
  void close();
}
