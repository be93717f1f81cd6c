package dev.ttstack.operator.kube;

import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A light test class that uses nothing of the shared control plane ({@link LocalCluster}): a real
 * node on a control plane of its own, or a containerd of its own. The failsafe run (JUnit parallel
 * execution, see the operator's pom) keeps every other class in one sequential thread, in order,
 * and runs these in a second thread beside it, one at a time (one lock): the sequential classes
 * spend most of their time waiting on the operator and the API server, so the second core was idle.
 * The whole-stack run ({@link EndToEndKubeIT}) is not one of them: beside the sequential classes it
 * overloaded the two cores (load 22; its rebooted operator missed its startup probe's budget).
 */
@Target(TYPE)
@Retention(RUNTIME)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(BesideTheSharedCluster.LOCK)
@interface BesideTheSharedCluster {
  /** The second thread's classes run one at a time. */
  String LOCK = "ttstack-beside-the-shared-cluster";
}
