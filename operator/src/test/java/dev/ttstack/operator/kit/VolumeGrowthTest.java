package dev.ttstack.operator.kit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.Condition;
import org.junit.jupiter.api.Test;

/** Sizes compare by bytes, whatever the spelling; an outcome only annotates a healthy condition. */
class VolumeGrowthTest {
  @Test
  void sizesCompareByBytes() {
    assertThat(VolumeGrowth.compare("1Gi", "1024Mi")).isZero();
    assertThat(VolumeGrowth.compare("1.5Gi", "1536Mi")).isZero();
    assertThat(VolumeGrowth.compare("2Gi", "1Gi")).isPositive();
    assertThat(VolumeGrowth.compare("1G", "1Gi")).isNegative();
    assertThat(VolumeGrowth.compare("1Gi", null)).isPositive();
  }

  @Test
  void outcomeKeepsTheStatusAndAddsTheReasonOnlyWhenHealthy() {
    var refused =
        new VolumeGrowth.Outcome(
            "1Gi", VolumeGrowth.REFUSED, "spec.redis.storage.size 2Gi is not applied");
    Condition healthy =
        refused.into(new Condition("RedisClusterReady", Condition.TRUE, "ClusterOk", "ok"));
    assertThat(healthy.status).isEqualTo(Condition.TRUE);
    assertThat(healthy.reason).isEqualTo(VolumeGrowth.REFUSED);
    assertThat(healthy.message).isEqualTo("ok; spec.redis.storage.size 2Gi is not applied");
    Condition sick =
        refused.into(
            new Condition("RedisClusterReady", Condition.FALSE, "NodesDown", "2 nodes down"));
    assertThat(sick.reason).as("the more urgent reason stays").isEqualTo("NodesDown");
    assertThat(new VolumeGrowth.Outcome("1Gi", null, null).into(sick)).isSameAs(sick);
  }
}
