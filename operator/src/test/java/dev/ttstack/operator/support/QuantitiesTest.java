package dev.ttstack.operator.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The API server's spellings, as kube-apiserver v1.36 stored them (ServerSideApplyKubeIT reads them
 * back: 1.5Gi → 1536Mi, 2048Mi → 2Gi) and as Kubernetes' resource.Quantity documents them.
 */
class QuantitiesTest {
  @ParameterizedTest
  @CsvSource({
    "1.5Gi, 1536Mi",
    "2048Mi, 2Gi",
    "2Gi, 2Gi",
    "0.5Gi, 512Mi",
    "0.25Gi, 256Mi",
    "1536Mi, 1536Mi",
    "1024Ki, 1Mi",
    "0.5Ki, 512",
    "1.5Ki, 1536",
    "1023Ki, 1023Ki",
    "0.1Gi, 107374182400m",
    "0.5, 500m",
    "1000m, 1",
    "250m, 250m",
    "2.0, 2",
    "0.25, 250m",
    "1, 1",
    "10000, 10k",
    "2000M, 2G",
    "1.5G, 1500M",
    "500M, 500M",
    "20Gi, 20Gi",
    "0, 0",
    "0Mi, 0",
    "1.5, 1500m",
    "100m, 100m",
    "0.001, 1m",
    "0.0000001, 100n"
  })
  void spellsQuantitiesAsTheApiServerStoresThem(String input, String stored) {
    assertThat(Quantities.canonical(input)).isEqualTo(stored);
  }
}
