#!/usr/bin/env bash
# Deploys app version VERSION to the TTStack node, from a CI runner that holds AWS credentials (the
# release workflow assumes the deploy role by OIDC first):
#   1. finds the ONE running instance tagged Name=$INSTANCE_NAME;
#   2. SSM send-command (AWS-RunShellScript) running ttstack-set-version.sh on it, which patches
#      spec.app.version of the TTStack and polls its status;
#   3. polls get-command-invocation itself (not "aws ssm wait command-executed", which gives up after
#      100 s) until the command ends, prints the node's output, and exits 0 only on success.
# Exit codes: 0 deployed; 3 the operator rolled back; 4 no outcome in time; 1 anything else.
# Usage: deploy.sh VERSION
# Environment (defaults): AWS_REGION (required, set by configure-aws-credentials), INSTANCE_NAME
# (TT-ec2-1), TTSTACK_NAMESPACE (tt), TTSTACK_NAME (tt), DEPLOY_TIMEOUT_SECONDS (900: how long the
# node waits for the rollout), POLL_SECONDS (10), AWS (aws: the CLI to call, replaced in tests).
set -euo pipefail

VERSION=${1:?usage: deploy.sh VERSION}
INSTANCE_NAME=${INSTANCE_NAME:-TT-ec2-1}
TTSTACK_NAMESPACE=${TTSTACK_NAMESPACE:-tt}
TTSTACK_NAME=${TTSTACK_NAME:-tt}
DEPLOY_TIMEOUT_SECONDS=${DEPLOY_TIMEOUT_SECONDS:-900}
POLL_SECONDS=${POLL_SECONDS:-10}
AWS=${AWS:-aws}
: "${AWS_REGION:?AWS_REGION must be set (configure-aws-credentials sets it)}"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REMOTE_SCRIPT="$HERE/ttstack-set-version.sh"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() {
  log "FAIL: $*"
  exit 1
}

[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || fail "'${VERSION}' is not a semantic version such as 1.2.3"
for value in "$TTSTACK_NAMESPACE" "$TTSTACK_NAME"; do
  [[ $value =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || fail "'${value}' is not a Kubernetes name"
done
[[ $DEPLOY_TIMEOUT_SECONDS =~ ^[0-9]+$ && $POLL_SECONDS =~ ^[0-9]+([.][0-9]+)?$ ]] ||
  fail "DEPLOY_TIMEOUT_SECONDS and POLL_SECONDS must be numbers"

# 1. The instance.
instances=$("$AWS" ec2 describe-instances --region "$AWS_REGION" \
  --filters "Name=tag:Name,Values=${INSTANCE_NAME}" "Name=instance-state-name,Values=running" \
  --query 'Reservations[].Instances[].InstanceId' --output text)
read -r -a ids <<<"$instances"
case ${#ids[@]} in
  1) instance=${ids[0]} ;;
  0) fail "no running instance tagged Name=${INSTANCE_NAME} in ${AWS_REGION}" ;;
  *) fail "${#ids[@]} running instances tagged Name=${INSTANCE_NAME} (${ids[*]}): refusing to guess" ;;
esac
log "instance ${instance} (Name=${INSTANCE_NAME})"

# 2. The command: the node-side script travels base64-encoded inside the command and runs from memory.
script_b64=$(base64 -w0 <"$REMOTE_SCRIPT")
remote="echo ${script_b64} | base64 -d | bash -s -- ${VERSION} ${TTSTACK_NAMESPACE} ${TTSTACK_NAME} ${DEPLOY_TIMEOUT_SECONDS}"
execution_timeout=$((DEPLOY_TIMEOUT_SECONDS + 120))
parameters=$(jq -cn --arg cmd "$remote" --arg timeout "$execution_timeout" \
  '{commands: [$cmd], executionTimeout: [$timeout]}')
command_id=$("$AWS" ssm send-command --region "$AWS_REGION" \
  --document-name AWS-RunShellScript \
  --instance-ids "$instance" \
  --comment "TTStack ${TTSTACK_NAMESPACE}/${TTSTACK_NAME}: app ${VERSION}" \
  --timeout-seconds 120 \
  --parameters "$parameters" \
  --query Command.CommandId --output text)
[[ -n $command_id && $command_id != None ]] || fail "send-command returned no command id"
log "SSM command ${command_id}: set app version ${VERSION}, wait up to ${DEPLOY_TIMEOUT_SECONDS} s"

# 3. Our own polling loop.
deadline=$((SECONDS + execution_timeout + 120))
status=""
while :; do
  if current=$("$AWS" ssm get-command-invocation --region "$AWS_REGION" \
    --command-id "$command_id" --instance-id "$instance" --query Status --output text 2>/dev/null); then
    if [[ $current != "$status" ]]; then
      log "SSM status: ${current}"
      status=$current
    fi
    case $status in
      Success | Failed | Cancelled | TimedOut | Undeliverable | Terminated | DeliveryTimedOut | ExecutionTimedOut) break ;;
    esac
  fi # else: InvocationDoesNotExist for a few seconds after send-command
  if ((SECONDS >= deadline)); then
    fail "SSM command ${command_id} still '${status:-unknown}' after $((execution_timeout + 120)) s"
  fi
  sleep "$POLL_SECONDS"
done

result=$("$AWS" ssm get-command-invocation --region "$AWS_REGION" \
  --command-id "$command_id" --instance-id "$instance" --output json)
log "output from ${instance}:"
jq -r '.StandardOutputContent // ""' <<<"$result"
errors=$(jq -r '.StandardErrorContent // ""' <<<"$result")
[[ -z $errors ]] || printf 'stderr:\n%s\n' "$errors"
code=$(jq -r '.ResponseCode // -1' <<<"$result")

if [[ $status == Success ]]; then
  log "deployed ${VERSION}"
  exit 0
fi
case $code in
  3) log "FAIL: the operator rolled ${TTSTACK_NAMESPACE}/${TTSTACK_NAME} back: ${VERSION} did not become ready" ;;
  4) log "FAIL: no outcome for ${VERSION} within ${DEPLOY_TIMEOUT_SECONDS} s" ;;
  *) log "FAIL: SSM command ${status}, exit code ${code}" ;;
esac
if [[ $code == 3 || $code == 4 ]]; then
  exit "$code"
fi
exit 1
