package dev.ttstack.operator.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.ConditionType;
import dev.ttstack.operator.api.LocalSecretReference;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.demo.FakeDoppler;
import dev.ttstack.operator.demo.FakeDoppler.Fault;
import dev.ttstack.operator.testing.LogCapture;
import dev.ttstack.operator.testing.OperatorHarness;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The secrets component with the real operator, the in-process API server and the local Doppler.
 * Every test ends with the leak check: no secret value and no token in any log line (any level,
 * exceptions included), Event or TTStack.
 */
class SecretsSyncTest {
  static final String TOKEN = "dp.st.prd.KnownToken4f9e2b7c1d";
  static final String ROTATED_TOKEN = "dp.st.prd.RotatedToken88aa31c0";
  static final Map<String, String> VALUES =
      Map.of(
          "POSTGRES_USER", "tt_user_e1b2",
          "POSTGRES_PASSWORD", "pg-pass-7f3a9c0d",
          "POSTGRES_DB", "tt_db_c3d4",
          "REDIS_PASSWORD", "redis-pass-5e6f7a8b",
          "GRAFANA_PASSWORD", "grafana-pass-9c8d7e6f",
          "SLACK_WEBHOOK_URL", "https://hooks.slack.example/T000/B000/slackSecret42ab",
          "APP_API_KEY", "app-key-multi\nline-Ünïcødé-31337");
  static final Duration RESYNC_BOUND = Duration.ofSeconds(25); // resync 10 s + a reconcile

  @RegisterExtension final OperatorHarness k8s = new OperatorHarness();

  private FakeDoppler doppler;
  private LogCapture logs;
  private final List<String> knownSecrets = new ArrayList<>(List.of(TOKEN, ROTATED_TOKEN));

