package dev.ttstack.tt.ops;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI description served at /v3/api-docs (and the UI at /swagger-ui.html). */
@Configuration
class OpenApiConfig {

  @Bean
  OpenAPI ttOpenApi(@Value("${tt.version:dev}") String version) {
    return new OpenAPI()
        .info(
            new Info()
                .title("TT backend")
                .version(version)
                .description(
                    """
                        Waiting queue and seat reservations for TT (Ticket & Trade). Join a performance's \
                        queue, wait to be admitted, then hold a seat and confirm it with the entry token \
                        (header X-Entry-Token). Errors are application/problem+json with a stable `code`."""));
  }
}
