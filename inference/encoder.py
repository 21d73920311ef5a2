"""Texts to sentence vectors, as sentence-transformers' `encode(normalize_embeddings=True)` makes them.

Tokenisation is the model's own tokenizer.json (the Rust `tokenizers` library sentence-transformers
uses through transformers), truncated at the model's max_seq_length (256 for all-MiniLM-L6-v2).
Mean pooling over the attention mask and L2 normalisation are part of the ONNX graph (convert.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

FILES = {"fp32": "model.onnx", "int8": "model-int8.onnx"}
# A batch is split where padding would waste more than this share of the model's work.
MAX_PADDING = 0.25


class Encoder:
    def __init__(self, model_dir: Path, runtime: str, threads: int = 0) -> None:
        self.runtime = runtime
        self.config = json.loads((model_dir / "config.json").read_text())
        self.name = (model_dir / "model_name").read_text().strip()
        self.max_length = json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"]
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json carries padding/truncation settings of its own (fixed 128): not ours.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_length)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        self.threads = options.intra_op_num_threads
        self.session = ort.InferenceSession(str(model_dir / FILES[runtime]), options, providers=["CPUExecutionProvider"])
        self.dim = self.encode(["warm-up"]).shape[1]

    def describe(self) -> str:
        return f"{self.name} on onnxruntime {ort.__version__} {self.runtime}, {self.threads} threads"

    def encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch([text.strip() for text in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        vectors = np.empty((len(texts), 0), dtype=np.float32)
        for group in groups([len(encodings[i].ids) for i in order]):
            indices = [order[i] for i in group]
            out = self.run([encodings[i].ids for i in indices])
            if vectors.shape[1] == 0:
                vectors = np.empty((len(texts), out.shape[1]), dtype=np.float32)
            vectors[indices] = out
        return vectors

    def run(self, ids: list[list[int]]) -> np.ndarray:
        width = max(len(i) for i in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for row, tokens in enumerate(ids):
            input_ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        return self.session.run(["sentence_embedding"], {"input_ids": input_ids, "attention_mask": mask})[0]


def groups(lengths: list[int]) -> list[list[int]]:
    """Splits ascending token lengths into runs whose padding stays under MAX_PADDING of their size."""
    result: list[list[int]] = []
    current: list[int] = []
    real = 0
    for i, length in enumerate(lengths):
        padded = length * (len(current) + 1)  # the longest so far is this one: lengths ascend
        if current and padded - (real + length) > MAX_PADDING * padded:
            result.append(current)
            current, real = [], 0
        current.append(i)
        real += length
    if current:
        result.append(current)
    return result
