"""The encoder against sentence-transformers' own output (golden.json, made by golden.py on torch):
the same token ids, and the same normalised mean-pooled vectors (fp32: to float rounding; int8:
close, as measured). Run by scripts/test.sh with the built service:

  MODEL_DIR=<scripts/inference.sh>/model <scripts/inference.sh>/venv/bin/python -m unittest discover -s inference
"""

from __future__ import annotations

import json
import os
import unittest
from pathlib import Path

import numpy as np

from encoder import Encoder, groups
from runtime import INT8_MIN_COSINE

GOLDEN = json.loads((Path(__file__).parent / "golden.json").read_text())
MODEL_DIR = Path(os.environ.get("MODEL_DIR", Path(__file__).parent / "models/model"))
TEXTS = [entry["text"] for entry in GOLDEN["texts"]]
EXPECTED = np.array([entry["vector"] for entry in GOLDEN["texts"]], dtype=np.float32)


class EncoderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.fp32 = Encoder(MODEL_DIR, "fp32", threads=2)
        cls.int8 = Encoder(MODEL_DIR, "int8", threads=2)

    def test_tokenises_as_sentence_transformers_does(self) -> None:
        self.assertEqual(self.fp32.max_length, GOLDEN["max_seq_length"])
        for entry in GOLDEN["texts"]:
            ids = self.fp32.tokenizer.encode(entry["text"].strip()).ids
            self.assertEqual(ids, entry["ids"], entry["text"][:40])
        self.assertEqual(max(len(e["ids"]) for e in GOLDEN["texts"]), 256)  # truncation is exercised

    def test_fp32_vectors_equal_sentence_transformers(self) -> None:
        vectors = self.fp32.encode(TEXTS)
        self.assertEqual(vectors.shape, (len(TEXTS), 384))
        self.assertLess(float(np.abs(vectors - EXPECTED).max()), 1e-5)
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    def test_int8_vectors_stay_close(self) -> None:
        cosine = (self.int8.encode(TEXTS) * EXPECTED).sum(axis=1)
        self.assertGreater(float(cosine.min()), INT8_MIN_COSINE, cosine.round(4).tolist())

    def test_batching_does_not_change_a_vector(self) -> None:
        together = self.fp32.encode(TEXTS)
        alone = np.concatenate([self.fp32.encode([text]) for text in TEXTS])
        self.assertLess(float(np.abs(together - alone).max()), 1e-5)


class GroupsTest(unittest.TestCase):
    def test_splits_where_padding_would_waste_a_quarter(self) -> None:
        self.assertEqual(groups([5, 5, 6, 6]), [[0, 1, 2, 3]])
        self.assertEqual(groups([2, 2, 2, 50]), [[0, 1, 2], [3]])
        self.assertEqual(groups([]), [])

    def test_keeps_every_index_once_in_order(self) -> None:
        lengths = sorted([3, 9, 9, 10, 40, 41, 42, 200, 256, 256])
        flat = [i for group in groups(lengths) for i in group]
        self.assertEqual(flat, list(range(len(lengths))))


if __name__ == "__main__":
    unittest.main()
