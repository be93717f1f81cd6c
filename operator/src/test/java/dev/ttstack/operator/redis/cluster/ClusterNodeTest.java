package dev.ttstack.operator.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing CLUSTER NODES lines as redis-server 7.0 prints them, and slot range arithmetic. */
class ClusterNodeTest {

  @Test
  void parsesMasterReplicaGhostAndMigratingEntries() {
    List<ClusterNode> nodes =
        ClusterNode.parseAll(
            """
        07c3 127.0.0.1:30001@40001,tt-redis-0 myself,master - 0 0 1 connected 0-5460 5462 [5461->-e7d1]
        67ed 127.0.0.1:30004@40004,tt-redis-3 slave 07c3 0 1426238317239 4 connected
        9a1b :0@0,tt-redis-1 master,fail,noaddr - 1426238316232 1426238316232 2 disconnected 5463-10922
        e7d1 10.0.0.7:6379@16379 master,fail? - 0 0 3 connected
        """);

    ClusterNode self = nodes.get(0);
    assertThat(self.myself()).isTrue();
    assertThat(self.isMaster()).isTrue();
    assertThat(self.hostname()).isEqualTo("tt-redis-0");
    assertThat(self.busPort()).isEqualTo(40001);
    assertThat(self.slots()).containsExactly(new SlotRange(0, 5460), new SlotRange(5462, 5462));
    assertThat(self.slotCount()).isEqualTo(5462);
    assertThat(self.isAt(new NodeAddress("127.0.0.1", 30001, 0))).isTrue();

    ClusterNode replica = nodes.get(1);
    assertThat(replica.isReplica()).isTrue();
    assertThat(replica.masterId()).isEqualTo("07c3");
    assertThat(replica.linkConnected()).isTrue();

    ClusterNode ghost = nodes.get(2);
    assertThat(ghost.noAddress()).isTrue();
    assertThat(ghost.failing()).isTrue();
    assertThat(ghost.linkConnected()).isFalse();
    assertThat(ghost.hostname()).isEqualTo("tt-redis-1");
    assertThat(ghost.isAt(new NodeAddress("", 0, 0))).isFalse();

    ClusterNode suspect = nodes.get(3);
    assertThat(suspect.failing()).isTrue();
    assertThat(suspect.hostname()).isEmpty();
    assertThat(suspect.port()).isEqualTo(6379);
  }

  @Test
  void slotRanges() {
    assertThat(SlotRange.evenSplit(3))
        .containsExactly(
            new SlotRange(0, 5461), new SlotRange(5462, 10922), new SlotRange(10923, 16383));
    assertThat(SlotRange.count(SlotRange.evenSplit(16))).isEqualTo(16384);
    List<SlotRange> ranges =
        List.of(new SlotRange(0, 10), new SlotRange(11, 20), new SlotRange(30, 30));
    assertThat(SlotRange.fromBits(SlotRange.toBits(ranges)))
        .containsExactly(new SlotRange(0, 20), new SlotRange(30, 30));
    assertThat(SlotRange.format(SlotRange.fromBits(SlotRange.toBits(ranges)))).isEqualTo("0-20,30");
    List<SlotRange> scattered = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      scattered.add(new SlotRange(i * 10, i * 10));
    }
    assertThat(SlotRange.describe(scattered)).isEqualTo("20 slots in 20 ranges within 0-190");
  }

  @Test
  void credentialsNeverPrintThePassword() {
    RedisCredentials c = new RedisCredentials("secret-new", "secret-old");
    assertThat(c.toString()).doesNotContain("secret");
    assertThat(c.candidates()).containsExactly("secret-new", "secret-old");
    assertThat(RedisCredentials.of("x").candidates()).containsExactly("x");
  }
}
