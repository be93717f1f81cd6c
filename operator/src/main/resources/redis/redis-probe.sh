#!/bin/sh
# Probes of a TTStack Redis Cluster node.
#   redis-probe.sh live   the process is alive: the Redis port or the start-up gate answers PING
#                         (LOADING counts as alive: a large AOF takes time to load)
#   redis-probe.sh ready  the node can take traffic: before the cluster exists (it knows only itself
#                         and no marker says a cluster was created) answering PING is enough, so that
#                         the operator can bootstrap ready pods; once the cluster exists the node must
#                         report cluster_state:ok, and a replica must have its link to its master up.
# The password is read from the runtime config written by redis-start.sh (and kept current by
# CONFIG REWRITE during a password rotation), so a rotated password does not fail the probe.
# Environment: REDIS_PORT (6379), REDIS_GATE_PORT (6380), REDIS_RUN_DIR (/run/redis),
# REDIS_CLUSTER_MARKER (optional), REDIS_CLI_BIN (redis-cli), REDIS_PASSWORD (fallback only).
set -eu

MODE=${1:-ready}
PORT=${REDIS_PORT:-6379}
GATE_PORT=${REDIS_GATE_PORT:-6380}
RUN_CONF=${REDIS_RUN_DIR:-/run/redis}/redis.conf
MARKER=${REDIS_CLUSTER_MARKER:-}
CLI=${REDIS_CLI_BIN:-redis-cli}

# The last requirepass "..." line, with redis.conf's escapes (\\ and \") undone.
password_from_conf() {
  awk '/^requirepass "/ {
    s = substr($0, 14, length($0) - 14); out = ""
    for (i = 1; i <= length(s); i++) {
      c = substr(s, i, 1)
      if (c == "\\") { i++; c = substr(s, i, 1) }
      out = out c
    }
    pw = out
  } END { printf "%s", pw }' "$RUN_CONF" 2>/dev/null
}

pw=$(password_from_conf || true)
REDISCLI_AUTH=${pw:-${REDIS_PASSWORD:-}}
export REDISCLI_AUTH

cli() {
  port=$1
  shift
  timeout 3 "$CLI" -p "$port" "$@" 2>/dev/null | tr -d '\r'
}

field() {
  sed -n "s/^$1://p"
}

case $MODE in
  live)
    reply=$(cli "$PORT" ping) || reply=""
    case $reply in
      PONG | LOADING*) exit 0 ;;
    esac
    reply=$(cli "$GATE_PORT" ping) || reply=""
    [ "$reply" = PONG ]
    ;;
  ready)
    info=$(cli "$PORT" cluster info) || exit 1
    known=$(printf '%s\n' "$info" | field cluster_known_nodes)
    state=$(printf '%s\n' "$info" | field cluster_state)
    if [ -z "$known" ]; then
      echo "no answer to CLUSTER INFO" >&2
      exit 1
    fi
    if [ "$known" -le 1 ]; then
      if [ -n "$MARKER" ] && [ -s "$MARKER" ]; then
        echo "the cluster exists but this node knows only itself" >&2
        exit 1
      fi
      exit 0
    fi
    if [ "$state" != ok ]; then
      echo "cluster_state:$state" >&2
      exit 1
    fi
    repl=$(cli "$PORT" info replication) || exit 1
    role=$(printf '%s\n' "$repl" | field role)
    if [ "$role" = slave ]; then
      link=$(printf '%s\n' "$repl" | field master_link_status)
      if [ "$link" != up ]; then
        echo "replica link to its master is ${link:-unknown}" >&2
        exit 1
      fi
    fi
    exit 0
    ;;
  *)
    echo "usage: redis-probe.sh live|ready" >&2
    exit 64
    ;;
esac
