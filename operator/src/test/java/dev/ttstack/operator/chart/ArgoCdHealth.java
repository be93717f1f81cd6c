package dev.ttstack.operator.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The chart's Argo CD health check ({@code files/argocd/ttstack-health.lua}) run as Argo CD runs
 * it: the object as the Lua table {@code obj}, the script's returned table read back. The
 * interpreter is the real Lua 5.1 ({@code lua5.1}, installed by {@code .ci/run}), the language of
 * gopher-lua, which Argo CD embeds.
 */
public final class ArgoCdHealth {
  public static final Path SCRIPT =
      Helm.CHART.resolve("files").resolve("argocd").resolve("ttstack-health.lua").toAbsolutePath();

  /** Where the real-API-server tests write the objects they judged: the unit tier's fixtures. */
  public static final Path RECORDED = Path.of("target", "argocd-recorded").toAbsolutePath();

  /** Argo CD's verdict: {@code Healthy}, {@code Progressing}, {@code Degraded}, ... */
  public record Verdict(String status, String message) {}

  private ArgoCdHealth() {}

  public static Verdict of(TTStack stack) {
    return of(Serialization.jsonMapper().valueToTree(stack));
  }

  public static Verdict of(JsonNode object) {
    String program =
        "obj = "
            + lua(object)
            + "\nlocal hs = dofile([["
            + SCRIPT
            + "]])\nio.write(tostring(hs.status), '\\n', tostring(hs.message or ''))\n";
    try {
      Process p = new ProcessBuilder(interpreter(), "-").redirectErrorStream(true).start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(program.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("lua5.1 did not finish within 10 s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("lua5.1 failed (" + p.exitValue() + "): " + out);
      }
      int newline = out.indexOf('\n');
      return new Verdict(out.substring(0, newline), out.substring(newline + 1));
    } catch (IOException e) {
      throw new AssertionError("cannot run lua5.1", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Judges a live object, and keeps it (apiVersion, kind, name, generation, spec, status: what the
   * script reads, nothing of the server's bookkeeping) in {@link #RECORDED} as {@code name.yaml}.
   */
  public static Verdict recordAndJudge(TTStack stack, String name) {
    ObjectNode object = Serialization.jsonMapper().valueToTree(stack);
    ObjectNode metadata = Serialization.jsonMapper().createObjectNode();
    metadata.set("name", object.path("metadata").path("name"));
    metadata.set("generation", object.path("metadata").path("generation"));
    object.set("metadata", metadata);
    try {
      Files.createDirectories(RECORDED);
      Files.writeString(
          RECORDED.resolve(name + ".yaml"),
          "# A live TTStack recorded on the real API server by RecoveryKubeIT or LifecycleKubeIT\n"
              + "# (ArgoCdHealth.recordAndJudge writes it to operator/target/argocd-recorded/).\n"
              + Serialization.asYaml(object).replaceFirst("^---\n", ""));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return of(object);
  }

  private static String interpreter() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, "lua5.1"))) {
        return Path.of(dir, "lua5.1").toString();
      }
    }
    throw new IllegalStateException(
        "lua5.1 not found on PATH (apt-get install lua5.1; .ci/run installs it)");
  }

  /** JSON as a Lua table constructor, as Argo CD converts it (JSON null: the key is absent). */
  static String lua(JsonNode n) {
    if (n.isObject()) {
      StringBuilder b = new StringBuilder("{");
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNull()) {
          b.append('[')
              .append(string(e.getKey()))
              .append("]=")
              .append(lua(e.getValue()))
              .append(',');
        }
      }
      return b.append('}').toString();
    }
    if (n.isArray()) {
      StringBuilder b = new StringBuilder("{");
      n.forEach(v -> b.append(lua(v)).append(','));
      return b.append('}').toString();
    }
    if (n.isTextual()) {
      return string(n.asText());
    }
    if (n.isNull() || n.isMissingNode()) {
      return "nil";
    }
    return n.asText(); // numbers and booleans
  }

  private static String string(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\%03d", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
