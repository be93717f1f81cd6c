package dev.ttstack.operator.kube;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local node's test images ({@code k3s/local-node/images.sh}: Debian packages, no Docker, no
 * registry) and a way to run what is inside one without a container runtime: its layer unpacked
 * into a folder and a command run there by {@code chroot}, inside a mount and PID namespace of its
 * own ({@code unshare --mount --pid --fork --kill-child}) with its own /proc and the machine's /dev
 * bound in. Ending the {@code unshare} process kills the namespace's init (a root shell), and with
 * it every process of the namespace and its mounts, so a failed test leaves nothing behind. The
 * network is the machine's: servers bind to loopback.
 */
final class LocalImages {
  static final Path SCRIPT = LocalCluster.SCRIPT.resolveSibling("images.sh");

  /** PATH inside the images (as their config's Env says). */
  static final String PATH =
      "/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  record Image(String ref, Path archive, String buildLog) {}

  record Run(int exit, String stdout, String stderr) {}

  private LocalImages() {}

  /** Builds (or finds in the cache) one image; the first build takes about a minute. */
  static Image build(String name) throws Exception {
    Run run = run(List.of(SCRIPT.toString(), name), Map.of(), 15);
    if (run.exit() != 0) {
      throw new AssertionError(
          "images.sh " + name + " failed (" + run.exit() + "):\n" + run.stderr());
    }
    List<String> lines = run.stdout().lines().toList();
    String[] last = lines.get(lines.size() - 1).split(" ", 2);
    return new Image(last[0], Path.of(last[1]), run.stderr());
  }

  /** Unpacks a docker-archive into {@code dir} (manifest.json, config, layer folders). */
  static void unpackArchive(Path archive, Path dir) throws Exception {
    check(
        run(List.of("tar", "-xf", archive.toString(), "-C", dir.toString()), Map.of(), 5),
        "unpack " + archive);
  }

  /** Unpacks one layer tar as a root filesystem (numeric owners, as a container runtime does). */
  static void unpackLayer(Path layer, Path root) throws Exception {
    Files.createDirectories(root);
    check(
        run(
            List.of(
                "tar",
                "-xf",
                layer.toString(),
                "-C",
                root.toString(),
                "--numeric-owner",
                "--same-permissions"),
            Map.of(),
            5),
        "unpack " + layer);
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * The command line that runs {@code command} in {@code root} as {@code user} ("uid:gid"). Its
   * environment is exactly {@link #environment} (given to the process, never on a command line,
   * which any process list shows).
   */
  static List<String> chroot(Path root, String user, List<String> command) {
    List<String> line =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "--pid",
                "--fork",
                "--kill-child",
                "--",
                // The namespace's init stays this root shell: a parent-death signal does not
                // survive the uid
                // change of chroot --userspec, so the command runs as its child and init waits for
                // it.
                "sh",
                "-c",
                "set -e; mount -t proc proc \"$1/proc\"; mount --rbind /dev \"$1/dev\"; r=$1; u=$2; shift 2;"
                    + " chroot --userspec=\"$u\" \"$r\" \"$@\" & wait $!",
                "sh",
                root.toString(),
                user));
    line.addAll(command);
    return line;
  }

  /** The image's PATH and HOME=/tmp, plus {@code env}: nothing of the test JVM's environment. */
  static ProcessBuilder environment(ProcessBuilder b, Map<String, String> env) {
    b.environment().clear();
    b.environment().put("PATH", PATH);
    b.environment().put("HOME", "/tmp");
    b.environment().putAll(env);
    return b;
  }

  /** Runs a command in the image root and waits for it (bounded). */
  static Run inRoot(Path root, String user, Map<String, String> env, String... command)
      throws Exception {
    return run(environment(new ProcessBuilder(chroot(root, user, List.of(command))), env), 2);
  }

  /** Starts a long-running command in the image root; its output goes to {@code log}. */
  static Process start(Path root, String user, Map<String, String> env, Path log, String... command)
      throws IOException {
    return environment(new ProcessBuilder(chroot(root, user, List.of(command))), env)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /**
   * Ends a process started by {@link #start} and everything in its namespace, and waits until every
   * one of them is gone (the kernel kills the rest of the namespace after its init,
   * asynchronously).
   */
  static void stop(Process p) throws InterruptedException {
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.add(p.toHandle());
    p.destroy(); // SIGTERM to unshare; --kill-child then kills the namespace's init, and with it
    // all
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (ProcessHandle h : all) {
      while (h.isAlive() && System.nanoTime() < deadline) {
        try {
          h.onExit().get(1, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          h.destroyForcibly();
        }
      }
      if (h.isAlive()) {
        throw new AssertionError(
            "process "
                + h.pid()
                + " "
                + h.info().commandLine().orElse("")
                + " outlived its namespace");
      }
    }
  }

  static Run run(List<String> command, Map<String, String> env, int timeoutMinutes)
      throws Exception {
    ProcessBuilder b = new ProcessBuilder(command);
    b.environment().putAll(env);
    return run(b, timeoutMinutes);
  }

  private static Run run(ProcessBuilder b, int timeoutMinutes) throws Exception {
    Path out = Files.createTempFile("images", ".out");
    Path err = Files.createTempFile("images", ".err");
    try {
      Process p = b.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
        stop(p);
        throw new AssertionError(
            String.join(" ", b.command()) + " did not finish within " + timeoutMinutes + " min");
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

  private static void check(Run run, String what) {
    if (run.exit() != 0) {
      throw new AssertionError(what + " failed (" + run.exit() + "): " + run.stderr());
    }
  }
}
