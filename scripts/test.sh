#!/usr/bin/env bash
# The whole test suite, in order: typecheck, lint, unit, integration. Run through `npm test`
# (scripts/node.sh puts Node >= 22 on PATH first). Integration tests start real weaviate-server
# processes; the first run on a machine builds the binary (scripts/weaviate-bin.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n== %s\n' "$*"; }
start=$(date +%s)
step "typecheck (tsc $(npx tsc --version | cut -d' ' -f2), node $(node --version))"
npx tsc --noEmit
step "lint (biome)"
npx biome check .
step "unit tests"
npx vitest run --project unit
step "weaviate-server binary (pinned v$(cat resources/weaviate-version))"
scripts/weaviate-bin.sh >/dev/null
step "integration tests (real weaviate-server)"
npx vitest run --project integration
step "all passed in $(( $(date +%s) - start ))s"
