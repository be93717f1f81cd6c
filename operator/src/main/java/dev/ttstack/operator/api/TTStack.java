package dev.ttstack.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One TT environment: the app, PostgreSQL, the Redis Cluster, monitoring and their secrets.
 *
 * <p>The name is bounded because every managed object is named {@code <stack>-<component>} and the
 * longest ({@code <stack>-alertmanager} plus a StatefulSet pod suffix) must stay a valid DNS label.
 */
@Group(TTStack.GROUP)
@Version(TTStack.VERSION)
@Kind("TTStack")
@Plural("ttstacks")
@Singular("ttstack")
@ShortNames("tts")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "App",
    jsonPath = ".status.app.version",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Redis",
    jsonPath = ".status.redis.clusterState",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(
    value = "self.metadata.name.size() <= " + TTStack.MAX_NAME_LENGTH,
    message =
        "metadata.name must be at most "
            + TTStack.MAX_NAME_LENGTH
            + " characters: managed objects are named <name>-<component>")
@ValidationRule(
    value = "self.metadata.name.matches('" + Patterns.STACK_NAME + "')",
    message =
        "metadata.name must start with a lower-case letter and contain only lower-case letters,"
            + " digits and '-': it prefixes Service names, which are DNS-1035 labels")
// fabric8's generator cannot mark the root's spec as required; without this rule the API server
// accepted a TTStack with no spec at all (seen on the real server), which the operator refuses.
@ValidationRule(value = "has(self.spec)", fieldPath = ".spec", message = "spec is required")
public class TTStack extends CustomResource<TTStackSpec, TTStackStatus> implements Namespaced {
  public static final String GROUP = "ttstack.dev";
  public static final String VERSION = "v1alpha1";

  /**
   * Longest stack name for which the API server accepts every object the stack makes. The tightest
   * are the backups: the CronJob {@code <stack>-postgres-backup} (16 more) may have at most 52
   * characters (its Jobs append {@code -<minutes>}), and the pre-upgrade Job {@code
   * <stack>-postgres-backup-pre-<10 hex>} (31 more) at most 63, since a Job's name becomes its
   * pods' {@code job-name} label value. 40 was the limit before, and a 40-character stack was
   * refused its CronJob on the real API server (NamesKubeIT): 63 - 31 = 32.
   */
  public static final int MAX_NAME_LENGTH = 32;

  @Override
  protected TTStackStatus initStatus() {
    return new TTStackStatus();
  }
}
