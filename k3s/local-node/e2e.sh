#!/usr/bin/env bash
# End-to-end test of TTStack on a real Kubernetes cluster: the README's install path, then the
# checks of issue 16, each of which fails when its thing is broken.
#
#   e2e.sh --local-node        builds the test images (images.sh), starts this machine's local node
#                              (cluster.sh up --node), imports the images, runs, and downs the node
#                              at the end (even on failure). What .ci/run's tests and e2e.yml run.
#   e2e.sh --kubeconfig FILE   an existing cluster (a real k3s node included) whose nodes already
#                              hold the images named by the E2E_IMAGE_* variables below.
#
# Steps: the stand-ins as pods (a fake Doppler over HTTPS following Doppler's documented API, and a
# Slack webhook receiver: k3s/local-node/e2e/), `helm install` of the operator's chart with the
# operator image (the operator runs as a pod, under the chart's RBAC, probes and security context;
# it trusts the fake Doppler's CA through the chart's extraVolumes and jvmOptions), `kubectl apply`
# of a TTStack whose every image is a test image (spec image fields; PostgreSQL 15 as Debian ships
# it; Grafana disabled: Debian does not package it), the operator pod killed during the Redis
# bootstrap, `kubectl wait --for=condition=Ready`; then the checks; then `kubectl delete` and the
# retention check. A failed check prints, for every component: pods, recent Events, the last 50 log
# lines, and the TTStack's status. The last line is "e2e: N passed, M failed".
#
# Env: E2E_IMAGE_OPERATOR, E2E_IMAGE_APP (repository; tags E2E_APP_V1, E2E_APP_V2 and E2E_APP_EXITS,
#      an image that exits at start), E2E_IMAGE_POSTGRES, E2E_IMAGE_REDIS, E2E_IMAGE_PROMETHEUS,
#      E2E_IMAGE_ALERTMANAGER, E2E_IMAGE_POSTGRES_EXPORTER, E2E_IMAGE_REDIS_EXPORTER,
#      E2E_IMAGE_STAND_INS, E2E_IMAGE_TOOLBOX (set by --local-node);
#      E2E_NODE_RESTART_COMMAND   how to reboot the node for the "node reboot" check (--local-node:
#                                 cluster.sh restart-node; unset elsewhere: that check is not run)
#      E2E_OUT                    folder of the run's logs (default k3s/local-node/.e2e, git-ignored)
#      HELM                       the helm binary (default: helm on PATH)
# Needs: kubectl (or the local node's), helm, jq, openssl, keytool (the JDK's).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${E2E_OUT:-$HERE/.e2e}
NS=tt-e2e
FAKES_NS=tt-e2e-fakes
OP_NS=ttstack-system
RELEASE=tt-operator
STACK=tt
HELM=${HELM:-helm}
READY_TIMEOUT=${E2E_READY_TIMEOUT:-900}
PASSED=0
FAILED=0
FAILED_NAMES=()
NOT_RUN=()
LOCAL=0
KUBECONFIG_FILE=""
KUBECTL=(kubectl)

say() { printf '[e2e %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }
k() { "${KUBECTL[@]}" "$@"; }
kn() { k -n "$NS" "$@"; }
seconds_since() { echo $(($(date +%s) - $1)); }

# Polls "$@" every second until it succeeds or $1 seconds pass; returns its last status.
wait_for() {
  local timeout=$1 deadline
  shift
  deadline=$((SECONDS + timeout))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

usage() { sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
while (($#)); do
  case $1 in
    --local-node) LOCAL=1 ;;
    --kubeconfig) KUBECONFIG_FILE=${2:?--kubeconfig needs a file}; shift ;;
    -h | --help) usage ;;
    *) say "unknown argument: $1"; usage ;;
  esac
  shift
done
((LOCAL)) || [[ -n $KUBECONFIG_FILE ]] || usage
mkdir -p "$OUT"
rm -f "$OUT"/*.log

# --- the local node ---------------------------------------------------------------------------------
LOCAL_NODE_DIR=${LOCAL_NODE_DIR:-$HERE/.run-e2e}
export LOCAL_NODE_DIR
local_node_down() {
  if "$HERE/cluster.sh" down >"$OUT/cluster-down.log" 2>&1; then
    say "local node down"
  else
    say "cluster.sh down failed: ${OUT}/cluster-down.log"
  fi
}

local_node_up() {
  local images=(redis postgres jre operator app prometheus alertmanager postgres-exporter redis-exporter stand-ins toolbox)
  local t0 line ref archive
  t0=$(date +%s)
  "$HERE/images.sh" "${images[@]}" >"$OUT/images.out" 2>"$OUT/images.log" || { tail -n 30 "$OUT/images.log" >&2; die "images.sh failed"; }
  say "images ready in $(seconds_since "$t0") s"
  # The node is this run's (killed, it is taken down by the next up --node: node.sh, node_reclaim).
  KUBECONFIG_FILE=$(LOCAL_NODE_OWNER_PID=${LOCAL_NODE_OWNER_PID:-$$} "$HERE/cluster.sh" up --node 2>"$OUT/cluster-up.log" | tail -n 1) || { tail -n 30 "$OUT/cluster-up.log" >&2; die "cluster.sh up --node failed"; }
  local env=$LOCAL_NODE_DIR/env address bin
  address=$(sed -n 's/^CONTAINERD_ADDRESS=//p' "$env")
  bin=$(sed -n 's/^LOCAL_NODE_BIN=//p' "$env")
  KUBECTL=("$bin" kubectl --kubeconfig "$KUBECONFIG_FILE")
  t0=$(date +%s)
  declare -gA IMAGE
  # All at once: an import mostly waits on the disk (measured here: 11 images in 43 s one after
  # another, 25 s together).
  local -A importing=()
  while read -r ref archive; do
    ctr --address "$address" -n k8s.io images import "$archive" >/dev/null 2>"$OUT/import-${ref//[\/:]/_}.log" &
    importing[$!]=$ref
    IMAGE[${ref%%:*}]=$ref
  done <"$OUT/images.out"
  local pid
  for pid in "${!importing[@]}"; do
    wait "$pid" || die "cannot import ${importing[$pid]}: $(tail -n 5 "$OUT/import-${importing[$pid]//[\/:]/_}.log")"
  done
  say "images imported in $(seconds_since "$t0") s"
  # The app's versions: tags of the one app image (a new tag is what an upgrade is); and an image
  # that exits at start (busybox's shell with nothing to read) for the rollback check.
  local app=${IMAGE[ttstack.local/app]}
  for line in "ttstack.local/app:e2e-1" "ttstack.local/app:e2e-2"; do
    ctr --address "$address" -n k8s.io images tag --force "$app" "$line" >/dev/null
  done
  ctr --address "$address" -n k8s.io images tag --force "$(sed -n 's/^BUSYBOX_IMAGE=//p' "$env")" ttstack.local/app:e2e-exits >/dev/null
  E2E_IMAGE_OPERATOR=${IMAGE[ttstack.local/operator]}
  E2E_IMAGE_APP=ttstack.local/app E2E_APP_V1=e2e-1 E2E_APP_V2=e2e-2 E2E_APP_EXITS=e2e-exits
  E2E_IMAGE_POSTGRES=${IMAGE[ttstack.local/postgres]}
  E2E_IMAGE_REDIS=${IMAGE[ttstack.local/redis]}
  E2E_IMAGE_PROMETHEUS=${IMAGE[ttstack.local/prometheus]}
  E2E_IMAGE_ALERTMANAGER=${IMAGE[ttstack.local/alertmanager]}
  E2E_IMAGE_POSTGRES_EXPORTER=${IMAGE[ttstack.local/postgres-exporter]}
  E2E_IMAGE_REDIS_EXPORTER=${IMAGE[ttstack.local/redis-exporter]}
  E2E_IMAGE_STAND_INS=${IMAGE[ttstack.local/stand-ins]}
  E2E_IMAGE_TOOLBOX=${IMAGE[ttstack.local/toolbox]}
  E2E_NODE_RESTART_COMMAND="$HERE/cluster.sh restart-node"
}


# --- the secrets: made here, never printed, never on a command line ----------------------------------
# Every value the stack's secrets hold; the "no secret in logs" check looks for each of them.
DOPPLER_TOKEN=dp.st.e2e.$(openssl rand -hex 20)
POSTGRES_PASSWORD=$(openssl rand -hex 16)
REDIS_PASSWORD=$(openssl rand -hex 16)
GRAFANA_PASSWORD=$(openssl rand -hex 16)
SLACK_PATH=/services/T0E2E/B0E2E/$(openssl rand -hex 12)
SECRET_VALUES=("$DOPPLER_TOKEN" "$POSTGRES_PASSWORD" "$REDIS_PASSWORD" "$GRAFANA_PASSWORD" "${SLACK_PATH##*/}")

