#!/usr/bin/env bash
# Runs a command with THEUS_PG_URL pointing at a fresh throwaway PostgreSQL, then stops it.
#   scripts/with-pg.sh [--durable] <command> [args…]
# If THEUS_PG_URL is already set, the command runs against that server and nothing is started.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
durable=()
if [ "${1:-}" = "--durable" ]; then durable=(--durable); shift; fi
[ $# -gt 0 ] || { echo "usage: $0 [--durable] <command> [args…]" >&2; exit 2; }
if [ -n "${THEUS_PG_URL:-}" ]; then exec "$@"; fi
out="$("$here/pg-test-server.sh" start "${durable[@]}")"
THEUS_PG_URL="$(printf '%s\n' "$out" | sed -n 's/^THEUS_PG_URL=//p')"
THEUS_PG_DIR="$(printf '%s\n' "$out" | sed -n 's/^THEUS_PG_DIR=//p')"
export THEUS_PG_URL THEUS_PG_DIR
trap '"$here/pg-test-server.sh" stop "$THEUS_PG_DIR"' EXIT
set +e
"$@"
status=$?
exit $status
