"""One runtime's speed and memory on a list of texts (bench/runtimes.ts runs it once per runtime,
each in a process of its own so that its peak RSS is its own). Prints one JSON line.

  python compare.py --runtime int8|fp32 --model-dir <converted model> --texts texts.json [--sample N]
  python compare.py --runtime torch --st-model <the sentence-transformers folder> --texts texts.json
  python compare.py --cosine a.npy b.npy     (vectors two runs kept with --save: how far apart)

`torch` is sentence-transformers' own `encode` (needs sentence-transformers and torch, which the
service does not); `fp32` and `int8` are this service's encoder. All three encode in batches of
32 texts grouped by length, which is what sentence-transformers' encode does and what the service
does with the requests it has queued.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np


def options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runtime", choices=["torch", "fp32", "int8"])
    parser.add_argument("--texts", type=Path)
    parser.add_argument("--save", type=Path, help="keep the sample's vectors (.npy) for --cosine")
    parser.add_argument("--cosine", type=Path, nargs=2, metavar="NPY")
    parser.add_argument("--model-dir", type=Path)
    parser.add_argument("--st-model", type=Path)
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=0)
    return parser.parse_args(argv)


def load(args: argparse.Namespace):
    if args.runtime == "torch":
        import torch
        from sentence_transformers import SentenceTransformer

        if args.threads:
            torch.set_num_threads(args.threads)
        model = SentenceTransformer(str(args.st_model), device="cpu")
        return lambda texts: np.asarray(model.encode(texts, batch_size=32, normalize_embeddings=True))
    sys.path.insert(0, str(Path(__file__).parent))
    from encoder import Encoder

    encoder = Encoder(args.model_dir, args.runtime, args.threads)

    def encode(texts: list[str]) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.empty((len(texts), encoder.dim), dtype=np.float32)
        for start in range(0, len(order), 32):
            chunk = order[start : start + 32]
            vectors[chunk] = encoder.encode([texts[i] for i in chunk])
        return vectors

    return encode


def cosine(a: Path, b: Path) -> dict[str, float]:
    """How close two runs' vectors of the same texts are (both are normalised)."""
    c = (np.load(a) * np.load(b)).sum(axis=1)
    return {"least": round(float(c.min()), 4), "p1": round(float(np.percentile(c, 1)), 4), "mean": round(float(c.mean()), 4)}


def main(argv: list[str]) -> None:
    args = options(argv)
    if args.cosine:
        print(json.dumps(cosine(*args.cosine)))
        return
    texts = json.loads(args.texts.read_text())
    step = max(1, len(texts) // args.sample)
    sample = texts[::step][: args.sample]
    started = time.perf_counter()
    encode = load(args)
    loaded = time.perf_counter()
    vectors = encode(sample)
    seconds = time.perf_counter() - loaded
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "runtime": args.runtime,
        "texts": len(sample),
        "seconds": round(seconds, 2),
        "textsPerSecond": round(len(sample) / seconds, 1),
        "loadSeconds": round(loaded - started, 2),
        "peakRssMb": round(peak_mb),
    }
    if args.save:
        np.save(args.save, vectors)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
