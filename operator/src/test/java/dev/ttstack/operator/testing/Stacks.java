package dev.ttstack.operator.testing;

import dev.ttstack.operator.api.AppSpec;
import dev.ttstack.operator.api.DopplerSpec;
import dev.ttstack.operator.api.SecretKeyReference;
import dev.ttstack.operator.api.SecretsSpec;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test fixtures: valid TTStacks to start from. */
public final class Stacks {
  private Stacks() {}

  /** The smallest valid stack: Doppler secrets and an app image; everything else defaulted. */
  public static TTStack minimal(String name) {
    TTStack stack = new TTStack();
    stack.setMetadata(new ObjectMetaBuilder().withName(name).build());
    TTStackSpec spec = new TTStackSpec();
    spec.secrets = new SecretsSpec();
    spec.secrets.doppler = new DopplerSpec();
    spec.secrets.doppler.project = "tt-backend";
    spec.secrets.doppler.config = "prd";
    spec.secrets.doppler.tokenSecretRef = new SecretKeyReference("doppler-token", "serviceToken");
    spec.app = new AppSpec();
    spec.app.image = "ghcr.io/tt-org/tt-backend";
    spec.app.version = "1.0.0";
    stack.setSpec(spec);
    return stack;
  }

  /** A manifest from the repository's examples/ folder (tests run in operator/). */
  public static TTStack example(String file) {
    try {
      return Serialization.unmarshal(Files.readString(examplesDir().resolve(file)), TTStack.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path examplesDir() {
    return Path.of("..", "examples");
  }
}