# --- diagnostics ---------------------------------------------------------------------------------------
diagnostics() {
  local ns pod
  say "---- diagnostics ----"
  for ns in "$OP_NS" "$FAKES_NS" "$NS" kube-system; do
    echo "== namespace ${ns}: pods"
    k -n "$ns" get pods -o wide 2>&1 || true
    echo "== namespace ${ns}: recent Events"
    k -n "$ns" get events --sort-by=.lastTimestamp 2>&1 | tail -n 25 || true
    for pod in $(k -n "$ns" get pods -o name 2>/dev/null); do
      echo "== ${ns}/${pod#pod/}: last 50 log lines (every container)"
      k -n "$ns" logs "$pod" --all-containers --tail=50 --prefix 2>&1 || true
    done
  done
  echo "== TTStack ${NS}/${STACK}: status"
  kn get ttstack "$STACK" -o jsonpath='{.status}' 2>&1 | jq . 2>/dev/null || true
} >&2

# check NAME FUNCTION: runs it, counts it, and on failure prints its log and the diagnostics.
check() {
  local name=$1 t0
  shift
  t0=$(date +%s)
  say "check: ${name}"
  if "$@" >"$OUT/check-${name}.log" 2>&1; then
    PASSED=$((PASSED + 1))
    say "PASS ${name} ($(seconds_since "$t0") s)"
    grep '^figure: ' "$OUT/check-${name}.log" >&2 || true
  else
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$name")
    say "FAIL ${name} ($(seconds_since "$t0") s); its log:"
    tail -n 60 "$OUT/check-${name}.log" >&2
    diagnostics
  fi
}

figure() { echo "figure: $*"; }

