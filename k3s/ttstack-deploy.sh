#!/usr/bin/env bash
# Deploys a release ON THE NODE, as root: installed by setup-node.sh as /usr/local/sbin/ttstack-deploy
# and run by the SSM document TTStack-Deploy (k3s/ssm/TTStack-Deploy.yaml), or by hand.
#
#   ttstack-deploy --app-version V [--operator-version V] [--budget-seconds N]
#
# 1. The operator first (when --operator-version is given and not empty): patches spec.version of the
#    HelmChart kube-system/tt-operator (k3s' Helm controller then runs "helm upgrade", which also
#    upgrades the CRD: it is a template of the chart), waits until the operator Deployment runs the
#    image tag vX.Y.Z and is rolled out, and fails at once when the Helm controller's Job
#    helm-install-tt-operator has a failed pod. On failure the HelmChart is put back to its previous
#    version and the app is not touched.
# 2. Then the app: patches spec.app.version of the TTStack (remembering the previous one) and waits for
#    the operator's outcome, ending AT ONCE on every terminal condition (see "outcome" below). On
#    failure or timeout it puts the previous spec.app.version back (unless the operator has already
#    rolled back, which it reports) and says what runs now.
#
# Versions: 1.2.3 or v1.2.3 (pre-release -rc.1 allowed). Images are tagged vX.Y.Z, so the app version
# becomes vX.Y.Z; Helm chart versions are SemVer, so the chart version becomes X.Y.Z.
#
# How long it waits for the app (printed before anything changes), from the LIVE spec:
#   APP_WAIT = BACKUP_ALLOWANCE_SECONDS (600; 0 when spec.postgres.backup.beforeUpgrade is false)
#            + spec.app.rollout.progressDeadlineSeconds (default 600)
#            + PULL_ALLOWANCE_SECONDS (300: the Deployment restarts its progress clock at every pod
#              that becomes available, so a rollout of several pods with slow pulls takes longer than
#              one deadline; it also covers the operator's reaction)
#   APP_WAIT_SECONDS, when set, replaces the formula.
# The whole run needs OPERATOR_WAIT_SECONDS (300, only with an operator version) + APP_WAIT +
# REVERT_WAIT_SECONDS (120: how long it watches a revert to report what runs) + 30. With
# --budget-seconds N (what SSM allows the command: deploy.sh's DEPLOY_TIMEOUT_SECONDS) it refuses,
# before changing anything, when that is more than N: an SSM kill mid-way would leave a half deploy.
#
# Exit codes: 0 deployed; 3 failed, and reverted or rolled back (it says what runs); 4 no outcome in
# time (the previous version was put back); 2 bad arguments; 1 anything else (kubectl failed, no such
# object, a revert that did not apply: then it says so loudly).
#
# Defaults come from /etc/ttstack/deploy.env (DEPLOY_ENV_FILE; written by setup-node.sh, no secrets):
# TTSTACK_NAMESPACE, TTSTACK_NAME, OPERATOR_NAMESPACE, HELMCHART_NAMESPACE, HELMCHART_NAME and the
# waits above; a variable already set in the environment wins over the file. Also KUBECONFIG
# (/etc/rancher/k3s/k3s.yaml), KUBECTL (kubectl), POLL_SECONDS (5), DEPENDENCY_GRACE_SECONDS (180).
set -euo pipefail

usage() {
  echo "usage: ttstack-deploy --app-version V [--operator-version V] [--budget-seconds N]" >&2
  exit 2
}
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() {
  log "ERROR: $*"
  exit 1
}
bad() {
  log "refusing: $*"
  exit 2
}

# The same patterns as the SSM document's allowedPattern (k3s/ssm/TTStack-Deploy.yaml).
VERSION_RE='^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'
BUDGET_RE='^([6-9][0-9]|[1-9][0-9]{2,4}|1[0-6][0-9]{4}|17[01][0-9]{3}|172[0-7][0-9]{2}|172800)$'
NAME_RE='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
NUMBER_RE='^[0-9]+$'

