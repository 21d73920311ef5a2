#!/usr/bin/env bash
# Runs a command with Node >= 22 first on PATH. weaviate-client 3.13+ needs Node 22, and some
# machines (ours included) ship Node 20: there we install Node 24 from the npm package `node`
# (which carries the binary) into .tools/node, once. On Node >= 22 this only runs the command.
# Usage: scripts/node.sh <command> [args...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/node"
wanted="${ESCO_INIT_NODE_VERSION:-24}"

major() { command -v node >/dev/null && node -p 'process.versions.node.split(".")[0]' || echo 0; }

if [ "$(major)" -lt 22 ]; then
  bin="$tools/node_modules/node/bin"
  if [ ! -x "$bin/node" ]; then
    echo "scripts/node.sh: node $(node --version 2>/dev/null || echo absent) is older than 22;" \
      "installing node@$wanted from npm into .tools/node" >&2
    npm install --prefix "$tools" --no-save --no-package-lock --no-fund --no-audit \
      --loglevel=error "node@$wanted" >&2
  fi
  export PATH="$bin:$PATH"
fi
exec "$@"
