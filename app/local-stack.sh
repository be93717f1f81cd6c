#!/usr/bin/env bash
# Runs the TT app locally against a real PostgreSQL and a real six-node Redis Cluster, all on free
# 127.0.0.1 ports, configured exactly as the TTStack operator configures the app: by environment.
#
# Usage: app/local-stack.sh start | env | run | status | stop
#   start   start PostgreSQL and the Redis Cluster (state and logs in $TT_LOCAL_DIR)
#   env     print the app's environment (export lines; contains the generated passwords)
#   run     start the services if needed, build the app jar if missing, run the app in the foreground
#           on $TT_APP_PORT; Ctrl-C stops the app and then the services
#   status  show what runs where
#   stop    stop everything and delete $TT_LOCAL_DIR
# Settings: TT_LOCAL_DIR (default /tmp/tt-local-stack-$UID), TT_APP_PORT (default 8080).
# Needs: redis-server, redis-cli, PostgreSQL server binaries (Debian: apt-get install redis-server postgresql).
# As root, PostgreSQL runs as the postgres user (it refuses root).
set -euo pipefail

APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${TT_LOCAL_DIR:-/tmp/tt-local-stack-$(id -u)}
APP_PORT=${TT_APP_PORT:-8080}
REDIS_NODES=6

log() {
  printf '[local-stack] %s\n' "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

# PostgreSQL server binaries: Debian keeps them in /usr/lib/postgresql/VERSION/bin, off PATH.
pg_bin() {
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  if [[ -n ${dir} && -x ${dir}/initdb ]]; then
    printf '%s\n' "${dir}"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  else
    die "PostgreSQL server binaries not found (apt-get install postgresql)"
  fi
}

as_postgres() {
  if ((EUID == 0)); then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A free port below 45536 whose cluster bus port (+10000) is free too.
pick_port() {
  local port attempt
  for attempt in $(seq 1 200); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 25000))
    if port_free "${port}" && port_free $((port + 10000)) && ! grep -qsx "${port}" "${STATE}/ports"; then
      printf '%s\n' "${port}" >>"${STATE}/ports"
      printf '%s\n' "${port}"
      return 0
    fi
    : "${attempt}"
  done
  die "no free port found"
}

secret() {
  head -c 18 /dev/urandom | base64 | tr '+/' '-_'
}

wait_for() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${seconds}s waiting for ${what}"
    sleep 0.2
  done
}

start_postgres() {
  local bin port password
  bin=$(pg_bin)
  port=$(pick_port)
  password=$(secret)
  mkdir -p "${STATE}/postgres"
  printf '%s\n' "${password}" >"${STATE}/postgres/pwfile"
  chmod 600 "${STATE}/postgres/pwfile"
  if ((EUID == 0)); then
    chown -R postgres:postgres "${STATE}/postgres"
  fi
  as_postgres "${bin}/initdb" -D "${STATE}/postgres/data" -U tt --pwfile="${STATE}/postgres/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"${STATE}/postgres/initdb.log"
  as_postgres "${bin}/pg_ctl" -D "${STATE}/postgres/data" -l "${STATE}/postgres/server.log" -w -t 60 \
    -o "-p ${port} -k ${STATE}/postgres -c listen_addresses=127.0.0.1" start >/dev/null
  as_postgres "${bin}/psql" -h "${STATE}/postgres" -p "${port}" -U tt -d postgres -q -v ON_ERROR_STOP=1 \
    -c "create database tt"
  {
    printf 'export SPRING_DATASOURCE_URL=%q\n' "jdbc:postgresql://127.0.0.1:${port}/tt"
    printf 'export SPRING_DATASOURCE_USERNAME=tt\n'
    printf 'export SPRING_DATASOURCE_PASSWORD=%q\n' "${password}"
  } >>"${STATE}/env"
  log "PostgreSQL on 127.0.0.1:${port}"
}