# Environment first, then the file, then the built-in defaults. The file is parsed, not sourced: only
# these keys, KEY=VALUE lines, optional quotes.
KEYS=(TTSTACK_NAMESPACE TTSTACK_NAME OPERATOR_NAMESPACE HELMCHART_NAMESPACE HELMCHART_NAME
  BACKUP_ALLOWANCE_SECONDS PULL_ALLOWANCE_SECONDS APP_WAIT_SECONDS OPERATOR_WAIT_SECONDS
  REVERT_WAIT_SECONDS DEPENDENCY_GRACE_SECONDS POLL_SECONDS)
DEPLOY_ENV_FILE=${DEPLOY_ENV_FILE:-/etc/ttstack/deploy.env}
if [[ -r $DEPLOY_ENV_FILE ]]; then
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^[[:space:]]*([A-Z_]+)=[\"\']?([^\"\']*)[\"\']?[[:space:]]*$ ]] || continue
    key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    for k in "${KEYS[@]}"; do
      if [[ $k == "$key" && -z ${!key:-} ]]; then
        printf -v "$key" '%s' "$value"
      fi
    done
  done <"$DEPLOY_ENV_FILE"
fi
TTSTACK_NAMESPACE=${TTSTACK_NAMESPACE:-tt}
TTSTACK_NAME=${TTSTACK_NAME:-tt}
OPERATOR_NAMESPACE=${OPERATOR_NAMESPACE:-ttstack-system}
HELMCHART_NAMESPACE=${HELMCHART_NAMESPACE:-kube-system}
HELMCHART_NAME=${HELMCHART_NAME:-tt-operator}
BACKUP_ALLOWANCE_SECONDS=${BACKUP_ALLOWANCE_SECONDS:-600}
PULL_ALLOWANCE_SECONDS=${PULL_ALLOWANCE_SECONDS:-300}
APP_WAIT_SECONDS=${APP_WAIT_SECONDS:-}
OPERATOR_WAIT_SECONDS=${OPERATOR_WAIT_SECONDS:-300}
REVERT_WAIT_SECONDS=${REVERT_WAIT_SECONDS:-120}
# A dependency (Secrets, PostgreSQL, Redis) that is not ready holds the rollout back. 180 s lets the
# usual blips pass (a Redis failover takes ~8 s, a PostgreSQL restart under a minute, a Doppler
# sync is retried every 60 s) and still ends a deploy that cannot happen long before the full wait.
DEPENDENCY_GRACE_SECONDS=${DEPENDENCY_GRACE_SECONDS:-180}
POLL_SECONDS=${POLL_SECONDS:-5}
export KUBECONFIG=${KUBECONFIG:-/etc/rancher/k3s/k3s.yaml}
KUBECTL=${KUBECTL:-kubectl}
PATH="/usr/local/bin:${PATH}" # k3s puts kubectl there; SSM's shell may not have it on PATH

app_version="" operator_version="" budget=""
while (($# > 0)); do
  case $1 in
    --app-version) (($# >= 2)) || usage; app_version=$2; shift ;;
    --operator-version) (($# >= 2)) || usage; operator_version=$2; shift ;;
    --budget-seconds) (($# >= 2)) || usage; budget=$2; shift ;;
    -h | --help) usage ;;
    *) log "unknown argument '$1'"; usage ;;
  esac
  shift
done
[[ -n $app_version ]] || usage
[[ $app_version =~ $VERSION_RE ]] || bad "app version '${app_version}': expected 1.2.3 or v1.2.3"
[[ -z $operator_version || $operator_version =~ $VERSION_RE ]] ||
  bad "operator version '${operator_version}': expected 1.2.3 or v1.2.3 (or empty)"
[[ -z $budget || $budget =~ $BUDGET_RE ]] || bad "budget '${budget}': expected seconds, 60 to 172800"
for name in "$TTSTACK_NAMESPACE" "$TTSTACK_NAME" "$OPERATOR_NAMESPACE" "$HELMCHART_NAMESPACE" "$HELMCHART_NAME"; do
  [[ $name =~ $NAME_RE ]] || bad "'${name}' is not a Kubernetes name"
done
for value in "$BACKUP_ALLOWANCE_SECONDS" "$PULL_ALLOWANCE_SECONDS" "$OPERATOR_WAIT_SECONDS" \
  "$REVERT_WAIT_SECONDS" "$DEPENDENCY_GRACE_SECONDS" "${APP_WAIT_SECONDS:-0}"; do
  [[ $value =~ $NUMBER_RE ]] || bad "'${value}' is not a number of seconds"
done
[[ $POLL_SECONDS =~ ^[0-9]+([.][0-9]+)?$ ]] || bad "POLL_SECONDS '${POLL_SECONDS}' is not a number"

APP_VERSION="v${app_version#v}"
CHART_VERSION=${operator_version:+${operator_version#v}}
STACK="${TTSTACK_NAMESPACE}/${TTSTACK_NAME}"

k() { "$KUBECTL" "$@"; }

# ---------------------------------------------------------------------------------------------------
# What the app wait will be, from the live spec: known before anything changes.
# ---------------------------------------------------------------------------------------------------
spec=$(k -n "$TTSTACK_NAMESPACE" get ttstack "$TTSTACK_NAME" -o \
  'jsonpath={.spec.app.version}{"\n"}{.spec.app.rollout.progressDeadlineSeconds}{"\n"}{.spec.postgres.backup.beforeUpgrade}') ||
  die "cannot read ttstack ${STACK} (KUBECONFIG=${KUBECONFIG})"
{
  IFS= read -r previous || true
  IFS= read -r deadline_spec || true
  IFS= read -r backup_spec || true
} <<<"$spec"
[[ -n $previous ]] || die "ttstack ${STACK} has no spec.app.version"
[[ $deadline_spec =~ $NUMBER_RE ]] || deadline_spec=600
backup_allowance=$BACKUP_ALLOWANCE_SECONDS
[[ $backup_spec != false ]] || backup_allowance=0
if [[ -n $APP_WAIT_SECONDS ]]; then
  app_wait=$APP_WAIT_SECONDS
  formula="APP_WAIT_SECONDS"
else
  app_wait=$((backup_allowance + deadline_spec + PULL_ALLOWANCE_SECONDS))
  formula="backup ${backup_allowance} + progress deadline ${deadline_spec} + pull ${PULL_ALLOWANCE_SECONDS}"
fi
operator_wait=0
[[ -z $CHART_VERSION ]] || operator_wait=$OPERATOR_WAIT_SECONDS
needed=$((operator_wait + app_wait + REVERT_WAIT_SECONDS + 30))
log "plan: operator ${CHART_VERSION:-unchanged}, app ${previous} -> ${APP_VERSION} on ttstack ${STACK}"
log "waits: operator ${operator_wait} s, app ${app_wait} s (${formula}), revert ${REVERT_WAIT_SECONDS} s: ${needed} s in all${budget:+ of a budget of ${budget} s}"
if [[ -n $budget ]] && ((needed > budget)); then
  bad "this deploy may need ${needed} s, more than the ${budget} s the command is given: nothing changed." \
    "Raise DEPLOY_TIMEOUT_SECONDS of deploy.sh to at least ${needed}, or lower the allowances in ${DEPLOY_ENV_FILE}"
fi

# ---------------------------------------------------------------------------------------------------
# 1. The operator.
# ---------------------------------------------------------------------------------------------------
HELM_JOB="helm-install-${HELMCHART_NAME}"
job_state() { # uid|failed pods|succeeded pods|Failed condition
  k -n "$HELMCHART_NAMESPACE" get job "$HELM_JOB" --ignore-not-found -o \
    'jsonpath={.metadata.uid}|{.status.failed}|{.status.succeeded}|{.status.conditions[?(@.type=="Failed")].status}'
}

# Puts the HelmChart back to $1 (its version before this deploy); says what that means.
revert_operator() {
  local back=$1
  if [[ -z $back ]]; then
    log "the HelmChart had no spec.version before: left at ${CHART_VERSION}"
    return
  fi
  if k -n "$HELMCHART_NAMESPACE" patch helmchart "$HELMCHART_NAME" --type json \
    -p "[{\"op\":\"test\",\"path\":\"/spec/version\",\"value\":\"${CHART_VERSION}\"},{\"op\":\"replace\",\"path\":\"/spec/version\",\"value\":\"${back}\"}]" >/dev/null; then
    log "REVERTED: HelmChart ${HELMCHART_NAMESPACE}/${HELMCHART_NAME} spec.version set back to ${back}; the Helm controller reinstalls it"
  else
    log "the HelmChart's spec.version was NOT set back to ${back} (changed by someone else meanwhile?): it stays as it is"
  fi
}

upgrade_operator() {
  local before old_job new_job uid failed failed_condition deploys line name generation observed replicas updated available image progressing
  before=$(k -n "$HELMCHART_NAMESPACE" get helmchart "$HELMCHART_NAME" -o 'jsonpath={.spec.version}') ||
    die "cannot read HelmChart ${HELMCHART_NAMESPACE}/${HELMCHART_NAME}"
  old_job=$(job_state) || die "cannot read Job ${HELMCHART_NAMESPACE}/${HELM_JOB}"
  local old_uid old_failed
  IFS='|' read -r old_uid old_failed _ <<<"$old_job"
  if [[ ${before#v} == "$CHART_VERSION" ]]; then
    log "operator: HelmChart already at ${CHART_VERSION}; checking its Deployment"
  else
    k -n "$HELMCHART_NAMESPACE" patch helmchart "$HELMCHART_NAME" --type merge \
      -p "{\"spec\":{\"version\":\"${CHART_VERSION}\"}}" >/dev/null || die "cannot patch HelmChart ${HELMCHART_NAME}"
    log "operator: HelmChart ${HELMCHART_NAMESPACE}/${HELMCHART_NAME} spec.version ${before:-none} -> ${CHART_VERSION}"
  fi
  local want=":v${CHART_VERSION}" deadline=$((SECONDS + OPERATOR_WAIT_SECONDS)) last=""
  while :; do
    # The Helm controller runs "helm upgrade" in its Job for a changed HelmChart, and that Job retries
    # a failed upgrade up to 1000 times: the first failed pod of this run is the failure. This run's:
    # a new Job (another uid) with a failed pod, or the same Job with more failed pods than before.
    # A failed read (the API server busy or restarting) is retried until the deadline, not fatal:
    # the HelmChart is already patched, and only the end of this loop puts it back.
    new_job=$(job_state) || { log "cannot read Job ${HELMCHART_NAMESPACE}/${HELM_JOB} (retrying)"; new_job=""; }
    IFS='|' read -r uid failed _ failed_condition <<<"$new_job"
    if [[ -n $uid ]] && { { [[ $uid != "$old_uid" ]] && { ((${failed:-0} > 0)) || [[ $failed_condition == True ]]; }; } ||
      { [[ $uid == "$old_uid" ]] && ((${failed:-0} > ${old_failed:-0})); }; }; then
      log "FAILED: the Helm controller's Job ${HELM_JOB} failed to install chart ${CHART_VERSION}; its log:"
      k -n "$HELMCHART_NAMESPACE" logs "job/${HELM_JOB}" --tail=20 2>&1 | sed 's/^/  | /' || true
      revert_operator "$before"
      log "the app was not touched: it runs what it ran before"
      exit 3
    fi
    deploys=$(k -n "$OPERATOR_NAMESPACE" get deployment -l app.kubernetes.io/name=tt-operator -o \
      'jsonpath={range .items[*]}{.metadata.name}|{.metadata.generation}|{.status.observedGeneration}|{.spec.replicas}|{.status.updatedReplicas}|{.status.availableReplicas}|{.spec.template.spec.containers[?(@.name=="operator")].image}|{.status.conditions[?(@.type=="Progressing")].reason}{"\n"}{end}') ||
      { log "cannot read the operator Deployment in ${OPERATOR_NAMESPACE} (retrying)"; deploys=""; }
    line=$(head -n 1 <<<"$deploys")
    IFS='|' read -r name generation observed replicas updated available image progressing <<<"$line"
    if [[ $line != "$last" ]]; then
      log "operator: ${name:-no Deployment yet} image=${image:-none} updated=${updated:-0}/${replicas:-?} available=${available:-0} ${progressing}"
      last=$line
    fi
    if [[ -n $name && $image == *"$want" && -n $observed && $observed -ge $generation ]] &&
      [[ ${updated:-0} == "${replicas:-1}" && ${available:-0} == "${replicas:-1}" ]]; then
      log "OK: operator ${OPERATOR_NAMESPACE}/${name} runs ${image}"
      return
    fi
    if [[ $image == *"$want" && $progressing == ProgressDeadlineExceeded ]]; then
      log "FAILED: the operator Deployment ${name} did not become available (ProgressDeadlineExceeded)"
      revert_operator "$before"
      log "the app was not touched"
      exit 3
    fi
    if ((SECONDS >= deadline)); then
      log "TIMEOUT: the operator did not run ${want#:} within ${OPERATOR_WAIT_SECONDS} s (kubectl -n ${OPERATOR_NAMESPACE} describe deployment ${name:-})"
      revert_operator "$before"
      log "the app was not touched"
      exit 4
    fi
    sleep "$POLL_SECONDS"
  done
}

[[ -z $CHART_VERSION ]] || upgrade_operator

# ---------------------------------------------------------------------------------------------------
# 2. The app.
# ---------------------------------------------------------------------------------------------------
# One status read: fields one a line (messages may hold any punctuation).
FIELDS='{.metadata.generation}{"\n"}{.status.observedGeneration}{"\n"}{.spec.app.version}{"\n"}'
FIELDS+='{.status.app.version}{"\n"}{.status.app.failedVersion}{"\n"}{.status.app.lastGoodVersion}{"\n"}'
FIELDS+='{.status.conditions[?(@.type=="AppReady")].status}{"\n"}{.status.conditions[?(@.type=="AppReady")].reason}{"\n"}'
FIELDS+='{.status.conditions[?(@.type=="Ready")].reason}{"\n"}{.status.conditions[?(@.type=="AppReady")].message}{"\n"}'
FIELDS+='{.status.conditions[?(@.type=="Ready")].message}'
read_status() {
  local out
  out=$(k -n "$TTSTACK_NAMESPACE" get ttstack "$TTSTACK_NAME" -o "jsonpath=${FIELDS}") || return 1
  {
    IFS= read -r s_generation || true
    IFS= read -r s_observed || true
    IFS= read -r s_spec || true
    IFS= read -r s_running || true
    IFS= read -r s_failed || true
    IFS= read -r s_good || true
    IFS= read -r s_app_status || true
    IFS= read -r s_app_reason || true
    IFS= read -r s_ready_reason || true
    IFS= read -r s_app_message || true
    IFS= read -r s_ready_message || true
  } <<<"$out"
}

# Puts spec.app.version back to $previous (only if it still names our version: a JSON patch test), then
# watches for up to REVERT_WAIT_SECONDS to say what runs.
revert_app() {
  if [[ $previous == "$APP_VERSION" ]]; then
    log "spec.app.version was ${APP_VERSION} before this deploy: nothing to put back"
    return 0
  fi
  if ! k -n "$TTSTACK_NAMESPACE" patch ttstack "$TTSTACK_NAME" --type json \
    -p "[{\"op\":\"test\",\"path\":\"/spec/app/version\",\"value\":\"${APP_VERSION}\"},{\"op\":\"replace\",\"path\":\"/spec/app/version\",\"value\":\"${previous}\"}]" >/dev/null; then
    read_status || true
    log "NOT REVERTED: spec.app.version could not be set back to ${previous}; it is ${s_spec:-unknown} and the app runs ${s_running:-unknown}"
    exit 1
  fi
  log "REVERTED: spec.app.version of ttstack ${STACK} set back to ${previous}"
  local until=$((SECONDS + REVERT_WAIT_SECONDS))
  while :; do
    if read_status && [[ $s_running == "$previous" && $s_app_status == True && $s_observed =~ $NUMBER_RE ]] &&
      ((s_observed >= s_generation)); then
      log "NOW RUNNING: ${previous} (AppReady: ${s_app_message})"
      return 0
    fi
    if ((SECONDS >= until)); then
      log "NOW: spec.app.version is ${previous}; the app runs ${s_running:-unknown} (AppReady ${s_app_reason:-unknown}: ${s_app_message:-})." \
        "The operator goes on rolling ${previous} out (kubectl -n ${TTSTACK_NAMESPACE} describe ttstack ${TTSTACK_NAME})"
      return 0
    fi
    sleep "$POLL_SECONDS"
  done
}

# Ends the deploy as failed: $1 exit code, $2 what happened.
fail_app() {
  log "$2"
  revert_app
  exit "$1"
}

generation=$(k -n "$TTSTACK_NAMESPACE" patch ttstack "$TTSTACK_NAME" --type merge \
  -p "{\"spec\":{\"app\":{\"version\":\"${APP_VERSION}\"}}}" -o 'jsonpath={.metadata.generation}') ||
  die "kubectl patch of ttstack ${STACK} failed: spec.app.version stays ${previous}"
[[ $generation =~ $NUMBER_RE ]] || die "kubectl patch printed no generation: '${generation}'"
log "app: spec.app.version of ttstack ${STACK} ${previous} -> ${APP_VERSION} (generation ${generation}); waiting up to ${app_wait} s"

deadline=$((SECONDS + app_wait))
waiting_since=""
last=""
while :; do
  # A failed read is retried until the deadline (which reverts), never fatal: the new version is
  # already in the spec.
  if ! read_status; then
    log "cannot read ttstack ${STACK} (retrying)"
    s_observed=""
  fi
  line="${s_observed}|${s_running}|${s_failed}|${s_good}|${s_app_reason}|${s_ready_reason}|${s_app_message}"
  if [[ $line != "$last" ]]; then
    log "observedGeneration=${s_observed:-none} running=${s_running:-none} failed=${s_failed:-none}" \
      "lastGood=${s_good:-none} AppReady=${s_app_reason:-none} ${s_app_message}"
    last=$line
  fi
  # A status older than our patch says nothing about APP_VERSION.
  if [[ $s_observed =~ $NUMBER_RE ]] && ((s_observed >= generation)); then
    if [[ $s_spec != "$APP_VERSION" ]]; then
      log "spec.app.version changed to ${s_spec} by someone else meanwhile: this deploy of ${APP_VERSION} is over, nothing put back"
      exit 1
    fi
    if [[ $s_ready_reason == InvalidSpec ]]; then
      fail_app 3 "FAILED: the operator refuses the spec with ${APP_VERSION} (InvalidSpec: ${s_ready_message})"
    fi
    if [[ $s_app_reason == RolledBack && $s_failed == "$APP_VERSION" ]]; then
      log "ROLLED BACK by the operator: ${APP_VERSION} failed (${s_app_message})"
      log "NOW RUNNING: ${s_running:-unknown} (the last good version ${s_good:-unknown}); spec.app.version stays ${APP_VERSION}," \
        "which the operator does not retry: deploy a fixed version"
      exit 3
    fi
    if [[ $s_running == "$APP_VERSION" ]]; then
      log "OK: ${STACK} runs ${APP_VERSION} (AppReady ${s_app_reason}: ${s_app_message})"
      exit 0
    fi
    case $s_app_reason in
      BackupFailed)
        fail_app 3 "FAILED: the pre-upgrade backup failed: ${s_app_message}" ;;
      CrashLoopBackOff | ImagePullBackOff | ErrImagePull | InvalidImageName | CreateContainerConfigError | \
        CreateContainerError | ProgressDeadlineExceeded)
        fail_app 3 "FAILED: ${APP_VERSION} does not roll out (${s_app_reason}): ${s_app_message}" ;;
      WaitingForDependencies)
        [[ -n $waiting_since ]] || waiting_since=$SECONDS
        if ((SECONDS - waiting_since >= DEPENDENCY_GRACE_SECONDS)); then
          fail_app 3 "FAILED: the app waited more than ${DEPENDENCY_GRACE_SECONDS} s for its dependencies: ${s_app_message}"
        fi ;;
      *) waiting_since="" ;;
    esac
  fi
  if ((SECONDS >= deadline)); then
    fail_app 4 "TIMEOUT: no outcome for ${APP_VERSION} after ${app_wait} s (AppReady ${s_app_reason:-none}: ${s_app_message:-})"
  fi
  sleep "$POLL_SECONDS"
done
