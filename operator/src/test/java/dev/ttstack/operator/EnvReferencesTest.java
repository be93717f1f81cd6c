package dev.ttstack.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.TTStack;
import dev.ttstack.operator.testing.Stacks;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes expands {@code $(NAME)} in a container's env values, command and args only when NAME
 * is defined EARLIER in its env list (or by its envFrom); otherwise the text stays as it is. So a
 * reference to a variable defined further down is a silent bug: the real node's e2e run found the
 * PostgreSQL exporter connecting to a database literally named "$(POSTGRES_DB)" (pg_up 0), which no
 * mock API server shows (none of them expands anything). This checks every container of every pod
 * template the operator renders.
 */
class EnvReferencesTest {
  private static final Pattern REFERENCE =
      Pattern.compile("(?<!\\$)\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  @Test
  void everyReferenceNamesAVariableDefinedBeforeIt() {
    for (String example : List.of("ttstack.yaml", "ttstack-minimal.yaml")) {
      TTStack stack = Stacks.example(example);
      List<String> problems = new ArrayList<>();
      int references = 0;
      for (HasMetadata o : ImageOverridesTest.render(stack)) {
        PodTemplateSpec template = template(o);
        if (template == null) {
          continue;
        }
        for (Container c : template.getSpec().getContainers()) {
          String where = o.getKind() + "/" + o.getMetadata().getName() + "/" + c.getName();
          boolean envFrom = c.getEnvFrom() != null && !c.getEnvFrom().isEmpty();
          Set<String> defined = new HashSet<>();
          List<EnvVar> env = c.getEnv() == null ? List.of() : c.getEnv();
          Set<String> all = new HashSet<>();
          env.forEach(e -> all.add(e.getName()));
          for (EnvVar e : env) {
            references +=
                check(where + " env " + e.getName(), e.getValue(), defined, all, envFrom, problems);
            defined.add(e.getName());
          }
          for (String text : concat(c.getCommand(), c.getArgs())) {
            references += check(where + " command/args", text, defined, all, envFrom, problems);
          }
        }
      }
      assertThat(problems).as("references in %s", example).isEmpty();
      assertThat(references).as("the check saw the exporter's reference at least").isPositive();
    }
  }

  private static int check(
      String where,
      String text,
      Set<String> defined,
      Set<String> all,
      boolean envFrom,
      List<String> problems) {
    if (text == null) {
      return 0;
    }
    int n = 0;
    Matcher m = REFERENCE.matcher(text);
    while (m.find()) {
      n++;
      String name = m.group(1);
      if (!defined.contains(name) && (all.contains(name) || !envFrom)) {
        problems.add(
            where
                + ": $("
                + name
                + ") is "
                + (all.contains(name) ? "defined only after it" : "never defined"));
      }
    }
    return n;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>();
    if (a != null) {
      out.addAll(a);
    }
    if (b != null) {
      out.addAll(b);
    }
    return out;
  }

  private static PodTemplateSpec template(HasMetadata o) {
    if (o instanceof Deployment d) {
      return d.getSpec().getTemplate();
    } else if (o instanceof StatefulSet s) {
      return s.getSpec().getTemplate();
    } else if (o instanceof CronJob c) {
      return c.getSpec().getJobTemplate().getSpec().getTemplate();
    } else if (o instanceof Job j) {
      return j.getSpec().getTemplate();
    }
    return null;
  }
}
