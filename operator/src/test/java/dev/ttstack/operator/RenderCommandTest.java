package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.testing.Stacks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int render(InputStream stdin, String... args) {
    return RenderCommand.run(
        List.of(args),
        stdin,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private int render(String... args) {
    return render(InputStream.nullInputStream(), args);
  }

  @Test
  void everyExampleRenders() throws Exception {
    try (var files = Files.list(Stacks.examplesDir())) {
      List<Path> stacks =
          files.filter(p -> p.getFileName().toString().startsWith("ttstack")).toList();
      assertThat(stacks).hasSizeGreaterThanOrEqualTo(2);
      for (Path p : stacks) {
        out.reset();
        err.reset();
        assertThat(render("-f", p.toString())).as(p + ": " + err).isEqualTo(RenderCommand.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("# TTStack ");
      }
    }
  }

  @Test
  void invalidStackExitsTwoNamingEveryField(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        apiVersion: ttstack.dev/v1alpha1
        kind: TTStack
        metadata:
          name: tt
        spec:
          secrets:
            secretRef:
              name: tt-secrets
          app:
            image: ghcr.io/tt-org/tt-backend
            version: "1.0"
          redis:
            masters: 2
          postgres:
            backup:
              schedule: "every night"
        """);

    assertThat(render("-f", bad.toString())).isEqualTo(RenderCommand.INVALID);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("spec.redis.masters", "spec.postgres.backup.schedule");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void readsStdin() {
    String yaml =
        """
        apiVersion: ttstack.dev/v1alpha1
        kind: TTStack
        metadata: {name: tt}
        spec:
          secrets: {secretRef: {name: tt-secrets}}
          app: {image: ghcr.io/tt-org/tt-backend, version: "1.0"}
        """;
    assertThat(render(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "-f", "-"))
        .as(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(RenderCommand.OK);
  }

  @Test
  void otherKindsMissingFilesAndBadArgumentsExitTwo(@TempDir Path dir) throws Exception {
    Path configMap = dir.resolve("cm.yaml");
    Files.writeString(configMap, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");

    assertThat(render("-f", configMap.toString())).isEqualTo(RenderCommand.INVALID);
    assertThat(render("-f", dir.resolve("missing.yaml").toString()))
        .isEqualTo(RenderCommand.INVALID);
    assertThat(render()).isEqualTo(RenderCommand.INVALID);
    assertThat(render("--bogus")).isEqualTo(RenderCommand.INVALID);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("expected apiVersion ttstack.dev/v1alpha1", "no such file", "missing -f");
  }
}
