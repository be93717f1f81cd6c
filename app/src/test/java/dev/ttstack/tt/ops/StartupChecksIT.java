package dev.ttstack.tt.ops;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ttstack.tt.TtApplication;
import dev.ttstack.tt.support.LocalServices;
import dev.ttstack.tt.support.LocalServicesExtension;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * Misconfiguration fails the start with a message that says what to set, instead of a silent
 * fallback.
 */
@ExtendWith(LocalServicesExtension.class)
class StartupChecksIT {

  @Test
  void refusesToStartWithoutRedisClusterNodes() {
    Map<String, Object> props = new HashMap<>();
    LocalServices.shared()
        .appEnvironment()
        .forEach(
            (k, v) -> {
              if (k.startsWith("SPRING_DATASOURCE_")) {
                props.put(
                    "spring.datasource." + k.substring("SPRING_DATASOURCE_".length()).toLowerCase(),
                    v);
              }
            });
    props.put("server.port", "0");
    props.put("tt.queue.admission.enabled", "false");
    // Without cluster nodes Spring Boot would quietly use a standalone Redis on localhost:6379.
    assertThatThrownBy(
            () -> new SpringApplicationBuilder(TtApplication.class).properties(props).run().close())
        .rootCause()
        .hasMessageContaining("SPRING_DATA_REDIS_CLUSTER_NODES");
  }
}
