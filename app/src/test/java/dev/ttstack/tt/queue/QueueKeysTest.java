package dev.ttstack.tt.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hash-tag design: all keys of one performance in one slot, performances spread over the
 * cluster.
 */
class QueueKeysTest {

  @Test
  void everyKeyOfAPerformanceHashesToTheSameSlot() {
    for (long performance : List.of(1L, 42L, 987_654_321L)) {
      int slot = SlotHash.getSlot(QueueKeys.waiting(performance));
      assertThat(
              List.of(
                  QueueKeys.arrivals(performance),
                  QueueKeys.admissionStep(performance),
                  QueueKeys.entry(performance, "user-{odd}"),
                  QueueKeys.token(performance, "abc_DEF-123")))
          .allSatisfy(key -> assertThat(SlotHash.getSlot(key)).as(key).isEqualTo(slot));
    }
  }

  @Test
  void performancesSpreadOverAllThreeShards() {
    // Slots 0-5460, 5461-10922, 10923-16383 belong to different masters in a three-master cluster.
    long shards =
        java.util.stream.LongStream.rangeClosed(1, 30)
            .map(p -> SlotHash.getSlot(QueueKeys.waiting(p)) / 5461)
            .distinct()
            .count();
    assertThat(shards).isEqualTo(3);
  }
}
