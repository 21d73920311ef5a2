"""Which runtime the service runs on this CPU: int8 where it is both faithful and faster, else fp32.

int8 is a trade: vectors a little off sentence-transformers' (cosine > 0.98) for speed. Both sides
of it depend on the processor. Speed: int8 is 2x fp32 where the CPU multiplies bytes and adds them
in 32 bits in one step (VNNI); without VNNI it takes more instructions, and whether it still beats
fp32 there is for each machine to find out. Fidelity: integer kernels differ between CPUs
(convert.py says how the model is built to give the same integers on every x86-64 CPU), and a
runtime or CPU not measured yet may differ again. So with `--runtime auto` (the default) the
service checks both on the calibration texts (golden.json: sentence-transformers' own vectors)
before it listens:

1. int8's vectors against sentence-transformers': the least cosine must exceed INT8_MIN_COSINE,
   the bound test_encoder holds, or the service runs fp32;
2. both runtimes' speed on those texts, interleaved, best of ROUNDS: int8 only if it is at least
   MIN_SPEEDUP times as fast, since without the speed there is nothing to trade fidelity for.

`--runtime int8|fp32` skips both and runs what is asked. The choice, its reason and the CPU it was
made on are logged and served in /meta.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from encoder import Encoder

INT8_MIN_COSINE = 0.98
MIN_SPEEDUP = 1.15
ROUNDS = 3
RUNTIMES = ("auto", "int8", "fp32")
# The instruction sets that decide how fast (and, for int8, how exactly) the kernels run.
VECTOR_SETS = (
    "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni",
    "avx512_bf16", "amx_int8", "asimd", "asimddp", "i8mm", "sve", "sve2",
)
GOLDEN = Path(__file__).parent / "golden.json"


@dataclass(frozen=True)
class Choice:
    runtime: str
    requested: str
    reason: str
    int8_min_cosine: float | None = None
    texts_per_second: dict[str, float] | None = None


def cpu(cpuinfo: str | None = None) -> dict[str, object]:
    """The CPU model and its vector instruction sets, from /proc/cpuinfo (x86 `flags`, arm `Features`)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:  # Linux's; elsewhere the model comes from platform and no sets are listed
            cpuinfo = ""
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    flags = set((fields.get("flags") or fields.get("Features") or "").split())
    model = fields.get("model name") or fields.get("CPU part") or platform.processor() or "unknown"
    return {"model": model, "arch": platform.machine(), "vector": [s for s in VECTOR_SETS if s in flags]}


def describe_cpu(info: dict[str, object]) -> str:
    vector = info["vector"]
    return f"{info['model']} ({info['arch']}; {' '.join(vector) if vector else 'no vector extensions listed'})"


def decide(requested: str, cosine: float, rates: dict[str, float] | None) -> Choice:
    """The rule itself, apart from measuring (unit-tested with made-up numbers). No rates: int8
    strayed, so its speed was not measured."""
    if cosine <= INT8_MIN_COSINE or rates is None:
        reason = f"int8 strays on this CPU: least cosine {cosine:.4f} to sentence-transformers (needs > {INT8_MIN_COSINE})"
        return Choice("fp32", requested, reason, cosine, rates)
    speedup = rates["int8"] / rates["fp32"]
    if speedup < MIN_SPEEDUP:
        reason = f"int8 is only {speedup:.2f}x fp32 on this CPU (needs {MIN_SPEEDUP}x to be worth its drift)"
        return Choice("fp32", requested, reason, cosine, rates)
    reason = f"int8 is {speedup:.2f}x fp32 on this CPU, least cosine {cosine:.4f} to sentence-transformers"
    return Choice("int8", requested, reason, cosine, rates)


def select(model_dir: Path, requested: str, threads: int) -> tuple[Encoder, Choice]:
    if requested != "auto":
        return Encoder(model_dir, requested, threads), Choice(requested, requested, "asked for")
    texts, _ = golden()
    encoders = {runtime: Encoder(model_dir, runtime, threads) for runtime in ("int8", "fp32")}
    cosine = round(float(golden_cosines(encoders["int8"]).min()), 4)
    rates = measure(encoders, texts) if cosine > INT8_MIN_COSINE else None
    choice = decide(requested, cosine, rates)
    return encoders[choice.runtime], choice


def golden() -> tuple[list[str], np.ndarray]:
    """The calibration texts and sentence-transformers' vectors of them."""
    entries = json.loads(GOLDEN.read_text())["texts"]
    return [e["text"] for e in entries], np.array([e["vector"] for e in entries], dtype=np.float32)


def golden_cosines(encoder: Encoder) -> np.ndarray:
    """Each calibration text's cosine between the encoder's vector and sentence-transformers'."""
    texts, expected = golden()
    return (encoder.encode(texts) * expected).sum(axis=1)


def measure(encoders: dict[str, Encoder], texts: list[str]) -> dict[str, float]:
    """Texts per second, best of ROUNDS; interleaved so that a busy moment hits both alike."""
    best = dict.fromkeys(encoders, float("inf"))
    for _ in range(ROUNDS):
        for runtime, encoder in encoders.items():
            started = time.perf_counter()
            encoder.encode(texts)
            best[runtime] = min(best[runtime], time.perf_counter() - started)
    return {runtime: round(len(texts) / seconds, 1) for runtime, seconds in best.items()}


def as_meta(choice: Choice, info: dict[str, object]) -> dict[str, object]:
    """What /meta adds to the model's config: the runtime, why, and on which CPU."""
    details = {k: v for k, v in asdict(choice).items() if v is not None and k != "runtime"}
    return {"runtime": choice.runtime, "runtime_choice": details, "cpu": info}


if __name__ == "__main__":
    # scripts/cpu-emulation.sh: int8 against sentence-transformers on this (perhaps emulated) CPU.
    cosines = golden_cosines(Encoder(Path(sys.argv[1]), "int8", threads=2))
    print(f"int8 on golden.json: least cosine {cosines.min():.4f}, mean {cosines.mean():.4f} (needs > {INT8_MIN_COSINE})")
    sys.exit(0 if cosines.min() > INT8_MIN_COSINE else 1)
