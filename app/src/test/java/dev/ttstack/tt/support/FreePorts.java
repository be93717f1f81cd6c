package dev.ttstack.tt.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Free loopback ports chosen at run time. Redis Cluster nodes also listen on port + 10000 (the
 * cluster bus), so candidates stay below 45536 and both ports must be free. A port can still be
 * taken between this check and the server's bind: callers retry a failed start with fresh ports.
 */
public final class FreePorts {

  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  static synchronized int withBus() {
    return pick(true);
  }

  public static synchronized int plain() {
    return pick(false);
  }

  /**
   * Creates a server for attempt 1, 2, 3 (each choosing fresh ports) and starts it; a failed start
   * is cleaned up and retried, the third failure is thrown.
   */
  static <T extends AutoCloseable> T startRetrying(IntFunction<T> create, Consumer<T> start) {
    for (int attempt = 1; ; attempt++) {
      T server = create.apply(attempt);
      try {
        start.accept(server);
        return server;
      } catch (RuntimeException e) {
        try {
          server.close();
        } catch (Exception closing) {
          e.addSuppressed(closing);
        }
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private static int pick(boolean bus) {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 45_000);
      if (HANDED_OUT.contains(port) || (bus && HANDED_OUT.contains(port + 10_000))) {
        continue;
      }
      if (free(port) && (!bus || free(port + 10_000))) {
        HANDED_OUT.add(port);
        if (bus) {
          HANDED_OUT.add(port + 10_000);
        }
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port found");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
