#!/usr/bin/env bash
# A throwaway PostgreSQL for tests, CI and benchmarks.
#
#   scripts/pg-test-server.sh start [--durable]   prints THEUS_PG_URL=… and THEUS_PG_DIR=…
#   scripts/pg-test-server.sh stop [DIR]           DIR defaults to $THEUS_PG_DIR
#
# The cluster lives in a fresh temporary directory (data, socket, log, url), listens on a free
# port of 127.0.0.1 only, and trusts local connections: it is for tests, never for data you keep.
# Functional tests run it with fsync off (fast, not crash-safe); `--durable` keeps PostgreSQL's
# defaults so that benchmarks measure real commits.
set -euo pipefail

# Debian's PostgreSQL 15 by default; otherwise the newest version installed.
PGBIN="${THEUS_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ -z "${THEUS_PG_BIN:-}" ] && [ ! -x "$PGBIN/initdb" ]; then
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$newest" ] && PGBIN="$newest"
fi

die() { echo "pg-test-server: $*" >&2; exit 1; }

as_owner() {
  # initdb refuses to run as root: run the server tools as the `postgres` user when we are root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start() {
  local durable=0
  [ "${1:-}" = "--durable" ] && durable=1
  [ -x "$PGBIN/initdb" ] || die "PostgreSQL binaries not found in $PGBIN. Install them with: apt-get install -y postgresql"
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    die "no 'postgres' user to run the server as. Install PostgreSQL with: apt-get install -y postgresql"
  fi
  local dir port url opts
  dir="$(mktemp -d /tmp/theus-pg.XXXXXX)"
  mkdir -p "$dir/data" "$dir/sock"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
  as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  port="$(free_port)"
  opts="-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c max_connections=200"
  if [ "$durable" = 0 ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  as_owner "$PGBIN/pg_ctl" -w -t 30 -D "$dir/data" -l "$dir/server.log" -o "$opts" start >/dev/null \
    || { cat "$dir/server.log" >&2; die "the server did not start"; }
  as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres theus
  url="postgres://postgres@127.0.0.1:$port/theus"
  echo "$url" >"$dir/url"
  echo "THEUS_PG_URL=$url"
  echo "THEUS_PG_DIR=$dir"
}

stop() {
  local dir="${1:-${THEUS_PG_DIR:-}}"
  [ -n "$dir" ] || die "usage: $0 stop DIR (or set THEUS_PG_DIR)"
  case "$dir" in /tmp/theus-pg.*) ;; *) die "refusing to remove $dir: not a directory this script made";; esac
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || {
      pid="$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)"
      [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    }
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) die "usage: $0 start [--durable] | stop [DIR]" ;;
esac
