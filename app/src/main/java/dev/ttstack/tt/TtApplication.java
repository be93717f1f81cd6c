package dev.ttstack.tt;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The TT (Ticket &amp; Trade) backend: a waiting queue per performance on the Redis Cluster, and
 * seat holds and reservations on PostgreSQL. Configured only by the environment the TTStack
 * operator sets.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class TtApplication {

  public static void main(String[] args) {
    SpringApplication.run(TtApplication.class, args);
  }
}
