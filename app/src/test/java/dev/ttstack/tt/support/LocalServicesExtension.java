package dev.ttstack.tt.support;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts {@link LocalServices} before the first test class that needs them and stops them when the
 * whole run ends, failed or not: the root store closes its AutoCloseable values at the very end.
 */
public final class LocalServicesExtension implements BeforeAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LocalServices.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    LocalServices.shared();
    context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent("stopper", k -> new Stopper(), Stopper.class);
  }

  /** Closed by JUnit when the root context closes. */
  private static final class Stopper implements AutoCloseable {
    @Override
    public void close() {
      LocalServices.closeShared();
    }
  }
}
