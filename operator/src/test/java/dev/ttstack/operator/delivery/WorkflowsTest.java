package dev.ttstack.operator.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release and deploy workflows (.github/workflows), parsed as YAML: their structure (which job
 * runs what, in which order, under which condition and concurrency group) and, since nothing here
 * can run GitHub Actions, their {@code run:} scripts executed with bash as GitHub would run them
 * ({@code bash -eo pipefail}), with fake {@code docker}/{@code helm} on PATH and a GITHUB_OUTPUT
 * file. The scripts executed here take every GitHub expression through {@code env:} (none in the
 * script itself: no script injection from inputs, and runnable as they are).
 */
class WorkflowsTest {
  static final Path WORKFLOWS = Scripts.REPO.resolve(".github/workflows");
  static final YAMLMapper YAML = new YAMLMapper();
  static final String DIGEST = "sha256:" + "ab".repeat(32);
  static final String IMAGE_ID = "sha256:" + "cd".repeat(32);

  @TempDir Path tmp;

  static JsonNode workflow(String file) throws IOException {
    Path path = WORKFLOWS.resolve(file);
    assertThat(path).as(".github/workflows/%s exists", file).exists();
    return YAML.readTree(path.toFile());
  }

  static JsonNode job(String file, String id) throws IOException {
    JsonNode job = workflow(file).path("jobs").path(id);
    assertThat(job.isObject()).as("%s has a job %s", file, id).isTrue();
    return job;
  }

  static List<JsonNode> steps(JsonNode job) {
    List<JsonNode> out = new ArrayList<>();
    job.path("steps").forEach(out::add);
    return out;
  }

