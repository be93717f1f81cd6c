package dev.ttstack.operator.kube;

import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A test class that runs a real node ({@code cluster.sh up --node}). The machine holds one node at a
 * time (its bridge, ip rule and kube-proxy's chains are machine-wide), so these classes take one lock
 * and run one after the other; and they run beside the other test classes (the failsafe run enables
 * JUnit's parallel execution, every other class staying in the one sequential thread), which use the
 * shared control plane's simulated node or a containerd of their own and touch nothing a node makes.
 * Without it the whole-stack run ({@link EndToEndKubeIT}, about 8 minutes, mostly waiting on pods)
 * would add its time to the CI run's instead of overlapping the rest.
 */
@Target(TYPE)
@Retention(RUNTIME)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(OnTheRealNode.LOCK)
@interface OnTheRealNode {
  /** The machine's one node. */
  String LOCK = "ttstack-local-node";
}
