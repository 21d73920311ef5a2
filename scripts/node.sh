#!/usr/bin/env bash
# Runs a command with a recent enough Node first on PATH: at least package.json's `engines.node`
# (22.18: the first Node that runs .ts files without flags, which the scripts, bench and tests
# do; weaviate-client 3.13+ needs 22). Some machines (ours included) ship Node 20: there we
# install Node 24 from the npm package `node` (which carries the binary) into .tools/node, once.
# On a recent enough Node this only runs the command.
# Usage: scripts/node.sh <command> [args...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/node"
wanted="${ESCO_INIT_NODE_VERSION:-24}"
minimum="$(sed -n 's/^ *"node": *">=\([0-9.]*\)".*/\1/p' "$root/package.json" | head -n 1)"
if [ -z "$minimum" ]; then
  echo "scripts/node.sh: package.json has no engines.node of the form \">=X.Y\"" >&2
  exit 2
fi

# Exit 0 when the node on PATH is at least $minimum (compared field by field, in Node itself).
recent_enough() {
  command -v node >/dev/null && node -e '
    const [cur, min] = [process.versions.node, process.argv[1]].map((v) => v.split(".").map(Number));
    const d = cur[0] - min[0] || cur[1] - (min[1] || 0) || cur[2] - (min[2] || 0);
    process.exit(d >= 0 ? 0 : 1);' "$minimum"
}

if ! recent_enough; then
  bin="$tools/node_modules/node/bin"
  if [ ! -x "$bin/node" ]; then
    echo "scripts/node.sh: node $(node --version 2>/dev/null || echo absent) is older than $minimum" \
      "(package.json engines); installing node@$wanted from npm into .tools/node" >&2
    npm install --prefix "$tools" --no-save --no-package-lock --no-fund --no-audit \
      --loglevel=error "node@$wanted" >&2
  fi
  export PATH="$bin:$PATH"
fi
exec "$@"