  static JsonNode step(JsonNode job, String id) {
    return steps(job).stream()
        .filter(s -> id.equals(s.path("id").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step with id " + id));
  }

  static int indexOf(JsonNode job, String id) {
    return steps(job).indexOf(step(job, id));
  }

  static List<String> workflowFiles() throws IOException {
    try (Stream<Path> s = Files.list(WORKFLOWS)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
          .sorted()
          .toList();
    }
  }

  /** Every job of every workflow, as "file#job" -> job. */
  static Map<String, JsonNode> allJobs() throws IOException {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (String f : workflowFiles()) {
      workflow(f)
          .path("jobs")
          .fields()
          .forEachRemaining(e -> out.put(f + "#" + e.getKey(), e.getValue()));
    }
    return out;
  }

  // --- running a step's script
  // -------------------------------------------------------------------------

  record Run(int exit, String output, Map<String, String> outputs, String calls) {}

  /** Fake docker and helm: every call is logged to $CALLS; behaviour from FAKE_* variables. */
  Path fakes() throws IOException {
    Path bin = tmp.resolve("fakes");
    Scripts.stub(
        bin,
        "docker",
        """
        echo "docker $*" >>"$CALLS"
        ref_in() { local r; for r in $2; do [[ $r == "$1" ]] && return 0; done; return 1; }
        case "$1 $2 $3" in
          "buildx imagetools inspect")
            ref=$4
            if ref_in "$ref" "${FAKE_MISSING:-}"; then echo "ERROR: ${ref}: not found" >&2; exit 1; fi
            if ref_in "$ref" "${FAKE_DENIED:-}"; then echo "ERROR: denied: requested access to the resource is denied" >&2; exit 1; fi
            printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1234}\\n' "${FAKE_INSPECT_DIGEST:-$FAKE_DIGEST}" ;;
          "buildx imagetools create") ;;
          "image inspect --format")
            case $4 in
              *RepoDigests*) ref=${5%:*}; echo "${ref}@${FAKE_DIGEST}" ;;
              *) echo "${FAKE_IMAGE_ID}" ;;
            esac ;;
          push*) echo "${2##*:}: digest: ${FAKE_DIGEST} size: 1234" ;;
          *) echo "fake docker: unexpected: $*" >&2; exit 64 ;;
        esac
        """);
    Scripts.stub(
        bin,
        "helm",
        """
        echo "helm $*" >>"$CALLS"
        case "$1 $2" in
          "show chart")
            if [[ $3 == *.tgz ]]; then printf 'apiVersion: v2\\nname: tt-operator\\nversion: %s\\nappVersion: %s\\n' "$FAKE_CHART_VERSION" "$FAKE_APP_VERSION"; exit 0; fi
            if [[ " ${FAKE_MISSING:-} " == *" chart:$5 "* ]]; then echo "Error: $3:$5: not found" >&2; exit 1; fi
            printf 'apiVersion: v2\\nname: tt-operator\\nversion: %s\\n' "$5" ;;
          "registry login") cat >/dev/null ;;
          lint* | package* | push*) ;;
          *) echo "fake helm: unexpected: $*" >&2; exit 64 ;;
        esac
        """);
    return bin;
  }

  /** Runs {@code step}'s script in {@code dir} as GitHub runs a bash step, with {@code env}. */
  Run run(JsonNode step, Path dir, Map<String, String> env) throws Exception {
    String script = step.path("run").asText();
    assertThat(script).as("step %s has a run script", step.path("id").asText()).isNotBlank();
    assertThat(script)
        .as("no ${{ }} inside the script: expressions come in through env")
        .doesNotContain("${{");
    Path file = tmp.resolve("step-" + System.nanoTime() + ".sh");
    Files.writeString(file, script);
    Path output = Files.createTempFile(tmp, "github-output", "");
    Path summary = Files.createTempFile(tmp, "summary", "");
    Path calls = Files.createTempFile(tmp, "calls", "");
    Map<String, String> all =
        new HashMap<>(
            Map.of(
                "GITHUB_OUTPUT",
                output.toString(),
                "GITHUB_STEP_SUMMARY",
                summary.toString(),
                "CALLS",
                calls.toString(),
                "FAKE_DIGEST",
                DIGEST,
                "FAKE_IMAGE_ID",
                IMAGE_ID));
    all.putAll(env);
    Scripts.Result r =
        Scripts.run(
            List.of("bash", "--noprofile", "--norc", "-eo", "pipefail", file.toString()),
            dir,
            Scripts.path(fakes()) + ":/usr/local/bin:/usr/bin:/bin",
            all);
    Map<String, String> outputs = new LinkedHashMap<>();
    for (String line : Files.readAllLines(output)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        outputs.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return new Run(r.exit(), r.output(), outputs, Files.readString(calls));
  }

  Run run(JsonNode step, Map<String, String> env) throws Exception {
    return run(step, tmp, env);
  }

  // --- the calls between the workflows (the actionlint build used here does not read called
  // workflows) ------

  static final java.util.regex.Pattern NEEDS_OUTPUT =
      java.util.regex.Pattern.compile("needs\\.([A-Za-z0-9_-]+)\\.outputs\\.([A-Za-z0-9_-]+)");
  static final java.util.regex.Pattern JOBS_OUTPUT =
      java.util.regex.Pattern.compile("jobs\\.([A-Za-z0-9_-]+)\\.outputs\\.([A-Za-z0-9_-]+)");
  static final java.util.regex.Pattern STEPS_OUTPUT =
      java.util.regex.Pattern.compile("steps\\.([A-Za-z0-9_-]+)\\.outputs\\.([A-Za-z0-9_-]+)");

  static List<String> names(JsonNode object) {
    List<String> out = new ArrayList<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /**
   * Names a job may read as needs.JOB.outputs.NAME: a called workflow's declared outputs, or the
   * job's own.
   */
  static List<String> outputsOf(JsonNode job) throws IOException {
    String uses = job.path("uses").asText();
    if (uses.startsWith("./.github/workflows/")) {
      return names(
          workflow(uses.substring("./.github/workflows/".length()))
              .path("on")
              .path("workflow_call")
              .path("outputs"));
    }
    return names(job.path("outputs"));
  }

  @Test
  void everyCallPassesDeclaredInputsAndReadsDeclaredOutputsWithTheRightPermissions()
      throws Exception {
    for (String f : workflowFiles()) {
      JsonNode wf = workflow(f);
      JsonNode jobs = wf.path("jobs");
      for (String id : names(jobs)) {
        JsonNode job = jobs.path(id);
        String where = f + "#" + id;
        String text = job.toString();
        // needs.X.outputs.Y: X is a job this one needs, Y an output X has.
        List<String> needs = new ArrayList<>();
        if (job.path("needs").isArray()) {
          job.path("needs").forEach(n -> needs.add(n.asText()));
        } else if (job.has("needs")) {
          needs.add(job.path("needs").asText());
        }
        java.util.regex.Matcher m = NEEDS_OUTPUT.matcher(text);
        while (m.find()) {
          assertThat(needs)
              .as("%s reads needs.%s but does not need it", where, m.group(1))
              .contains(m.group(1));
          assertThat(outputsOf(jobs.path(m.group(1))))
              .as("%s reads output %s of %s", where, m.group(2), m.group(1))
              .contains(m.group(2));
        }
        // steps.X.outputs.Y: X is a step id of this job, and a step id that writes Y (checked where
        // run).
        java.util.regex.Matcher s = STEPS_OUTPUT.matcher(text);
        List<String> stepIds = steps(job).stream().map(st -> st.path("id").asText()).toList();
        while (s.find()) {
          assertThat(stepIds).as("%s reads steps.%s", where, s.group(1)).contains(s.group(1));
        }
        String uses = job.path("uses").asText();
        if (!uses.startsWith("./.github/workflows/")) {
          continue;
        }
        JsonNode called = workflow(uses.substring("./.github/workflows/".length()));
        JsonNode inputs = called.path("on").path("workflow_call").path("inputs");
        assertThat(called.path("on").has("workflow_call"))
            .as("%s calls %s, which has on.workflow_call", where, uses)
            .isTrue();
        assertThat(inputs.isMissingNode() ? List.<String>of() : names(inputs))
            .as("%s passes only inputs %s declares", where, uses)
            .containsAll(names(job.path("with")));
        for (String input : names(inputs)) {
          if (inputs.path(input).path("required").asBoolean(false)) {
            assertThat(job.path("with").has(input))
                .as("%s passes the required input %s", where, input)
                .isTrue();
          }
        }
        // A called workflow's jobs can only narrow the caller's permissions.
        for (String calledJob : names(called.path("jobs"))) {
          JsonNode wants = called.path("jobs").path(calledJob).path("permissions");
          for (String scope : names(wants)) {
            String want = wants.path(scope).asText();
            String has = job.path("permissions").path(scope).asText("none");
            assertThat(want.equals("read") ? List.of("read", "write") : List.of("write"))
                .as("%s grants %s: %s for %s#%s", where, scope, want, uses, calledJob)
                .contains(has);
          }
        }
      }
      // on.workflow_call.outputs.*.value reads jobs.X.outputs.Y that exist.
      JsonNode outs = wf.path("on").path("workflow_call").path("outputs");
      for (String out : names(outs)) {
        java.util.regex.Matcher m = JOBS_OUTPUT.matcher(outs.path(out).path("value").asText());
        assertThat(m.find()).as("%s output %s reads a job output", f, out).isTrue();
        assertThat(outputsOf(jobs.path(m.group(1))))
            .as("%s output %s", f, out)
            .contains(m.group(2));
      }
    }
  }

  // --- defect 4: the release deploys the operator (chart, CRD) before the app
  // ------------------------------

  @Test
  void theReleaseDeploysItsOperatorVersionAndItsAppVersion() throws Exception {
    JsonNode deploy = job("release.yml", "deploy");
    assertThat(deploy.path("uses").asText())
        .as("the one deploy definition")
        .isEqualTo("./.github/workflows/deploy.yml");
    assertThat(deploy.path("with").path("app-version").asText())
        .isEqualTo("v${{ needs.publish.outputs.version }}");
    assertThat(deploy.path("with").path("operator-version").asText())
        .isEqualTo("${{ needs.publish.outputs.version }}");

    // The deploy step hands both to deploy.sh (which has the node upgrade the operator first).
    Path dir = tmp.resolve("checkout");
    Scripts.stub(dir.resolve(".github/scripts"), "deploy.sh", "echo \"deploy.sh $*\" >>\"$CALLS\"");
    JsonNode step = step(job("deploy.yml", "deploy"), "deploy");
    Run both =
        run(
            step,
            dir,
            Map.of(
                "APP_VERSION", "v1.5.0", "OPERATOR_VERSION", "1.5.0", "INSTANCE_NAME", "TT-k3s-1"));
    assertThat(both.exit()).as(both.output()).isZero();
    assertThat(both.calls()).isEqualTo("deploy.sh --app-version v1.5.0 --operator-version 1.5.0\n");

    Run appOnly =
        run(
            step,
            dir,
            Map.of("APP_VERSION", "v1.4.2", "OPERATOR_VERSION", "", "INSTANCE_NAME", "TT-k3s-1"));
    assertThat(appOnly.exit()).as(appOnly.output()).isZero();
    assertThat(appOnly.calls())
        .as("no operator version: the operator is left as it is")
        .isEqualTo("deploy.sh --app-version v1.4.2\n");

    Scripts.stub(dir.resolve(".github/scripts"), "deploy.sh", "exit 3");
    assertThat(
            run(
                    step,
                    dir,
                    Map.of(
                        "APP_VERSION", "v1.5.0", "OPERATOR_VERSION", "1.5.0", "INSTANCE_NAME", "x"))
                .exit())
        .as("a failed deploy fails the job")
        .isNotZero();
  }

  // --- defect 6: concurrency on the deploy only; a release never rebuilds an existing tag
  // -------------------

  @Test
  void onlyTheProductionDeployWaitsForTheProductionDeploy() throws Exception {
    assertThat(workflow("release.yml").has("concurrency"))
        .as("release.yml: no workflow-wide group (CI never waits for an approval)")
        .isFalse();
    assertThat(workflow("deploy.yml").has("concurrency"))
        .as("deploy.yml: no workflow-wide group")
        .isFalse();

    Map<String, JsonNode> production = new LinkedHashMap<>();
    allJobs()
        .forEach(
            (id, job) -> {
              if (job.has("environment")) {
                production.put(id, job);
              }
            });
    assertThat(production.keySet())
        .as("one job definition deploys to production")
        .containsExactly("deploy.yml#deploy");
    JsonNode deploy = production.get("deploy.yml#deploy");
    assertThat(deploy.path("environment").asText()).isEqualTo("production");
    assertThat(deploy.path("concurrency").path("group").asText()).isEqualTo("production-deploy");
    assertThat(deploy.path("concurrency").path("cancel-in-progress").asBoolean(true))
        .as("a running deploy is never cancelled")
        .isFalse();

    // Nothing else shares the group, and the jobs before the deploy hold no group of their own.
    List<String> groups = new ArrayList<>();
    for (String f : workflowFiles()) {
      JsonNode wf = workflow(f);
      if (wf.has("concurrency")) {
        groups.add(
            f
                + ": "
                + wf.path("concurrency").path("group").asText(wf.path("concurrency").asText()));
      }
    }
    allJobs()
        .forEach(
            (id, job) -> {
              if (job.has("concurrency")) {
                groups.add(
                    id
                        + ": "
                        + job.path("concurrency")
                            .path("group")
                            .asText(job.path("concurrency").asText()));
              }
            });
    assertThat(groups)
        .filteredOn(g -> g.contains("production"))
        .containsExactly("deploy.yml#deploy: production-deploy");
  }

  @Test
  void aReleasePublishesOneVersionAtATimeButItsCiAndItsDeployAreNotInThatGroup() throws Exception {
    JsonNode release = workflow("release.yml");
    assertThat(release.path("jobs").path("checks").path("uses").asText())
        .isEqualTo("./.github/workflows/ci.yml");
    assertThat(release.path("jobs").path("publish").path("uses").asText())
        .isEqualTo("./.github/workflows/publish.yml");
    assertThat(release.path("jobs").path("publish").path("needs").asText()).isEqualTo("checks");
    assertThat(release.path("jobs").path("deploy").path("needs").asText()).isEqualTo("publish");
    // Two pushes in a row must not compute the same version and race on its tag: the version is
    // computed, and the images, chart and tag made, under one group that neither CI nor the deploy
    // holds.
    JsonNode publish = workflow("publish.yml");
    assertThat(publish.path("concurrency").path("group").asText()).isEqualTo("release-publish");
    assertThat(publish.path("concurrency").path("cancel-in-progress").asBoolean(true)).isFalse();
    assertThat(publish.path("jobs").path("version").path("steps").toString())
        .contains("next-version.sh");
    assertThat(workflow("ci.yml").path("concurrency").path("group").asText())
        .doesNotContain("release-publish");
  }

  @Test
  void anImageTagThatExistsIsNeverRebuiltAndLatestIsNotMoved() throws Exception {
    JsonNode image = job("image.yml", "image");
    JsonNode existing = step(image, "existing");
    Map<String, String> env =
        Map.of(
            "REF", "ghcr.io/tt-org/tt-backend:v1.5.0", "REPOSITORY", "ghcr.io/tt-org/tt-backend");

    Run there = run(existing, env);
    assertThat(there.exit()).as(there.output()).isZero();
    assertThat(there.outputs()).containsEntry("exists", "true").containsEntry("digest", DIGEST);
    assertThat(there.calls())
        .startsWith("docker buildx imagetools inspect ghcr.io/tt-org/tt-backend:v1.5.0");

    Map<String, String> missing = new HashMap<>(env);
    missing.put("FAKE_MISSING", "ghcr.io/tt-org/tt-backend:v1.5.0");
    Run absent = run(existing, missing);
    assertThat(absent.exit()).as(absent.output()).isZero();
    assertThat(absent.outputs()).containsEntry("exists", "false");

    Map<String, String> denied = new HashMap<>(env);
    denied.put("FAKE_DENIED", "ghcr.io/tt-org/tt-backend:v1.5.0");
    Run unknown = run(existing, denied);
    assertThat(unknown.exit())
        .as("an error that is not 'not found' stops the job: never build on a guess")
        .isNotZero();
    assertThat(unknown.output()).contains("denied");

    // Every step after the check (build, scan, push, latest) runs only when the tag is absent.
    List<JsonNode> all = steps(image);
    for (JsonNode s : all.subList(indexOf(image, "existing") + 1, all.size())) {
      assertThat(s.path("if").asText())
          .as("step %s", s.path("name").asText(s.path("id").asText()))
          .contains("steps.existing.outputs.exists == 'false'");
    }
    assertThat(step(image, "latest").path("if").asText()).contains("inputs.latest");

    // latest comes from next-version.sh, which says false when a newer release exists.
    for (String id : List.of("backend", "operator")) {
      JsonNode caller = job("publish.yml", id);
      assertThat(caller.path("uses").asText()).isEqualTo("./.github/workflows/image.yml");
      assertThat(caller.path("with").path("latest").asText())
          .isEqualTo("${{ needs.version.outputs.latest == 'true' }}");
      assertThat(caller.path("with").path("version").asText())
          .isEqualTo("${{ needs.version.outputs.version }}");
    }
  }

  @Test
  void aChartVersionThatExistsIsNeverRepushed() throws Exception {
    JsonNode chart = job("publish.yml", "chart");
    JsonNode existing = step(chart, "existing");
    Map<String, String> env =
        Map.of("VERSION", "1.5.0", "CHART_REPOSITORY", "oci://ghcr.io/tt-org/charts");
    Run there = run(existing, env);
    assertThat(there.exit()).as(there.output()).isZero();
    assertThat(there.outputs()).containsEntry("exists", "true");
    assertThat(there.calls())
        .contains("helm show chart oci://ghcr.io/tt-org/charts/tt-operator --version 1.5.0");

    Map<String, String> missing = new HashMap<>(env);
    missing.put("FAKE_MISSING", "chart:1.5.0");
    Run absent = run(existing, missing);
    assertThat(absent.exit()).as(absent.output()).isZero();
    assertThat(absent.outputs()).containsEntry("exists", "false");

    assertThat(step(chart, "package").path("if").asText())
        .contains("steps.existing.outputs.exists == 'false'");
    assertThat(indexOf(chart, "existing")).isLessThan(indexOf(chart, "package"));
  }

  // --- defect 7: the image that was scanned is the image that is pushed
  // ------------------------------------

  @Test
  void oneBuildIsScannedAndThatImageIsPushedByDigest() throws Exception {
    for (Map.Entry<String, JsonNode> e : allJobs().entrySet()) {
      for (JsonNode s : steps(e.getValue())) {
        if (s.path("uses").asText().startsWith("docker/build-push-action@")) {
          assertThat(e.getKey()).as("builds happen in image.yml only").isEqualTo("image.yml#image");
          assertThat(s.path("with").path("push").asText("false"))
              .as("%s: the build never pushes", e.getKey())
              .isEqualTo("false");
        }
      }
    }
    JsonNode image = job("image.yml", "image");
    List<JsonNode> builds =
        steps(image).stream()
            .filter(s -> s.path("uses").asText().startsWith("docker/build-push-action@"))
            .toList();
    assertThat(builds).as("one build per image").hasSize(1);
    JsonNode build = builds.get(0);
    assertThat(build.path("id").asText()).isEqualTo("build");
    assertThat(build.path("with").path("load").asText())
        .as("into the runner's Docker, for the scan and the push")
        .isEqualTo("true");

    JsonNode scan = step(image, "scan");
    assertThat(scan.path("uses").asText()).startsWith("aquasecurity/trivy-action@");
    assertThat(scan.path("with").path("image-ref").asText()).isEqualTo("${{ env.REF }}");
    assertThat(scan.path("env").path("TRIVY_IMAGE_SRC").asText())
        .as("the local image, never a registry's")
        .isEqualTo("docker");
    assertThat(scan.path("with").path("exit-code").asText()).isEqualTo("1");
    assertThat(
            List.of(
                indexOf(image, "build"),
                indexOf(image, "built"),
                indexOf(image, "scan"),
                indexOf(image, "push"),
                indexOf(image, "latest")))
        .as("build, record its id, scan, push, latest")
        .isSorted();

    // The id recorded right after the build.
    Map<String, String> env =
        Map.of(
            "REF", "ghcr.io/tt-org/tt-backend:v1.5.0", "REPOSITORY", "ghcr.io/tt-org/tt-backend");
    Run built = run(step(image, "built"), env);
    assertThat(built.exit()).as(built.output()).isZero();
    assertThat(built.outputs()).containsEntry("id", IMAGE_ID);

    // The push: only if the tag still names the scanned image; the digest comes from the registry's
    // answer.
    JsonNode push = step(image, "push");
    assertThat(push.path("env").path("SCANNED").asText())
        .isEqualTo("${{ steps.built.outputs.id }}");
    Map<String, String> same = new HashMap<>(env);
    same.put("SCANNED", IMAGE_ID);
    Run pushed = run(push, same);
    assertThat(pushed.exit()).as(pushed.output()).isZero();
    assertThat(pushed.calls()).contains("docker push ghcr.io/tt-org/tt-backend:v1.5.0\n");
    assertThat(pushed.calls()).doesNotContain("build");
    assertThat(pushed.outputs()).containsEntry("digest", DIGEST);

    Map<String, String> other = new HashMap<>(env);
    other.put("SCANNED", "sha256:" + "ef".repeat(32));
    Run refused = run(push, other);
    assertThat(refused.exit()).as("the tag names another image than the scanned one").isNotZero();
    assertThat(refused.calls()).doesNotContain("docker push");

    // latest: a new tag on the pushed digest, no build; checked afterwards.
    JsonNode latest = step(image, "latest");
    assertThat(latest.path("env").path("DIGEST").asText())
        .isEqualTo("${{ steps.push.outputs.digest }}");
    Map<String, String> withDigest = new HashMap<>(env);
    withDigest.put("DIGEST", DIGEST);
    Run moved = run(latest, withDigest);
    assertThat(moved.exit()).as(moved.output()).isZero();
    assertThat(moved.calls())
        .contains(
            "docker buildx imagetools create -t ghcr.io/tt-org/tt-backend:latest ghcr.io/tt-org/tt-backend@"
                + DIGEST
                + "\n");
    withDigest.put("FAKE_INSPECT_DIGEST", "sha256:" + "12".repeat(32));
    assertThat(run(latest, withDigest).exit())
        .as("latest does not point at the pushed digest afterwards")
        .isNotZero();

    assertThat(image.path("outputs").path("digest").asText())
        .isEqualTo("${{ steps.push.outputs.digest || steps.existing.outputs.digest }}");
    assertThat(
            workflow("image.yml")
                .path("on")
                .path("workflow_call")
                .path("outputs")
                .path("digest")
                .path("value")
                .asText())
        .isEqualTo("${{ jobs.image.outputs.digest }}");
  }

  @Test
  void dependabotWatchesBothDockerfilesAndTheActions() throws Exception {
    JsonNode dependabot = YAML.readTree(Scripts.REPO.resolve(".github/dependabot.yml").toFile());
    List<String> docker = new ArrayList<>();
    List<String> actions = new ArrayList<>();
    for (JsonNode u : dependabot.path("updates")) {
      List<String> dirs = new ArrayList<>();
      if (u.has("directory")) {
        dirs.add(u.path("directory").asText());
      }
      u.path("directories").forEach(d -> dirs.add(d.asText()));
      switch (u.path("package-ecosystem").asText()) {
        case "docker" -> docker.addAll(dirs);
        case "github-actions" -> actions.addAll(dirs);
        default -> {}
      }
    }
    assertThat(docker)
        .as("the folders of app/Dockerfile and operator/Dockerfile")
        .contains("/app", "/operator");
    assertThat(actions).contains("/");
    assertThat(Scripts.REPO.resolve("app/Dockerfile")).exists();
    assertThat(Scripts.REPO.resolve("operator/Dockerfile")).exists();
  }

  // --- defect 8: the team's tag form
  // --------------------------------------------------------------------

  @Test
  void imagesAreTaggedVxyzAndTheChartIsXyzWithAppVersionVxyz() throws Exception {
    JsonNode image = job("image.yml", "image");
    assertThat(image.path("env").path("REF").asText())
        .isEqualTo("ghcr.io/tt-org/${{ inputs.image }}:v${{ inputs.version }}");
    assertThat(image.path("env").path("REPOSITORY").asText())
        .isEqualTo("ghcr.io/tt-org/${{ inputs.image }}");
    assertThat(step(image, "build").path("with").path("tags").asText().strip())
        .isEqualTo("${{ env.REF }}");

    JsonNode chart = job("publish.yml", "chart");
    Path dir = tmp.resolve("checkout");
    Files.createDirectories(dir);
    Run ok =
        run(
            step(chart, "package"),
            dir,
            Map.of(
                "VERSION",
                "1.5.0",
                "CHART_REPOSITORY",
                "oci://ghcr.io/tt-org/charts",
                "FAKE_CHART_VERSION",
                "1.5.0",
                "FAKE_APP_VERSION",
                "v1.5.0"));
    assertThat(ok.exit()).as(ok.output()).isZero();
    assertThat(ok.calls())
        .contains(
            "helm package helm/tt-operator --version 1.5.0 --app-version v1.5.0 --destination dist\n")
        .contains("helm push dist/tt-operator-1.5.0.tgz oci://ghcr.io/tt-org/charts\n");
    Run wrong =
        run(
            step(chart, "package"),
            dir,
            Map.of(
                "VERSION",
                "1.5.0",
                "CHART_REPOSITORY",
                "oci://ghcr.io/tt-org/charts",
                "FAKE_CHART_VERSION",
                "1.5.0",
                "FAKE_APP_VERSION",
                "1.5.0"));
    assertThat(wrong.exit())
        .as("a packaged chart whose appVersion is not v1.5.0 is not pushed")
        .isNotZero();
    assertThat(wrong.calls()).doesNotContain("helm push");
  }

  @Test
  void theReleaseBundleNamesTheReleasesOwnVersion() throws Exception {
    JsonNode release = job("publish.yml", "release");
    assertThat(release.path("steps").toString())
        .contains(
            "bash .github/scripts/node-bundle.sh \\\"$TAG\\\" \\\"ttstack-node-${VERSION}.tar.gz\\\"");

    Path script = Scripts.REPO.resolve(".github/scripts/node-bundle.sh");
    for (String given : List.of("9.8.7", "v9.8.7")) {
      Path out = tmp.resolve("bundle-" + given + ".tar.gz");
      Scripts.Result r =
          Scripts.run(
              List.of("bash", script.toString(), given, out.toString(), Scripts.REPO.toString()),
              tmp,
              "/usr/local/bin:/usr/bin:/bin",
              Map.of());
      assertThat(r.exit()).as(r.output()).isZero();
      Path x = Files.createDirectories(tmp.resolve("x-" + given));
      assertThat(
              Scripts.run(
                      List.of("tar", "-xzf", out.toString(), "-C", x.toString()),
                      tmp,
                      "/usr/bin:/bin",
                      Map.of())
                  .exit())
          .isZero();
      assertThat(x.resolve("k3s/setup-node.sh")).exists();
      Path bundled = x.resolve("examples/ttstack.yaml");
      JsonNode stack = YAML.readTree(bundled.toFile());
      JsonNode original = YAML.readTree(Scripts.REPO.resolve("examples/ttstack.yaml").toFile());
      assertThat(stack.path("spec").path("app").path("version").asText()).isEqualTo("v9.8.7");
      ((com.fasterxml.jackson.databind.node.ObjectNode) stack.path("spec").path("app"))
          .set("version", original.path("spec").path("app").path("version"));
      assertThat(stack)
          .as("nothing else changed (spec.postgres.version neither)")
          .isEqualTo(original);
      List<String> a = Files.readAllLines(Scripts.REPO.resolve("examples/ttstack.yaml"));
      List<String> b = Files.readAllLines(bundled);
      assertThat(b).hasSameSizeAs(a);
      assertThat(b.stream().filter(l -> l.contains("\"v9.8.7\"")).count()).isEqualTo(1);
    }

    // A file where spec.app.version is missing (or only elsewhere) gives no bundle.
    Path fake = tmp.resolve("fake-repo");
    Files.createDirectories(fake.resolve("k3s"));
    Files.createDirectories(fake.resolve("examples"));
    Files.writeString(
        fake.resolve("examples/ttstack.yaml"),
        "spec:\n  app:\n    replicas: 2\n  postgres:\n    version: \"16\"\n");
    Scripts.Result none =
        Scripts.run(
            List.of(
                "bash",
                script.toString(),
                "9.8.7",
                tmp.resolve("none.tgz").toString(),
                fake.toString()),
            tmp,
            "/usr/local/bin:/usr/bin:/bin",
            Map.of());
    assertThat(none.exit()).isEqualTo(1);
    assertThat(tmp.resolve("none.tgz")).doesNotExist();
    Scripts.Result bad =
        Scripts.run(
            List.of(
                "bash",
                script.toString(),
                "latest",
                tmp.resolve("bad.tgz").toString(),
                fake.toString()),
            tmp,
            "/usr/local/bin:/usr/bin:/bin",
            Map.of());
    assertThat(bad.exit()).isEqualTo(2);
  }

  // --- defect 9: a configurable target, and deploying a chosen version from GitHub
  // -------------------------

  @Test
  void theDeployTargetIsARepositoryVariableAndItsAbsenceStopsTheDeploy() throws Exception {
    for (String f : workflowFiles()) {
      assertThat(Files.readString(WORKFLOWS.resolve(f)))
          .as("%s targets no hard-coded host", f)
          .doesNotContain("TT-ec2-1");
    }
    JsonNode deploy = job("deploy.yml", "deploy");
    assertThat(deploy.path("env").path("INSTANCE_NAME").asText())
        .isEqualTo("${{ vars.DEPLOY_INSTANCE_NAME }}");
    assertThat(steps(deploy).get(0).path("id").asText())
        .as("checked first, before any credential")
        .isEqualTo("target");
    Run unset = run(step(deploy, "target"), Map.of("INSTANCE_NAME", ""));
    assertThat(unset.exit()).isNotZero();
    assertThat(unset.output()).contains("DEPLOY_INSTANCE_NAME");
    assertThat(run(step(deploy, "target"), Map.of("INSTANCE_NAME", "  ")).exit()).isNotZero();
    Run set = run(step(deploy, "target"), Map.of("INSTANCE_NAME", "TT-k3s-1"));
    assertThat(set.exit()).as(set.output()).isZero();
    assertThat(set.output()).contains("TT-k3s-1");
  }

  @Test
  void aChosenVersionIsDeployedFromGitHubThroughTheSameChecks() throws Exception {
    JsonNode on = workflow("deploy.yml").path("on");
    for (String trigger : List.of("workflow_dispatch", "workflow_call")) {
      JsonNode inputs = on.path(trigger).path("inputs");
      assertThat(inputs.path("app-version").path("required").asBoolean()).as(trigger).isTrue();
      assertThat(inputs.path("operator-version").path("required").asBoolean(true))
          .as(trigger)
          .isFalse();
      assertThat(inputs.path("operator-version").path("default").asText("x")).as(trigger).isEmpty();
    }
    JsonNode deploy = job("deploy.yml", "deploy");
    assertThat(deploy.path("needs").asText()).isEqualTo("verify");
    assertThat(deploy.path("env").path("APP_VERSION").asText())
        .isEqualTo("${{ needs.verify.outputs.app-version }}");
    assertThat(deploy.path("env").path("OPERATOR_VERSION").asText())
        .isEqualTo("${{ needs.verify.outputs.operator-version }}");
    JsonNode verify = job("deploy.yml", "verify");
    assertThat(verify.has("environment")).as("checked before anyone is asked to approve").isFalse();

    // Versions: either form in, vX.Y.Z (image) and X.Y.Z (chart) out.
    JsonNode versions = step(verify, "versions");
    record Case(String app, String operator, String appOut, String operatorOut) {}
    for (Case c :
        List.of(
            new Case("1.4.2", "", "v1.4.2", ""),
            new Case("v1.4.2", "", "v1.4.2", ""),
            new Case("v1.5.0", "v1.5.0", "v1.5.0", "1.5.0"),
            new Case("1.6.0-rc.1", "1.6.0-rc.1", "v1.6.0-rc.1", "1.6.0-rc.1"))) {
      Run r = run(versions, Map.of("APP_VERSION", c.app(), "OPERATOR_VERSION", c.operator()));
      assertThat(r.exit()).as(c + r.output()).isZero();
      assertThat(r.outputs())
          .as(c.toString())
          .containsEntry("app-version", c.appOut())
          .containsEntry("operator-version", c.operatorOut());
    }
    for (String[] bad :
        new String[][] {
          {"latest", ""}, {"1.5", ""}, {"", ""}, {"1.5.0; rm -rf /", ""}, {"1.5.0", "latest"}
        }) {
      Run r = run(versions, Map.of("APP_VERSION", bad[0], "OPERATOR_VERSION", bad[1]));
      assertThat(r.exit()).as("refused: %s / %s", bad[0], bad[1]).isNotZero();
    }

    // The versions must exist in GHCR: the app image; with an operator version its image and its
    // chart.
    JsonNode ghcr = step(verify, "ghcr");
    assertThat(indexOf(verify, "versions")).isLessThan(indexOf(verify, "ghcr"));
    Map<String, String> env =
        Map.of(
            "APP_VERSION",
            "v1.4.2",
            "OPERATOR_VERSION",
            "",
            "IMAGE_PREFIX",
            "ghcr.io/tt-org",
            "CHART_REPOSITORY",
            "oci://ghcr.io/tt-org/charts");
    Run appOnly = run(ghcr, env);
    assertThat(appOnly.exit()).as(appOnly.output()).isZero();
    assertThat(appOnly.calls())
        .contains("docker buildx imagetools inspect ghcr.io/tt-org/tt-backend:v1.4.2")
        .doesNotContain("tt-operator");

    Map<String, String> both = new HashMap<>(env);
    both.put("APP_VERSION", "v1.5.0");
    both.put("OPERATOR_VERSION", "1.5.0");
    Run withOperator = run(ghcr, both);
    assertThat(withOperator.exit()).as(withOperator.output()).isZero();
    assertThat(withOperator.calls())
        .contains("docker buildx imagetools inspect ghcr.io/tt-org/tt-backend:v1.5.0")
        .contains("docker buildx imagetools inspect ghcr.io/tt-org/tt-operator:v1.5.0")
        .contains("helm show chart oci://ghcr.io/tt-org/charts/tt-operator --version 1.5.0");

    Map<String, String> noApp = new HashMap<>(env);
    noApp.put("FAKE_MISSING", "ghcr.io/tt-org/tt-backend:v1.4.2");
    Run missingApp = run(ghcr, noApp);
    assertThat(missingApp.exit()).isNotZero();
    assertThat(missingApp.output())
        .contains("ghcr.io/tt-org/tt-backend:v1.4.2")
        .contains("not in GHCR");

    Map<String, String> noChart = new HashMap<>(both);
    noChart.put("FAKE_MISSING", "chart:1.5.0");
    Run missingChart = run(ghcr, noChart);
    assertThat(missingChart.exit()).isNotZero();
    assertThat(missingChart.output())
        .contains("tt-operator")
        .contains("1.5.0")
        .contains("not in GHCR");
  }
}
