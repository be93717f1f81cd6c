package dev.ttstack.tt.support;

import java.util.HashMap;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Hands the app the local services the way production does: as environment variables. The source is
 * a {@link SystemEnvironmentPropertySource} named like the real environment, so Spring Boot maps
 * {@code SPRING_DATASOURCE_URL} to {@code spring.datasource.url} with exactly the production rules.
 */
public final class LocalServicesInitializer
    implements ApplicationContextInitializer<ConfigurableApplicationContext> {

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    LocalServices services = LocalServices.shared();
    context
        .getEnvironment()
        .getPropertySources()
        .addFirst(
            new SystemEnvironmentPropertySource(
                "local-services-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new HashMap<>(services.appEnvironment())));
    services.register(context);
  }
}