  @BeforeEach
  void start() throws Exception {
    logs = new LogCapture();
    doppler = new FakeDoppler();
    doppler.setConfig("tt-backend", "prd", VALUES);
    doppler.addToken(TOKEN, "tt-backend", "prd");
    doppler.addToken(ROTATED_TOKEN, "tt-backend", "prd");
    knownSecrets.addAll(VALUES.values());
    // Their base64 forms too: a Secret printed whole would show those.
    List.copyOf(knownSecrets)
        .forEach(
            v ->
                knownSecrets.add(
                    Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
  }

  @AfterEach
  void noSecretAnywhere() {
    try {
      List<String> places = new ArrayList<>(logs.lines());
      for (Event e : k8s.client().v1().events().inNamespace(k8s.namespace()).list().getItems()) {
        places.add("event " + e.getReason() + ": " + e.getMessage());
      }
      for (TTStack s :
          k8s.client().resources(TTStack.class).inNamespace(k8s.namespace()).list().getItems()) {
        places.add("ttstack " + Serialization.asJson(s));
      }
      assertThat(places).as("log lines, events and TTStacks captured").isNotEmpty();
      for (String secret : knownSecrets) {
        // No value may appear; assert on a boolean so a failure cannot print the secret itself.
        long hits = places.stream().filter(p -> p.contains(secret)).count();
        assertThat(hits)
            .as(
                "places holding secret #%d of %d",
                knownSecrets.indexOf(secret), knownSecrets.size())
            .isZero();
      }
    } finally {
      logs.close();
      doppler.close();
    }
  }

  private TTStack dopplerStack() {
    TTStack stack = Stacks.minimal("tt");
    stack.getSpec().secrets.doppler.host = doppler.url();
    stack.getSpec().secrets.doppler.resyncSeconds = 10;
    stack.getSpec().monitoring.alertmanager.slack = new dev.ttstack.operator.api.SlackSpec();
    stack.getSpec().monitoring.alertmanager.slack.channel = "#tt-alerts";
    return stack;
  }

  private void tokenSecret(String token) {
    k8s.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("doppler-token")
                .withNamespace(k8s.namespace())
                .endMetadata()
                .withData(
                    Map.of(
                        "serviceToken",
                        Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))))
                .build())
        .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
  }

  private void putSecret(String name, Map<String, String> values) {
    Map<String, String> data = new HashMap<>();
    values.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    k8s.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(k8s.namespace())
                .endMetadata()
                .withData(data)
                .build())
        .create();
  }

  private Secret managed() {
    return k8s.client().secrets().inNamespace(k8s.namespace()).withName("tt-secrets").get();
  }

  private static String value(Secret secret, String key) {
    String encoded = secret.getData().get(key);
    return encoded == null
        ? null
        : new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
  }

  private TTStack awaitSecrets(Predicate<Condition> condition) {
    return k8s.awaitStack(
        "tt",
        s ->
            s.getStatus() != null
                && s.getStatus().condition(ConditionType.SECRETS_SYNCED) != null
                && condition.test(s.getStatus().condition(ConditionType.SECRETS_SYNCED)));
  }

  private static Predicate<Condition> reason(String reason) {
    return c -> reason.equals(c.reason);
  }

  @Test
  void syncCreatesTheManagedSecretWithoutDopplersOwnKeys() {
    tokenSecret(TOKEN);
    TTStack created = k8s.create(dopplerStack());

    TTStack stack = awaitSecrets(Condition::isTrue);

    Secret secret = managed();
    assertThat(secret.getData().keySet()).containsExactlyInAnyOrderElementsOf(VALUES.keySet());
    assertThat(VALUES.keySet())
        .allSatisfy(k -> assertThat(value(secret, k).equals(VALUES.get(k))).as(k).isTrue());
    assertThat(secret.getMetadata().getAnnotations())
        .containsKeys(
            ManagedSecret.CONTENT_HASH,
            ManagedSecret.ETAG,
            ManagedSecret.SYNCED_AT,
            ManagedSecret.SOURCE);
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));
    assertThat(secret.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "ttstack-operator");
    assertThat(stack.getStatus().secrets.source).isEqualTo("doppler");
    assertThat(stack.getStatus().secrets.secretName).isEqualTo("tt-secrets");
    assertThat(stack.getStatus().secrets.keyCount).isEqualTo(VALUES.size());
    assertThat(stack.getStatus().secrets.contentHash)
        .isEqualTo(secret.getMetadata().getAnnotations().get(ManagedSecret.CONTENT_HASH));
    assertThat(stack.getStatus().secrets.lastSyncTime)
        .isEqualTo(secret.getMetadata().getAnnotations().get(ManagedSecret.SYNCED_AT));
    assertThat(stack.getStatus().condition(ConditionType.SECRETS_SYNCED).message)
        .isEqualTo("7 keys from Doppler tt-backend/prd");
    List<Event> events = k8s.client().v1().events().inNamespace(k8s.namespace()).list().getItems();
    assertThat(events).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Synced"));
  }

  @Test
  void changesAndDeletionsArriveWithinOneResyncAndOutagesKeepTheLastGoodContent() {
    tokenSecret(TOKEN);
    k8s.create(dopplerStack());
    awaitSecrets(Condition::isTrue);
    Map<String, String> changed = new HashMap<>(VALUES);
    changed.remove("APP_API_KEY");
    changed.put("POSTGRES_PASSWORD", "pg-pass-rotated-0b1c2d");
    knownSecrets.add("pg-pass-rotated-0b1c2d");
    doppler.setConfig("tt-backend", "prd", changed);

    await().atMost(RESYNC_BOUND).until(() -> !managed().getData().containsKey("APP_API_KEY"));
    assertThat(value(managed(), "POSTGRES_PASSWORD").equals("pg-pass-rotated-0b1c2d")).isTrue();
    String hashAfterChange =
        managed().getMetadata().getAnnotations().get(ManagedSecret.CONTENT_HASH);

    doppler.failAlways(Fault.status(503, "Doppler is under maintenance"));
    TTStack failing = awaitSecrets(reason("DopplerUnavailable"));

    assertThat(failing.getStatus().condition(ConditionType.SECRETS_SYNCED).message)
        .contains("Doppler is under maintenance", "keeping the last good content (6 keys)");
    assertThat(managed().getMetadata().getAnnotations().get(ManagedSecret.CONTENT_HASH))
        .isEqualTo(hashAfterChange);
    assertThat(value(managed(), "POSTGRES_PASSWORD").equals("pg-pass-rotated-0b1c2d")).isTrue();

    doppler.heal();
    awaitSecrets(Condition::isTrue);
  }

  @Test
  void wrongTokenIsUnauthorizedUntilTheTokenSecretIsRotated() {
    tokenSecret("dp.st.prd.NotAValidToken000");
    knownSecrets.add("dp.st.prd.NotAValidToken000");
    k8s.create(dopplerStack());

    TTStack unauthorized = awaitSecrets(reason("Unauthorized"));
    assertThat(unauthorized.getStatus().condition(ConditionType.SECRETS_SYNCED).message)
        .contains("Invalid Auth token", "nothing synced yet");
    assertThat(managed()).isNull();

    tokenSecret(ROTATED_TOKEN);

    // Sooner than the 10 s resync: the token Secret's change itself triggers the sync.
    await().atMost(Duration.ofSeconds(8)).until(() -> managed() != null);
    List<FakeDoppler.Request> requests = doppler.requests();
    assertThat(requests.get(requests.size() - 1).tokenSha256())
        .isEqualTo(dev.ttstack.operator.support.Hashes.sha256(ROTATED_TOKEN));
    awaitSecrets(Condition::isTrue);
  }

  @Test
  void missingRequiredKeysAreNamedAndNothingIsWritten() {
    Map<String, String> incomplete = new HashMap<>(VALUES);
    incomplete.remove("REDIS_PASSWORD");
    incomplete.remove("SLACK_WEBHOOK_URL");
    doppler.setConfig("tt-backend", "prd", incomplete);
    tokenSecret(TOKEN);
    k8s.create(dopplerStack());

    TTStack stack = awaitSecrets(reason("MissingKeys"));

    assertThat(stack.getStatus().condition(ConditionType.SECRETS_SYNCED).message)
        .contains("lacks required keys: REDIS_PASSWORD, SLACK_WEBHOOK_URL");
    assertThat(managed()).isNull();
    assertThat(stack.getStatus().condition(ConditionType.READY).message)
        .contains("SecretsSynced (MissingKeys)");
  }

  @Test
  void rateLimitIsReportedWithTheReason() {
    doppler.failNext(Fault.rateLimited(30));
    tokenSecret(TOKEN);
    k8s.create(dopplerStack());

    TTStack stack = awaitSecrets(reason("RateLimited"));

    assertThat(stack.getStatus().condition(ConditionType.SECRETS_SYNCED).message)
        .contains("exceeded the rate limit");
    assertThat(k8s.operator().registry().find("ttstack.secrets.rate.limited").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void unchangedResyncMakesNoApiWrite() {
    tokenSecret(TOKEN);
    k8s.create(dopplerStack());
    awaitSecrets(Condition::isTrue);
    await().atMost(OperatorHarness.TIMEOUT).until(() -> managed() != null);
    k8s.awaitIdle();
    int requestsBefore = doppler.requests().size();
    double reconcilesBefore = k8s.reconciliationsSucceeded();
    int mark = k8s.requestMark();

    await()
        .atMost(RESYNC_BOUND)
        .until(
            () ->
                doppler.requests().size() > requestsBefore
                    && k8s.reconciliationsSucceeded() > reconcilesBefore);

    assertThat(doppler.requests().get(doppler.requests().size() - 1).status()).isEqualTo(304);
    assertThat(k8s.writeListSince(mark)).as("API writes after an unchanged resync").isEmpty();
    assertThat(k8s.operator().registry().scrape())
        .contains(
            "ttstack_secrets_sync_total{result=\"not_modified\"}",
            "ttstack_secrets_sync_duration_seconds_count",
            "ttstack_secrets_last_success_timestamp_seconds");
  }

  @Test
  void secretRefIsReadAsItIsAndWatched() {
    TTStack stack = Stacks.minimal("tt");
    stack.getSpec().secrets.doppler = null;
    stack.getSpec().secrets.secretRef = new LocalSecretReference("tt-own-secrets");
    k8s.create(stack);

    TTStack waiting = awaitSecrets(reason("SecretNotFound"));
    assertThat(waiting.getStatus().condition(ConditionType.SECRETS_SYNCED).message)
        .contains("tt-own-secrets");

    putSecret("tt-own-secrets", VALUES);

    TTStack ready = awaitSecrets(Condition::isTrue);
    assertThat(ready.getStatus().condition(ConditionType.SECRETS_SYNCED).reason)
        .isEqualTo("SecretAvailable");
    assertThat(ready.getStatus().secrets.source).isEqualTo("secretRef");
    assertThat(ready.getStatus().secrets.keyCount).isEqualTo(VALUES.size());
    assertThat(managed()).isNull();
    assertThat(doppler.requests()).isEmpty();
  }
}
