#!/usr/bin/env bash
# Shared by setup-node.sh and apply-stack.sh (sourced, never run): output, quoting, templates and the
# TTStack file's identity. Ships in the node bundle with them. The sourcing script sets PROG (the
# prefix of its error messages) and, before ttstack_identity, TTSTACK_FILE.

say() { printf '%s\n' "$*"; }
die() { printf '%s: %s\n' "${PROG:-ttstack}" "$*" >&2; exit 1; }
step() { say "==> $*"; }

# The command as a shell would read it back.
quoted() {
  local out="" word
  for word in "$@"; do out+="${out:+ }$(printf '%q' "$word")"; done
  printf '%s' "$out"
}

# Prints TEMPLATE with each ${NAME} replaced by the VALUE of a NAME=VALUE argument; fails on a leftover.
render() {
  local template=$1 text pair key value
  shift
  text=$(<"$template")
  for pair in "$@"; do
    key=${pair%%=*}
    value=${pair#*=}
    text=${text//"\${${key}}"/"$value"}
  done
  if [[ $text =~ \$\{[A-Z_]+\} ]]; then
    die "${template}: no value for ${BASH_REMATCH[0]}"
  fi
  printf '%s\n' "$text"
}

# Prints metadata.KEY of the TTStack file (a top-level "metadata:" block, two-space indented keys).
ttstack_meta() {
  awk -v key="$1" '
    /^metadata:/ { inside = 1; next }
    inside && /^[^ #]/ { inside = 0 }
    inside && $1 == key ":" { gsub(/["\047]/, "", $2); print $2; exit }
  ' "$TTSTACK_FILE"
}

# Sets TT_NAMESPACE and TT_NAME from the TTStack file, refusing a file that is no TTStack or lacks them.
ttstack_identity() {
  grep -q '^kind: TTStack' "$TTSTACK_FILE" || die "${TTSTACK_FILE} holds no 'kind: TTStack'"
  TT_NAMESPACE=$(ttstack_meta namespace)
  TT_NAME=$(ttstack_meta name)
  [[ -n $TT_NAMESPACE ]] || die "${TTSTACK_FILE}: metadata.namespace must be set (the token Secret goes there)"
  [[ -n $TT_NAME ]] || die "${TTSTACK_FILE}: metadata.name must be set"
}
