package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

  @Test
  void defaultsAreTheProductionOnes() {
    OperatorSettings s = OperatorSettings.from(Map.of());

    assertThat(s.watchNamespaces()).isEmpty();
    assertThat(s.httpPort()).isEqualTo(8080);
    assertThat(s.logLevel()).isEqualTo("INFO");
    assertThat(s.jsonLogs()).isFalse();
    assertThat(s.useServerSideApply()).isTrue();
    assertThat(s.leaderElection()).isTrue();
    assertThat(s.leaseName()).isEqualTo("ttstack-operator");
  }

  @Test
  void everySettingIsReadFromItsVariable() {
    OperatorSettings s =
        OperatorSettings.from(
            Map.of(
                "WATCH_NAMESPACES",
                " tt, tt-staging ,",
                "METRICS_PORT",
                "9400",
                "LOG_LEVEL",
                "debug",
                "LOG_FORMAT",
                "JSON",
                "USE_SSA",
                "false",
                "LEADER_ELECTION",
                "no",
                "LEASE_NAME",
                "x",
                "POD_NAMESPACE",
                "ops",
                "POD_NAME",
                "op-0"));

    assertThat(s.watchNamespaces()).isEqualTo(Set.of("tt", "tt-staging"));
    assertThat(s.httpPort()).isEqualTo(9400);
    assertThat(s.logLevel()).isEqualTo("DEBUG");
    assertThat(s.jsonLogs()).isTrue();
    assertThat(s.useServerSideApply()).isFalse();
    assertThat(s.leaderElection()).isFalse();
    assertThat(s.leaseName()).isEqualTo("x");
    assertThat(s.leaseNamespace()).isEqualTo("ops");
    assertThat(s.identity()).isEqualTo("op-0");
  }

  @Test
  void leaseNamespaceOverridesPodNamespace() {
    assertThat(
            OperatorSettings.from(Map.of("POD_NAMESPACE", "ops", "LEASE_NAMESPACE", "leases"))
                .leaseNamespace())
        .isEqualTo("leases");
  }

  @Test
  void malformedValuesNameTheVariable() {
    assertThatThrownBy(() -> OperatorSettings.from(Map.of("METRICS_PORT", "eighty")))
        .hasMessageContaining("METRICS_PORT");
    assertThatThrownBy(() -> OperatorSettings.from(Map.of("METRICS_PORT", "70000")))
        .hasMessageContaining("METRICS_PORT");
    assertThatThrownBy(() -> OperatorSettings.from(Map.of("USE_SSA", "maybe")))
        .hasMessageContaining("USE_SSA");
    assertThatThrownBy(() -> OperatorSettings.from(Map.of("LOG_FORMAT", "xml")))
        .hasMessageContaining("LOG_FORMAT");
    assertThatThrownBy(() -> OperatorSettings.from(Map.of("LOG_LEVEL", "LOUD")))
        .hasMessageContaining("LOG_LEVEL");
  }
}
