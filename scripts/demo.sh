#!/usr/bin/env bash
# Quick start: the main job on the bundled sample. Installs dependencies if missing, starts a
# local weaviate-server (unless WEAVIATE_URL points at one), runs `esco-init init` on
# data/sample, prints the counts, and stops the server it started. Run via `npm run demo`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -d node_modules ] || npm ci --no-fund --no-audit
exec node scripts/demo.ts "$@"
