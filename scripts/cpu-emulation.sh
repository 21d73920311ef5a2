#!/usr/bin/env bash
# The int8 model's vectors on x86-64 CPUs other than this one, under QEMU's user-mode emulation
# (qemu-x86_64 -cpu MODEL): ONNX Runtime picks its integer kernels by the instruction sets the CPU
# reports, and on CPUs without VNNI those once gave vectors outside the bound the tests hold
# (inference/convert.py says why and what changed). Emulation is slow but computes what those
# CPUs compute: it reproduced an AVX2-only machine's cosines to the fourth digit. Its speed means
# nothing. QEMU 7.2 cannot emulate AVX-512; this machine's own CPU is covered by test_encoder.
#   scripts/cpu-emulation.sh <folder printed by scripts/inference.sh>
# Needs qemu-user (Debian): installed here when root; under CI a missing qemu fails the run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${1:?usage: scripts/cpu-emulation.sh <inference home>}"
say() { echo "cpu-emulation: $*" >&2; }
# QEMU model: what it lacks that the CPUs this project lands on may have.
cpus=("EPYC-Rome:AVX2 and FMA, no AVX-512, no VNNI" "Nehalem:SSE4.2, no AVX")

[ "$(uname -m)" = x86_64 ] || { say "skipped: emulates x86-64 CPUs, this machine is $(uname -m)"; exit 0; }
if ! command -v qemu-x86_64 >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing qemu-user (apt-get)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user >&2
  elif [ -n "${CI:-}" ]; then
    say "qemu-x86_64 is missing and cannot be installed here (needs root and apt-get)"; exit 2
  else
    say "skipped: no qemu-x86_64 (apt-get install qemu-user)"; exit 0
  fi
fi
cd "$root/inference"
for entry in "${cpus[@]}"; do
  say "${entry%%:*} (${entry#*:}), emulated"
  # QEMU warns of each CPUID bit its emulation lacks (none of them vector sets): noise here.
  # runtime.py's check: the bound test_encoder holds, with the cosines printed; fails below it.
  qemu-x86_64 -cpu "${entry%%:*}" "$home/venv/bin/python" runtime.py "$home/model" 2>&1 |
    grep -v "TCG doesn't support requested feature"
done
