#!/usr/bin/env bash
# Prints the path of a weaviate-server binary of the pinned version (resources/weaviate-version),
# building it once if needed. Order: $WEAVIATE_BIN → cached build → `go install` into the cache.
# Progress goes to stderr; stdout is only the path, so callers can do bin=$(scripts/weaviate-bin.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(tr -d '[:space:]' < "$root/resources/weaviate-version")"
say() { echo "weaviate-bin: $*" >&2; }

if [ -n "${WEAVIATE_BIN:-}" ]; then
  [ -x "$WEAVIATE_BIN" ] || { say "WEAVIATE_BIN=$WEAVIATE_BIN is not an executable file"; exit 2; }
  say "using \$WEAVIATE_BIN=$WEAVIATE_BIN"
  echo "$WEAVIATE_BIN"
  exit 0
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/esco-init/weaviate/v$version"
bin="$cache/weaviate-server"
if [ -x "$bin" ]; then
  say "using cached v$version build at $bin"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { say "no Go toolchain: install Go >= 1.26 or set WEAVIATE_BIN"; exit 2; }
say "building weaviate-server v$version with $(go version | cut -d' ' -f3) (first time only; several minutes on 2 cores)"
tmp="$cache.partial.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
# -trimpath: reproducible; GOFLAGS from the environment still apply (e.g. -buildvcs=false).
GOBIN="$tmp" go install -trimpath "github.com/weaviate/weaviate/cmd/weaviate-server@v$version" >&2
mkdir -p "$cache"
mv "$tmp/weaviate-server" "$bin"  # atomic within one file system: parallel builds never see half a file
say "built v$version in $(( $(date +%s) - start ))s → $bin"
echo "$bin"
