package dev.ttstack.operator.secrets;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.DopplerSpec;
import dev.ttstack.operator.api.LocalSecretReference;
import dev.ttstack.operator.api.SecretsStatus;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import dev.ttstack.operator.kit.Secondaries;
import dev.ttstack.operator.kit.SecretContent;
import dev.ttstack.operator.kit.SecretKeys;
import dev.ttstack.operator.kit.SecretsOutcome;
import dev.ttstack.operator.kit.StackComponent;
import dev.ttstack.operator.kit.StackInformers;
import dev.ttstack.operator.kit.StackWorkflow;
import dev.ttstack.operator.secrets.DopplerResponse.Failed;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Secrets: syncs the Doppler config into the managed Secret {@code <stack>-secrets} (or reads
 * {@code spec.secrets.secretRef}), checks that the keys the enabled components need are there, and
 * reports {@code SecretsSynced}. On any failure the last good content stays in place.
 */
public class SecretsComponent implements StackComponent {
  static final String SYNCED = "Synced";
  static final String SECRET_AVAILABLE = "SecretAvailable";
  static final String MISSING_KEYS = "MissingKeys";
  static final String TOKEN_NOT_FOUND = "TokenNotFound";
  static final String SECRET_NOT_FOUND = "SecretNotFound";

  private final DopplerSyncCache doppler;
  private final Clock clock;

  public SecretsComponent(DopplerSyncCache doppler, Clock clock) {
    this.doppler = doppler;
    this.clock = clock;
  }

  @Override
  public String conditionType() {
    return ConditionType.SECRETS_SYNCED;
  }

  /** The managed Secret first; then the gate the app waits on. */
  @Override
  public void register(StackWorkflow workflow) {
    workflow
        .add("managed-secret", ManagedSecretDependent.class)
        .informer(StackInformers.SECRETS)
        .reconcileWhen(new ManagedSecretPrecondition())
        .notRendered("it holds the secret values, which render never prints");
    workflow
        .add(StackWorkflow.SECRETS_SYNCED, SecretsSyncedGate.class)
        .readyWhen(new SecretsSyncedGate.Synced());
  }

  @Override
  public void prepare(TTStack stack, Context<TTStack> context) {
    // Straight from the caches by name: a Secret created before the TTStack was never mapped to
    // it, so the secondary-resource index would not know it.
    ReferencedSecrets.watch(stack, context);
    String ns = stack.getMetadata().getNamespace();
    Map<String, Secret> secrets = new java.util.HashMap<>();
    for (String name : secretNames(stack)) {
      Secondaries.get(context, Secret.class, name, ns).ifPresent(s -> secrets.put(name, s));
    }
    SecretsOutcome outcome =
        stack.getSpec().secrets.doppler != null
            ? syncDoppler(stack, stack.getSpec().secrets.doppler, secrets)
            : readSecretRef(stack, stack.getSpec().secrets.secretRef, secrets);
    context.managedWorkflowAndDependentResourceContext().put(SecretsOutcome.KEY, outcome);
  }

  /** The Secrets this step reads: the managed one and the referenced one. */
  private static List<String> secretNames(TTStack stack) {
    var secrets = stack.getSpec().secrets;
    return secrets.doppler != null
        ? List.of(ManagedSecret.name(stack), secrets.doppler.tokenSecretRef.name)
        : List.of(ManagedSecret.name(stack), secrets.secretRef.name);
  }

  @Override
  public Condition observe(TTStack stack, Context<TTStack> context, TTStackStatus next) {
    SecretsOutcome outcome = SecretsOutcome.of(context).orElseThrow();
    SecretsStatus status = new SecretsStatus();
    status.source = outcome.source();
    status.secretName = outcome.secretName();
    status.lastSyncTime = outcome.syncedAt();
    if (outcome.content() != null) {
      status.contentHash = outcome.content().hash();
      status.keyCount = outcome.content().size();
    }
    next.secrets = status;
    return outcome.condition();
  }

  @Override
  public Optional<Duration> recheckAfter(TTStack stack, Context<TTStack> context) {
    return SecretsOutcome.of(context).map(SecretsOutcome::resyncAfter);
  }

