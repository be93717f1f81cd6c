#!/usr/bin/env bash
# Prints the next release version of this repository from its tags and commit messages
# (Conventional Commits), as three lines for $GITHUB_OUTPUT:
#   version=1.3.0      the chart version (Helm wants SemVer without a "v")
#   tag=v1.3.0         the git tag and the image tag (the team's tag form)
#   latest=true        whether the images may move "latest": false when the repository holds a release
#                      tag newer than this version (a re-run of an old release, or of a run that lost
#                      the race to a newer one), so that "latest" never goes back
# Rules, on the commits since the newest tag vX.Y.Z reachable from HEAD:
#   "BREAKING CHANGE" in a message, or a "type!:" subject  -> X+1.0.0  (while X is 0: 0.Y+1.0)
#   a "feat:" / "feat(scope):" subject                     -> X.Y+1.0
#   anything else                                          -> X.Y.Z+1
# No tag yet: INITIAL_VERSION (default 0.1.0). HEAD already tagged vX.Y.Z: that version again, so a
# re-run of the release workflow on the same commit finds its own release (images, chart, tag), which
# the workflow then never rebuilds (.github/workflows/image.yml), instead of making a new one.
# Needs the full history and all tags (actions/checkout with fetch-depth: 0).
# Usage: next-version.sh [REPOSITORY_DIR]
set -euo pipefail

cd "${1:-.}"
INITIAL_VERSION=${INITIAL_VERSION:-0.1.0}
semver='^v([0-9]+)\.([0-9]+)\.([0-9]+)$'

emit() {
  local highest latest=true
  # Every release tag of the repository, reachable from HEAD or not.
  highest=$(git tag --list 'v*' | grep -E "$semver" | sed 's/^v//' | sort -V | tail -n 1 || true)
  if [[ -n $highest && $(printf '%s\n%s\n' "$1" "$highest" | sort -V | tail -n 1) != "$1" ]]; then
    latest=false
  fi
  printf 'version=%s\ntag=v%s\nlatest=%s\n' "$1" "$1" "$latest"
}

# Release tags on HEAD itself.
head_tag=$(git tag --points-at HEAD --list 'v*' --sort=-v:refname | grep -E "$semver" | head -n 1 || true)
if [[ -n $head_tag ]]; then
  emit "${head_tag#v}"
  exit 0
fi

last=$(git tag --merged HEAD --list 'v*' --sort=-v:refname | grep -E "$semver" | head -n 1 || true)
if [[ -z $last ]]; then
  emit "$INITIAL_VERSION"
  exit 0
fi
[[ $last =~ $semver ]]
major=${BASH_REMATCH[1]}
minor=${BASH_REMATCH[2]}
patch=${BASH_REMATCH[3]}

messages=$(git log --format=%B "${last}..HEAD")
subjects=$(git log --format='%s' "${last}..HEAD")
if grep -q 'BREAKING CHANGE' <<<"$messages" || grep -qE '^[a-z]+(\([^)]*\))?!:' <<<"$subjects"; then
  if ((major == 0)); then
    emit "0.$((minor + 1)).0"
  else
    emit "$((major + 1)).0.0"
  fi
elif grep -qE '^feat(\([^)]*\))?:' <<<"$subjects"; then
  emit "${major}.$((minor + 1)).0"
else
  emit "${major}.${minor}.$((patch + 1))"
fi
