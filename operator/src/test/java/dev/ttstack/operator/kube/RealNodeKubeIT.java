package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code k3s/local-node/cluster.sh up --node}: a real node (containerd, runc, CNI bridge, kubelet,
 * kube-proxy) on a control plane of its own — never the shared {@link LocalCluster}, whose pending
 * pods name images this node does not have. A pod of the pause image and one of the busybox image
 * that cluster.sh builds run with addresses on the node's bridge, a second pod reaches the first
 * through a ClusterIP Service, {@code kubectl logs} works through the API server, the node's
 * CoreDNS resolves the Service's name (and no name outside the cluster), pods have no route off the
 * machine; then {@code down} leaves nothing behind: no process, mount, network namespace, link,
 * route, ip rule, iptables rule or cgroup.
 */
@BesideTheSharedCluster
class RealNodeKubeIT {
  private static final String BRIDGE = "ttsnode0";
  private static final String POD_PREFIX = "10.42.0.";
  static final Path DIR = LocalCluster.STATE.resolveSibling("real-node");

  record Run(int exit, String stdout, String stderr) {}

  @Test
  void realPodsRunAndReachEachOtherThroughAServiceAndDownLeavesNothing() throws Exception {
    // A fixed folder (not @TempDir): .ci/run's exit trap downs it even when this JVM is killed, and
    // the next `up` clears what a crashed run left.
    Path dir = DIR;
    Map<String, String> env = Map.of("LOCAL_NODE_DIR", dir.toString());
    awaitNoOtherNode();
    Map<String, String> before = machineState(dir);
    boolean downDone = false;
    try {
      long t0 = System.nanoTime();
      Run up = run(env, 30, LocalCluster.SCRIPT.toString(), "up", "--node");
      long upMillis = (System.nanoTime() - t0) / 1_000_000;
      assertThat(up.exit()).as(up.stderr()).isZero();
      System.out.println(up.stderr());
      Kubectl kubectl =
          new Kubectl(Path.of(envValue(dir, "LOCAL_NODE_BIN")), dir.resolve("admin.kubeconfig"));

      // The Node: Ready, addressed on the bridge (the API server reaches the kubelet there).
      assertThat(
              kubectl
                  .run(
                      "get",
                      "node",
                      "local-node",
                      "-o",
                      "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")
                  .orFail()
                  .stdout())
          .isEqualTo("True");
      assertThat(
              kubectl
                  .run(
                      "get",
                      "node",
                      "local-node",
                      "-o",
                      "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}")
                  .orFail()
                  .stdout())
          .isEqualTo(POD_PREFIX + "1");

      long p0 = System.nanoTime();
      kubectl.withInput(SERVER, "apply", "-f", "-").orFail();
      kubectl
          .run("wait", "--for=condition=Ready", "pod/pause", "pod/server", "--timeout=120s")
          .orFail();
      long podMillis = (System.nanoTime() - p0) / 1_000_000;
      String serverIp =
          kubectl.run("get", "pod", "server", "-o", "jsonpath={.status.podIP}").orFail().stdout();
      String pauseIp =
          kubectl.run("get", "pod", "pause", "-o", "jsonpath={.status.podIP}").orFail().stdout();
      assertThat(List.of(serverIp, pauseIp))
          .allMatch(ip -> ip.startsWith(POD_PREFIX))
          .doesNotHaveDuplicates();
      // On the bridge: one veth per pod is attached to it, and the host reaches the pod's address
      // there.
      assertThat(
              sh("ip -o link show master " + BRIDGE)
                  .stdout()
                  .lines()
                  .filter(l -> l.contains("veth"))
                  .count())
          .as("veths on the bridge")
          .isGreaterThanOrEqualTo(2);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(readLine(serverIp, 8080)).isEqualTo("hello-from-server"));

      // A second pod, through the Service's ClusterIP (kube-proxy's DNAT), as a pod reaches a pod.
      String clusterIp =
          kubectl
              .run("get", "service", "server", "-o", "jsonpath={.spec.clusterIP}")
              .orFail()
              .stdout();
      assertThat(clusterIp).startsWith("10.43.");
      kubectl.withInput(CLIENT.replace("CLUSTER_IP", clusterIp), "apply", "-f", "-").orFail();
      kubectl
          .run("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/client", "--timeout=120s")
          .orFail();
      String clientLog = kubectl.run("logs", "client").orFail().stdout();
      assertThat(clientLog).contains("hello-from-server");
      // Pods have routes to pods and to the Service range only: nothing routes off the machine.
      assertThat(clientLog)
          .contains("10.43.0.0/16 via " + POD_PREFIX + "1")
          .doesNotContainPattern("(?m)^default ");
      assertThat(clientLog).contains("unreachable-outside");
      // The API server, as in-cluster clients reach it: the kubernetes Service (10.43.0.1:443)
      // names
      // the node's address, where the API server listens (and nowhere else); the pod's plain-text
      // request reaching its TLS port gets Go's answer to exactly that.
      String apiPort = envValue(dir, "APISERVER_PORT");
      assertThat(
              kubectl
                  .run(
                      "get",
                      "endpointslice",
                      "-l",
                      "kubernetes.io/service-name=kubernetes",
                      "-o",
                      "jsonpath={.items[0].endpoints[0].addresses[0]}:{.items[0].ports[0].port}")
                  .orFail()
                  .stdout())
          .isEqualTo(POD_PREFIX + "1:" + apiPort);
      assertThat(sh("ss -Hltn 'sport = :" + apiPort + "' | awk '{print $4}'").stdout().trim())
          .isEqualTo(POD_PREFIX + "1:" + apiPort);
      assertThat(clientLog).contains("Client sent an HTTP request to an HTTPS server");
      // Cluster DNS: the node's CoreDNS, the Service's name resolves to its ClusterIP, nothing else
      // resolves.
      assertThat(clientLog)
          .contains("nameserver " + POD_PREFIX + "1", "search default.svc.cluster.local");
      assertThat(clientLog)
          .containsPattern(
              "Name:\\s+server\\.default\\.svc\\.cluster\\.local\\s+Address:\\s+"
                  + Pattern.quote(clusterIp));
      assertThat(clientLog)
          .contains("outside-name-not-resolved")
          .doesNotContain("outside-name-resolved");
      assertThat(kubectl.run("logs", "server").orFail().stdout()).startsWith("serving");

      System.out.printf(
          "real node: cluster.sh up --node %d ms (%s); pause + server pods Ready %d ms after apply%n",
          upMillis, readyLine(up.stderr()), podMillis);
      for (String component :
          List.of("containerd", "kubelet", "kube-proxy", "coredns", "kube-apiserver", "etcd")) {
        System.out.printf(
            "  RSS %-14s %s%n",
            component,
            rss(Long.parseLong(Files.readString(dir.resolve("pids").resolve(component)).trim())));
      }
      System.out.println(
          "fences (packets, bytes):\n"
              + sh("iptables -w -L FORWARD -v -x -n; iptables -w -L OUTPUT -v -x -n; iptables -w -L INPUT -v -x -n")
                  .stdout()
                  .lines()
                  .filter(l -> l.contains("ttstack-local-node"))
                  .reduce("", (a, l) -> a + "  " + l.trim() + "\n"));

      downDone = true;
      downLeavesNothing(env, dir, before);
    } finally {
      if (!downDone) {
        Run down = run(env, 5, LocalCluster.SCRIPT.toString(), "down");
        System.out.println("down after a failure: exit " + down.exit() + "\n" + down.stderr());
      }
    }
  }

  private static final String SERVER =
      """
      apiVersion: v1
      kind: Pod
      metadata: {name: pause}
      spec:
        containers:
        - {name: pause, image: ttstack.local/pause:3.10, imagePullPolicy: Never}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: server, labels: {app: server}}
      spec:
        containers:
        - name: server
          image: ttstack.local/busybox:1.35
          imagePullPolicy: Never
          command: [/bin/sh, -c, 'echo serving; while true; do echo hello-from-server | nc -l -p 8080; done']
          ports: [{containerPort: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: server}
      spec:
        selector: {app: server}
        ports: [{port: 80, targetPort: 8080}]
      """;

  // The client also tries an address off the machine (TEST-NET-3): its connect must fail at once,
  // for want of a route, before any packet is sent. And it asks the cluster DNS (CoreDNS) for the
  // Service's name and for a name outside the cluster, which it must not resolve.
  private static final String CLIENT =
      """
      apiVersion: v1
      kind: Pod
      metadata: {name: client}
      spec:
        restartPolicy: Never
        containers:
        - name: client
          image: ttstack.local/busybox:1.35
          imagePullPolicy: Never
          command: [/bin/sh, -c, 'ip route; echo | nc -w 5 CLUSTER_IP 80;
            printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 5 10.43.0.1 443;
            if echo | nc -w 2 203.0.113.1 80; then echo reachable-outside; else echo unreachable-outside; fi;
            cat /etc/resolv.conf; nslookup server.default.svc.cluster.local;
            if nslookup example.com; then echo outside-name-resolved; else echo outside-name-not-resolved; fi']
      """;

  /**
   * {@code cluster.sh down}, then the machine as it was {@code before} the node's {@code up}: no
   * process, mount, link, route, rule, iptables rule, namespace or cgroup of the node is left.
   * Returns the down's run.
   */
  static Run downLeavesNothing(Map<String, String> env, Path dir, Map<String, String> before)
      throws Exception {
    Run down = run(env, 5, LocalCluster.SCRIPT.toString(), "down");
    assertThat(down.exit()).as(down.stderr()).isZero();
    assertNothingLeft(dir, before);
    return down;
  }

  /** The machine as it was {@code before} the node in {@code dir} came up. */
  static void assertNothingLeft(Path dir, Map<String, String> before) throws Exception {
    Map<String, String> after = machineState(dir);
    for (var entry : before.entrySet()) {
      assertThat(after.get(entry.getKey()))
          .as("%s after down", entry.getKey())
          .isEqualTo(entry.getValue());
    }
    assertThat(after.get("processes")).as("processes of this node after down").isEmpty();
    assertThat(after.get("mounts")).as("mounts under its folder after down").isEmpty();
  }

  /**
   * A node whose owner exited without its down (its run was killed: CI's time limit, a lost machine
   * session) keeps the machine-wide bridge that every later node waits for. {@code cluster.sh
   * reclaim} — run by the next {@code up --node} too — takes it down from any folder, and only
   * then: while the owner lives, its node stays.
   */
  @Test
  void aNodeWhoseOwnerExitedIsTakenDownByTheNextOne() throws Exception {
    Path dir = DIR.resolveSibling("real-node-orphan");
    String script = LocalCluster.SCRIPT.toString();
    awaitNoOtherNode();
    Map<String, String> before = machineState(dir);
    Process owner = new ProcessBuilder("sleep", "600").start();
    boolean reclaimed = false;
    try {
      Run up =
          run(
              Map.of(
                  "LOCAL_NODE_DIR",
                  dir.toString(),
                  "LOCAL_NODE_OWNER_PID",
                  Long.toString(owner.pid())),
              30,
              script,
              "up",
              "--node");
      assertThat(up.exit()).as(up.stderr()).isZero();

      Run whileAlive = run(Map.of(), 2, script, "reclaim");
      assertThat(whileAlive.exit()).as(whileAlive.stderr()).isZero();
      assertThat(whileAlive.stderr()).doesNotContain("owner has exited");
      assertThat(sh("ip -o link show").stdout()).contains(" " + BRIDGE + ":");

      owner.destroyForcibly().waitFor();
      long t0 = System.nanoTime();
      Run reclaim = run(Map.of(), 5, script, "reclaim");
      reclaimed = true;
      assertThat(reclaim.exit()).as(reclaim.stderr()).isZero();
      assertThat(reclaim.stderr()).contains("owner has exited (" + dir + ")");
      System.out.printf(
          "real node: a dead owner's node taken down in %d ms%n",
          (System.nanoTime() - t0) / 1_000_000);
      assertNothingLeft(dir, before);
    } finally {
      owner.destroyForcibly();
      if (!reclaimed) {
        Run down = run(Map.of("LOCAL_NODE_DIR", dir.toString()), 5, script, "down");
        System.out.println("down after a failure: exit " + down.exit() + "\n" + down.stderr());
      }
    }
  }

  /**
   * One node per machine: another one (a second checkout's tests) is waited for, as {@code up
   * --node} waits; a dead one's leftovers (its run was killed) are taken down ({@code cluster.sh
   * reclaim}).
   */
  static void awaitNoOtherNode() {
    await()
        .atMost(Duration.ofMinutes(30))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              run(Map.of(), 2, LocalCluster.SCRIPT.toString(), "reclaim");
              return !sh("ip -o link show").stdout().contains(" " + BRIDGE + ":");
            });
  }

  /**
   * What cluster.sh may touch, machine-wide; the blackhole of the Service range is shared with
   * other control planes.
   */
  static Map<String, String> machineState(Path dir) throws Exception {
    Map<String, String> state = new LinkedHashMap<>();
    state.put("links", sh("ip -o link show | sed -E 's/^[0-9]+: //; s/ .*//'").stdout());
    state.put("ip rules", sh("ip rule show").stdout());
    state.put(
        "routes",
        sh("ip route show table all | { grep -v '^blackhole 10.43.0.0/16' || true; }").stdout());
    // Rules and user chains; empty built-in chains (which iptables-nft leaves as tables) are no
    // rule.
    String iptables =
        "{ grep -E '^(-A|:)' || true; } | { grep -vE '^:(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) ACCEPT' || true; }"
            + " | sed -E 's/ \\[[0-9:]+\\]$//'";
    state.put("iptables", sh("iptables-save | " + iptables).stdout());
    state.put("ip6tables", sh("ip6tables-save | " + iptables).stdout());
    state.put("network namespaces", sh("ip netns list").stdout());
    state.put(
        "sysctls", sh("sysctl -n net.ipv4.ip_forward net.ipv4.conf.all.route_localnet").stdout());
    state.put(
        "cgroups", sh("ls -d /sys/fs/cgroup/*/ttstack-local-node 2>/dev/null || true").stdout());
    state.put(
        "machine folders",
        sh("ls -d /run/containerd /run/netns /var/lib/kubelet /var/log/pods /var/lib/cni /etc/cni 2>/dev/null || true")
            .stdout());
    // Where containerd and runc keep state machine-wide by default (another containerd may use
    // them).
    state.put(
        "containerd state",
        sh("ls -A /run/containerd/runc/k8s.io /run/containerd/s /run/containerd/fifo 2>/dev/null || true")
            .stdout());
    state.put("mounts", sh("grep -F ' " + dir + "/' /proc/self/mountinfo || true").stdout());
    state.put("processes", processesOf(dir));
    return state;
  }

  /** Processes whose command line or working folder names the node's folder. */
  private static String processesOf(Path dir) {
    List<String> found = new ArrayList<>();
    ProcessHandle.allProcesses()
        .forEach(
            p -> {
              String cmdline = p.info().commandLine().orElse("");
              String cwd;
              try {
                cwd =
                    Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"))
                        .toString();
              } catch (IOException | UnsupportedOperationException e) {
                cwd = "";
              }
              if (cmdline.contains(dir.toString()) || cwd.startsWith(dir.toString())) {
                found.add(p.pid() + " " + cmdline);
              }
            });
    return String.join("\n", found);
  }

  private static String readLine(String ip, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(ip, port), 2000);
      s.setSoTimeout(5000);
      s.getOutputStream().write('\n');
      return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
    }
  }

  private static String readyLine(String stderr) {
    Matcher m = Pattern.compile("node local-node Ready in \\d+ s").matcher(stderr);
    return m.find() ? m.group() : "no Ready line";
  }

  private static String rss(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(l -> l.startsWith("VmRSS:"))
        .map(l -> l.substring(6).trim())
        .findFirst()
        .orElse("?");
  }

  private static String envValue(Path dir, String name) throws IOException {
    return Files.readAllLines(dir.resolve("env")).stream()
        .filter(l -> l.startsWith(name + "="))
        .map(l -> l.substring(name.length() + 1))
        .findFirst()
        .orElseThrow();
  }

  private static Run sh(String script) throws Exception {
    Run r = run(Map.of(), 1, "bash", "-c", "set -o pipefail; " + script);
    if (r.exit() != 0) {
      throw new AssertionError("'" + script + "' failed: " + r.stderr());
    }
    return r;
  }

  static Run run(Map<String, String> env, int minutes, String... command) throws Exception {
    Path out = Files.createTempFile("real-node", ".out");
    Path err = Files.createTempFile("real-node", ".err");
    try {
      ProcessBuilder b =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      b.environment().putAll(env);
      // The node belongs to this JVM: killed with it, its node is taken down by the next up
      // (node.sh).
      b.environment()
          .putIfAbsent("LOCAL_NODE_OWNER_PID", Long.toString(ProcessHandle.current().pid()));
      Process p = b.start();
      if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(
            String.join(" ", command) + " did not finish within " + minutes + " minutes");
      }
      return new Run(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
