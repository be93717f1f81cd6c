#!/bin/sh
# Entry point of the test image ttstack.local/postgres (Debian's PostgreSQL 15; images.sh): the
# initialisation contract of the official postgres image, which Debian's package lacks, and no more.
#
#   PGDATA              the cluster folder (default /var/lib/postgresql/data)
#   POSTGRES_PASSWORD   the superuser's password; required unless POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_USER       the superuser (default postgres)
#   POSTGRES_DB         a database created at first start (default POSTGRES_USER)
#   POSTGRES_INITDB_ARGS  more initdb arguments (word-split, as in the official image)
#   POSTGRES_HOST_AUTH_METHOD  pg_hba method for TCP connections (default scram-sha-256)
#   /docker-entrypoint-initdb.d/*.sql and *.sh  run once, after the database is created
#
# Only when PGDATA holds no cluster (no PG_VERSION): initdb with the password from a file (never on
# a command line), "host all all all <method>" in pg_hba.conf, listen on every address, a temporary
# server on the Unix socket only to create the database and run the init scripts, then stop it.
# Every start ends in `exec postgres "$@"`, so postgres is the container's main process.
# One deliberate difference: the official image's initdb trusts TCP from 127.0.0.1; here every TCP
# connection needs the password (initdb --auth-host), local socket connections are trusted as there.
# Started as root (ctr run, docker run), it prepares PGDATA and re-runs itself as postgres (uid 70).
set -eu

if [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi

PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA

log() {
  printf '%s postgres-entrypoint: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown postgres:postgres "$PGDATA"
  chmod 0700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  POSTGRES_USER=${POSTGRES_USER:-postgres}
  POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
  AUTH=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$AUTH" != trust ]; then
    log "PGDATA ($PGDATA) holds no database and POSTGRES_PASSWORD is not set: set it (or POSTGRES_HOST_AUTH_METHOD=trust, unsafe)"
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 0700 "$PGDATA" 2>/dev/null || true
  log "initialising a new cluster in $PGDATA (superuser $POSTGRES_USER, database $POSTGRES_DB)"
  pwfile=$(mktemp)
  trap 'rm -f "$pwfile"' EXIT
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments, as in the official image
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host="$AUTH" \
    ${POSTGRES_INITDB_ARGS:-} >&2
  rm -f "$pwfile"
  trap - EXIT
  printf '\nhost all all all %s\n' "$AUTH" >>"$PGDATA/pg_hba.conf"
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.auto.conf"

  # The temporary server: Unix socket only, nobody can connect over TCP before it is ready.
  pg_ctl -D "$PGDATA" -w -t 60 -o "-c listen_addresses='' -c unix_socket_directories=/run/postgresql" start >&2
  psql_su() {
    psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password -h /run/postgresql -U "$POSTGRES_USER" "$@"
  }
  if [ "$POSTGRES_DB" != postgres ]; then
    # From stdin: psql substitutes :"db" (quoted as an identifier) there, not in -c.
    echo 'CREATE DATABASE :"db";' | psql_su -d postgres -v db="$POSTGRES_DB" >&2
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case $f in
      *.sql) log "running $f"; psql_su -d "$POSTGRES_DB" -f "$f" >&2 ;;
      *.sh) log "running $f"; sh "$f" >&2 ;;
      *) ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w -t 60 stop >&2
  log "initialisation complete"
fi

exec "$@"
