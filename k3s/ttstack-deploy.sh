#!/usr/bin/env bash
# Runs ON THE NODE (sent by deploy.sh through SSM send-command, as root): sets spec.app.version of the
# TTStack and waits, polling, until the operator reports the outcome.
#   exit 0  status.app.version is VERSION (the new version runs)
#   exit 3  the operator rolled back (AppReady reason RolledBack for VERSION): the deploy failed
#   exit 4  no outcome within the timeout
#   exit 1  anything else (bad arguments, kubectl failed, no such TTStack)
# Usage: ttstack-set-version.sh VERSION [NAMESPACE] [NAME] [TIMEOUT_SECONDS] [POLL_SECONDS]
# Environment: KUBECONFIG (default /etc/rancher/k3s/k3s.yaml), KUBECTL (default kubectl).
set -euo pipefail

VERSION=${1:?usage: ttstack-set-version.sh VERSION [NAMESPACE] [NAME] [TIMEOUT_SECONDS] [POLL_SECONDS]}
NAMESPACE=${2:-tt}
NAME=${3:-tt}
TIMEOUT_SECONDS=${4:-900}
POLL_SECONDS=${5:-10}
export KUBECONFIG=${KUBECONFIG:-/etc/rancher/k3s/k3s.yaml}
KUBECTL=${KUBECTL:-kubectl}
PATH="/usr/local/bin:${PATH}" # k3s puts kubectl there; SSM's shell may not have it on PATH

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# Image tags: a semantic version, no "v" (the release workflow tags images 1.2.3).
if [[ ! $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  log "refusing version '${VERSION}': expected a semantic version such as 1.2.3"
  exit 1
fi
[[ $TIMEOUT_SECONDS =~ ^[0-9]+$ && $POLL_SECONDS =~ ^[0-9]+([.][0-9]+)?$ ]] || {
  log "TIMEOUT_SECONDS and POLL_SECONDS must be numbers"
  exit 1
}

patch=$(printf '{"spec":{"app":{"version":"%s"}}}' "$VERSION")
# The generation after the patch: a status whose observedGeneration is older says nothing about VERSION.
generation=$("$KUBECTL" -n "$NAMESPACE" patch ttstack "$NAME" --type merge -p "$patch" \
  -o 'jsonpath={.metadata.generation}')
[[ $generation =~ ^[0-9]+$ ]] || { log "kubectl patch printed no generation: '${generation}'"; exit 1; }
log "spec.app.version of ttstack ${NAMESPACE}/${NAME} set to ${VERSION} (generation ${generation})"

# One line of status: observedGeneration|app.version|app.failedVersion|app.lastGoodVersion|AppReady reason|message
fields='{.status.observedGeneration}|{.status.app.version}|{.status.app.failedVersion}|{.status.app.lastGoodVersion}'
fields+='|{.status.conditions[?(@.type=="AppReady")].reason}|{.status.conditions[?(@.type=="AppReady")].message}'

deadline=$((SECONDS + TIMEOUT_SECONDS))
last=""
while :; do
  line=$("$KUBECTL" -n "$NAMESPACE" get ttstack "$NAME" -o "jsonpath=${fields}")
  IFS='|' read -r observed running failed good reason message <<<"$line"
  if [[ $line != "$last" ]]; then
    log "observedGeneration=${observed:-none} running=${running:-none} failed=${failed:-none}" \
      "lastGood=${good:-none} AppReady=${reason:-none} ${message}"
    last=$line
  fi
  current=false
  if [[ $observed =~ ^[0-9]+$ ]] && ((observed >= generation)); then
    current=true
  fi
  if [[ $reason == RolledBack ]] && { [[ $failed == "$VERSION" ]] || $current; }; then
    log "ROLLED BACK: ${VERSION} failed (${message:-no message}); running ${running:-unknown}, last good ${good:-unknown}"
    exit 3
  fi
  if [[ $running == "$VERSION" ]] && $current; then
    log "OK: ${NAMESPACE}/${NAME} runs ${VERSION}"
    exit 0
  fi
  if ((SECONDS >= deadline)); then
    log "TIMEOUT: no outcome for ${VERSION} after ${TIMEOUT_SECONDS} s (kubectl -n ${NAMESPACE} describe ttstack ${NAME})"
    exit 4
  fi
  sleep "$POLL_SECONDS"
done
