package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.postgres.BackupJobs;
import dev.ttstack.operator.reconciler.StackComposition;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tier 1 guard of {@link TTStack#MAX_NAME_LENGTH} (NamesKubeIT proves it on the real API server):
 * at the limit, every name and label value the stack's objects carry, and the ones Kubernetes
 * derives from them, are within Kubernetes' limits; one character more breaks the tightest, the
 * pre-upgrade backup Job, so the limit is exact.
 */
class NameLimitsTest {
  private static TTStack example(int nameLength) throws Exception {
    TTStack stack;
    try (InputStream in = Files.newInputStream(Stacks.examplesDir().resolve("ttstack.yaml"))) {
      stack = RenderCommand.parse(in);
    }
    stack.getMetadata().setName("t".repeat(nameLength));
    return stack;
  }

  @Test
  void atTheLimitEveryNameAndLabelFits() throws Exception {
    TTStack stack = example(TTStack.MAX_NAME_LENGTH);
    List<HasMetadata> objects =
        RenderCommand.render(
            stack,
            StackComposition.defaultComponents(
                java.time.Clock.systemUTC(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
    List<String> problems = new ArrayList<>();
    for (HasMetadata o : objects) {
      String name = o.getMetadata().getName();
      String what = o.getKind() + "/" + name;
      labels(what, o.getMetadata().getLabels(), problems);
      if (o instanceof io.fabric8.kubernetes.api.model.Service && name.length() > 63) {
        problems.add(what + ": a Service name is a DNS-1035 label (63)");
      }
      if (o instanceof CronJob c) {
        if (name.length() > 52) {
          problems.add(what + ": CronJob names have at most 52 characters");
        }
        labels(
            what + " job template",
            c.getSpec().getJobTemplate().getSpec().getTemplate().getMetadata().getLabels(),
            problems);
      }
      if (o instanceof StatefulSet s) {
        // Pods carry controller-revision-hash = <name>-<hash of up to 10 characters>.
        if (name.length() + 11 > 63) {
          problems.add(what + ": its pods' controller-revision-hash label would exceed 63");
        }
        template(what, s.getSpec().getTemplate(), problems);
      }
      if (o instanceof Deployment d) {
        template(what, d.getSpec().getTemplate(), problems);
      }
    }
    // A Job's name becomes its pods' job-name label: at most 63.
    String preUpgrade = BackupJobs.preChangeJobName(stack, "app 9.9.9");
    if (preUpgrade.length() > 63) {
      problems.add("Job/" + preUpgrade + ": longer than 63");
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void oneCharacterMoreBreaksThePreUpgradeJobName() throws Exception {
    assertThat(BackupJobs.preChangeJobName(example(TTStack.MAX_NAME_LENGTH), "app 9.9.9"))
        .hasSize(63);
    assertThat(BackupJobs.preChangeJobName(example(TTStack.MAX_NAME_LENGTH + 1), "app 9.9.9"))
        .hasSize(64);
  }

  private static void template(String what, PodTemplateSpec template, List<String> problems) {
    labels(what + " pod template", template.getMetadata().getLabels(), problems);
  }

  private static void labels(String what, Map<String, String> labels, List<String> problems) {
    if (labels != null) {
      labels.forEach(
          (k, v) -> {
            if (v != null && v.length() > 63) {
              problems.add(what + ": label " + k + " has " + v.length() + " characters");
            }
          });
    }
  }
}
