package dev.ttstack.operator.secrets;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.SecretContent;
import dev.ttstack.operator.kit.StackEndpoints;
import dev.ttstack.operator.kit.StackLabels;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Map;

/** The managed Secret {@code <stack>-secrets} that holds the Doppler config. */
public final class ManagedSecret {
  public static final String COMPONENT = "secrets";
  public static final String CONTENT_HASH = "ttstack.dev/content-hash";
  public static final String ETAG = "ttstack.dev/doppler-etag";
  public static final String SYNCED_AT = "ttstack.dev/synced-at";
  public static final String SOURCE = "ttstack.dev/doppler-source";

  private ManagedSecret() {}

  public static String name(TTStack stack) {
    return StackEndpoints.managedSecret(stack);
  }

  /** {@code host/project/config}: which Doppler config the content came from. */
  public static String source(String host, String project, String config) {
    return host + "/" + project + "/" + config;
  }

  /**
   * The Secret for that content. Its data is replaced wholesale (a key deleted in Doppler
   * disappears); the annotations say what it is, never a value.
   */
  public static Secret build(
      TTStack stack, SecretContent content, String etag, String syncedAt, String source) {
    Map<String, String> annotations = new java.util.LinkedHashMap<>();
    annotations.put(CONTENT_HASH, content.hash());
    if (etag != null) {
      annotations.put(ETAG, etag);
    }
    annotations.put(SYNCED_AT, syncedAt);
    annotations.put(SOURCE, source);
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name(stack))
        .withNamespace(stack.getMetadata().getNamespace())
        .withLabels(StackLabels.of(stack, "tt-secrets", COMPONENT))
        .withAnnotations(annotations)
        .endMetadata()
        .withType("Opaque")
        .withData(content.asSecretData())
        .build();
  }
}