start_redis() {
  local password port node i
  local -a addresses=()
  password=$(secret)
  for i in $(seq 1 "${REDIS_NODES}"); do
    port=$(pick_port)
    node="${STATE}/redis/${port}"
    mkdir -p "${node}"
    # The password goes into a 0600 file, not onto a command line where ps would show it.
    cat >"${node}/redis.conf" <<CONF
port ${port}
bind 127.0.0.1
daemonize yes
pidfile ${node}/redis.pid
dir ${node}
logfile ${node}/redis.log
cluster-enabled yes
cluster-config-file nodes.conf
cluster-node-timeout 5000
appendonly yes
requirepass ${password}
masterauth ${password}
CONF
    chmod 600 "${node}/redis.conf"
    redis-server "${node}/redis.conf"
    addresses+=("127.0.0.1:${port}")
    : "${i}"
  done
  export REDISCLI_AUTH=${password}
  for node in "${addresses[@]}"; do
    wait_for "redis ${node}" 20 redis-cli -h 127.0.0.1 -p "${node##*:}" ping
  done
  redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"${STATE}/redis/create.log"
  for node in "${addresses[@]}"; do
    wait_for "cluster_state:ok on ${node}" 60 cluster_ok "${node##*:}"
  done
  {
    printf 'export SPRING_DATA_REDIS_CLUSTER_NODES=%s\n' "$(IFS=,; printf '%s' "${addresses[*]}")"
    printf 'export SPRING_DATA_REDIS_PASSWORD=%q\n' "${password}"
  } >>"${STATE}/env"
  log "Redis Cluster on ${addresses[*]}"
}

not() {
  ! "$@"
}

cluster_ok() {
  redis-cli -h 127.0.0.1 -p "$1" cluster info | grep -q '^cluster_state:ok'
}

cmd_start() {
  if [[ -f ${STATE}/env ]]; then
    log "already started (state in ${STATE}); 'stop' first to start afresh"
    return 0
  fi
  command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
  mkdir -p "${STATE}"
  # As root the postgres user must be able to reach its directory inside.
  chmod 711 "${STATE}"
  : >"${STATE}/ports"
  touch "${STATE}/env"
  chmod 600 "${STATE}/env"
  start_postgres
  start_redis
  log "started; the app's environment: $0 env"
}

cmd_env() {
  [[ -f ${STATE}/env ]] || die "not started: run '$0 start'"
  cat "${STATE}/env"
}

cmd_status() {
  [[ -f ${STATE}/env ]] || {
    log "not started"
    return 0
  }
  grep -v PASSWORD "${STATE}/env"
  local pidfile pid
  for pidfile in "${STATE}"/redis/*/redis.pid; do
    [[ -f ${pidfile} ]] || continue
    pid=$(<"${pidfile}")
    if running "${pid}"; then
      log "redis pid ${pid} running ($(basename "$(dirname "${pidfile}")"))"
    else
      log "redis $(basename "$(dirname "${pidfile}")") NOT running"
    fi
  done
  if [[ -f ${STATE}/postgres/data/postmaster.pid ]]; then
    log "postgres pid $(head -n 1 "${STATE}/postgres/data/postmaster.pid") running"
  fi
}

# A daemonized redis-server is reparented to PID 1, which may reap it late: a zombie counts as gone.
running() {
  [[ -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"
}

cmd_stop() {
  local pidfile pid
  if [[ -f ${STATE}/postgres/data/postmaster.pid ]]; then
    as_postgres "$(pg_bin)/pg_ctl" -D "${STATE}/postgres/data" -m fast -w stop >/dev/null || true
  fi
  for pidfile in "${STATE}"/redis/*/redis.pid; do
    [[ -f ${pidfile} ]] || continue
    pid=$(<"${pidfile}")
    kill "${pid}" 2>/dev/null || true
    wait_for "redis pid ${pid} to exit" 20 not running "${pid}"
  done
  rm -rf "${STATE}"
  log "stopped; ${STATE} deleted"
}

cmd_run() {
  local jar=${APP_DIR}/target/tt-app.jar
  cmd_start
  trap cmd_stop EXIT
  if [[ ! -f ${jar} ]]; then
    log "building ${jar}"
    (cd "${APP_DIR}/.." && ./mvnw -B -q -pl app -DskipTests package)
  fi
  # shellcheck source=/dev/null
  source "${STATE}/env"
  log "app on http://127.0.0.1:${APP_PORT} (API description: /swagger-ui.html); Ctrl-C stops everything"
  SERVER_PORT=${APP_PORT} java -XX:MaxRAMPercentage=25 -jar "${jar}" &
  local app=$!
  # INT/TERM reach the app as SIGTERM (graceful shutdown); the services stop once it has exited.
  trap 'kill -TERM "${app}" 2>/dev/null || true' INT TERM
  wait "${app}" || true
  wait "${app}" 2>/dev/null || true
}

case "${1:-}" in
start) cmd_start ;;
env) cmd_env ;;
run) cmd_run ;;
status) cmd_status ;;
stop) cmd_stop ;;
*)
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
  ;;
esac
