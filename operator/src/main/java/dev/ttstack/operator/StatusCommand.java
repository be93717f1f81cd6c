package dev.ttstack.operator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ttstack.operator.api.AppStatus;
import dev.ttstack.operator.api.BackupStatus;
import dev.ttstack.operator.api.Condition;
import dev.ttstack.operator.api.MonitoringStatus;
import dev.ttstack.operator.api.PostgresStatus;
import dev.ttstack.operator.api.RedisNodeStatus;
import dev.ttstack.operator.api.RedisStatus;
import dev.ttstack.operator.api.SecretsStatus;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.api.TTStackStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code status [NAME] [-n NAMESPACE] [--output text|json] [--timeout SECONDS]}: one screen on a
 * stack, as {@code kubectl cnpg status} gives one on a CloudNativePG cluster — a first line that
 * says in words what, if anything, keeps it from Ready; every condition with its reason and age;
 * the app's version, last good and failed version; PostgreSQL's image and last backup; the Redis
 * topology per pod; the last secret sync and content hash (never a value); monitoring; the 10 most
 * recent Events. It only reads (a get of the TTStack, a list of its Events) and answers within its
 * bound (default 10 s) even when the API server does not: every request has that timeout, no retry,
 * and the whole command gives up at the bound (cnpg#6298 is the failure this avoids). Exit codes: 0
 * shown, 1 not found or no answer, 2 usage.
 */
public final class StatusCommand {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  static final int RECENT_EVENTS = 10;
  public static final String USER_AGENT = "ttstack-status";
  private static final String USAGE_LINE =
      "usage: status [NAME] [-n NAMESPACE] [--output text|json] [--timeout SECONDS]"
          + " [--kubeconfig FILE] [--context NAME]";

  /** Where the connection comes from: a kubeconfig file (or null) and a context (or null). */
  @FunctionalInterface
  public interface Connections {
    Config config(String kubeconfig, String context);
  }

  /**
   * kubectl's rules: {@code --kubeconfig} if given, else {@code KUBECONFIG} or ~/.kube/config, else
   * the pod's ServiceAccount; {@code --context} picks a context of that file.
   */
  public static Config kubeconfig(String kubeconfig, String context) {
    return kubeconfig == null
        ? Config.autoConfigure(context)
        : Config.fromKubeconfig(context, new java.io.File(kubeconfig));
  }

  /** What one status needs: the stack and its Events (empty when they could not be read). */
  record Report(TTStack stack, List<Event> events, Optional<String> eventsError) {}

  private StatusCommand() {}

  public static int run(
      List<String> args, Connections connections, Clock clock, PrintStream out, PrintStream err) {
    String name = null;
    String namespace = null;
    String kubeconfig = null;
    String context = null;
    String output = "text";
    Duration bound = Duration.ofSeconds(10);
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      boolean hasValue = i + 1 < args.size();
      if ((a.equals("-n") || a.equals("--namespace")) && hasValue) {
        namespace = args.get(++i);
      } else if (a.equals("--kubeconfig") && hasValue) {
        kubeconfig = args.get(++i);
      } else if (a.equals("--context") && hasValue) {
        context = args.get(++i);
      } else if ((a.equals("-o") || a.equals("--output")) && hasValue) {
        output = args.get(++i);
      } else if (a.equals("--timeout") && hasValue) {
        try {
          bound = Duration.ofSeconds(Long.parseLong(args.get(++i)));
        } catch (NumberFormatException e) {
          err.println(
              "error: --timeout takes whole seconds, got '" + args.get(i) + "'\n" + USAGE_LINE);
          return USAGE;
        }
      } else if (!a.startsWith("-") && name == null) {
        name = a;
      } else {
        err.println("error: unexpected argument '" + a + "'\n" + USAGE_LINE);
        return USAGE;
      }
    }
    if (!output.equals("text") && !output.equals("json")) {
      err.println("error: --output is text or json, got '" + output + "'\n" + USAGE_LINE);
      return USAGE;
    }
    if (bound.isZero() || bound.isNegative()) {
      err.println("error: --timeout must be at least 1 second\n" + USAGE_LINE);
      return USAGE;
    }
    int millis = (int) Math.min(Integer.MAX_VALUE, bound.toMillis());
    Config base;
    try {
      base = connections.config(kubeconfig, context);
    } catch (RuntimeException e) {
      err.println("error: no connection to a cluster: " + firstLine(e));
      return FAILED;
    }
    Config config =
        new ConfigBuilder(base)
            .withConnectionTimeout(millis)
            .withRequestTimeout(millis)
            .withRequestRetryBackoffLimit(0)
            // Named in the API server's audit log and access logs: whoever reads them sees that
            // these requests were a status, not the operator.
            .withUserAgent(USER_AGENT)
            .build();
    String ns =
        namespace != null
            ? namespace
            : Optional.ofNullable(config.getNamespace()).orElse("default");
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    String wanted = name;
    CompletableFuture<Object> answer =
        CompletableFuture.supplyAsync(() -> gather(client, ns, wanted));
    try {
      Object found = answer.get(bound.toMillis(), TimeUnit.MILLISECONDS);
      if (found instanceof String problem) {
        err.println("error: " + problem);
        return FAILED;
      }
      Report report = (Report) found;
      out.print(output.equals("json") ? json(report, clock) : text(report, clock));
      return OK;
    } catch (TimeoutException e) {
      err.println(
          "error: no answer from the API server ("
              + config.getMasterUrl()
              + ") within "
              + bound.toSeconds()
              + " s; nothing was changed");
      return FAILED;
    } catch (ExecutionException e) {
      err.println("error: " + firstLine(e.getCause()));
      return FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return FAILED;
    } finally {
      answer.cancel(true);
      client.close();
    }
  }

  /** The report, or a sentence saying why there is none. */
  static Object gather(KubernetesClient client, String ns, String name) {
    TTStack stack;
    if (name == null) {
      List<TTStack> all = client.resources(TTStack.class).inNamespace(ns).list().getItems();
      if (all.isEmpty()) {
        return "no TTStack in namespace " + ns;
      }
      if (all.size() > 1) {
        StringBuilder b = new StringBuilder("several TTStacks in namespace " + ns + ", name one:");
        all.forEach(s -> b.append(' ').append(s.getMetadata().getName()));
        return b.toString();
      }
      stack = all.get(0);
    } else {
      stack = client.resources(TTStack.class).inNamespace(ns).withName(name).get();
      if (stack == null) {
        return "TTStack " + ns + "/" + name + " not found";
      }
    }
    List<Event> events = List.of();
    Optional<String> eventsError = Optional.empty();
    try {
      // The namespace's Events, the stack's picked here: a field selector on involvedObject is not
      // answered alike by every API server (fabric8's mock, which the demo runs, ignores it).
      String stackName = stack.getMetadata().getName();
      events =
          client.v1().events().inNamespace(ns).list().getItems().stream()
              .filter(
                  e ->
                      "TTStack".equals(e.getInvolvedObject().getKind())
                          && stackName.equals(e.getInvolvedObject().getName()))
              .sorted(Comparator.comparing(StatusCommand::eventTime).reversed())
              .limit(RECENT_EVENTS)
              .toList();
    } catch (RuntimeException e) {
      eventsError = Optional.of(firstLine(e));
    }
    return new Report(stack, events, eventsError);
  }

  /** In words: what, if anything, keeps the stack from Ready. */
  static String headline(TTStack stack) {
    TTStackStatus s = stack.getStatus();
    long generation = Optional.ofNullable(stack.getMetadata().getGeneration()).orElse(0L);
    if (s == null || (s.observedGeneration == null && s.conditions.isEmpty())) {
      return "Not observed yet: the operator has not reconciled this stack (is it running, and"
          + " watching namespace "
          + stack.getMetadata().getNamespace()
          + "?)";
    }
    if (s.observedGeneration == null || s.observedGeneration < generation) {
      return "Waiting: generation "
          + generation
          + " is not observed yet (the status below is of "
          + "generation "
          + s.observedGeneration
          + ")";
    }
    Condition ready = s.condition("Ready");
    if (ready == null) {
      return "Waiting: no Ready condition yet";
    }
    if (ready.isTrue()) {
      return "Ready: " + ready.message;
    }
    if ("InvalidSpec".equals(ready.reason) || "ReconcileError".equals(ready.reason)) {
      return "Not ready (" + ready.reason + "): " + ready.message;
    }
    List<String> blocking = new ArrayList<>();
    for (Condition c : s.conditions) {
      if (!c.type.equals("Ready") && !c.isTrue()) {
        blocking.add(c.type + " (" + c.reason + "): " + c.message);
      }
    }
    return blocking.isEmpty()
        ? "Not ready (" + ready.reason + "): " + ready.message
        : "Not ready: " + String.join("; ", blocking);
  }

  static String text(Report report, Clock clock) {
    TTStack stack = report.stack();
    TTStackStatus s = stack.getStatus();
    StringBuilder b = new StringBuilder();
    b.append("TTStack ")
        .append(stack.getMetadata().getNamespace())
        .append('/')
        .append(stack.getMetadata().getName())
        .append('\n')
        .append(headline(stack))
        .append("\n\n");
    b.append("Generation ").append(stack.getMetadata().getGeneration());
    if (s != null) {
      b.append(", observed ").append(s.observedGeneration);
      if (s.lastValidGeneration != null) {
        b.append(", last valid ").append(s.lastValidGeneration);
      }
    }
    b.append('\n');
    if (s == null) {
      return b.toString();
    }
    b.append("\nConditions\n");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"TYPE", "STATUS", "REASON", "AGE", "MESSAGE"});
    for (Condition c : s.conditions) {
      rows.add(
          new String[] {c.type, c.status, c.reason, age(c.lastTransitionTime, clock), c.message});
    }
    table(b, rows);

    AppStatus app = s.app;
    if (app != null) {
      b.append("\nApp         ")
          .append(value(app.state))
          .append(": version ")
          .append(value(app.version))
          .append(", ")
          .append(value(app.readyReplicas))
          .append(" ready; last good ")
          .append(value(app.lastGoodVersion));
      if (app.failedVersion != null) {
        b.append("; failed ")
            .append(app.failedVersion)
            .append(" (")
            .append(value(app.failureReason))
            .append(')');
      }
      if (app.lastRollbackTime != null) {
        b.append("; rolled back ").append(age(app.lastRollbackTime, clock)).append(" ago");
      }
      b.append('\n');
    }
    PostgresStatus pg = s.postgres;
    if (pg != null) {
      b.append("PostgreSQL  ")
          .append(value(pg.image))
          .append(" (major ")
          .append(value(pg.majorVersion))
          .append(")");
      b.append("; last backup ").append(backup(pg.lastBackup, clock));
      if (pg.lastFailedBackup != null) {
        b.append("; last failed ").append(backup(pg.lastFailedBackup, clock));
      }
      b.append('\n');
    }
    RedisStatus redis = s.redis;
    if (redis != null) {
      b.append("Redis       cluster ")
          .append(value(redis.clusterState))
          .append(", slots ok ")
          .append(value(redis.slotsOk))
          .append('/')
          .append(value(redis.slotsAssigned))
          .append(", ")
          .append(value(redis.masters))
          .append(" masters, ")
          .append(value(redis.replicas))
          .append(" replicas");
      if (redis.lastHealAction != null) {
        b.append("; last heal ")
            .append(redis.lastHealAction)
            .append(' ')
            .append(age(redis.lastHealTime, clock))
            .append(" ago");
      }
      b.append('\n');
      if (!redis.nodes.isEmpty()) {
        List<String[]> nodes = new ArrayList<>();
        nodes.add(new String[] {"POD", "ROLE", "MASTER", "SLOTS", "LINK"});
        for (RedisNodeStatus n : redis.nodes) {
          nodes.add(
              new String[] {
                n.pod,
                n.role,
                value(n.master),
                value(n.slots),
                // A replica's link to its master; a master has none (the field is unset).
                n.linkUp == null ? "-" : n.linkUp ? "up" : "down"
              });
        }
        table(b, nodes);
      }
    }
    SecretsStatus secrets = s.secrets;
    if (secrets != null) {
      b.append("Secrets     ")
          .append(value(secrets.source))
          .append(" -> Secret ")
          .append(value(secrets.secretName))
          .append(", ")
          .append(value(secrets.keyCount))
          .append(" keys, synced ")
          .append(age(secrets.lastSyncTime, clock))
          .append(" ago, content ")
          .append(value(secrets.contentHash))
          .append('\n');
    }
    MonitoringStatus mon = s.monitoring;
    if (mon != null) {
      b.append("Monitoring  prometheus ")
          .append(yesNo(mon.prometheus))
          .append(", alertmanager ")
          .append(yesNo(mon.alertmanager))
          .append(" (Slack receiver ")
          .append(yesNo(mon.slackReceiver))
          .append("), grafana ")
          .append(yesNo(mon.grafana))
          .append('\n');
    }
    b.append("\nEvents (the ").append(RECENT_EVENTS).append(" most recent)\n");
    if (report.eventsError().isPresent()) {
      b.append("  unavailable: ").append(report.eventsError().get()).append('\n');
    } else if (report.events().isEmpty()) {
      b.append("  none\n");
    } else {
      List<String[]> rows2 = new ArrayList<>();
      rows2.add(new String[] {"AGE", "TYPE", "REASON", "MESSAGE"});
      for (Event e : report.events()) {
        rows2.add(
            new String[] {
              age(eventTime(e).toString(), clock), e.getType(), e.getReason(), e.getMessage()
            });
      }
      table(b, rows2);
    }
    return b.toString();
  }

  static String json(Report report, Clock clock) {
    TTStack stack = report.stack();
    ObjectNode root = Serialization.jsonMapper().createObjectNode();
    root.put("name", stack.getMetadata().getName());
    root.put("namespace", stack.getMetadata().getNamespace());
    root.put("generation", stack.getMetadata().getGeneration());
    TTStackStatus s = stack.getStatus();
    Condition ready = s == null ? null : s.condition("Ready");
    root.put("ready", ready != null && ready.isTrue() && !headline(stack).startsWith("Waiting"));
    root.put("headline", headline(stack));
    if (s != null) {
      ObjectNode status = Serialization.jsonMapper().valueToTree(s);
      status.remove("lastValidSpec"); // the whole spec again: not status, and long
      for (var c : status.withArray("conditions")) {
        ((ObjectNode) c).put("age", age(c.path("lastTransitionTime").asText(null), clock));
      }
      root.set("status", status);
    }
    ArrayNode events = root.putArray("events");
    for (Event e : report.events()) {
      ObjectNode n = events.addObject();
      n.put("time", eventTime(e).toString());
      n.put("type", e.getType());
      n.put("reason", e.getReason());
      n.put("message", e.getMessage());
    }
    report.eventsError().ifPresent(e -> root.put("eventsError", e));
    try {
      return Serialization.jsonMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root)
          + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String backup(BackupStatus backup, Clock clock) {
    if (backup == null) {
      return "none yet";
    }
    return age(backup.time, clock)
        + " ago, "
        + (backup.sizeBytes == null ? "size unknown" : size(backup.sizeBytes))
        + ", "
        + value(backup.file)
        + " (job "
        + value(backup.job)
        + ")";
  }

  private static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double kib = bytes / 1024.0;
    return kib < 1024
        ? String.format(Locale.ROOT, "%.1f KiB", kib)
        : String.format(Locale.ROOT, "%.1f MiB", kib / 1024);
  }

  private static Instant eventTime(Event e) {
    for (String t :
        new String[] {
          e.getLastTimestamp(),
          e.getEventTime() == null ? null : e.getEventTime().getTime(),
          e.getFirstTimestamp(),
          e.getMetadata().getCreationTimestamp()
        }) {
      if (t != null) {
        try {
          return Instant.parse(t);
        } catch (DateTimeParseException ignored) {
          // the next one
        }
      }
    }
    return Instant.EPOCH;
  }

  /** kubectl's ages: 45s, 12m, 3h, 2d. */
  static String age(String time, Clock clock) {
    if (time == null) {
      return "-";
    }
    Duration d;
    try {
      d = Duration.between(Instant.parse(time), clock.instant());
    } catch (DateTimeParseException e) {
      return "-";
    }
    long sec = Math.max(0, d.toSeconds());
    if (sec < 120) {
      return sec + "s";
    }
    if (sec < 2 * 3600) {
      return sec / 60 + "m";
    }
    if (sec < 2 * 86400) {
      return sec / 3600 + "h";
    }
    return sec / 86400 + "d";
  }

  private static void table(StringBuilder b, List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns - 1; i++) {
        width[i] = Math.max(width[i], value(r[i]).length());
      }
    }
    for (String[] r : rows) {
      b.append("  ");
      for (int i = 0; i < columns; i++) {
        String v = value(r[i]);
        b.append(i < columns - 1 ? v + " ".repeat(width[i] - v.length() + 2) : v);
      }
      b.append('\n');
    }
  }

  private static String value(Object v) {
    return v == null ? "-" : v.toString();
  }

  private static String yesNo(Boolean b) {
    return b == null ? "-" : b ? "yes" : "no";
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
