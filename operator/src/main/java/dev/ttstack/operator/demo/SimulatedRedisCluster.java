package dev.ttstack.operator.demo;

import dev.ttstack.operator.redis.cluster.NodeAddress;
import dev.ttstack.operator.redis.cluster.NodeAddressResolver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The demo's Redis pods when no {@code redis-server} is on PATH: one loopback port per pod that
 * answers the Redis commands the operator sends (RESP2) from one shared model of a Redis Cluster —
 * HELLO, AUTH, PING, CLIENT, CLUSTER NODES/INFO/MYID/MEET/ADDSLOTSRANGE/SET-CONFIG-EPOCH/REPLICATE/
 * FORGET/RESET/FAILOVER, INFO replication, DBSIZE, FLUSHALL, CONFIG and ACL — in Redis 7's formats,
 * so that the operator's own bootstrap runs unchanged. It is a simulation, and the demo says so:
 * gossip is instant (a MEET joins both sides' clusters at once), a replica's link is up as soon as
 * it replicates, no key is ever stored, and there is no failure detection.
 */
public final class SimulatedRedisCluster implements RedisPods {
  private static final int SLOTS = 16384;

  private final Map<String, Node> byPod = new LinkedHashMap<>();
  private final List<Socket> connections = new CopyOnWriteArrayList<>();
  private final Set<String> passwords = new LinkedHashSet<>();

  private final class Node {
    final ServerSocket socket;
    final String pod;
    String id = newId();
    long configEpoch;
    String masterId;
    final List<int[]> slots = new ArrayList<>();
    Set<Node> known = new LinkedHashSet<>(List.of(this));

    Node(String pod) throws IOException {
      this.pod = pod;
      this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    int port() {
      return socket.getLocalPort();
    }

    int slotCount() {
      return slots.stream().mapToInt(r -> r[1] - r[0] + 1).sum();
    }

    long epoch() {
      Node master = masterId == null ? null : byId(masterId);
      return master == null ? configEpoch : master.configEpoch;
    }
  }

  /** Pods {@code <stack>-redis-0..size-1}, listening at once; {@code password} is requirepass. */
  public SimulatedRedisCluster(String stack, int size, String password) throws IOException {
    passwords.add(password);
    for (int i = 0; i < size; i++) {
      Node n = new Node(stack + "-redis-" + i);
      byPod.put(n.pod, n);
      Thread accept = new Thread(() -> accept(n), "simulated-redis-" + i);
      accept.setDaemon(true);
      accept.start();
    }
  }

  @Override
  public NodeAddressResolver resolver() {
    // Gate port 1: nothing listens there, as on a pod whose gate has opened.
    return pod -> {
      Node n = byPod.get(pod);
      return n == null ? null : new NodeAddress("127.0.0.1", n.port(), 1);
    };
  }

  @Override
  public String describe() {
    return "simulated: redis-server is not on PATH, so "
        + byPod.size()
        + " loopback ports answer as a Redis Cluster would (instant gossip, no data)";
  }

  private void accept(Node n) {
    while (!n.socket.isClosed()) {
      try {
        Socket s = n.socket.accept();
        connections.add(s);
        Thread t = new Thread(() -> serve(n, s), "simulated-redis-client");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Node n, Socket s) {
    boolean authenticated = false;
    try (s;
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream()) {
      while (true) {
        List<String> command = read(in);
        if (command == null) {
          return;
        }
        String name = command.isEmpty() ? "" : command.get(0).toUpperCase(Locale.ROOT);
        String reply;
        if (name.equals("HELLO")) {
          // HELLO 2 [AUTH user pass] [SETNAME name]: how Jedis opens a connection with a protocol
          // set.
          int auth = command.stream().map(a -> a.toUpperCase(Locale.ROOT)).toList().indexOf("AUTH");
          if (auth > 0 && auth + 2 < command.size()) {
            authenticated = passwords.contains(command.get(auth + 2));
          }
          reply =
              !authenticated
                  ? (auth > 0
                      ? "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                      : "-NOAUTH HELLO must be called with the client already authenticated.\r\n")
                  : "*14\r\n"
                      + bulk("server")
                      + bulk("redis")
                      + bulk("version")
                      + bulk("7.0.15")
                      + bulk("proto")
                      + ":2\r\n"
                      + bulk("id")
                      + ":1\r\n"
                      + bulk("mode")
                      + bulk("cluster")
                      + bulk("role")
                      + bulk(n.masterId == null ? "master" : "replica")
                      + bulk("modules")
                      + "*0\r\n";
        } else if (name.equals("AUTH")) {
          authenticated = passwords.contains(command.get(command.size() - 1));
          reply =
              authenticated
                  ? "+OK\r\n"
                  : "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
        } else if (!authenticated) {
          reply = "-NOAUTH Authentication required.\r\n";
        } else {
          synchronized (this) {
            reply = answer(n, name, command.subList(1, command.size()));
          }
        }
        out.write(reply.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // the client went away, or the cluster is closed
    }
  }

  private String answer(Node n, String name, List<String> args) {
    switch (name) {
      case "PING":
        return "+PONG\r\n";
      case "CLIENT":
      case "FLUSHALL":
        return "+OK\r\n";
      case "DBSIZE":
        return ":0\r\n";
      case "CONFIG":
        if (args.size() >= 3
            && args.get(0).equalsIgnoreCase("SET")
            && args.get(1).equalsIgnoreCase("requirepass")) {
          passwords.clear();
          passwords.add(args.get(2));
        }
        return args.get(0).equalsIgnoreCase("GET") ? "*0\r\n" : "+OK\r\n";
      case "ACL":
        for (String a : args) {
          if (a.startsWith(">")) {
            passwords.add(a.substring(1));
          }
        }
        return "+OK\r\n";
      case "INFO":
        return bulk(info(n));
      case "CLUSTER":
        return cluster(n, args.isEmpty() ? "" : args.get(0).toUpperCase(Locale.ROOT), args);
      default:
        return "-ERR unknown command '" + name + "' (simulated Redis)\r\n";
    }
  }

  private String cluster(Node n, String sub, List<String> args) {
    switch (sub) {
      case "MYID":
        return bulk(n.id);
      case "NODES":
        StringBuilder b = new StringBuilder();
        for (Node k : n.known) {
          b.append(k.id)
              .append(" 127.0.0.1:")
              .append(k.port())
              .append('@')
              .append(k.port() + NodeAddress.BUS_PORT_OFFSET)
              .append(',')
              .append(k.pod)
              .append(' ')
              .append(k == n ? "myself," : "")
              .append(k.masterId == null ? "master" : "slave")
              .append(' ')
              .append(k.masterId == null ? "-" : k.masterId)
              .append(" 0 ")
              .append(System.currentTimeMillis())
              .append(' ')
              .append(k.epoch())
              .append(" connected");
          for (int[] r : k.slots) {
            b.append(' ').append(r[0] == r[1] ? r[0] + "" : r[0] + "-" + r[1]);
          }
          b.append('\n');
        }
        return bulk(b.toString());
      case "INFO":
        int assigned = 0;
        int size = 0;
        long currentEpoch = 0;
        for (Node k : n.known) {
          assigned += k.slotCount();
          size += k.slotCount() > 0 ? 1 : 0;
          currentEpoch = Math.max(currentEpoch, k.configEpoch);
        }
        String state = assigned == SLOTS ? "ok" : "fail";
        return bulk(
            "cluster_enabled:1\r\ncluster_state:"
                + state
                + "\r\ncluster_slots_assigned:"
                + assigned
                + "\r\ncluster_slots_ok:"
                + assigned
                + "\r\ncluster_slots_pfail:0\r\ncluster_slots_fail:0\r\ncluster_known_nodes:"
                + n.known.size()
                + "\r\ncluster_size:"
                + size
                + "\r\ncluster_current_epoch:"
                + currentEpoch
                + "\r\ncluster_my_epoch:"
                + n.epoch()
                + "\r\n");
      case "MEET":
        Node other = null;
        for (Node k : byPod.values()) {
          if (Integer.toString(k.port()).equals(args.get(2))) {
            other = k;
          }
        }
        if (other == null) {
          return "+OK\r\n"; // Redis answers OK and then fails to reach it
        }
        // Instant gossip: both sides' clusters become one.
        Set<Node> merged = new LinkedHashSet<>(n.known);
        merged.addAll(other.known);
        for (Node k : merged) {
          k.known = new LinkedHashSet<>(merged);
        }
        return "+OK\r\n";
      case "ADDSLOTSRANGE":
        for (int i = 1; i + 1 < args.size(); i += 2) {
          n.slots.add(new int[] {Integer.parseInt(args.get(i)), Integer.parseInt(args.get(i + 1))});
        }
        return "+OK\r\n";
      case "SET-CONFIG-EPOCH":
        if (n.known.size() > 1 || n.configEpoch != 0) {
          return "-ERR The user can assign a config epoch only when the node does not know any"
              + " other node.\r\n";
        }
        n.configEpoch = Long.parseLong(args.get(1));
        return "+OK\r\n";
      case "REPLICATE":
        Node master = byId(args.get(1));
        if (master == null || !n.known.contains(master)) {
          return "-ERR Unknown node " + args.get(1) + "\r\n";
        }
        if (n.slotCount() > 0) {
          return "-ERR To set a master the node must be empty and without assigned slots.\r\n";
        }
        n.masterId = master.id;
        return "+OK\r\n";
      case "FORGET":
        Node gone = byId(args.get(1));
        if (gone == null || gone == n || !n.known.remove(gone)) {
          return "-ERR Unknown node " + args.get(1) + "\r\n";
        }
        return "+OK\r\n";
      case "FAILOVER":
        Node old = n.masterId == null ? null : byId(n.masterId);
        if (old == null) {
          return "-ERR You should send CLUSTER FAILOVER to a replica\r\n";
        }
        n.slots.addAll(old.slots);
        old.slots.clear();
        n.masterId = null;
        n.configEpoch = old.configEpoch + 1;
        old.masterId = n.id;
        return "+OK\r\n";
      case "RESET":
        for (Node k : n.known) {
          if (k != n) {
            k.known.remove(n);
          }
        }
        n.id = newId();
        n.configEpoch = 0;
        n.masterId = null;
        n.slots.clear();
        n.known = new LinkedHashSet<>(List.of(n));
        return "+OK\r\n";
      case "COUNTKEYSINSLOT":
        return ":0\r\n";
      default:
        return "-ERR unknown subcommand '" + sub + "' (simulated Redis)\r\n";
    }
  }

  private String info(Node n) {
    StringBuilder b = new StringBuilder("# Replication\r\n");
    Node master = n.masterId == null ? null : byId(n.masterId);
    if (master == null) {
      long replicas = byPod.values().stream().filter(k -> n.id.equals(k.masterId)).count();
      b.append("role:master\r\nconnected_slaves:").append(replicas).append("\r\n");
      b.append("master_repl_offset:0\r\n");
    } else {
      b.append("role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:")
          .append(master.port())
          .append("\r\nmaster_link_status:up\r\nslave_repl_offset:0\r\nconnected_slaves:0\r\n");
    }
    return b.toString();
  }

  private Node byId(String id) {
    for (Node k : byPod.values()) {
      if (k.id.equals(id)) {
        return k;
      }
    }
    return null;
  }

  private static String bulk(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    return "$" + bytes.length + "\r\n" + s + "\r\n";
  }

  /** One RESP2 command (an array of bulk strings, or an inline command), or null at the end. */
  private static List<String> read(InputStream in) throws IOException {
    String first = line(in);
    if (first == null) {
      return null;
    }
    if (!first.startsWith("*")) {
      return List.of(first.trim().split("\\s+"));
    }
    int count = Integer.parseInt(first.substring(1));
    List<String> args = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String header = line(in);
      if (header == null || !header.startsWith("$")) {
        throw new IOException("not a bulk string: " + header);
      }
      byte[] data = in.readNBytes(Integer.parseInt(header.substring(1)));
      line(in); // the CRLF after the data
      args.add(new String(data, StandardCharsets.UTF_8));
    }
    return args;
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c; (c = in.read()) >= 0; ) {
      if (c == '\n') {
        int len = b.length();
        return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
      }
      b.append((char) c);
    }
    return b.length() == 0 ? null : b.toString();
  }

  private static String newId() {
    byte[] b = new byte[20];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  @Override
  public void close() {
    for (Node n : byPod.values()) {
      try {
        n.socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }
    for (Socket s : connections) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
