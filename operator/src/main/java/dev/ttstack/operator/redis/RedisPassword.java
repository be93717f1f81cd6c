package dev.ttstack.operator.redis;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.EventRecorder;
import dev.ttstack.operator.kit.Secondaries;
import dev.ttstack.operator.kit.SecretKeys;
import dev.ttstack.operator.kit.SecretsOutcome;
import dev.ttstack.operator.kit.StackLabels;
import dev.ttstack.operator.redis.cluster.NodeAddressResolver;
import dev.ttstack.operator.redis.cluster.PasswordRotation;
import dev.ttstack.operator.redis.cluster.RedisCredentials;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The password the Redis Cluster runs with: the operator's record of it ({@code
 * <stack>-redis-auth}, applied by {@link RedisDependents.Auth}) and its live rotation when the
 * stack's REDIS_PASSWORD changes (FACTS.md order): every node first accepts both (ACL SETUSER +
 * masterauth), the app then rolls to the new value, and only when its rollout is complete is the
 * old one dropped. No node restarts for it; the passwords are never logged.
 */
final class RedisPassword {
  static final String AUTH_CURRENT = "current";
  static final String AUTH_PREVIOUS = "previous";
  private static final Logger LOG = LoggerFactory.getLogger(RedisPassword.class);

  private final Function<List<Pod>, NodeAddressResolver> resolverFactory;
  private final EventRecorder events;

  RedisPassword(Function<List<Pod>, NodeAddressResolver> resolverFactory, EventRecorder events) {
    this.resolverFactory = resolverFactory;
    this.events = events;
  }

  /** Whether the record about to be applied still accepts the old password too (mid-rotation). */
  static boolean rotating(RedisPlan plan) {
    return plan.auth() != null
        && plan.auth().getData() != null
        && plan.auth().getData().containsKey(AUTH_PREVIOUS);
  }

  /**
   * The passwords to reach the nodes with: the record's (this reconcile's, when the workflow
   * applies a new one), else the Secret's.
   */
  static RedisCredentials credentials(
      TTStack stack, Context<TTStack> context, SecretsOutcome secrets) {
    Optional<Secret> auth = authSecretOf(stack, context);
    Secret written = RedisPlan.of(context).map(RedisPlan::auth).orElse(null);
    if (written != null) {
      auth = Optional.of(written); // applied by RedisDependents.Auth in this reconcile
    }
    String current = auth.map(a -> value(a, AUTH_CURRENT)).orElse(password(secrets));
    String previous = auth.map(a -> value(a, AUTH_PREVIOUS)).orElse(null);
    return new RedisCredentials(current, previous);
  }

  /**
   * Whether the cluster accepts the Secret's password, and the auth Secret to apply for it (null:
   * keep it as it is). The Secret is written by the workflow ({@link RedisDependents.Auth}), after
   * the nodes have accepted what it says.
   */
  record Rotation(boolean settled, Secret auth) {}

  /** One step of the rotation, for the stack as the Redis objects are built ({@code shaped}). */
  Rotation rotate(TTStack stack, TTStack shaped, Context<TTStack> context) {
    SecretsOutcome secrets = SecretsOutcome.of(context).orElseThrow();
    String wanted = password(secrets);
    if (wanted == null) {
      return new Rotation(false, null);
    }
    Optional<Secret> auth = authSecretOf(stack, context);
    if (auth.isEmpty()) {
      // first start: the nodes will start with this password
      return new Rotation(true, RedisObjects.authSecret(stack, wanted, null));
    }
    String current = value(auth.get(), AUTH_CURRENT);
    String previous = value(auth.get(), AUTH_PREVIOUS);
    List<String> pods =
        RedisObjects.podNames(stack.getMetadata().getName(), shaped.getSpec().redis);
    if (!wanted.equals(current)) {
      List<Pod> running =
          context.getSecondaryResources(Pod.class).stream()
              .filter(p -> pods.contains(p.getMetadata().getName()))
              .toList();
      if (running.isEmpty()) {
        // nothing runs: the next pods simply start with it
        return new Rotation(true, RedisObjects.authSecret(stack, wanted, null));
      }
      PasswordRotation.Result added =
          new PasswordRotation(pods, resolverFactory.apply(running))
              .addNewPassword(current, wanted);
      if (!added.complete()) {
        LOG.warn(
            "redis {}/{}: new password not yet accepted by {}",
            stack.getMetadata().getNamespace(),
            stack.getMetadata().getName(),
            added.failed());
        return new Rotation(false, null);
      }
      events.record(
          context.getClient(),
          stack,
          EventRecorder.NORMAL,
          "RedisPasswordAdded",
          "every Redis node accepts the new REDIS_PASSWORD as well as the old one; the app rolls next");
      return new Rotation(true, RedisObjects.authSecret(stack, wanted, current));
    }
    if (previous != null && appRolledOut(stack, context)) {
      List<Pod> running =
          context.getSecondaryResources(Pod.class).stream()
              .filter(p -> pods.contains(p.getMetadata().getName()))
              .toList();
      PasswordRotation.Result dropped =
          new PasswordRotation(pods, resolverFactory.apply(running)).dropOldPassword(wanted);
      if (dropped.complete()) {
        events.record(
            context.getClient(),
            stack,
            EventRecorder.NORMAL,
            "RedisPasswordRotated",
            "the old REDIS_PASSWORD is no longer accepted by any Redis node");
        return new Rotation(true, RedisObjects.authSecret(stack, wanted, null));
      }
    }
    return new Rotation(true, null);
  }

  /**
   * The app no longer runs pods with the old password: no Deployment, or its rollout is complete.
   */
  private static boolean appRolledOut(TTStack stack, Context<TTStack> context) {
    Optional<Deployment> app =
        Secondaries.get(
            context,
            Deployment.class,
            StackLabels.objectName(stack, "app"),
            stack.getMetadata().getNamespace());
    if (app.isEmpty()) {
      return true;
    }
    var d = app.get();
    var s = d.getStatus();
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return s != null
        && java.util.Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
        && s.getUpdatedReplicas() != null
        && s.getUpdatedReplicas() == replicas
        && (s.getReplicas() == null || s.getReplicas() == replicas)
        && s.getAvailableReplicas() != null
        && s.getAvailableReplicas() == replicas;
  }

  private static String password(SecretsOutcome secrets) {
    return secrets.content() == null
        ? null
        : secrets.content().asMap().get(SecretKeys.REDIS_PASSWORD);
  }

  private static Optional<Secret> authSecretOf(TTStack stack, Context<TTStack> context) {
    return Secondaries.get(
        context, Secret.class, RedisObjects.authName(stack), stack.getMetadata().getNamespace());
  }

  private static String value(Secret secret, String key) {
    String v = secret.getData() == null ? null : secret.getData().get(key);
    return v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
  }
}