summary() {
  local rc=$?
  ((${#NOT_RUN[@]})) && say "not run here: ${NOT_RUN[*]}"
  ((${#FAILED_NAMES[@]})) && say "failed: ${FAILED_NAMES[*]}"
  ((rc == 0 || FAILED > 0)) || { FAILED=$((FAILED + 1)); say "the run stopped early (exit ${rc})"; diagnostics; }
  # The local node goes first: the result is the run's last line.
  if ((LOCAL)); then local_node_down; fi
  echo "e2e: ${PASSED} passed, ${FAILED} failed"
  # exit in the EXIT trap sets the script's status (e2e.yml's step fails with a failed check).
  if ((FAILED == 0)); then exit 0; else exit 1; fi
}
trap summary EXIT
# A signal ends the run through the EXIT trap too (summary, and the local node's down).
trap 'exit 143' TERM
trap 'exit 130' INT

# --- the stand-ins -------------------------------------------------------------------------------------
# apply_template FILE: a manifest of k3s/local-node/e2e/ with its placeholders filled in.
apply_template() {
  sed -e "s|__NAMESPACE__|${FAKES_NS}|g" -e "s|__STAND_INS_IMAGE__|${E2E_IMAGE_STAND_INS}|g" "$HERE/e2e/$1" | k apply -f - >/dev/null
}

# A CA of this run, the fake Doppler's serving certificate, and the CA as a PKCS#12 trust store for
# the operator's JVM (the only CA it then trusts: this run talks to no other TLS server).
stand_ins_up() {
  local dir=$OUT/pki host=fake-doppler.${FAKES_NS}.svc
  rm -rf "$dir"
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=ttstack-e2e-ca \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=${host}" \
    -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s,DNS:%s.cluster.local\nextendedKeyUsage=serverAuth\n' "$host" "$host" >"$dir/ext"
  openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 1 \
    -extfile "$dir/ext" -out "$dir/tls.crt" 2>/dev/null
  keytool -importcert -noprompt -alias ttstack-e2e-ca -file "$dir/ca.crt" -keystore "$dir/truststore.p12" \
    -storetype PKCS12 -storepass e2e-truststore >/dev/null 2>&1 || die "keytool cannot make the trust store"
  local ns
  for ns in "$FAKES_NS" "$NS" "$OP_NS"; do
    k create namespace "$ns" --dry-run=client -o yaml | k apply -f - >/dev/null
  done
  k -n "$FAKES_NS" create secret tls fake-doppler-tls --cert "$dir/tls.crt" --key "$dir/tls.key" \
    --dry-run=client -o yaml | k apply -f - >/dev/null
  k -n "$OP_NS" create secret generic doppler-ca --from-file=truststore.p12="$dir/truststore.p12" \
    --dry-run=client -o yaml | k apply -f - >/dev/null
  doppler_config "$STACK_SECRETS_JSON"
  apply_template fake-doppler.yaml
  apply_template slack-receiver.yaml
  k -n "$FAKES_NS" rollout status deployment/fake-doppler deployment/slack-receiver --timeout=300s >/dev/null
}

# The fake Doppler's config (its token, project/config and secrets), through stdin only.
doppler_config() {
  jq -n --arg token "$DOPPLER_TOKEN" --arg secrets "$1" '{apiVersion: "v1", kind: "Secret",
    metadata: {name: "fake-doppler-config"}, type: "Opaque",
    stringData: {token: $token, project: "tt-backend", config: "e2e", "secrets.json": $secrets}}' \
    | k -n "$FAKES_NS" apply -f - >/dev/null
}

STACK_SECRETS_JSON=$(jq -cn --arg pg "$POSTGRES_PASSWORD" --arg redis "$REDIS_PASSWORD" --arg grafana "$GRAFANA_PASSWORD" \
  --arg slack "http://slack-receiver.${FAKES_NS}.svc${SLACK_PATH}" '{POSTGRES_USER: "tt", POSTGRES_PASSWORD: $pg,
  POSTGRES_DB: "tt", POSTGRES_PORT: "5432", REDIS_PASSWORD: $redis, GRAFANA_PASSWORD: $grafana,
  SLACK_WEBHOOK_URL: $slack, SPRING_PROFILES_ACTIVE: "prod", TT_E2E_MARKER: "v1"}')

# --- the operator, by its chart ------------------------------------------------------------------------
install_operator() {
  local repo=${E2E_IMAGE_OPERATOR%:*} tag=${E2E_IMAGE_OPERATOR##*:}
  "$HELM" upgrade --install "$RELEASE" "$REPO/helm/tt-operator" --namespace "$OP_NS" \
    --set image.repository="$repo" --set-string image.tag="$tag" --set image.pullPolicy=Never \
    --set log.format=text \
    --set-json 'extraVolumes=[{"name":"doppler-ca","secret":{"secretName":"doppler-ca"}}]' \
    --set-json 'extraVolumeMounts=[{"name":"doppler-ca","mountPath":"/etc/ttstack/doppler-ca","readOnly":true}]' \
    --set jvmOptions="-XX:MaxRAMPercentage=70 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Djavax.net.ssl.trustStore=/etc/ttstack/doppler-ca/truststore.p12 -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=e2e-truststore" \
    --wait --timeout 300s >"$OUT/helm-install.log" 2>&1 || { cat "$OUT/helm-install.log" >&2; return 1; }
}

operator_pod() {
  k -n "$OP_NS" get pods -l app.kubernetes.io/name=tt-operator --field-selector=status.phase=Running -o name | head -n 1
}

# --- the stack -----------------------------------------------------------------------------------------
stack_manifest() {
  cat <<YAML
apiVersion: ttstack.dev/v1alpha1
kind: TTStack
metadata:
  name: ${STACK}
  namespace: ${NS}
spec:
  secrets:
    doppler:
      project: tt-backend
      config: e2e
      tokenSecretRef: {name: doppler-token, key: serviceToken}
      host: https://fake-doppler.${FAKES_NS}.svc
      resyncSeconds: 15
  app:
    image: ${E2E_IMAGE_APP}
    version: "${E2E_APP_V1}"
    replicas: 2
    resources:
      requests: {cpu: 100m, memory: 384Mi}
      limits: {cpu: "1", memory: 768Mi}
    rollout:
      progressDeadlineSeconds: 120
      autoRollback: true
  postgres:
    version: 15
    image: ${E2E_IMAGE_POSTGRES}
    exporter: {image: ${E2E_IMAGE_POSTGRES_EXPORTER}}
    storage: {size: 1Gi}
    backup:
      schedule: "0 3 * * *"
      retain: 3
      beforeUpgrade: true
      storage: {size: 1Gi}
  redis:
    image: ${E2E_IMAGE_REDIS}
    exporter: {image: ${E2E_IMAGE_REDIS_EXPORTER}}
    storage: {size: 256Mi}
  monitoring:
    enabled: true
    prometheus:
      image: ${E2E_IMAGE_PROMETHEUS}
      storage: {size: 1Gi}
    alertmanager:
      image: ${E2E_IMAGE_ALERTMANAGER}
      slack: {channel: "#tt-e2e"}
    # Debian packages no Grafana: the e2e stack runs without it.
    grafana: {enabled: false}
  deletionPolicy: Retain
YAML
}

condition() { kn get ttstack "$STACK" -o "jsonpath={.status.conditions[?(@.type==\"$1\")].$2}" 2>/dev/null; }
stack_ready() { [[ $(condition Ready status) == True ]]; }

# kubectl apply -> each condition True -> Ready (figures); the operator pod is killed while the
# Redis cluster bootstraps, and the bootstrap still completes.
APPLY_FIGURES=""
apply_stack() {
  jq -n --arg token "$DOPPLER_TOKEN" '{apiVersion: "v1", kind: "Secret", metadata: {name: "doppler-token"},
    type: "Opaque", stringData: {serviceToken: $token}}' | kn apply -f - >/dev/null
  local t0 type seen=() killed=0 deadline reason
  t0=$(date +%s)
  stack_manifest | k apply -f - >/dev/null
  deadline=$((SECONDS + READY_TIMEOUT))
  declare -A true_at=()
  until stack_ready; do
    for type in SecretsSynced PostgresReady RedisClusterReady AppReady MonitoringReady; do
      if [[ -z ${true_at[$type]:-} && $(condition "$type" status) == True ]]; then
        true_at[$type]=$(seconds_since "$t0")
      fi
    done
    reason=$(condition RedisClusterReady reason)
    # The operator bootstraps once every Redis container has started (meet, slots, replicas: one
    # reconcile), then reports Bootstrapping until the cluster converges: it is killed at the first
    # of the two it sees, without grace, so the bootstrap is cut wherever it happens to be.
    if ((!killed)) && [[ $(condition RedisClusterReady status) != True ]] \
      && { [[ $reason == Bootstrapping ]] || (($(redis_started) == 6)); }; then
      local pod
      pod=$(operator_pod)
      if [[ -n $pod ]]; then
        k -n "$OP_NS" delete "$pod" --grace-period=0 --force --wait=false >/dev/null 2>&1 && killed=$(seconds_since "$t0")
        KILLED_AT_REASON=${reason:-none}
        say "operator ${pod#pod/} killed at the Redis bootstrap (${killed} s after apply; RedisClusterReady reason then: ${KILLED_AT_REASON})"
      fi
    fi
    [[ " ${seen[*]} " == *" $reason "* ]] || seen+=("$reason")
    ((SECONDS < deadline)) || { say "not Ready within ${READY_TIMEOUT} s; RedisClusterReady reasons seen: ${seen[*]}"; return 1; }
    sleep 1
  done
  local ready
  ready=$(seconds_since "$t0")
  # What a user (or the README) runs: the TTStack's Ready condition through kubectl wait.
  kn wait --for=condition=Ready "ttstack/${STACK}" --timeout=60s || return 1
  APPLY_FIGURES="kubectl apply -> Ready ${ready} s;"
  for type in SecretsSynced PostgresReady RedisClusterReady AppReady MonitoringReady; do
    APPLY_FIGURES+=" ${type} ${true_at[$type]:-$ready} s;"
  done
  figure "${APPLY_FIGURES} RedisClusterReady reasons seen: ${seen[*]}"
  OPERATOR_KILLED_AT=$killed
}
OPERATOR_KILLED_AT=0
KILLED_AT_REASON=""
# How many Redis containers of the stack have started.
redis_started() {
  kn get pods -l app.kubernetes.io/component=redis,app.kubernetes.io/instance="$STACK" \
    -o jsonpath='{range .items[*]}{.status.containerStatuses[?(@.name=="redis")].started}{"\n"}{end}' 2>/dev/null | grep -c '^true$' || true
}

# The in-cluster client: the toolbox image, with the stack's passwords as environment variables
# (from the managed Secret, never on a command line).
client_up() {
  kn apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: e2e-client}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: client
    image: ${E2E_IMAGE_TOOLBOX}
    imagePullPolicy: Never
    env:
    - {name: REDISCLI_AUTH, valueFrom: {secretKeyRef: {name: tt-secrets, key: REDIS_PASSWORD}}}
    - {name: PGPASSWORD, valueFrom: {secretKeyRef: {name: tt-secrets, key: POSTGRES_PASSWORD}}}
    - {name: PGUSER, value: tt}
    - {name: PGDATABASE, value: tt}
    - {name: PGHOST, value: tt-postgres}
    resources: {requests: {cpu: 10m, memory: 32Mi}}
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
YAML
  kn wait --for=condition=Ready pod/e2e-client --timeout=120s >/dev/null
}
# in_client SCRIPT: runs a bash script (stdin) in the client pod.
in_client() { kn exec -i e2e-client -- bash -s "$@"; }

# --- the checks ----------------------------------------------------------------------------------------
# The TT app through its Service from inside the cluster: the ticket flow of the app's own
# TicketFlowIT (queue, admission, hold, confirm, an idempotent retry), answer by answer. In production
# the admission schedule is on (tt.queue.admission: every second), so the buyer is admitted by it,
# not by a call to /admissions as in that test (which switches the schedule off).
check_ticket_flow() {
  in_client <<'SH'
set -euo pipefail
B=http://tt-app:8080/api/performances
post() { curl -sS -o /tmp/body -w '%{http_code}' -X POST -H 'Content-Type: application/json' "$@"; }
expect() { [[ $1 == "$2" ]] || { echo "expected $2, got $1: $(cat /tmp/body)"; exit 1; }; }
expect "$(post -d "{\"name\":\"E2E concert\",\"startsAt\":\"$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)\",\"rows\":2,\"seatsPerRow\":5}" "$B")" 201
perf=$(jq -r .id /tmp/body)
seats=$(curl -fsS "$B/$perf/seats")
[[ $(jq length <<<"$seats") == 10 ]] || { echo "seats: $seats"; exit 1; }
seat=$(jq -r '.[3].id' <<<"$seats")
expect "$(post -d '{"userId":"alice"}' "$B/$perf/queue")" 201
[[ $(jq -r .status /tmp/body) =~ ^(WAITING|ADMITTED)$ ]] || { cat /tmp/body; exit 1; }
# Joining again keeps the place (200, not a new place at the end).
expect "$(post -d '{"userId":"alice"}' "$B/$perf/queue")" 200
for _ in $(seq 1 30); do
  status=$(curl -fsS "$B/$perf/queue/alice")
  [[ $(jq -r .status <<<"$status") == ADMITTED ]] && break
  sleep 0.5
done
[[ $(jq -r .status <<<"$status") == ADMITTED ]] || { echo "alice not admitted by the schedule within 15 s: $status"; exit 1; }
token=$(jq -r .entryToken <<<"$status")
((${#token} >= 32)) || { echo "entry token of ${#token} characters"; exit 1; }
expect "$(post -H "X-Entry-Token: $token" -d "{\"seatId\":$seat}" "$B/$perf/holds")" 201
[[ $(jq -r '.seatLabel + " " + .userId' /tmp/body) == "A-4 alice" ]] || { cat /tmp/body; exit 1; }
hold=$(jq -r .holdId /tmp/body)
expect "$(post -H "X-Entry-Token: $token" -H 'Idempotency-Key: e2e-order-1' "$B/$perf/holds/$hold/confirm")" 201
first=$(jq -cS . /tmp/body)
[[ $(jq -r .seatId /tmp/body) == "$seat" ]] || { cat /tmp/body; exit 1; }
# A retry with the same key (a lost response) gets the same reservation.
expect "$(post -H "X-Entry-Token: $token" -H 'Idempotency-Key: e2e-order-1' "$B/$perf/holds/$hold/confirm")" 200
[[ $(jq -cS . /tmp/body) == "$first" ]] || { echo "retry answered differently: $(cat /tmp/body)"; exit 1; }
summary=$(curl -fsS "$B/$perf")
[[ $(jq -r '"\(.sold) \(.available)"' <<<"$summary") == "1 9" ]] || { echo "summary: $summary"; exit 1; }
echo "ticket flow: performance $perf, seat $seat sold once"
SH
}

# Prometheus: every target of every scrape job up; the exporters see what they watch (pg_up,
# redis_up of all six nodes); the operator's metrics scraped.
prom_query() { in_client "$1" <<'SH'
curl -fsS --get --data-urlencode "query=$1" http://tt-prometheus:9090/api/v1/query | jq -c '[.data.result[] | .value[1]]'
SH
}
prometheus_all_up() {
  local targets jobs down
  targets=$(in_client <<<'curl -fsS http://tt-prometheus:9090/api/v1/targets') || return 1
  jobs=$(jq -r '[.data.activeTargets[].labels.job] | unique | join(" ")' <<<"$targets")
  down=$(jq -r '[.data.activeTargets[] | select(.health != "up") | "\(.labels.job)/\(.labels.instance): \(.health) \(.lastError)"] | join("; ")' <<<"$targets")
  echo "jobs: ${jobs}; not up: ${down:-none}"
  [[ -z $down ]] || return 1
  local job
  for job in app postgres redis operator; do [[ " $jobs " == *" $job "* ]] || { echo "no job ${job}"; return 1; }; done
  [[ $(prom_query 'pg_up{job="postgres"}') == '["1"]' ]] || { echo "pg_up: $(prom_query 'pg_up')"; return 1; }
  [[ $(prom_query 'count(redis_up{job="redis"} == 1)') == '["6"]' ]] || { echo "redis_up: $(prom_query 'redis_up')"; return 1; }
  [[ $(prom_query 'up{job="operator"}') == '["1"]' ]] || { echo "operator: $(prom_query 'up{job="operator"}')"; return 1; }
  [[ $(prom_query 'count(up{job="app"} == 1)') == '["2"]' ]] || { echo "app: $(prom_query 'up{job="app"}')"; return 1; }
}
check_prometheus() { wait_for 180 prometheus_all_up; }

# An alert made to fire for real: the app scaled to zero (spec.app.replicas: 0) fires TTAppDown
# (for: 1m), which Alertmanager sends to the Slack stand-in with the payload the README describes.
slack_received() { in_client <<<"curl -fsS http://slack-receiver.${FAKES_NS}.svc/_received"; }
# The first TTAppDown firing message the stand-in received on the webhook's path (PAYLOAD).
PAYLOAD=""
app_down_received() {
  PAYLOAD=$(slack_received | jq -c --arg path "$SLACK_PATH" '[.[] | select(.path == $path) | .body
    | select(any(.attachments[]?; (.title // "") | test("^\\[FIRING:[0-9]+\\] TTAppDown ")))] | first // empty')
  [[ -n $PAYLOAD ]]
}
# The app scaled to zero (TTAppDown has "for: 1m"): the Redis and backup checks run meanwhile (they
# need no app), check_alert_reaches_slack then waits for the message and scales the app back.
APP_DOWN_AT=0
scale_app_to_zero() {
  kn patch ttstack "$STACK" --type merge -p '{"spec":{"app":{"replicas":0}}}' >/dev/null || die "cannot scale the app to zero"
  APP_DOWN_AT=$(date +%s)
  say "app scaled to zero (spec.app.replicas: 0): TTAppDown should reach the Slack stand-in"
}
check_alert_reaches_slack() {
  local t0=$APP_DOWN_AT payload
  ((t0 > 0)) || { echo "the app was never scaled to zero"; return 1; }
  wait_for 300 app_down_received || { echo "no TTAppDown in the Slack stand-in within 300 s; it holds: $(slack_received | jq -c '[.[].body.attachments[]?.title]')"; return 1; }
  figure "app scaled to 0 -> TTAppDown at the Slack stand-in: $(seconds_since "$t0") s"
  payload=$PAYLOAD
  echo "payload: $(jq -c '{channel, title: .attachments[0].title, color: .attachments[0].color}' <<<"$payload")"
  [[ $(jq -r .channel <<<"$payload") == "#tt-e2e" ]] || { echo "channel"; return 1; }
  [[ $(jq -r .attachments[0].title <<<"$payload") == *"TTAppDown (${NS}/${STACK})"* ]] || { echo "title"; return 1; }
  [[ $(jq -r .attachments[0].color <<<"$payload") == danger ]] || { echo "colour of a critical alert"; return 1; }
  [[ $(jq -r .attachments[0].text <<<"$payload") == *"*CRITICAL*"* ]] || { echo "text"; return 1; }
  kn patch ttstack "$STACK" --type merge -p '{"spec":{"app":{"replicas":2}}}' >/dev/null
  wait_for 300 app_available 2
}
deploy_available() {
  [[ $(kn get deployment tt-app -o jsonpath='{.status.availableReplicas}/{.status.updatedReplicas}/{.status.replicas}') == "$1/$1/$1" ]]
}
app_available() { deploy_available "$1" && stack_ready; }

# Upgrade to a new app version with a client requesting through the whole rollout: zero failed
# requests. Then an image that exits at start: rolled back automatically, the status says why.
upgraded() {
  [[ $(kn get ttstack "$STACK" -o jsonpath='{.status.app.version}') == "$E2E_APP_V2" ]] \
    && [[ $(kn get deployment tt-app -o jsonpath='{.spec.template.spec.containers[0].image}') == *":${E2E_APP_V2}" ]] \
    && app_available 2
}
check_upgrade_without_failed_requests() {
  # The client reads a performance through the app's API (the database and the app's own code), as
  # a buyer would; not the readiness endpoint, which a terminating pod answers 503 on purpose.
  in_client <<'SH'
rm -f /tmp/load.stop /tmp/load.out /tmp/load.failures
perf=$(curl -fsS -X POST -H 'Content-Type: application/json' -d "{\"name\":\"E2E rollout\",\"startsAt\":\"$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)\",\"rows\":1,\"seatsPerRow\":2}" http://tt-app:8080/api/performances | jq -r .id)
export perf
nohup bash -c 'ok=0; failed=0; while [[ ! -e /tmp/load.stop ]]; do
  code=$(curl -s -o /dev/null -w "%{http_code}" --max-time 5 "http://tt-app:8080/api/performances/$perf")
  if [[ $code == 200 ]]; then ok=$((ok+1)); else failed=$((failed+1)); echo "$(date -u +%T) $code" >>/tmp/load.failures; fi
  echo "$ok $failed" >/tmp/load.out; sleep 0.1; done' >/dev/null 2>&1 &
SH
  local t0
  t0=$(date +%s)
  kn patch ttstack "$STACK" --type merge -p "{\"spec\":{\"app\":{\"version\":\"${E2E_APP_V2}\"}}}" >/dev/null
  wait_for 600 upgraded || { echo "not upgraded within 600 s"; in_client <<<'touch /tmp/load.stop'; return 1; }
  local rollout counts
  rollout=$(seconds_since "$t0")
  counts=$(in_client <<<'touch /tmp/load.stop; sleep 0.3; cat /tmp/load.out; cat /tmp/load.failures 2>/dev/null | head -n 5')
  figure "upgrade ${E2E_APP_V1} -> ${E2E_APP_V2}: ${rollout} s (pre-upgrade backup included); requests ok/failed during it: $(head -n 1 <<<"$counts")"
  echo "$counts"
  local ok failed
  read -r ok failed <<<"$(head -n 1 <<<"$counts")"
  ((ok > 0 && failed == 0))
}
rolled_back() { [[ $(condition AppReady reason) == RolledBack ]]; }
check_broken_image_rolled_back() {
  local t0 message
  t0=$(date +%s)
  kn patch ttstack "$STACK" --type merge -p "{\"spec\":{\"app\":{\"version\":\"${E2E_APP_EXITS}\"}}}" >/dev/null
  wait_for 600 rolled_back || { echo "no rollback within 600 s: AppReady $(condition AppReady reason): $(condition AppReady message)"; return 1; }
  message=$(condition AppReady message)
  figure "image that exits at start -> RolledBack: $(seconds_since "$t0") s"
  echo "AppReady RolledBack: ${message}"
  [[ $message == *"$E2E_APP_EXITS"* && $message == *"$E2E_APP_V2"* ]] || { echo "the message does not name both versions"; return 1; }
  # The last good version serves meanwhile: the Deployment's template is back on it, both pods up.
  wait_for 300 deploy_available 2 || { echo "the last good version is not available again"; return 1; }
  [[ $(kn get deployment tt-app -o jsonpath='{.spec.template.spec.containers[0].image}') == *":${E2E_APP_V2}" ]] || return 1
  # The rolled-back version is not retried; the user names a good one (as the message says): Ready.
  kn patch ttstack "$STACK" --type merge -p "{\"spec\":{\"app\":{\"version\":\"${E2E_APP_V2}\"}}}" >/dev/null
  wait_for 300 app_available 2
}

# --- Redis with real pods ------------------------------------------------------------------------------
redis_host() { echo "tt-redis-$1.tt-redis-headless.${NS}.svc"; }
# Writes N keys, each acknowledged by its master and one replica (WAIT), and records them.
redis_write_keys() {
  in_client "$1" "$2" <<'SH'
set -euo pipefail
prefix=$1 n=$2
for i in $(seq 1 "$n"); do printf 'SET %s:%s v%s\nWAIT 1 5000\n' "$prefix" "$i" "$i"; done \
  | redis-cli -c -h tt-redis >/tmp/"$prefix".acks
acked=$(grep -c '^1$' /tmp/"$prefix".acks || true)
ok=$(grep -c '^OK$' /tmp/"$prefix".acks || true)
echo "$prefix: $ok OK, $acked replicated"
[[ $ok == "$n" && $acked == "$n" ]]
SH
}
redis_keys_intact() {
  in_client "$1" "$2" <<'SH'
set -euo pipefail
prefix=$1 n=$2 missing=0
# (redis-cli -c prints a "-> Redirected to slot ..." line before the answer of each redirected command.)
for i in $(seq 1 "$n"); do printf 'GET %s:%s\n' "$prefix" "$i"; done | redis-cli -c -h tt-redis | grep -v '^-> Redirected' >/tmp/"$prefix".got
for i in $(seq 1 "$n"); do [[ $(sed -n "${i}p" /tmp/"$prefix".got) == "v$i" ]] || missing=$((missing+1)); done
echo "$prefix: $missing of $n acknowledged writes missing"
((missing == 0))
SH
}
redis_cluster_check() {
  in_client "$(redis_host 0)" <<'SH'
out=$(redis-cli --cluster check "$1:6379" 2>&1)
echo "$out" | grep -E '^\[(OK|ERR|WARNING)\]|slots covered|masters' | head -n 8
grep -q '\[OK\] All 16384 slots covered' <<<"$out" && ! grep -qE '^\[(ERR|WARNING)\]' <<<"$out"
SH
}
# (RedisClusterReady, not Ready: the app may be scaled to zero meanwhile, see scale_app_to_zero.)
redis_healed() { [[ $(condition RedisClusterReady status) == True ]] && redis_cluster_check >/dev/null 2>&1; }
redis_master_pod() {
  local i role
  for i in 0 1 2 3 4 5; do
    # shellcheck disable=SC2016 # expanded in the pod: $1 is the script's argument there
    role=$(in_client "$(redis_host "$i")" <<<'redis-cli -h "$1" ROLE | head -n 1' 2>/dev/null) || continue
    [[ $role == master ]] && { echo "tt-redis-$i"; return; }
  done
  return 1
}
# heal WHAT: waits (bounded) for the operator to report the cluster healed, then checks it.
heal() {
  local t0=$1 what=$2
  # The operator first has to notice: RedisClusterReady leaves True, or the pods' IPs change.
  wait_for 600 redis_healed || { echo "${what}: not healed within 600 s (RedisClusterReady $(condition RedisClusterReady reason))"; return 1; }
  figure "redis heal after ${what}: $(seconds_since "$t0") s"
  redis_cluster_check
}
check_redis_master_failover() {
  redis_write_keys e2e-a 200 || return 1
  local master t0
  master=$(redis_master_pod) || { echo "no master found"; return 1; }
  t0=$(date +%s)
  kn delete pod "$master" --wait=false >/dev/null
  wait_for 120 pod_replaced "$master" || return 1
  heal "$t0" "master ${master} deleted" || return 1
  redis_keys_intact e2e-a 200
}
pod_replaced() { [[ $(kn get pod "$1" -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null) == "" ]] \
  && [[ $(kn get pod "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]; }
all_redis_pods_back() { local i; for i in 0 1 2 3 4 5; do pod_replaced "tt-redis-$i" || return 1; done; }
check_redis_all_pods_deleted() {
  redis_write_keys e2e-b 100 || return 1
  local before t0 after
  before=$(kn get pods -l app.kubernetes.io/component=redis,app.kubernetes.io/instance="$STACK" -o jsonpath='{.items[*].status.podIP}')
  t0=$(date +%s)
  kn delete pods -l app.kubernetes.io/component=redis,app.kubernetes.io/instance="$STACK" --wait=false >/dev/null
  wait_for 300 all_redis_pods_back || { echo "the six pods did not come back"; return 1; }
  after=$(kn get pods -l app.kubernetes.io/component=redis,app.kubernetes.io/instance="$STACK" -o jsonpath='{.items[*].status.podIP}')
  echo "pod IPs before: ${before}; after: ${after}"
  heal "$t0" "all six pods deleted" || return 1
  redis_keys_intact e2e-a 200 && redis_keys_intact e2e-b 100
}
# new_volume POD OLD_UID: the pod is back on a claim other than the one deleted.
new_volume() {
  local uid
  uid=$(kn get pvc "data-$1" -o jsonpath='{.metadata.uid}' 2>/dev/null) && [[ -n $uid && $uid != "$2" ]] && pod_replaced "$1"
}
check_redis_volume_lost() {
  local victim=tt-redis-5 t0 uid_before
  uid_before=$(kn get pvc "data-${victim}" -o jsonpath='{.metadata.uid}')
  t0=$(date +%s)
  kn delete pvc "data-${victim}" --wait=false >/dev/null
  kn delete pod "$victim" --wait=false >/dev/null
  wait_for 300 new_volume "$victim" "$uid_before" || { echo "${victim} did not come back on a new volume"; return 1; }
  heal "$t0" "${victim}'s volume and pod deleted" || return 1
  redis_keys_intact e2e-a 200 && redis_keys_intact e2e-b 100
}

# A backup Job (the CronJob's template, run now) writes a real dump that pg_restore --list reads.
check_backup_restorable() {
  local job t0
  t0=$(date +%s)
  job=e2e-backup-$t0
  kn create job "$job" --from=cronjob/tt-postgres-backup >/dev/null
  kn wait --for=condition=Complete "job/$job" --timeout=300s >/dev/null || { kn logs "job/$job" --tail=30 || true; return 1; }
  figure "backup Job: $(seconds_since "$t0") s"
  kn apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: e2e-restore-list}
spec:
  restartPolicy: Never
  securityContext: {runAsNonRoot: true, runAsUser: 70, runAsGroup: 70, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: list
    image: ${E2E_IMAGE_TOOLBOX}
    imagePullPolicy: Never
    command: [bash, -c, 'f=\$(ls -1 /backups/*.dump | tail -n 1); echo "dump: \$f \$(stat -c %s "\$f") bytes"; pg_restore --list "\$f"']
    volumeMounts: [{name: backups, mountPath: /backups, readOnly: true}]
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
  volumes: [{name: backups, persistentVolumeClaim: {claimName: tt-postgres-backup, readOnly: true}}]
YAML
  kn wait --for=jsonpath='{.status.phase}'=Succeeded pod/e2e-restore-list --timeout=120s >/dev/null || { kn logs e2e-restore-list || true; return 1; }
  local listing
  listing=$(kn logs e2e-restore-list)
  kn delete pod e2e-restore-list --wait=false >/dev/null
  head -n 3 <<<"$listing"
  grep -E 'TABLE public (performance|seat|reservation|hold) ' <<<"$listing"
  grep -q 'TABLE DATA public reservation ' <<<"$listing"
}

# "Node reboot": containerd and the kubelet stopped (every container with them) and started again.
check_node_reboot() {
  local t0
  t0=$(date +%s)
  $E2E_NODE_RESTART_COMMAND >"$OUT/node-restart.log" 2>&1 || { cat "$OUT/node-restart.log"; return 1; }
  figure "node restart command: $(seconds_since "$t0") s"
  # The operator and the client are pods too: both come back first.
  wait_for 300 operator_ready || { echo "the operator did not come back"; return 1; }
  wait_for 120 client_ready || client_up
  wait_for 900 all_back || { echo "the stack is not Ready again within 900 s"; return 1; }
  figure "node restart -> stack Ready again: $(seconds_since "$t0") s"
  redis_cluster_check && redis_keys_intact e2e-a 200
}
operator_ready() { [[ $(k -n "$OP_NS" get deploy "$RELEASE" -o jsonpath='{.status.availableReplicas}') == 1 ]]; }
client_ready() { [[ $(kn get pod e2e-client -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]; }
all_back() { stack_ready && app_available 2 && redis_cluster_check >/dev/null 2>&1; }

# The operator pod killed during the Redis bootstrap (in apply_stack): the bootstrap completed.
check_bootstrap_survives_operator_kill() {
  ((OPERATOR_KILLED_AT > 0)) || { echo "the operator was never seen bootstrapping Redis, so was not killed then"; return 1; }
  echo "killed ${OPERATOR_KILLED_AT} s after apply; RedisClusterReady's reason then: ${KILLED_AT_REASON}"
  [[ $(k -n "$OP_NS" get deploy "$RELEASE" -o jsonpath='{.status.availableReplicas}') == 1 ]] || { echo "no operator now"; return 1; }
  redis_cluster_check
}

# No secret value in the operator's logs, any Event of the run's namespaces, the TTStack's status,
# the logs of every pod of the stack and the stand-ins, or this run's own logs.
check_no_secret_leaks() {
  local file=$OUT/leak-scan.txt value n=0
  {
    k -n "$OP_NS" logs "deploy/$RELEASE" --all-containers --tail=-1 || true
    k -n "$OP_NS" logs "deploy/$RELEASE" --all-containers --previous --tail=-1 2>/dev/null || true
    local ns
    for ns in "$OP_NS" "$NS" "$FAKES_NS"; do k -n "$ns" get events -o json || true; done
    kn get ttstack "$STACK" -o jsonpath='{.status}'
    local pod
    for ns in "$NS" "$FAKES_NS"; do
      for pod in $(k -n "$ns" get pods -o name); do k -n "$ns" logs "$pod" --all-containers --tail=-1 || true; done
    done
    # And what this run wrote itself (every check's log, the diagnostics it printed).
    cat "$OUT"/check-*.log
  } >"$file" 2>&1
  for value in "${SECRET_VALUES[@]}"; do
    grep -qF -- "$value" "$file" && n=$((n + 1))
  done
  echo "scanned $(wc -c <"$file") bytes of logs, Events and status for ${#SECRET_VALUES[@]} secret values: ${n} found"
  rm -f "$file"
  ((n == 0))
}

# kubectl delete of the TTStack: its workloads go, its data volumes stay (deletionPolicy Retain).
workloads_gone() { [[ -z $(kn get statefulsets,deployments,cronjobs -o name 2>/dev/null) ]]; }
check_delete_retains_volumes() {
  local pvcs_before pvcs_after
  pvcs_before=$(kn get pvc -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.uid} {end}')
  kn delete ttstack "$STACK" --timeout=300s >/dev/null || return 1
  wait_for 300 workloads_gone || { echo "workloads left: $(kn get statefulsets,deployments,cronjobs -o name)"; return 1; }
  pvcs_after=$(kn get pvc -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.uid} {end}')
  echo "PVCs before: ${pvcs_before}"
  echo "PVCs after:  ${pvcs_after}"
  local pvc
  for pvc in data-tt-postgres-0 tt-postgres-backup tt-prometheus data-tt-redis-0; do
    [[ " $pvcs_after" == *" ${pvc}="* || $pvcs_after == "${pvc}="* ]] || { echo "${pvc} was deleted"; return 1; }
  done
  [[ $pvcs_after == "$pvcs_before" ]]
}

# Each pod's memory (cgroup) against its request, and the operator's: figures only.
pod_memory_figures() {
  local ns pod container request
  for ns in "$OP_NS" "$NS" "$FAKES_NS"; do
    k -n "$ns" get pods -o json | jq -r '.items[] | select(.status.phase == "Running") | .metadata.name as $p
      | .spec.containers[] | "\($p) \(.name) \(.resources.requests.memory // "-")"' | while read -r pod container request; do
      local rss
      rss=$(k -n "$ns" exec "$pod" -c "$container" -- cat /proc/1/status 2>/dev/null | awk '/^VmRSS:/ {printf "%d MiB", $2/1024}')
      echo "figure: memory ${ns}/${pod}/${container}: RSS ${rss:-?} (request ${request})"
    done
  done
}

# --- the run -------------------------------------------------------------------------------------------
T_RUN=$(date +%s)
if ((LOCAL)); then
  local_node_up
else
  KUBECTL=(kubectl --kubeconfig "$KUBECONFIG_FILE")
fi
export KUBECONFIG=$KUBECONFIG_FILE
for var in E2E_IMAGE_OPERATOR E2E_IMAGE_APP E2E_APP_V1 E2E_APP_V2 E2E_APP_EXITS E2E_IMAGE_POSTGRES E2E_IMAGE_REDIS \
  E2E_IMAGE_PROMETHEUS E2E_IMAGE_ALERTMANAGER E2E_IMAGE_POSTGRES_EXPORTER E2E_IMAGE_REDIS_EXPORTER \
  E2E_IMAGE_STAND_INS E2E_IMAGE_TOOLBOX; do
  [[ -n ${!var:-} ]] || die "${var} is not set (--local-node sets every image)"
done
say "stand-ins (fake Doppler, Slack receiver) in ${FAKES_NS}"
stand_ins_up || die "the stand-ins did not start"
say "helm install ${RELEASE} (${E2E_IMAGE_OPERATOR}) in ${OP_NS}"
t_install=$(date +%s)
install_operator || die "helm install failed"
say "figure: helm install --wait: $(seconds_since "$t_install") s"
say "kubectl apply TTStack ${NS}/${STACK}; waiting for Ready (at most ${READY_TIMEOUT} s)"
check stack-ready apply_stack
stack_ready || die "the stack never became Ready: no further check can run"
client_up || die "the client pod did not start"
check bootstrap-survives-operator-kill check_bootstrap_survives_operator_kill
check ticket-flow check_ticket_flow
check prometheus-targets-up check_prometheus
scale_app_to_zero
check redis-master-failover check_redis_master_failover
check redis-all-pods-deleted check_redis_all_pods_deleted
check redis-volume-lost check_redis_volume_lost
check backup-restorable check_backup_restorable
check alert-reaches-slack check_alert_reaches_slack
check upgrade-zero-failed-requests check_upgrade_without_failed_requests
check broken-image-rolled-back check_broken_image_rolled_back
if [[ -n ${E2E_NODE_RESTART_COMMAND:-} ]]; then
  check node-reboot check_node_reboot
else
  NOT_RUN+=("node-reboot (set E2E_NODE_RESTART_COMMAND)")
fi
pod_memory_figures >&2 || true
check no-secret-leaks check_no_secret_leaks
check delete-retains-volumes check_delete_retains_volumes
say "figure: whole run $(seconds_since "$T_RUN") s"
