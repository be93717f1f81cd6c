#!/bin/sh
# TTStack PostgreSQL backup: one pg_dump in custom format (-Fc) to the backup volume, then keep only the
# newest $RETAIN dumps. Run by the backup CronJob and by the pre-upgrade Job, in the postgres image.
#
# Environment: PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE (libpq), BACKUP_DIR, RETAIN,
#              TERMINATION_LOG (default /dev/termination-log: Kubernetes shows it in the pod status,
#              which is how the operator learns the file name and size without reading logs).
# Restore:     pg_restore --clean --if-exists --no-owner -d "$PGDATABASE" "$BACKUP_DIR/<file>.dump"
set -eu

: "${BACKUP_DIR:?BACKUP_DIR must be set}"
: "${RETAIN:?RETAIN must be set}"
: "${PGDATABASE:?PGDATABASE must be set}"
TERMINATION_LOG=${TERMINATION_LOG:-/dev/termination-log}

case $RETAIN in
  '' | *[!0-9]* | 0) echo "RETAIN must be a positive integer, got '$RETAIN'" >&2; exit 2 ;;
esac

mkdir -p "$BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
# A two-digit sequence keeps two backups within one second apart and in order (names sort by time):
# one more than the highest of this second. Never a free lower number: pruning frees the oldest names,
# and a new dump under an old name would be pruned at once.
n=0
last=$(find "$BACKUP_DIR" -maxdepth 1 -name "$PGDATABASE-$stamp-*.dump" | sort | tail -n 1)
if [ -n "$last" ]; then
  seq=$(basename "$last" .dump)
  seq=${seq##*-}
  seq=${seq#0} # "08" is not octal
  n=$((seq + 1))
fi
file="$BACKUP_DIR/$PGDATABASE-$stamp-$(printf '%02d' "$n").dump"

# Dump to a temporary name first: a dump cut short never looks like a good one.
if ! pg_dump --format=custom --no-password --file="$file.partial"; then
  rm -f "$file.partial"
  printf '{"error":"pg_dump failed"}' > "$TERMINATION_LOG" 2>/dev/null || true
  echo "pg_dump failed" >&2
  exit 1
fi
mv "$file.partial" "$file"
size=$(wc -c < "$file" | tr -d ' ')

# Prune: names sort by time, so the newest RETAIN are the last RETAIN names.
count=$(find "$BACKUP_DIR" -maxdepth 1 -name '*.dump' | wc -l)
excess=$((count - RETAIN))
if [ "$excess" -gt 0 ]; then
  find "$BACKUP_DIR" -maxdepth 1 -name '*.dump' | sort | head -n "$excess" | while IFS= read -r old; do
    rm -f "$old"
  done
fi
find "$BACKUP_DIR" -maxdepth 1 -name '*.partial' ! -name "$(basename "$file").partial" -exec rm -f {} +

finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)
printf '{"file":"%s","sizeBytes":%s,"time":"%s"}' "$(basename "$file")" "$size" "$finished" > "$TERMINATION_LOG" 2>/dev/null || true
echo "backup $(basename "$file") ($size bytes) done; kept the newest $RETAIN"
