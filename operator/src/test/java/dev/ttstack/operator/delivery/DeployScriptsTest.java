package dev.ttstack.operator.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release workflow's deploy: .github/scripts/deploy.sh (runner side, against a fake AWS CLI) and
 * ttstack-set-version.sh (node side, against a fake kubectl that plays the operator's status), and the
 * two together: the very command deploy.sh sends through SSM, run as the node would run it.
 */
class DeployScriptsTest {
  static final Path DEPLOY = Scripts.REPO.resolve(".github/scripts/deploy.sh");
  static final Path SET_VERSION = Scripts.REPO.resolve(".github/scripts/ttstack-set-version.sh");

  @TempDir
  Path tmp;
  Path tools;
  Path state;
  Path kubectl;
  Path aws;

  @BeforeEach
  void fakes() throws Exception {
    tools = Scripts.toolbox(tmp.resolve("tools"), "bash", "sh", "date", "sleep", "cat", "sed", "wc", "base64", "jq", "dirname", "tr");
    state = Files.createDirectories(tmp.resolve("state"));
    Path stubs = tmp.resolve("stubs");
    // kubectl: logs its arguments; "patch" prints the new generation, each "get" the next line of status
    // (observedGeneration|version|failedVersion|lastGoodVersion|AppReady reason|message), the last one repeated.
    kubectl = Scripts.stub(stubs, "kubectl", """
        S=%s
        printf '%%s\\n' "$*" >>"$S/kubectl.log"
        case " $* " in
          *" patch "*) cat "$S/generation" ;;
          *" get "*)
            n=$(( $(cat "$S/gets" 2>/dev/null || echo 0) + 1 )); echo "$n" >"$S/gets"
            total=$(wc -l <"$S/status"); (( n <= total )) || n=$total
            sed -n "${n}p" "$S/status" | tr -d '\\n' ;;
          *) echo "unexpected kubectl call: $*" >&2; exit 2 ;;
        esac""".formatted(state));
    // aws: logs its arguments; answers describe-instances, send-command (keeps --parameters), and
    // get-command-invocation (Status from the next line of "statuses", ERR = not there yet; JSON for --output json).
    aws = Scripts.stub(stubs, "aws", """
        S=%s
        printf '%%s\\n' "$*" >>"$S/aws.log"
        case "$1 $2" in
          "ec2 describe-instances") cat "$S/instances" ;;
          "ssm send-command")
            while (( $# > 0 )); do [[ $1 == --parameters ]] && printf '%%s' "$2" >"$S/parameters"; shift; done
            echo 0b1c2d3e-cmd ;;
          "ssm get-command-invocation")
            if [[ " $* " == *" --output json "* ]]; then cat "$S/invocation.json"; exit 0; fi
            n=$(( $(cat "$S/polls" 2>/dev/null || echo 0) + 1 )); echo "$n" >"$S/polls"
            total=$(wc -l <"$S/statuses"); (( n <= total )) || n=$total
            line=$(sed -n "${n}p" "$S/statuses")
            if [[ $line == ERR ]]; then echo 'An error occurred (InvocationDoesNotExist)' >&2; exit 254; fi
            echo "$line" ;;
          *) echo "unexpected aws call: $*" >&2; exit 2 ;;
        esac""".formatted(state));
  }

  void status(String... lines) throws Exception {
    Files.writeString(state.resolve("status"), String.join("\n", lines) + "\n");
    Files.writeString(state.resolve("generation"), "7");
  }

  Scripts.Result setVersion(String version, String timeout) throws Exception {
    return Scripts.run(List.of(tools.resolve("bash").toString(), SET_VERSION.toString(), version, "tt", "tt", timeout, "0.05"),
        tmp, Scripts.path(tools), Map.of("KUBECTL", kubectl.toString()));
  }

  Scripts.Result deploy(String version) throws Exception {
    return Scripts.run(List.of(tools.resolve("bash").toString(), DEPLOY.toString(), version), tmp, Scripts.path(tools),
        Map.of("AWS", aws.toString(), "AWS_REGION", "eu-central-1", "POLL_SECONDS", "0.05"));
  }

  String log(String name) throws Exception {
    Path p = state.resolve(name);
    return Files.exists(p) ? Files.readString(p) : "";
  }

  @Test
  void setVersionPatchesAndWaitsForTheNewVersionToRun() throws Exception {
    status("6|1.4.2|||Ready|", "7|1.4.2|||Progressing|rolling out 1.5.0", "7|1.4.2|||Progressing|rolling out 1.5.0",
        "7|1.5.0||1.5.0|Ready|");

    Scripts.Result r = setVersion("1.5.0", "30");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("OK: tt/tt runs 1.5.0");
    assertThat(log("kubectl.log").lines().findFirst().orElseThrow())
        .isEqualTo("-n tt patch ttstack tt --type merge -p {\"spec\":{\"app\":{\"version\":\"1.5.0\"}}} -o jsonpath={.metadata.generation}");
    assertThat(log("gets").trim()).isEqualTo("4");
  }

  @Test
  void setVersionFailsWhenTheOperatorRollsBack() throws Exception {
    status("7|1.4.2|||Progressing|", "7|1.4.2|1.5.0|1.4.2|RolledBack|1.5.0 not Available within 600 s");

    Scripts.Result r = setVersion("1.5.0", "30");

    assertThat(r.exit()).as(r.output()).isEqualTo(3);
    assertThat(r.output()).contains("ROLLED BACK: 1.5.0 failed (1.5.0 not Available within 600 s); running 1.4.2, last good 1.4.2");
  }

  @Test
  void anOldRollbackOfAnotherVersionIsNotThisDeploysOutcome() throws Exception {
    // Before the operator has seen generation 7, AppReady still tells of 1.4.9's rollback.
    status("6|1.4.2|1.4.9|1.4.2|RolledBack|1.4.9 crash-looping", "7|1.5.0||1.5.0|Ready|");

    Scripts.Result r = setVersion("1.5.0", "30");

    assertThat(r.exit()).as(r.output()).isZero();
  }

  @Test
  void setVersionGivesUpAfterItsTimeoutAndRefusesBadVersions() throws Exception {
    status("7|1.4.2|||Progressing|");
    Scripts.Result slow = setVersion("1.5.0", "1");
    assertThat(slow.exit()).as(slow.output()).isEqualTo(4);
    assertThat(slow.output()).contains("TIMEOUT: no outcome for 1.5.0 after 1 s");

    Files.deleteIfExists(state.resolve("kubectl.log"));
    for (String bad : new String[] {"v1.5.0", "1.5", "latest", "1.5.0\"}}", "1.5.0; reboot"}) {
      assertThat(setVersion(bad, "1").exit()).as(bad).isEqualTo(1);
    }
    assertThat(log("kubectl.log")).as("nothing was patched").isEmpty();
  }

  @Test
  void deploySendsTheScriptToTheTaggedInstanceAndPollsUntilSuccess() throws Exception {
    Files.writeString(state.resolve("instances"), "i-0123456789abcdef0\n");
    Files.writeString(state.resolve("statuses"), "ERR\nPending\nInProgress\nInProgress\nSuccess\n");
    Files.writeString(state.resolve("invocation.json"),
        "{\"Status\":\"Success\",\"ResponseCode\":0,\"StandardOutputContent\":\"OK: tt/tt runs 1.5.0\\n\",\"StandardErrorContent\":\"\"}");

    Scripts.Result r = deploy("1.5.0");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("instance i-0123456789abcdef0 (Name=TT-ec2-1)", "SSM status: InProgress",
        "OK: tt/tt runs 1.5.0", "deployed 1.5.0");
    List<String> calls = log("aws.log").lines().toList();
    assertThat(calls.get(0)).isEqualTo("ec2 describe-instances --region eu-central-1 --filters Name=tag:Name,Values=TT-ec2-1"
        + " Name=instance-state-name,Values=running --query Reservations[].Instances[].InstanceId --output text");
    assertThat(calls.get(1)).startsWith("ssm send-command --region eu-central-1 --document-name AWS-RunShellScript"
        + " --instance-ids i-0123456789abcdef0 ");
    assertThat(calls).as("its own loop: get-command-invocation until Success, then once for the output")
        .filteredOn(c -> c.startsWith("ssm get-command-invocation")).hasSize(6);
    assertThat(calls).noneMatch(c -> c.contains(" wait "));

    JsonNode parameters = new ObjectMapper().readTree(log("parameters"));
    assertThat(parameters.get("executionTimeout").get(0).asText()).isEqualTo("1020");
    String command = parameters.get("commands").get(0).asText();
    Matcher m = Pattern.compile("^echo ([A-Za-z0-9+/=]+) \\| base64 -d \\| bash -s -- 1\\.5\\.0 tt tt 900$").matcher(command);
    assertThat(m.matches()).as(command).isTrue();
    assertThat(new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8))
        .as("the node runs exactly ttstack-set-version.sh").isEqualTo(Files.readString(SET_VERSION));
  }

  @Test
  void theCommandDeploySendsWorksOnTheNode() throws Exception {
    Files.writeString(state.resolve("instances"), "i-0123456789abcdef0\n");
    Files.writeString(state.resolve("statuses"), "Success\n");
    Files.writeString(state.resolve("invocation.json"), "{\"Status\":\"Success\",\"ResponseCode\":0}");
    assertThat(deploy("1.5.0").exit()).isZero();
    String command = new ObjectMapper().readTree(log("parameters")).get("commands").get(0).asText();

    // AWS-RunShellScript runs the commands with sh, as root, on the node; here kubectl is the fake.
    status("7|1.5.0||1.5.0|Ready|");
    Map<String, String> env = new HashMap<>(Map.of("KUBECTL", kubectl.toString()));
    Scripts.Result node = Scripts.run(List.of(tools.resolve("sh").toString(), "-c", command), tmp, Scripts.path(tools), env);
    assertThat(node.exit()).as(node.output()).isZero();
    assertThat(node.output()).contains("spec.app.version of ttstack tt/tt set to 1.5.0 (generation 7)", "OK: tt/tt runs 1.5.0");

    status("7|1.4.2|1.5.0|1.4.2|RolledBack|CrashLoopBackOff");
    Files.deleteIfExists(state.resolve("gets"));
    Scripts.Result rolledBack = Scripts.run(List.of(tools.resolve("sh").toString(), "-c", command), tmp, Scripts.path(tools), env);
    assertThat(rolledBack.exit()).as("sh passes bash's exit code on to SSM").isEqualTo(3);
  }

  @Test
  void deployFailsTheJobOnARollback() throws Exception {
    Files.writeString(state.resolve("instances"), "i-0123456789abcdef0\n");
    Files.writeString(state.resolve("statuses"), "InProgress\nFailed\n");
    Files.writeString(state.resolve("invocation.json"), "{\"Status\":\"Failed\",\"ResponseCode\":3,"
        + "\"StandardOutputContent\":\"ROLLED BACK: 1.5.0 failed (CrashLoopBackOff)\\n\",\"StandardErrorContent\":\"\"}");

    Scripts.Result r = deploy("1.5.0");

    assertThat(r.exit()).as(r.output()).isEqualTo(3);
    assertThat(r.output()).contains("ROLLED BACK: 1.5.0 failed (CrashLoopBackOff)",
        "FAIL: the operator rolled tt/tt back: 1.5.0 did not become ready");
  }

  @Test
  void deploySendsNothingUnlessExactlyOneInstanceHasTheTag() throws Exception {
    Files.writeString(state.resolve("instances"), "\n");
    Scripts.Result none = deploy("1.5.0");
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.output()).contains("no running instance tagged Name=TT-ec2-1 in eu-central-1");

    Files.writeString(state.resolve("instances"), "i-0aaaaaaaaaaaaaaaa\ti-0bbbbbbbbbbbbbbbb\n");
    Scripts.Result two = deploy("1.5.0");
    assertThat(two.exit()).isEqualTo(1);
    assertThat(two.output()).contains("2 running instances tagged Name=TT-ec2-1");

    assertThat(deploy("1.5").exit()).isEqualTo(1);
    assertThat(log("aws.log")).doesNotContain("send-command");
  }
}
