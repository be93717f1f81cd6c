package dev.ttstack.operator.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The release's deploy: .github/scripts/deploy.sh (runner side, against a fake AWS CLI), the SSM
 * document it sends (k3s/ssm/TTStack-Deploy.yaml) and k3s/ttstack-deploy.sh (node side, against a
 * fake kubectl that plays the operator's status and the k3s Helm controller), and the three
 * together: the parameters deploy.sh sends, put into the document's command, run as the node would
 * run it. DeployScriptKubeIT runs the node script against the real API server and operator.
 */
class DeployScriptsTest {
  static final Path DEPLOY = Scripts.REPO.resolve(".github/scripts/deploy.sh");
  static final Path NODE = Scripts.REPO.resolve("k3s/ttstack-deploy.sh");
  static final Path DOCUMENT = Scripts.REPO.resolve("k3s/ssm/TTStack-Deploy.yaml");

  @TempDir Path tmp;
  Path tools;
  Path state;
  Path kubectl;
  Path aws;

  @BeforeEach
  void fakes() throws Exception {
    tools =
        Scripts.toolbox(
            tmp.resolve("tools"),
            "bash",
            "sh",
            "date",
            "sleep",
            "cat",
            "sed",
            "wc",
            "jq",
            "dirname",
            "tr",
            "head",
            "mktemp",
            "rm");
    state = Files.createDirectories(tmp.resolve("state"));
    Path stubs = tmp.resolve("stubs");
    // kubectl: logs its arguments. The TTStack: "spec" answers the spec read (version, progress
    // deadline,
    // backup.beforeUpgrade, one a line); each status read gets the next line of "status" (fields
    // split
    // by '|', printed one a line, the last line repeated; FAIL = the API server cannot be reached);
    // "patch --type merge" prints "generation"; a JSON patch (the revert) is refused when
    // "revert-refused" exists. The operator: "helmchart" (spec.version), "jobs" and "deploys" (the
    // next
    // line at each read, as for status).
    kubectl =
        Scripts.stub(
            stubs,
            "kubectl",
            """
        S=%s
        printf '%%s\\n' "$*" >>"$S/kubectl.log"
        next() { # next line of $1, counted in $2; the last one repeated; nothing when there is no $1
          [[ -f $1 ]] || return 0
          local n; n=$(( $(cat "$2" 2>/dev/null || echo 0) + 1 )); echo "$n" >"$2"
          local total; total=$(wc -l <"$1"); (( n <= total )) || n=$total
          sed -n "${n}p" "$1" | tr -d '\\n'
        }
        case " $* " in
          *" get ttstack "*beforeUpgrade*) cat "$S/spec" ;;
          *" get ttstack "*)
            line=$(next "$S/status" "$S/gets")
            if [[ $line == FAIL ]]; then echo 'The connection to the server 127.0.0.1:6443 was refused' >&2; exit 1; fi
            printf '%%s' "$line" | tr '|' '\\n' ;;
          *" patch ttstack "*"--type merge"*) cat "$S/generation" ;;
          *" patch ttstack "*"--type json"*)
            if [[ -f $S/revert-refused ]]; then echo 'The request is invalid: the server rejected our request due to an error in our request' >&2; exit 1; fi
            echo patched ;;
          *" get helmchart "*) cat "$S/helmchart" ;;
          *" patch helmchart "*) echo patched ;;
          *" get job "*) next "$S/jobs" "$S/job-gets" ;;
          *" get deployment "*) next "$S/deploys" "$S/deploy-gets" ;;
          *" logs "*) echo 'Error: UPGRADE FAILED: chart requires kubeVersion: >=1.37.0' ;;
          *) echo "unexpected kubectl call: $*" >&2; exit 2 ;;
        esac"""
                .formatted(state));
    // aws: logs its arguments; answers describe-instances ("instances"; "describe-error" = its
    // stderr and
    // exit 254), send-command (keeps --parameters; "send-error" likewise) and
    // get-command-invocation
    // (Status from the next line of "statuses"; ERR = InvocationDoesNotExist, DENIED =
    // AccessDenied;
    // "invocation.json" for --output json).
    aws =
        Scripts.stub(
            stubs,
            "aws",
            """
        S=%s
        printf '%%s\\n' "$*" >>"$S/aws.log"
        case "$1 $2" in
          "ec2 describe-instances")
            if [[ -f $S/describe-error ]]; then cat "$S/describe-error" >&2; exit 254; fi
            cat "$S/instances" ;;
          "ssm send-command")
            if [[ -f $S/send-error ]]; then cat "$S/send-error" >&2; exit 254; fi
            while (( $# > 0 )); do [[ $1 == --parameters ]] && printf '%%s' "$2" >"$S/parameters"; shift; done
            echo 0b1c2d3e-cmd ;;
          "ssm get-command-invocation")
            if [[ " $* " == *" --output json "* ]]; then cat "$S/invocation.json"; exit 0; fi
            n=$(( $(cat "$S/polls" 2>/dev/null || echo 0) + 1 )); echo "$n" >"$S/polls"
            total=$(wc -l <"$S/statuses"); (( n <= total )) || n=$total
            line=$(sed -n "${n}p" "$S/statuses")
            if [[ $line == ERR ]]; then
              echo 'An error occurred (InvocationDoesNotExist) when calling the GetCommandInvocation operation: ' >&2; exit 254
            fi
            if [[ $line == DENIED ]]; then
              echo 'An error occurred (AccessDeniedException) when calling the GetCommandInvocation operation: User: arn:aws:sts::123456789012:assumed-role/tt-deploy/GitHubActions is not authorized to perform: ssm:GetCommandInvocation' >&2
              exit 254
            fi
            echo "$line" ;;
          *) echo "unexpected aws call: $*" >&2; exit 2 ;;
        esac"""
                .formatted(state));
    spec("v1.4.2", "600", "true");
    Files.writeString(state.resolve("generation"), "7");
    Files.writeString(state.resolve("instances"), "i-0123456789abcdef0\n");
  }

  // ---------------------------------------------------------------------------------------------
  // The fakes' state.

  void spec(String version, String progressDeadline, String backupBeforeUpgrade) throws Exception {
    Files.writeString(
        state.resolve("spec"), version + "\n" + progressDeadline + "\n" + backupBeforeUpgrade);
  }

  /**
   * One status read: generation 7, observed, spec version, running, failed, last good, AppReady
   * (status from the reason), messages.
   */
  static String frame(
      int observed,
      String spec,
      String running,
      String failed,
      String good,
      String appReason,
      String appMessage) {
    String appStatus = "Available".equals(appReason) ? "True" : "False";
    String readyReason =
        "Available".equals(appReason) ? "AllComponentsReady" : "ComponentsNotReady";
    return String.join(
        "|",
        "7",
        String.valueOf(observed),
        spec,
        running,
        failed,
        good,
        appStatus,
        appReason,
        readyReason,
        appMessage,
        "");
  }

  static String invalid(int observed, String spec, String running, String message) {
    return String.join(
        "|",
        "7",
        String.valueOf(observed),
        spec,
        running,
        "",
        running,
        "True",
        "Available",
        "InvalidSpec",
        "version " + running,
        message);
  }

  void status(String... frames) throws Exception {
    Files.writeString(state.resolve("status"), String.join("\n", frames) + "\n");
    Files.deleteIfExists(state.resolve("gets"));
  }

  String log(String name) throws Exception {
    Path p = state.resolve(name);
    return Files.exists(p) ? Files.readString(p) : "";
  }

  int reads(String counter) throws Exception {
    String n = log(counter).trim();
    return n.isEmpty() ? 0 : Integer.parseInt(n);
  }

  List<String> kubectlCalls(String verbAndKind) throws Exception {
    return log("kubectl.log").lines().filter(l -> l.contains(verbAndKind)).toList();
  }

  // ---------------------------------------------------------------------------------------------
  // Running the scripts.

  Scripts.Result node(Map<String, String> extraEnv, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of(tools.resolve("bash").toString(), NODE.toString()));
    command.addAll(List.of(args));
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "KUBECTL",
                kubectl.toString(),
                "POLL_SECONDS",
                "0.05",
                "DEPLOY_ENV_FILE",
                tmp.resolve("no-such-deploy.env").toString(),
                "REVERT_WAIT_SECONDS",
                "2"));
    env.putAll(extraEnv);
    return Scripts.run(command, tmp, Scripts.path(tools), env);
  }

  Scripts.Result node(String... args) throws Exception {
    return node(Map.of(), args);
  }

  Scripts.Result deploy(Map<String, String> extraEnv, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of(tools.resolve("bash").toString(), DEPLOY.toString()));
    command.addAll(List.of(args));
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "AWS",
                aws.toString(),
                "AWS_REGION",
                "eu-central-1",
                "POLL_SECONDS",
                "0.05",
                "INSTANCE_NAME",
                "TT-k3s-1"));
    env.putAll(extraEnv);
    return Scripts.run(command, tmp, Scripts.path(tools), env);
  }

  Scripts.Result deploy(String... args) throws Exception {
    return deploy(Map.of(), args);
  }

  static final String REVERT =
      "-n tt patch ttstack tt --type json -p [{\"op\":\"test\",\"path\":\"/spec/app/version\","
          + "\"value\":\"v1.5.0\"},{\"op\":\"replace\",\"path\":\"/spec/app/version\",\"value\":\"v1.4.2\"}]";
  static final String AVAILABLE_142 =
      frame(7, "v1.4.2", "v1.4.2", "", "v1.4.2", "Available", "version v1.4.2, 1/1 pods available");

  // ---------------------------------------------------------------------------------------------
  // The node script: the app.

  @Test
  void nodeNormalisesTheVersionPatchesAndWaitsForItToRun() throws Exception {
    status(
        frame(6, "v1.5.0", "v1.4.2", "", "v1.4.2", "Available", ""),
        frame(
            7,
            "v1.5.0",
            "v1.4.2",
            "",
            "v1.4.2",
            "BackingUpBeforeUpgrade",
            "taking a PostgreSQL backup"),
        frame(7, "v1.5.0", "v1.4.2", "", "v1.4.2", "RollingOut", "rolling out version v1.5.0"),
        frame(
            7,
            "v1.5.0",
            "v1.5.0",
            "",
            "v1.5.0",
            "Available",
            "version v1.5.0, 1/1 pods available"));

    Scripts.Result r = node("--app-version", "1.5.0");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output())
        .contains(
            "app: spec.app.version of ttstack tt/tt v1.4.2 -> v1.5.0 (generation 7)",
            "OK: tt/tt runs v1.5.0");
    assertThat(kubectlCalls(" patch "))
        .containsExactly(
            "-n tt patch ttstack tt --type merge -p {\"spec\":{\"app\":{\"version\":\"v1.5.0\"}}} -o jsonpath={.metadata.generation}");
    assertThat(reads("gets")).isEqualTo(4);
    assertThat(kubectlCalls("helmchart"))
        .as("no operator version: the operator is left alone")
        .isEmpty();
  }

  @Test
  void nodeEndsAtOnceWhenTheOperatorRollsBackAndLeavesTheSpec() throws Exception {
    status(
        frame(7, "v1.5.0", "v1.4.2", "", "v1.4.2", "RollingOut", ""),
        frame(
            7,
            "v1.5.0",
            "v1.4.2",
            "v1.5.0",
            "v1.4.2",
            "RolledBack",
            "version v1.5.0 failed (CrashLoopBackOff: pod tt-app-1); rolling back to the last good version v1.4.2"),
        frame(7, "v1.5.0", "v1.4.2", "", "v1.4.2", "RollingOut", "never read"));

    Scripts.Result r = node("--app-version", "v1.5.0");

    assertThat(r.exit()).as(r.output()).isEqualTo(3);
    assertThat(r.output())
        .contains(
            "ROLLED BACK by the operator: v1.5.0 failed (version v1.5.0 failed (CrashLoopBackOff",
            "NOW RUNNING: v1.4.2 (the last good version v1.4.2); spec.app.version stays v1.5.0");
    assertThat(reads("gets")).as("ended on the rollback").isEqualTo(2);
    assertThat(kubectlCalls("--type json"))
        .as("the operator rolled back: nothing put back")
        .isEmpty();
  }

  @Test
  void nodeEndsAtOnceOnAFailedBackupAndPutsThePreviousVersionBack() throws Exception {
    String backupFailed =
        "the PostgreSQL backup before upgrading from v1.4.2 to v1.5.0 failed (Job tt-postgres-backup-pre-0123456789:"
            + " BackoffLimitExceeded: Job has reached the specified backoff limit); still running v1.4.2.";
    status(
        frame(
            7,
            "v1.5.0",
            "v1.4.2",
            "",
            "v1.4.2",
            "BackingUpBeforeUpgrade",
            "taking a PostgreSQL backup"),
        frame(7, "v1.5.0", "v1.4.2", "", "v1.4.2", "BackupFailed", backupFailed),
        frame(8, "v1.4.2", "v1.4.2", "", "v1.4.2", "BackupFailed", backupFailed),
        AVAILABLE_142);

    Scripts.Result r = node("--app-version", "1.5.0");

    assertThat(r.exit()).as(r.output()).isEqualTo(3);
    assertThat(r.output())
        .contains(
            "FAILED: the pre-upgrade backup failed: " + backupFailed,
            "REVERTED: spec.app.version of ttstack tt/tt set back to v1.4.2",
            "NOW RUNNING: v1.4.2");
    assertThat(kubectlCalls("--type json")).containsExactly(REVERT);
    assertThat(reads("gets")).as("ended on BackupFailed, then watched the revert").isEqualTo(4);
  }

  @Test
  void nodeEndsAtOnceOnAnInvalidSpecAndPutsThePreviousVersionBack() throws Exception {
    status(invalid(7, "v1.5.0", "v1.4.2", "spec.app.version: must not be v1.5.0"), AVAILABLE_142);

    Scripts.Result r = node("--app-version", "1.5.0");

    assertThat(r.exit()).as(r.output()).isEqualTo(3);
    assertThat(r.output())
        .contains(
            "FAILED: the operator refuses the spec with v1.5.0 (InvalidSpec: spec.app.version: must not be v1.5.0)",
            "NOW RUNNING: v1.4.2");
    assertThat(kubectlCalls("--type json")).containsExactly(REVERT);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "CrashLoopBackOff",
        "ImagePullBackOff",
        "ErrImagePull",
        "ProgressDeadlineExceeded",
        "CreateContainerConfigError"
      })
  void nodeEndsAtOnceOnARolloutFailureWithAutoRollbackOff(String reason) throws Exception {
    String message =
        "the rollout of version v1.5.0 failed ("
            + reason
            + ": pod tt-app-2); autoRollback is off, so v1.4.2 is not"
            + " restored automatically";
    status(
        frame(7, "v1.5.0", "v1.4.2", "", "v1.4.2", "RollingOut", ""),
        frame(7, "v1.5.0", "v1.4.2", "", "v1.4.2", reason, message),
        AVAILABLE_142);

    Scripts.Result r = node("--app-version", "1.5.0");

    assertThat(r.exit()).as(r.output()).isEqualTo(3);
    assertThat(r.output())
        .contains(
            "FAILED: v1.5.0 does not roll out (" + reason + "): " + message, "NOW RUNNING: v1.4.2");
    assertThat(kubectlCalls("--type json")).containsExactly(REVERT);
    assertThat(reads("gets")).isEqualTo(3);
  }

  @Test
  void nodeGivesDependenciesABoundedGrace() throws Exception {
    String waiting = "waiting for PostgresReady (NotReady)";
    // A short wait for a dependency is no failure...
    status(
        frame(7, "v1.5.0", "v1.4.2", "", "v1.4.2", "WaitingForDependencies", waiting),
        frame(7, "v1.5.0", "v1.4.2", "", "v1.4.2", "WaitingForDependencies", waiting),
        frame(7, "v1.5.0", "v1.5.0", "", "v1.5.0", "Available", ""));
    Scripts.Result blip = node("--app-version", "1.5.0");
    assertThat(blip.exit()).as(blip.output()).isZero();

    // ... one longer than DEPENDENCY_GRACE_SECONDS ends the deploy and puts the previous version
    // back
    // (more "waiting" frames than 1 s of polls reads, then the frame the revert watches for).
    List<String> frames = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      frames.add(frame(7, "v1.5.0", "v1.4.2", "", "v1.4.2", "WaitingForDependencies", waiting));
    }
    frames.add(AVAILABLE_142);
    status(frames.toArray(String[]::new));
    long start = System.nanoTime();
    Scripts.Result r =
        node(
            Map.of("DEPENDENCY_GRACE_SECONDS", "1", "APP_WAIT_SECONDS", "50"),
            "--app-version",
            "1.5.0");
    double seconds = (System.nanoTime() - start) / 1e9;

    assertThat(r.exit()).as(r.output()).isEqualTo(3);
    assertThat(r.output())
        .contains("FAILED: the app waited more than 1 s for its dependencies: " + waiting);
    assertThat(kubectlCalls("--type json")).containsExactly(REVERT);
    assertThat(seconds).as("ended after the grace, long before the app wait").isLessThan(40);
  }

  @Test
  void nodeTimesOutAndPutsThePreviousVersionBack() throws Exception {
    status(
        frame(
            7,
            "v1.5.0",
            "v1.4.2",
            "",
            "v1.4.2",
            "RollingOut",
            "rolling out version v1.5.0: 0/1 pods updated"));

    Scripts.Result r =
        node(Map.of("APP_WAIT_SECONDS", "1", "REVERT_WAIT_SECONDS", "1"), "--app-version", "1.5.0");

    assertThat(r.exit()).as(r.output()).isEqualTo(4);
    assertThat(r.output())
        .contains(
            "TIMEOUT: no outcome for v1.5.0 after 1 s (AppReady RollingOut: rolling out version v1.5.0",
            "REVERTED: spec.app.version of ttstack tt/tt set back to v1.4.2",
            "NOW: spec.app.version is v1.4.2; the app runs v1.4.2 (AppReady RollingOut");
    assertThat(kubectlCalls("--type json")).containsExactly(REVERT);
  }

  @Test
  void nodeSaysSoLoudlyWhenTheRevertDoesNotApply() throws Exception {
    status(frame(7, "v1.5.0", "v1.4.2", "", "v1.4.2", "BackupFailed", "backup failed"));
    Files.writeString(state.resolve("revert-refused"), "");

    Scripts.Result r = node("--app-version", "1.5.0");

    assertThat(r.exit()).as(r.output()).isEqualTo(1);
    assertThat(r.output())
        .contains(
            "NOT REVERTED: spec.app.version could not be set back to v1.4.2; it is v1.5.0 and the app runs v1.4.2");
  }

  @Test
  void aFailedReadIsRetriedNotFatal() throws Exception {
    // The new version is in the spec by then: giving up on one failed read would leave it there.
    status(
        frame(7, "v1.5.0", "v1.4.2", "", "v1.4.2", "RollingOut", ""),
        "FAIL",
        "FAIL",
        frame(7, "v1.5.0", "v1.5.0", "", "v1.5.0", "Available", ""));

    Scripts.Result r = node("--app-version", "1.5.0");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output())
        .contains("cannot read ttstack tt/tt (retrying)", "OK: tt/tt runs v1.5.0");
  }

  @Test
  void aStaleStatusIsNotThisDeploysOutcome() throws Exception {
    // Before the operator has seen generation 7, AppReady still tells of older troubles.
    status(
        frame(6, "v1.5.0", "v1.4.2", "v1.4.9", "v1.4.2", "RolledBack", "v1.4.9 crash-looping"),
        frame(6, "v1.5.0", "v1.4.2", "", "v1.4.2", "BackupFailed", "an older backup"),
        invalid(6, "v1.5.0", "v1.4.2", "an older spec"),
        frame(7, "v1.5.0", "v1.5.0", "", "v1.5.0", "Available", ""));

    Scripts.Result r = node("--app-version", "1.5.0");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(kubectlCalls("--type json")).isEmpty();
  }

  @Test
  void nodeSizesItsWaitFromTheLiveSpecAndRefusesWhatItsBudgetCannotHold() throws Exception {
    status(frame(7, "v1.5.0", "v1.5.0", "", "v1.5.0", "Available", ""));
    spec("v1.4.2", "900", "true");
    Scripts.Result r = node("--app-version", "1.5.0", "--budget-seconds", "2400");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output())
        .contains(
            "waits: operator 0 s, app 1800 s (backup 600 + progress deadline 900 + pull 300),"
                + " revert 2 s: 1832 s in all of a budget of 2400 s");

    spec("v1.4.2", "900", "false");
    r =
        node(
            Map.of("PULL_ALLOWANCE_SECONDS", "100"),
            "--app-version",
            "1.5.0",
            "--operator-version",
            "1.5.0",
            "--budget-seconds",
            "1000");
    assertThat(r.exit())
        .as("operator 300 + app 1000 + revert 2 + 30 > 1000: %s", r.output())
        .isEqualTo(2);
    assertThat(r.output())
        .contains(
            "app 1000 s (backup 0 + progress deadline 900 + pull 100)",
            "this deploy may need 1332 s, more than the 1000 s the command is given: nothing changed");
    assertThat(kubectlCalls(" patch "))
        .as("nothing changed")
        .hasSize(1); // the first, successful run's

    r = node(Map.of("APP_WAIT_SECONDS", "60"), "--app-version", "1.5.0", "--budget-seconds", "120");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("app 60 s (APP_WAIT_SECONDS)");
  }

  @Test
  void nodeRefusesBadArgumentsBeforeTouchingAnything() throws Exception {
    for (List<String> bad :
        List.<List<String>>of(
            List.of(),
            List.of("--app-version", "1.5"),
            List.of("--app-version", "latest"),
            List.of("--app-version", "V1.5.0"),
            List.of("--app-version", "1.5.0\"}}"),
            List.of("--app-version", "1.5.0; reboot"),
            List.of("--app-version", "1.5.0", "--operator-version", "1.5"),
            List.of("--app-version", "1.5.0", "--budget-seconds", "59"),
            List.of("--app-version", "1.5.0", "--budget-seconds", "172801"),
            List.of("--app-version", "1.5.0", "--what"),
            List.of("--app-version"))) {
      Scripts.Result r = node(bad.toArray(String[]::new));
      assertThat(r.exit()).as("%s: %s", bad, r.output()).isEqualTo(2);
    }
    Scripts.Result r = node(Map.of("TTSTACK_NAMESPACE", "Prod;x"), "--app-version", "1.5.0");
    assertThat(r.exit()).as(r.output()).isEqualTo(2);
    assertThat(log("kubectl.log")).as("no kubectl call at all").isEmpty();
  }

  @Test
  void nodeReadsItsDefaultsFromDeployEnvAndTheEnvironmentWins() throws Exception {
    Path env = tmp.resolve("deploy.env");
    Files.writeString(
        env,
        "# written by setup-node.sh\nTTSTACK_NAMESPACE=prod\nTTSTACK_NAME=\"stack\"\nHELMCHART_NAME=tt-op\n"
            + "rm -rf /=oops\nPATH=/nowhere\n");
    status(frame(7, "v1.5.0-rc.1", "v1.5.0-rc.1", "", "v1.5.0-rc.1", "Available", ""));
    Scripts.Result r =
        node(
            Map.of("DEPLOY_ENV_FILE", env.toString(), "TTSTACK_NAME", "tt2"),
            "--app-version",
            "1.5.0-rc.1");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(kubectlCalls(" patch "))
        .containsExactly(
            "-n prod patch ttstack tt2 --type merge -p"
                + " {\"spec\":{\"app\":{\"version\":\"v1.5.0-rc.1\"}}} -o jsonpath={.metadata.generation}");
  }

  // ---------------------------------------------------------------------------------------------
  // The node script: the operator first.

  void operator(String chartVersion, List<String> jobs, List<String> deploys) throws Exception {
    Files.writeString(state.resolve("helmchart"), chartVersion);
    Files.writeString(state.resolve("jobs"), String.join("\n", jobs) + "\n");
    Files.writeString(state.resolve("deploys"), String.join("\n", deploys) + "\n");
  }

  static String operatorDeployment(
      int generation, int observed, int updated, int available, String tag, String progressing) {
    return String.join(
        "|",
        "tt-operator",
        String.valueOf(generation),
        String.valueOf(observed),
        "1",
        String.valueOf(updated),
        String.valueOf(available),
        "ghcr.io/tt-org/tt-operator:" + tag,
        progressing);
  }

  @Test
  void nodeUpgradesTheOperatorFirstAndWaitsForItsNewImage() throws Exception {
    operator(
        "1.4.2",
        List.of("uid-old|||", "uid-old|||", "uid-new|||", "uid-new||1|"),
        List.of(
            operatorDeployment(3, 3, 1, 1, "v1.4.2", "NewReplicaSetAvailable"),
            operatorDeployment(4, 3, 1, 1, "v1.5.0", "NewReplicaSetAvailable"),
            operatorDeployment(4, 4, 1, 0, "v1.5.0", "ReplicaSetUpdated"),
            operatorDeployment(4, 4, 1, 1, "v1.5.0", "NewReplicaSetAvailable")));
    status(frame(7, "v1.5.0", "v1.5.0", "", "v1.5.0", "Available", ""));

    Scripts.Result r = node("--app-version", "v1.5.0", "--operator-version", "v1.5.0");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output())
        .contains(
            "operator: HelmChart kube-system/tt-operator spec.version 1.4.2 -> 1.5.0",
            "OK: operator ttstack-system/tt-operator runs ghcr.io/tt-org/tt-operator:v1.5.0",
            "OK: tt/tt runs v1.5.0");
    assertThat(kubectlCalls(" patch "))
        .containsExactly(
            "-n kube-system patch helmchart tt-operator --type merge -p {\"spec\":{\"version\":\"1.5.0\"}}",
            "-n tt patch ttstack tt --type merge -p {\"spec\":{\"app\":{\"version\":\"v1.5.0\"}}} -o jsonpath={.metadata.generation}");
    assertThat(reads("deploy-gets")).as("waited for the new image to be rolled out").isEqualTo(4);
    assertThat(kubectlCalls("get deployment"))
        .first()
        .asString()
        .startsWith("-n ttstack-system get deployment -l app.kubernetes.io/name=tt-operator");
  }

  @Test
  void nodeFailsAtOnceWhenTheHelmControllersJobFailsAndLeavesTheAppAlone() throws Exception {
    operator(
        "1.4.2",
        List.of("uid-old|0|1|", "uid-old|0|1|", "uid-new|1||"),
        List.of(operatorDeployment(3, 3, 1, 1, "v1.4.2", "NewReplicaSetAvailable")));
    status(frame(7, "v1.4.2", "v1.4.2", "", "v1.4.2", "Available", ""));

    Scripts.Result r = node("--app-version", "1.5.0", "--operator-version", "1.5.0");

    assertThat(r.exit()).as(r.output()).isEqualTo(3);
    assertThat(r.output())
        .contains(
            "FAILED: the Helm controller's Job helm-install-tt-operator failed to install chart 1.5.0",
            "| Error: UPGRADE FAILED: chart requires kubeVersion: >=1.37.0",
            "REVERTED: HelmChart kube-system/tt-operator spec.version set back to 1.4.2",
            "the app was not touched");
    assertThat(kubectlCalls(" patch "))
        .containsExactly(
            "-n kube-system patch helmchart tt-operator --type merge -p {\"spec\":{\"version\":\"1.5.0\"}}",
            "-n kube-system patch helmchart tt-operator --type json -p [{\"op\":\"test\",\"path\":\"/spec/version\",\"value\":\"1.5.0\"},"
                + "{\"op\":\"replace\",\"path\":\"/spec/version\",\"value\":\"1.4.2\"}]");
    assertThat(reads("job-gets")).as("ended on the first failed pod").isEqualTo(3);
  }

  @Test
  void anOldFailureOfTheHelmJobIsNotThisUpgrades() throws Exception {
    // The Job of an earlier, failed upgrade is still there until the controller replaces it.
    operator(
        "1.4.2",
        List.of("uid-old|3||", "uid-old|3||", "uid-new|||"),
        List.of(operatorDeployment(4, 4, 1, 1, "v1.5.0", "NewReplicaSetAvailable")));
    status(frame(7, "v1.5.0", "v1.5.0", "", "v1.5.0", "Available", ""));
    Scripts.Result r = node("--app-version", "1.5.0", "--operator-version", "1.5.0");
    assertThat(r.exit()).as(r.output()).isZero();
  }

  @Test
  void nodeGivesUpOnAnOperatorThatDoesNotComeUp() throws Exception {
    operator(
        "1.4.2",
        List.of("uid-new|||"),
        List.of(operatorDeployment(4, 4, 1, 0, "v1.5.0", "ReplicaSetUpdated")));
    Scripts.Result r =
        node(
            Map.of("OPERATOR_WAIT_SECONDS", "1"),
            "--app-version",
            "1.5.0",
            "--operator-version",
            "1.5.0");
    assertThat(r.exit()).as(r.output()).isEqualTo(4);
    assertThat(r.output())
        .contains(
            "TIMEOUT: the operator did not run v1.5.0 within 1 s",
            "REVERTED: HelmChart",
            "the app was not touched");
    assertThat(kubectlCalls("patch ttstack")).isEmpty();

    Files.deleteIfExists(state.resolve("deploy-gets"));
    operator(
        "1.4.2",
        List.of("uid-new|||"),
        List.of(operatorDeployment(4, 4, 1, 0, "v1.5.0", "ProgressDeadlineExceeded")));
    r = node("--app-version", "1.5.0", "--operator-version", "1.5.0");
    assertThat(r.exit()).as(r.output()).isEqualTo(3);
    assertThat(r.output()).contains("did not become available (ProgressDeadlineExceeded)");
  }

  // ---------------------------------------------------------------------------------------------
  // deploy.sh and the SSM document.

  void invocation(String status, int code, String stdout) throws Exception {
    Files.writeString(
        state.resolve("invocation.json"),
        new ObjectMapper()
            .createObjectNode()
            .put("Status", status)
            .put("ResponseCode", code)
            .put("StandardOutputContent", stdout)
            .put("StandardErrorContent", "")
            .toString());
  }

  @Test
  void deploySendsTheCustomDocumentWithOnlyVersionsAndPollsUntilSuccess() throws Exception {
    Files.writeString(state.resolve("statuses"), "ERR\nPending\nInProgress\nInProgress\nSuccess\n");
    invocation("Success", 0, "OK: tt/tt runs v1.5.0\n");

    Scripts.Result r = deploy("--app-version", "1.5.0", "--operator-version", "v1.5.0");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output())
        .contains(
            "instance i-0123456789abcdef0 (Name=TT-k3s-1)",
            "SSM status: InProgress",
            "OK: tt/tt runs v1.5.0",
            "deployed app v1.5.0 and operator 1.5.0");
    List<String> calls = log("aws.log").lines().toList();
    assertThat(calls.get(0))
        .isEqualTo(
            "ec2 describe-instances --region eu-central-1 --filters Name=tag:Name,Values=TT-k3s-1"
                + " Name=instance-state-name,Values=running --query Reservations[].Instances[].InstanceId --output text");
    assertThat(calls.get(1))
        .startsWith(
            "ssm send-command --region eu-central-1 --document-name TTStack-Deploy"
                + " --instance-ids i-0123456789abcdef0 ");
    assertThat(log("aws.log")).doesNotContain("AWS-RunShellScript");
    assertThat(calls)
        .as("its own loop: get-command-invocation until Success, then once for the output")
        .filteredOn(c -> c.startsWith("ssm get-command-invocation"))
        .hasSize(6);
    assertThat(calls).noneMatch(c -> c.contains(" wait "));

    JsonNode parameters = new ObjectMapper().readTree(log("parameters"));
    assertThat(parameters.toString())
        .isEqualTo(
            "{\"AppVersion\":[\"v1.5.0\"],\"OperatorVersion\":[\"1.5.0\"],\"TimeoutSeconds\":[\"2400\"]}");

    Files.writeString(state.resolve("polls"), "0");
    r =
        deploy(
            Map.of("DEPLOY_TIMEOUT_SECONDS", "3600", "DOCUMENT_NAME", "TTStack-Deploy-Staging"),
            "--app-version",
            "v1.4.2");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(new ObjectMapper().readTree(log("parameters")).toString())
        .as("no operator version: empty (the operator is left alone); the timeout passed on")
        .isEqualTo(
            "{\"AppVersion\":[\"v1.4.2\"],\"OperatorVersion\":[\"\"],\"TimeoutSeconds\":[\"3600\"]}");
    assertThat(r.output()).contains("up to 3600 s on the node");
    assertThat(log("aws.log")).contains("--document-name TTStack-Deploy-Staging");
  }

  @Test
  void deployFailsAtOnceOnAnAwsErrorAndShowsIt() throws Exception {
    // get-command-invocation refused: the old script discarded its stderr and polled for the whole
    // timeout.
    Files.writeString(state.resolve("statuses"), "DENIED\nSuccess\n");
    Scripts.Result denied = deploy("--app-version", "1.5.0");
    assertThat(denied.exit()).as(denied.output()).isEqualTo(1);
    assertThat(denied.output())
        .contains(
            "FAIL: aws ssm get-command-invocation (command 0b1c2d3e-cmd) failed:",
            "AccessDeniedException",
            "is not authorized to perform: ssm:GetCommandInvocation");
    assertThat(reads("polls")).as("at once").isEqualTo(1);

    // ... after InProgress, even InvocationDoesNotExist is an error.
    Files.writeString(state.resolve("statuses"), "InProgress\nERR\nSuccess\n");
    Files.writeString(state.resolve("polls"), "0");
    Scripts.Result vanished = deploy("--app-version", "1.5.0");
    assertThat(vanished.exit()).as(vanished.output()).isEqualTo(1);
    assertThat(vanished.output()).contains("InvocationDoesNotExist");

    Files.writeString(
        state.resolve("send-error"),
        "An error occurred (AccessDeniedException) when calling the SendCommand operation:"
            + " User: arn:aws:sts::123456789012:assumed-role/tt-deploy/GitHubActions is not authorized to perform: ssm:SendCommand"
            + " on resource: arn:aws:ssm:eu-central-1:123456789012:document/TTStack-Deploy\n");
    Scripts.Result send = deploy("--app-version", "1.5.0");
    assertThat(send.exit()).as(send.output()).isEqualTo(1);
    assertThat(send.output())
        .contains(
            "FAIL: aws ssm send-command (document TTStack-Deploy) failed:",
            "not authorized to perform: ssm:SendCommand on resource: arn:aws:ssm:eu-central-1:123456789012:document/TTStack-Deploy");

    Files.writeString(
        state.resolve("describe-error"),
        "An error occurred (UnauthorizedOperation) when calling the"
            + " DescribeInstances operation: You are not authorized to perform this operation.\n");
    Files.writeString(state.resolve("aws.log"), "");
    Scripts.Result describe = deploy("--app-version", "1.5.0");
    assertThat(describe.exit()).as(describe.output()).isEqualTo(1);
    assertThat(describe.output())
        .contains("FAIL: aws ec2 describe-instances failed:", "UnauthorizedOperation");
    assertThat(log("aws.log").lines()).hasSize(1);
  }

  @Test
  void invocationDoesNotExistIsToleratedOnlyBrieflyAfterSendCommand() throws Exception {
    Files.writeString(state.resolve("statuses"), "ERR\nERR\nERR\nSuccess\n");
    invocation("Success", 0, "OK\n");
    assertThat(deploy("--app-version", "1.5.0").exit()).isZero();

    Files.writeString(state.resolve("statuses"), "ERR\n");
    Files.writeString(state.resolve("polls"), "0");
    long start = System.nanoTime();
    Scripts.Result r = deploy(Map.of("INVOCATION_GRACE_SECONDS", "1"), "--app-version", "1.5.0");
    assertThat(r.exit()).as(r.output()).isEqualTo(1);
    assertThat(r.output())
        .contains(
            "FAIL: aws ssm get-command-invocation (command 0b1c2d3e-cmd) failed:",
            "InvocationDoesNotExist");
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(30);
  }

  @Test
  void deployPassesTheNodesOutcomeOn() throws Exception {
    Files.writeString(state.resolve("statuses"), "InProgress\nFailed\n");
    invocation(
        "Failed",
        3,
        "FAILED: the pre-upgrade backup failed: ...\nREVERTED: spec.app.version of ttstack tt/tt set back to v1.4.2\n");
    Scripts.Result r = deploy("--app-version", "1.5.0");
    assertThat(r.exit()).as(r.output()).isEqualTo(3);
    assertThat(r.output())
        .contains(
            "REVERTED: spec.app.version of ttstack tt/tt set back to v1.4.2",
            "FAIL: the deploy failed and was reverted or rolled back");

    for (int code : new int[] {4, 2, 1}) {
      Files.writeString(state.resolve("polls"), "0");
      invocation("Failed", code, "...\n");
      assertThat(deploy("--app-version", "1.5.0").exit()).isEqualTo(code);
    }
    Files.writeString(state.resolve("polls"), "0");
    Files.writeString(state.resolve("statuses"), "InProgress\nTimedOut\n");
    invocation("TimedOut", -1, "");
    Scripts.Result killed = deploy("--app-version", "1.5.0");
    assertThat(killed.exit()).isEqualTo(1);
    assertThat(killed.output()).contains("SSM stopped the command after 2400 s");
  }

  @Test
  void deploySendsNothingWithoutExactlyOneInstanceOrWithBadArguments() throws Exception {
    Files.writeString(state.resolve("instances"), "\n");
    Scripts.Result none = deploy("--app-version", "1.5.0");
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.output()).contains("no running instance tagged Name=TT-k3s-1 in eu-central-1");

    Files.writeString(state.resolve("instances"), "i-0aaaaaaaaaaaaaaaa\ti-0bbbbbbbbbbbbbbbb\n");
    Scripts.Result two = deploy("--app-version", "1.5.0");
    assertThat(two.exit()).isEqualTo(1);
    assertThat(two.output()).contains("2 running instances tagged Name=TT-k3s-1");
    Files.writeString(state.resolve("aws.log"), "");

    Scripts.Result noName = deploy(Map.of("INSTANCE_NAME", ""), "--app-version", "1.5.0");
    assertThat(noName.exit()).isEqualTo(2);
    assertThat(noName.output()).contains("INSTANCE_NAME is not set");
    for (List<String> bad :
        List.of(
            List.of("--app-version", "1.5"),
            List.of("1.5.0"),
            List.of("--app-version", "1.5.0;id"),
            List.of("--app-version", "1.5.0", "--operator-version", "latest"))) {
      assertThat(deploy(bad.toArray(String[]::new)).exit()).as("%s", bad).isEqualTo(2);
    }
    for (String timeout : new String[] {"30", "abc", "172801", "-1"}) {
      assertThat(deploy(Map.of("DEPLOY_TIMEOUT_SECONDS", timeout), "--app-version", "1.5.0").exit())
          .as(timeout)
          .isEqualTo(2);
    }
    assertThat(log("aws.log")).as("no AWS call at all").isEmpty();
  }

  /** The document: only versions and a timeout, each with its pattern, and one fixed command. */
  JsonNode document() throws Exception {
    return new YAMLMapper().readTree(DOCUMENT.toFile());
  }

  /** VAR='...' of a script. */
  static String scriptPattern(Path script, String variable) throws Exception {
    Matcher m =
        Pattern.compile("(?m)^" + variable + "='([^']*)'$").matcher(Files.readString(script));
    assertThat(m.find()).as("%s in %s", variable, script).isTrue();
    return m.group(1);
  }

  @Test
  void theDocumentTakesOnlyValidatedVersionsAndRunsOnlyTheNodeScript() throws Exception {
    JsonNode doc = document();
    assertThat(doc.get("schemaVersion").asText()).isEqualTo("2.2");
    List<String> names = new ArrayList<>();
    doc.get("parameters").fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("AppVersion", "OperatorVersion", "TimeoutSeconds");
    assertThat(doc.get("parameters").get("AppVersion").has("default"))
        .as("AppVersion is required")
        .isFalse();
    assertThat(doc.get("parameters").get("OperatorVersion").get("default").asText()).isEmpty();
    assertThat(doc.get("mainSteps")).hasSize(1);
    JsonNode step = doc.get("mainSteps").get(0);
    assertThat(step.get("action").asText()).isEqualTo("aws:runShellScript");
    assertThat(step.get("inputs").get("timeoutSeconds").asText()).isEqualTo("{{ TimeoutSeconds }}");
    assertThat(step.get("inputs").get("runCommand")).hasSize(1);
    assertThat(step.get("inputs").get("runCommand").get(0).asText())
        .isEqualTo(
            "/usr/local/sbin/ttstack-deploy --app-version"
                + " \"{{ AppVersion }}\" --operator-version \"{{ OperatorVersion }}\" --budget-seconds \"{{ TimeoutSeconds }}\"");

    Pattern app =
        Pattern.compile(doc.get("parameters").get("AppVersion").get("allowedPattern").asText());
    Pattern operator =
        Pattern.compile(
            doc.get("parameters").get("OperatorVersion").get("allowedPattern").asText());
    Pattern timeout =
        Pattern.compile(doc.get("parameters").get("TimeoutSeconds").get("allowedPattern").asText());
    for (String good :
        new String[] {"1.5.0", "v1.5.0", "10.20.30", "1.5.0-rc.1", "v2.0.0-beta-2"}) {
      assertThat(app.matcher(good).matches()).as(good).isTrue();
      assertThat(operator.matcher(good).matches()).as(good).isTrue();
    }
    assertThat(operator.matcher("").matches()).isTrue();
    assertThat(app.matcher("").matches()).isFalse();
    for (String bad :
        new String[] {
          "1.5",
          "latest",
          "V1.5.0",
          "1.5.0\"",
          "1.5.0 --budget-seconds 1",
          "1.5.0;reboot",
          "$(reboot)",
          "1.5.0\nreboot",
          "1.5.0-rc 1",
          "1.5.0'"
        }) {
      assertThat(app.matcher(bad).matches()).as(bad).isFalse();
      assertThat(operator.matcher(bad).matches()).as(bad).isFalse();
    }
    assertThat(doc.get("parameters").get("TimeoutSeconds").get("default").asText())
        .isEqualTo("2400");
    for (String good :
        new String[] {"60", "99", "100", "2400", "99999", "169999", "172799", "172800"}) {
      assertThat(timeout.matcher(good).matches()).as(good).isTrue();
    }
    for (String bad :
        new String[] {"", "0", "59", "060", "172801", "180000", "999999", "1e5", "-60"}) {
      assertThat(timeout.matcher(bad).matches()).as(bad).isFalse();
    }

    // The scripts check the same: a document changed by hand in the console is no way around them.
    String version = app.pattern();
    assertThat(scriptPattern(NODE, "VERSION_RE")).isEqualTo(version);
    assertThat(scriptPattern(DEPLOY, "VERSION_RE")).isEqualTo(version);
    assertThat(operator.pattern())
        .isEqualTo("^(" + version.substring(1, version.length() - 1) + ")?$");
    assertThat(scriptPattern(NODE, "BUDGET_RE")).isEqualTo(timeout.pattern());
    assertThat(scriptPattern(DEPLOY, "TIMEOUT_RE")).isEqualTo(timeout.pattern());
  }

  @Test
  void whatDeploySendsRunsOnTheNodeThroughTheDocument() throws Exception {
    Files.writeString(state.resolve("statuses"), "Success\n");
    invocation("Success", 0, "");
    assertThat(deploy("--app-version", "1.5.0").exit()).isZero();
    JsonNode parameters = new ObjectMapper().readTree(log("parameters"));

    // SSM puts the parameters into the document's command and runs it with sh, as root; here the
    // installed script is the repository's and kubectl is the fake.
    String command =
        document()
            .get("mainSteps")
            .get(0)
            .get("inputs")
            .get("runCommand")
            .get(0)
            .asText()
            .replace("/usr/local/sbin/ttstack-deploy", "bash " + NODE);
    for (String p : List.of("AppVersion", "OperatorVersion", "TimeoutSeconds")) {
      command = command.replace("{{ " + p + " }}", parameters.get(p).get(0).asText());
    }
    status(frame(7, "v1.5.0", "v1.5.0", "", "v1.5.0", "Available", ""));
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "KUBECTL",
                kubectl.toString(),
                "POLL_SECONDS",
                "0.05",
                "DEPLOY_ENV_FILE",
                tmp.resolve("none").toString()));
    Scripts.Result ok =
        Scripts.run(
            List.of(tools.resolve("sh").toString(), "-c", command), tmp, Scripts.path(tools), env);
    assertThat(ok.exit()).as(ok.output()).isZero();
    assertThat(ok.output()).contains("of a budget of 2400 s", "OK: tt/tt runs v1.5.0");

    status(frame(7, "v1.5.0", "v1.4.2", "v1.5.0", "v1.4.2", "RolledBack", "CrashLoopBackOff"));
    Scripts.Result rolledBack =
        Scripts.run(
            List.of(tools.resolve("sh").toString(), "-c", command), tmp, Scripts.path(tools), env);
    assertThat(rolledBack.exit())
        .as("sh passes bash's exit code on to SSM: %s", rolledBack.output())
        .isEqualTo(3);
  }
}
