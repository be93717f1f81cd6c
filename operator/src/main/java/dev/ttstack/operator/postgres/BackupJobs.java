package dev.ttstack.operator.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttstack.operator.api.BackupStatus;
import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.kit.BackupGate;
import dev.ttstack.operator.kit.StackLabels;
import dev.ttstack.operator.support.Hashes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Backup Jobs: the one-off Job that must succeed before an upgrade (its state; the workflow node
 * {@link PostgresDependents.PreChangeBackupJob} creates it), and what finished Jobs tell about the
 * last backup. A backup Job's container writes {@code {"file", "sizeBytes", "time"}} to its
 * termination message (backup.sh), so the operator learns the result from the Pod's status alone.
 */
public final class BackupJobs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BackupJobs() {}

  /**
   * The Job name of the backup before {@code target} (e.g. "app 1.5.0"): stable, so it is made
   * once.
   */
  public static String preChangeJobName(TTStack stack, String target) {
    return PostgresObjects.backupName(stack) + "-pre-" + Hashes.sha256(target).substring(0, 10);
  }

  /**
   * Where the backup before {@code target} stands, from the Jobs informer. No Job yet counts as
   * running: this reconcile's workflow creates it ({@link PostgresDependents.PreChangeBackupJob}).
   * A failed Job stays failed (and so blocks) until someone deletes it.
   */
  public static BackupGate gate(TTStack stack, Context<TTStack> context, String target) {
    String name = preChangeJobName(stack, target);
    Optional<Job> existing =
        context.getSecondaryResources(Job.class).stream()
            .filter(j -> name.equals(j.getMetadata().getName()))
            .findFirst();
    if (existing.isPresent() && succeeded(existing.get())) {
      return new BackupGate(BackupGate.State.SUCCEEDED, name, null);
    }
    if (existing.isPresent() && failed(existing.get())) {
      return new BackupGate(BackupGate.State.FAILED, name, failureDetail(existing.get(), context));
    }
    return new BackupGate(BackupGate.State.RUNNING, name, null);
  }

  /** The one-off Job of the backup before {@code target}, with that PostgreSQL image. */
  static Job preChangeJob(TTStack stack, String target, String secretName, String image) {
    Job job =
        PostgresObjects.backupJob(
            stack, preChangeJobName(stack, target), secretName, image, "before " + target);
    job.getMetadata().getOwnerReferences().clear(); // the TTStack owns it (JOSDK sets that)
    return job;
  }

  static boolean succeeded(Job job) {
    return job.getStatus() != null
        && job.getStatus().getSucceeded() != null
        && job.getStatus().getSucceeded() > 0;
  }

  static boolean failed(Job job) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static String failureDetail(Job job, Context<TTStack> context) {
    String reason =
        job.getStatus().getConditions().stream()
            .filter(c -> "Failed".equals(c.getType()))
            .map(c -> c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()))
            .findFirst()
            .orElse("failed");
    return terminationMessage(job, context)
        .map(m -> reason + " (" + m.path("error").asText("no result") + ")")
        .orElse(reason);
  }

  /**
   * The newest successful backup among the stack's backup Jobs, from its pod's termination message.
   */
  static Optional<BackupStatus> lastSuccess(Context<TTStack> context) {
    return backupJobs(context).stream()
        .filter(BackupJobs::succeeded)
        .max(Comparator.comparing(BackupJobs::finishedOrCreated))
        .flatMap(
            job ->
                terminationMessage(job, context)
                    .map(
                        m -> {
                          BackupStatus b = new BackupStatus();
                          b.job = job.getMetadata().getName();
                          b.file = m.path("file").asText(null);
                          b.sizeBytes = m.has("sizeBytes") ? m.get("sizeBytes").asLong() : null;
                          b.time = m.path("time").asText(finishedOrCreated(job));
                          return b;
                        }));
  }

  /** The newest failed backup Job, if it is newer than every successful one. */
  static Optional<BackupStatus> lastFailureAfterSuccess(Context<TTStack> context) {
    List<Job> jobs = backupJobs(context);
    Optional<Job> newest =
        jobs.stream()
            .filter(j -> succeeded(j) || failed(j))
            .max(Comparator.comparing(BackupJobs::finishedOrCreated));
    return newest
        .filter(BackupJobs::failed)
        .map(
            job -> {
              BackupStatus b = new BackupStatus();
              b.job = job.getMetadata().getName();
              b.time = finishedOrCreated(job);
              return b;
            });
  }

  private static List<Job> backupJobs(Context<TTStack> context) {
    return context.getSecondaryResources(Job.class).stream()
        .filter(
            j ->
                j.getMetadata().getLabels() != null
                    && PostgresObjects.BACKUP_COMPONENT.equals(
                        j.getMetadata().getLabels().get(StackLabels.COMPONENT)))
        .toList();
  }

  private static String finishedOrCreated(Job job) {
    if (job.getStatus() != null && job.getStatus().getCompletionTime() != null) {
      return job.getStatus().getCompletionTime();
    }
    return job.getMetadata().getCreationTimestamp() == null
        ? ""
        : job.getMetadata().getCreationTimestamp();
  }

  private static Optional<JsonNode> terminationMessage(Job job, Context<TTStack> context) {
    return context.getSecondaryResources(Pod.class).stream()
        .filter(
            p ->
                p.getMetadata().getLabels() != null
                    && job.getMetadata()
                        .getName()
                        .equals(p.getMetadata().getLabels().get("job-name")))
        .flatMap(
            p ->
                p.getStatus() == null || p.getStatus().getContainerStatuses() == null
                    ? java.util.stream.Stream.empty()
                    : p.getStatus().getContainerStatuses().stream())
        .filter(
            cs ->
                cs.getState() != null
                    && cs.getState().getTerminated() != null
                    && cs.getState().getTerminated().getMessage() != null)
        .map(cs -> cs.getState().getTerminated().getMessage())
        .map(BackupJobs::parse)
        .flatMap(Optional::stream)
        .findFirst();
  }

  private static Optional<JsonNode> parse(String message) {
    try {
      JsonNode node = JSON.readTree(message);
      return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
