#!/usr/bin/env bash
# The whole test suite, in order: typecheck, lint, unit, integration, and (under CI or E2E=1)
# the compose end-to-end suite. Run through `npm test`
# (scripts/node.sh puts Node >= package.json engines on PATH first). Integration tests start real weaviate-server
# processes with the project's inference service beside them; the first run on a machine builds
# the binary (scripts/weaviate-bin.sh) and the service (scripts/inference.sh).
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
step "inference service (inference/: all-MiniLM-L6-v2 on ONNX Runtime) and its tests against sentence-transformers"
inference="$(scripts/inference.sh)"
MODEL_DIR="$inference/model" "$inference/venv/bin/python" -m unittest discover -s inference
step "int8 vectors on other x86-64 CPUs (AVX2 without VNNI, SSE4.2), emulated by qemu-user"
scripts/cpu-emulation.sh "$inference"
step "integration tests (real weaviate-server with text2vec-transformers and the inference service)"
npx vitest run --project integration
# The compose end-to-end suite needs root, apt-get and podman: CI runs it (CI=true); elsewhere
# E2E=1 npm test, or npm run test:e2e on its own.
if [ -n "${CI:-}" ] || [ -n "${E2E:-}" ]; then
  step "compose end-to-end (real Dockerfile, docker-compose.yml, podman)"
  scripts/e2e.sh
else
  step "compose end-to-end skipped: set E2E=1 (needs root) or run npm run test:e2e"
fi
step "all passed in $(( $(date +%s) - start ))s"