  private SecretsOutcome syncDoppler(TTStack stack, DopplerSpec spec, Map<String, Secret> secrets) {
    Instant now = clock.instant();
    String managedName = ManagedSecret.name(stack);
    Secret existing = secrets.get(managedName);
    SecretContent existingContent =
        existing == null
            ? null
            : SecretContent.fromSecretData(existing.getData(), existing.getStringData());
    String existingSyncedAt =
        existing == null ? null : annotation(existing, ManagedSecret.SYNCED_AT);
    String source = ManagedSecret.source(spec.host, spec.project, spec.config);
    Duration resync = Duration.ofSeconds(spec.resyncSeconds);
    String where = "Doppler " + spec.project + "/" + spec.config;

    Optional<String> token = token(secrets.get(spec.tokenSecretRef.name), spec.tokenSecretRef.key);
    if (token.isEmpty()) {
      String why =
          secrets.containsKey(spec.tokenSecretRef.name)
              ? "Secret "
                  + spec.tokenSecretRef.name
                  + " has no non-empty key "
                  + spec.tokenSecretRef.key
              : "Secret "
                  + spec.tokenSecretRef.name
                  + " (spec.secrets.doppler.tokenSecretRef) not found";
      return new SecretsOutcome(
          SecretsOutcome.DOPPLER,
          managedName,
          existingContent,
          null,
          failed(TOKEN_NOT_FOUND, why + keeping(existingContent)),
          existingSyncedAt,
          resync);
    }

    DopplerSyncCache.Seed seed =
        existing != null && source.equals(annotation(existing, ManagedSecret.SOURCE))
            ? new DopplerSyncCache.Seed(
                existingContent.asMap(), annotation(existing, ManagedSecret.ETAG))
            : null;
    DopplerSyncCache.Result result =
        doppler.sync(spec.host, token.get(), spec.project, spec.config, resync, seed);
    Duration recheck =
        result.nextSyncAt() == null
            ? resync
            : maxOf(Duration.between(now, result.nextSyncAt()), Duration.ofSeconds(1));

    if (result.content() == null) {
      Failed f = result.failure();
      return new SecretsOutcome(
          SecretsOutcome.DOPPLER,
          managedName,
          existingContent,
          null,
          failed(f.kind().reason(), where + ": " + f.message() + keeping(existingContent)),
          existingSyncedAt,
          recheck);
    }
    SecretContent fresh = SecretContent.fromDoppler(result.content());
    List<String> missing =
        SecretKeys.required(stack.getSpec()).stream()
            .filter(k -> !fresh.keys().contains(k))
            .toList();
    if (!missing.isEmpty()) {
      return new SecretsOutcome(
          SecretsOutcome.DOPPLER,
          managedName,
          existingContent,
          null,
          failed(
              MISSING_KEYS,
              where
                  + " lacks required keys: "
                  + String.join(", ", missing)
                  + keeping(existingContent)),
          existingSyncedAt,
          recheck);
    }
    boolean changed =
        existing == null
            || !fresh.equals(existingContent)
            || !source.equals(annotation(existing, ManagedSecret.SOURCE))
            || !java.util.Objects.equals(result.etag(), annotation(existing, ManagedSecret.ETAG));
    String syncedAt =
        changed || existingSyncedAt == null
            ? now.truncatedTo(ChronoUnit.SECONDS).toString()
            : existingSyncedAt;
    Secret toWrite =
        changed ? ManagedSecret.build(stack, fresh, result.etag(), syncedAt, source) : null;
    Condition condition =
        result.failure() == null
            ? new Condition(
                conditionType(), Condition.TRUE, SYNCED, fresh.size() + " keys from " + where)
            : failed(
                result.failure().kind().reason(),
                where + ": " + result.failure().message() + keeping(fresh));
    return new SecretsOutcome(
        SecretsOutcome.DOPPLER, managedName, fresh, toWrite, condition, syncedAt, recheck);
  }

  private SecretsOutcome readSecretRef(
      TTStack stack, LocalSecretReference ref, Map<String, Secret> secrets) {
    Secret secret = secrets.get(ref.name);
    if (secret == null) {
      return new SecretsOutcome(
          SecretsOutcome.SECRET_REF,
          ref.name,
          null,
          null,
          failed(
              SECRET_NOT_FOUND,
              "Secret "
                  + ref.name
                  + " (spec.secrets.secretRef) not found in namespace "
                  + stack.getMetadata().getNamespace()),
          null,
          null);
    }
    SecretContent content = SecretContent.fromSecretData(secret.getData(), secret.getStringData());
    List<String> missing =
        SecretKeys.required(stack.getSpec()).stream()
            .filter(k -> !content.keys().contains(k))
            .toList();
    Condition condition =
        missing.isEmpty()
            ? new Condition(
                conditionType(),
                Condition.TRUE,
                SECRET_AVAILABLE,
                content.size() + " keys in Secret " + ref.name)
            : failed(
                MISSING_KEYS,
                "Secret " + ref.name + " lacks required keys: " + String.join(", ", missing));
    return new SecretsOutcome(
        SecretsOutcome.SECRET_REF,
        ref.name,
        missing.isEmpty() ? content : null,
        null,
        condition,
        null,
        null);
  }

  private Condition failed(String reason, String message) {
    return new Condition(conditionType(), Condition.FALSE, reason, message);
  }

  private static String keeping(SecretContent content) {
    return content == null
        ? "; nothing synced yet"
        : "; keeping the last good content (" + content.size() + " keys)";
  }

  private static Optional<String> token(Secret secret, String key) {
    if (secret == null) {
      return Optional.empty();
    }
    String value = null;
    if (secret.getData() != null && secret.getData().get(key) != null) {
      value =
          new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    } else if (secret.getStringData() != null) {
      value = secret.getStringData().get(key);
    }
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  private static String annotation(Secret secret, String name) {
    return secret.getMetadata().getAnnotations() == null
        ? null
        : secret.getMetadata().getAnnotations().get(name);
  }

  private static Duration maxOf(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
