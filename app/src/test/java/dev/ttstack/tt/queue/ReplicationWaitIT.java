package dev.ttstack.tt.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.tt.support.Api;
import dev.ttstack.tt.support.AppIntegrationTest;
import dev.ttstack.tt.support.AppTestBase;
import dev.ttstack.tt.support.LocalRedisCluster;
import dev.ttstack.tt.support.LocalServices;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An admission returns only once a replica has it (WAIT on the connection that wrote it), or after
 * {@code tt.queue.replication-wait}. Proof: freeze the shard's replica and the admission takes that
 * long; a WAIT sent on any other connection would return at once.
 */
@AppIntegrationTest
class ReplicationWaitIT extends AppTestBase {

  @Test
  void anAdmissionWaitsForTheReplica() {
    LocalRedisCluster redis = LocalServices.shared().redis();
    long performance = tt.performance(1, 1);
    tt.join(performance, "wait-1");
    tt.join(performance, "wait-2");
    int master = redis.masterPortOf(SlotHash.getSlot(QueueKeys.waiting(performance)));
    int replica = redis.replicaPortOf(master);

    long t0 = System.nanoTime();
    assertThat(tt.admit(performance, 1).status()).isEqualTo(200);
    long healthyMillis = (System.nanoTime() - t0) / 1_000_000;

    Api.Response admission;
    long frozenMillis;
    redis.freeze(replica, true);
    try {
      t0 = System.nanoTime();
      admission = tt.admit(performance, 1);
      frozenMillis = (System.nanoTime() - t0) / 1_000_000;
    } finally {
      // Well within the 2 s node timeout: no failover is triggered.
      redis.freeze(replica, false);
    }
    System.out.printf(
        "[replication-wait] admission took %d ms with the replica up, %d ms with it frozen%n",
        healthyMillis, frozenMillis);
    assertThat(admission.status()).isEqualTo(200);
    assertThat(frozenMillis).isGreaterThanOrEqualTo(480);
    assertThat(tt.status(performance, "wait-2").json().get("status").asString())
        .isEqualTo("ADMITTED");
    redis.awaitHealthy(Duration.ofSeconds(30));
  }
}
