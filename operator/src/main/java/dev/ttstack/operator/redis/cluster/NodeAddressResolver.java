package dev.ttstack.operator.redis.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The seam between the cluster manager and where the nodes run: pod name to address. In Kubernetes
 * it is the pod IP from the API ({@link #fromPods}); in tests, local processes on their own ports.
 */
@FunctionalInterface
public interface NodeAddressResolver {

  /** The pod's current address, or null when it has none (not scheduled, no IP yet). */
  NodeAddress resolve(String pod);

  /** Pod IPs from pods as the API reports them, with the given Redis and gate ports. */
  static NodeAddressResolver fromPods(List<Pod> pods, int redisPort, int gatePort) {
    Map<String, NodeAddress> byName = new HashMap<>();
    for (Pod pod : pods) {
      String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
      if (ip != null && !ip.isBlank() && pod.getMetadata().getDeletionTimestamp() == null) {
        byName.put(pod.getMetadata().getName(), new NodeAddress(ip, redisPort, gatePort));
      }
    }
    return byName::get;
  }
}
