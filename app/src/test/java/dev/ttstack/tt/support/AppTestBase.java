package dev.ttstack.tt.support;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What every {@link AppIntegrationTest} uses: an HTTP client on the app's port ({@link #api}, and
 * {@link #tt} for the usual steps) and the database, to check what the API did.
 */
public abstract class AppTestBase {

  @LocalServerPort protected int port;

  @Autowired protected JdbcClient db;

  protected Api api;
  protected Tt tt;

  @BeforeEach
  void connectClient() {
    api = new Api(port);
    tt = new Tt(api);
  }
}
