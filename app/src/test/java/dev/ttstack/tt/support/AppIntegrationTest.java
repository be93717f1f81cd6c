package dev.ttstack.tt.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.ContextConfiguration;

/**
 * The whole app on a random port, against the real local PostgreSQL and Redis Cluster. Classes with
 * the same {@link #properties()} share one Spring context (Spring caches it).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(LocalServicesExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = LocalServicesInitializer.class)
public @interface AppIntegrationTest {

  /** Default for most tests: admissions only when a test asks, so positions are deterministic. */
  @AliasFor(annotation = SpringBootTest.class, attribute = "properties")
  String[] properties() default {"tt.queue.admission.enabled=false"};
}
