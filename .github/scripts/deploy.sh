#!/usr/bin/env bash
# Deploys a release to the TTStack node, from a CI runner that holds AWS credentials (the workflow
# assumes the deploy role by OIDC first):
#   1. finds the ONE running instance tagged Name=$INSTANCE_NAME;
#   2. SSM send-command of the custom document $DOCUMENT_NAME (k3s/ssm/TTStack-Deploy.yaml: it takes
#      only versions and a timeout, and runs only /usr/local/sbin/ttstack-deploy = k3s/ttstack-deploy.sh,
#      which upgrades the operator, then the app, and waits for the outcome);
#   3. polls get-command-invocation itself (not "aws ssm wait command-executed", which gives up after
#      100 s) until the command ends, prints the node's output, and exits with the node's code.
# Every AWS call that fails ends the deploy at once with the AWS CLI's error text (AccessDenied, a wrong
# region, an unknown document, ...). The one exception: get-command-invocation answers
# InvocationDoesNotExist for a few seconds after send-command; that is tolerated for
# INVOCATION_GRACE_SECONDS (30), no longer.
#
# Usage: deploy.sh --app-version V [--operator-version V]   (1.2.3 or v1.2.3; operator empty = unchanged)
# Exit codes (the node's): 0 deployed; 3 failed, and reverted or rolled back; 4 no outcome in time (the
# previous version put back); 2 bad arguments; 1 anything else (AWS errors, SSM killed the command, ...).
# Environment: INSTANCE_NAME (required: the workflow passes vars.DEPLOY_INSTANCE_NAME), AWS_REGION
# (required), DOCUMENT_NAME (TTStack-Deploy), DEPLOY_TIMEOUT_SECONDS (2400: what SSM allows the
# command on the node, its TimeoutSeconds; the node refuses up front a deploy whose waits, sized from
# the live spec, could need more), POLL_SECONDS (10), AWS (aws: the CLI, replaced in tests).
set -euo pipefail

usage() {
  echo "usage: deploy.sh --app-version V [--operator-version V]" >&2
  exit 2
}
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() {
  log "FAIL: $*"
  exit 1
}
bad() {
  log "refusing: $*"
  exit 2
}

# The same patterns as the SSM document's allowedPattern and k3s/ttstack-deploy.sh.
VERSION_RE='^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'
TIMEOUT_RE='^([6-9][0-9]|[1-9][0-9]{2,4}|1[0-6][0-9]{4}|17[01][0-9]{3}|172[0-7][0-9]{2}|172800)$'

