package dev.ttstack.operator;

import dev.ttstack.operator.api.SpecValidator;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.Violation;
import dev.ttstack.operator.kit.StackComponent;
import dev.ttstack.operator.kit.StackWorkflow;
import dev.ttstack.operator.reconciler.StackComposition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code render -f ttstack.yaml}: every object the operator would create for that TTStack, as YAML
 * documents, built by the very builders the reconciler uses. For review and for GitOps diffs. Exit
 * codes: 0 rendered, 2 invalid input (the same messages as {@code status.conditions}).
 */
public final class RenderCommand {
  public static final int OK = 0;
  public static final int INVALID = 2;

  private RenderCommand() {}

  public static int run(List<String> args, InputStream stdin, PrintStream out, PrintStream err) {
    String file = null;
    for (int i = 0; i < args.size(); i++) {
      if ((args.get(i).equals("-f") || args.get(i).equals("--file")) && i + 1 < args.size()) {
        file = args.get(++i);
      } else {
        err.println(
            "error: unexpected argument '"
                + args.get(i)
                + "'\nusage: render -f FILE (or -f - for stdin)");
        return INVALID;
      }
    }
    if (file == null) {
      err.println("error: missing -f FILE\nusage: render -f FILE (or -f - for stdin)");
      return INVALID;
    }
    TTStack stack;
    try (InputStream in = file.equals("-") ? stdin : Files.newInputStream(Path.of(file))) {
      stack = parse(in);
    } catch (NoSuchFileException e) {
      err.println("error: " + file + ": no such file");
      return INVALID;
    } catch (IOException | RuntimeException e) {
      err.println("error: " + file + ": not a TTStack manifest: " + firstLine(e));
      return INVALID;
    }
    if (stack == null) {
      err.println(
          "error: "
              + file
              + ": expected apiVersion "
              + TTStack.GROUP
              + "/"
              + TTStack.VERSION
              + ", kind TTStack");
      return INVALID;
    }
    List<Violation> violations = SpecValidator.validate(stack);
    if (!violations.isEmpty()) {
      err.println("error: " + file + ": invalid TTStack: " + SpecValidator.describe(violations));
      return INVALID;
    }
    // Rendering talks to nobody: a throw-away registry, and components build from the spec alone.
    List<HasMetadata> objects =
        render(
            stack,
            StackComposition.defaultComponents(
                java.time.Clock.systemUTC(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
    out.println(
        "# TTStack " + stack.getMetadata().getName() + ": " + objects.size() + " object(s)");
    for (HasMetadata object : objects) {
      out.print(Serialization.asYaml(object));
    }
    return OK;
  }

  /**
   * What the components' workflow renders for the stack: the same registration the operator runs
   * ({@link StackWorkflow}), in its order.
   */
  public static List<HasMetadata> render(TTStack stack, List<StackComponent> components) {
    return StackWorkflow.of(components).render(stack);
  }

  /** The TTStack in that YAML, or null if it is some other kind of object. */
  static TTStack parse(InputStream in) throws IOException {
    String yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    var generic =
        Serialization.unmarshal(
            yaml, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
    if (generic == null
        || !"TTStack".equals(generic.getKind())
        || !(TTStack.GROUP + "/" + TTStack.VERSION).equals(generic.getApiVersion())) {
      return null;
    }
    return Serialization.unmarshal(yaml, TTStack.class);
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
