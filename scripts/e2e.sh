#!/usr/bin/env bash
# Compose end-to-end suite: `npm run test:e2e [-- --quick] [--cold] [scenario...]` (README: Run with Docker Compose).
# The real Dockerfile, the real compose file, real containers. There is no Docker engine here: podman (with runc)
# serves the Docker API on a private socket and docker-compose 1.29 drives it.
#
# This script provides the machine part: installs podman/runc/docker-compose/debootstrap when
# missing, writes the containers.conf this machine needs, starts `podman system service` and
# always stops it again. test/e2e/compose.ts builds the images and runs the scenarios.
# Needs root (rootful podman, apt-get). Artefacts: $ESCO_E2E_CACHE (~/.cache/esco-init/e2e).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "e2e: $*" >&2; }

[ "$(id -u)" = 0 ] || { say "needs root (rootful podman and apt-get); run it as root"; exit 2; }

missing=()
command -v podman >/dev/null || missing+=(podman)
[ -x /usr/sbin/runc ] || missing+=(runc)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt-get)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc docker-compose debootstrap >&2
fi

cache="${ESCO_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/esco-init/e2e}"
mkdir -p "$cache"
# crun (podman's default) fails on this kernel's hybrid cgroups: runc. The VM refuses podman's
# default ulimits ("setrlimit RLIMIT_NPROC: Operation not permitted"): lower ones.
cat > "$cache/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
[engine.runtimes]
runc = ["/usr/sbin/runc"]
EOF
export CONTAINERS_CONF="$cache/containers.conf"
export ESCO_E2E_CACHE="$cache"

run_dir="$(mktemp -d "${TMPDIR:-/tmp}/esco-e2e.XXXXXX")"
socket="$run_dir/podman.sock"
podman system service --time=0 "unix://$socket" >"$run_dir/podman-service.log" 2>&1 &
service_pid=$!
cleanup() {
  kill "$service_pid" 2>/dev/null || true
  wait "$service_pid" 2>/dev/null || true
  rm -rf "$run_dir"
}
trap cleanup EXIT
for _ in $(seq 1 100); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { say "podman system service did not start:"; cat "$run_dir/podman-service.log" >&2; exit 1; }
export DOCKER_HOST="unix://$socket"
# docker-compose 1.29 would otherwise look for a `docker` binary's config and BuildKit.
export COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0

cd "$root"
"$root/scripts/node.sh" node test/e2e/compose.ts "$@"
