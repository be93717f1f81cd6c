package dev.ttstack.tt.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports chosen at run time. Redis Cluster nodes also listen on port + 10000 (the cluster
 * bus), so candidates stay below 45536 and both ports must be free. A port can still be taken between
 * this check and the server's bind: callers retry a failed start with fresh ports.
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
