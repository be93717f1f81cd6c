package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.testing.OperatorHarness;
import dev.ttstack.operator.testing.Stacks;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What happens when another replica takes the Lease: this one must notice and give up. */
class LeadershipTest {

  @RegisterExtension final OperatorHarness k8s = new OperatorHarness();

  @Test
  void losingTheLeaseIsNoticedAndReported() {
    AtomicBoolean lost = new AtomicBoolean(false);
    k8s.operator().onLeadershipLost(() -> lost.set(true));
    k8s.create(Stacks.minimal("tt"));
    k8s.awaitObserved("tt");

    // Another replica takes over: a fresh Lease held by someone else, as after a network partition.
    k8s.client()
        .leases()
        .inNamespace(k8s.namespace())
        .withName("ttstack-operator")
        .edit(
            l -> {
              l.getSpec().setHolderIdentity("another-replica");
              l.getSpec().setRenewTime(ZonedDateTime.now().plusMinutes(5));
              l.getSpec().setAcquireTime(ZonedDateTime.now());
              l.getSpec().setLeaseDurationSeconds(300);
              return l;
            });

    // fabric8's elector gives up after its renew deadline (10 s by default).
    await().atMost(Duration.ofSeconds(30)).untilTrue(lost);
    assertThat(k8s.operator().isLeader()).isFalse();
    assertThat(k8s.operator().registry().scrape()).contains("ttstack_operator_leader 0.0");
  }

  @Test
  void stoppingReleasesTheLeaseWithoutCallingItALoss() {
    AtomicBoolean lost = new AtomicBoolean(false);
    k8s.operator().onLeadershipLost(() -> lost.set(true));
    k8s.create(Stacks.minimal("tt"));
    k8s.awaitObserved("tt");

    assertThat(k8s.operator().isLeader()).isTrue();

    k8s.stopOperator();

    assertThat(lost).as("a release on shutdown is no loss: the process must not exit 1").isFalse();
  }
}