app_version="" operator_version=""
while (($# > 0)); do
  case $1 in
    --app-version) (($# >= 2)) || usage; app_version=$2; shift ;;
    --operator-version) (($# >= 2)) || usage; operator_version=$2; shift ;;
    *) log "unknown argument '$1'"; usage ;;
  esac
  shift
done
[[ -n $app_version ]] || usage
[[ $app_version =~ $VERSION_RE ]] || bad "app version '${app_version}': expected 1.2.3 or v1.2.3"
[[ -z $operator_version || $operator_version =~ $VERSION_RE ]] ||
  bad "operator version '${operator_version}': expected 1.2.3 or v1.2.3 (or empty)"

INSTANCE_NAME=${INSTANCE_NAME:-}
[[ -n $INSTANCE_NAME ]] || bad "INSTANCE_NAME is not set (the Name tag of the node; no default: the compose host must never be hit by mistake)"
[[ $INSTANCE_NAME =~ ^[A-Za-z0-9._:/@+=-]{1,255}$ ]] || bad "INSTANCE_NAME '${INSTANCE_NAME}' is not a plain tag value"
: "${AWS_REGION:?AWS_REGION must be set (configure-aws-credentials sets it)}"
DOCUMENT_NAME=${DOCUMENT_NAME:-TTStack-Deploy}
[[ $DOCUMENT_NAME =~ ^[A-Za-z0-9_.-]{3,128}$ ]] || bad "DOCUMENT_NAME '${DOCUMENT_NAME}' is not an SSM document name"
DEPLOY_TIMEOUT_SECONDS=${DEPLOY_TIMEOUT_SECONDS:-2400}
[[ $DEPLOY_TIMEOUT_SECONDS =~ $TIMEOUT_RE ]] || bad "DEPLOY_TIMEOUT_SECONDS '${DEPLOY_TIMEOUT_SECONDS}': expected 60 to 172800"
POLL_SECONDS=${POLL_SECONDS:-10}
[[ $POLL_SECONDS =~ ^[0-9]+([.][0-9]+)?$ ]] || bad "POLL_SECONDS '${POLL_SECONDS}' is not a number"
INVOCATION_GRACE_SECONDS=${INVOCATION_GRACE_SECONDS:-30}
[[ $INVOCATION_GRACE_SECONDS =~ ^[0-9]+$ ]] || bad "INVOCATION_GRACE_SECONDS '${INVOCATION_GRACE_SECONDS}' is not a number"
AWS=${AWS:-aws}
# How long SSM may take to hand the command to the agent (send-command --timeout-seconds).
DELIVERY_SECONDS=120

APP_VERSION="v${app_version#v}"
CHART_VERSION=${operator_version:+${operator_version#v}}

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT

# Runs the AWS CLI; its stdout in $aws_out, its stderr (the error) in $aws_err. Returns its exit code.
aws_out="" aws_err=""
aws_call() {
  local rc=0
  aws_out=$("$AWS" "$@" 2>"$errors") || rc=$?
  aws_err=$(cat "$errors")
  return "$rc"
}
# Ends the deploy on a failed AWS call, with the CLI's own words (they name the action and the
# resource, never a credential).
aws_failed() {
  log "FAIL: aws $1 failed:"
  printf '%s\n' "${aws_err:-"(no error text; exit code $2)"}" | sed 's/^/  | /'
  exit 1
}

# 1. The instance.
aws_call ec2 describe-instances --region "$AWS_REGION" \
  --filters "Name=tag:Name,Values=${INSTANCE_NAME}" "Name=instance-state-name,Values=running" \
  --query 'Reservations[].Instances[].InstanceId' --output text || aws_failed "ec2 describe-instances" $?
read -r -a ids <<<"$aws_out"
case ${#ids[@]} in
  1) instance=${ids[0]} ;;
  0) fail "no running instance tagged Name=${INSTANCE_NAME} in ${AWS_REGION}" ;;
  *) fail "${#ids[@]} running instances tagged Name=${INSTANCE_NAME} (${ids[*]}): refusing to guess" ;;
esac
log "instance ${instance} (Name=${INSTANCE_NAME})"

# 2. The command: the document and its parameters, nothing else.
parameters=$(jq -cn --arg app "$APP_VERSION" --arg operator "$CHART_VERSION" --arg timeout "$DEPLOY_TIMEOUT_SECONDS" \
  '{AppVersion: [$app], OperatorVersion: [$operator], TimeoutSeconds: [$timeout]}')
aws_call ssm send-command --region "$AWS_REGION" \
  --document-name "$DOCUMENT_NAME" \
  --instance-ids "$instance" \
  --comment "TTStack deploy: app ${APP_VERSION}, operator ${CHART_VERSION:-unchanged}" \
  --timeout-seconds "$DELIVERY_SECONDS" \
  --parameters "$parameters" \
  --query Command.CommandId --output text || aws_failed "ssm send-command (document ${DOCUMENT_NAME})" $?
command_id=$aws_out
[[ -n $command_id && $command_id != None ]] || fail "send-command returned no command id"
log "SSM command ${command_id} (${DOCUMENT_NAME}): app ${APP_VERSION}, operator ${CHART_VERSION:-unchanged}," \
  "up to ${DEPLOY_TIMEOUT_SECONDS} s on the node"

# 3. Our own polling loop: the node's time, plus SSM's delivery, plus a minute.
limit=$((DEPLOY_TIMEOUT_SECONDS + DELIVERY_SECONDS + 60))
deadline=$((SECONDS + limit))
grace_end=$((SECONDS + INVOCATION_GRACE_SECONDS))
status=""
while :; do
  if aws_call ssm get-command-invocation --region "$AWS_REGION" \
    --command-id "$command_id" --instance-id "$instance" --query Status --output text; then
    if [[ $aws_out != "$status" ]]; then
      log "SSM status: ${aws_out}"
      status=$aws_out
    fi
    case $status in
      Success | Failed | Cancelled | TimedOut | Undeliverable | Terminated | DeliveryTimedOut | ExecutionTimedOut) break ;;
    esac
  else
    rc=$?
    # Only right after send-command, only this error, only for a bounded time.
    if [[ -n $status || $aws_err != *InvocationDoesNotExist* ]] || ((SECONDS >= grace_end)); then
      aws_failed "ssm get-command-invocation (command ${command_id})" "$rc"
    fi
  fi
  if ((SECONDS >= deadline)); then
    fail "SSM command ${command_id} still '${status:-unknown}' after ${limit} s"
  fi
  sleep "$POLL_SECONDS"
done

aws_call ssm get-command-invocation --region "$AWS_REGION" \
  --command-id "$command_id" --instance-id "$instance" --output json ||
  aws_failed "ssm get-command-invocation (command ${command_id})" $?
result=$aws_out
log "output from ${instance}:"
jq -r '.StandardOutputContent // ""' <<<"$result"
node_errors=$(jq -r '.StandardErrorContent // ""' <<<"$result")
[[ -z $node_errors ]] || printf 'stderr:\n%s\n' "$node_errors"
code=$(jq -r '.ResponseCode // -1' <<<"$result")

if [[ $status == Success ]]; then
  log "deployed app ${APP_VERSION}${CHART_VERSION:+ and operator ${CHART_VERSION}}"
  exit 0
fi
case $status in
  TimedOut | ExecutionTimedOut)
    fail "SSM stopped the command after ${DEPLOY_TIMEOUT_SECONDS} s: the node may have been mid-deploy, nothing was put back by it." \
      "See kubectl -n tt describe ttstack on the node" ;;
  Undeliverable | DeliveryTimedOut) fail "SSM could not deliver the command to ${instance} (${status}): nothing ran" ;;
esac
case $code in
  3) log "FAIL: the deploy failed and was reverted or rolled back (the node's output above says what runs)" ;;
  4) log "FAIL: no outcome within the node's wait; the previous version was put back (see above)" ;;
  2) log "FAIL: the node refused the deploy before changing anything (see above)" ;;
  *) log "FAIL: SSM command ${status}, exit code ${code}" ;;
esac
case $code in
  2 | 3 | 4) exit "$code" ;;
esac
exit 1
