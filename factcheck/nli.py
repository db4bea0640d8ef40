"""An optional NLI model (``--nli MODEL``): does a matching statement entail or contradict a claim?

Any sentence-transformers CrossEncoder or Hugging Face sequence-classification model trained on
NLI, by local path or hub name. torch, transformers and sentence-transformers are imported only
when such a model is loaded, so the default path never pays for them. The labels are read from
the model's own ``config.id2label``, because NLI models order their three outputs differently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import ModelError

LABELS = ("entailment", "neutral", "contradiction")
# Prefixes of the names NLI configs use, lower-cased ("ENTAILMENT", "entails", "contradict", ...).
_PREFIXES = {"entail": "entailment", "neutral": "neutral", "contradict": "contradiction"}


def label_order(id2label: Mapping[Any, str]) -> list[str]:
    """Our label for each output index of a model, from its ``id2label``; refuses unnamed labels."""
    names = {int(i): str(name) for i, name in id2label.items()}
    order = [_our_label(names.get(i, "")) for i in range(len(names))]
    if sorted(map(str, order)) != sorted(LABELS):
        found = ", ".join(f"{i}: {names.get(i)!r}" for i in range(len(names)))
        raise ModelError(
            f"the model's labels ({found}) are not entailment, neutral and contradiction: "
            "pass an NLI model whose config.id2label names its three labels"
        )
    return order  # type: ignore[return-value]


def _our_label(name: str) -> str | None:
    raw = name.strip().lower()
    return next((ours for prefix, ours in _PREFIXES.items() if raw.startswith(prefix)), None)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so large logits cannot overflow."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def to_predictions(probs: np.ndarray, order: Sequence[str]) -> list[dict]:
    """``[{"label": best, "scores": {label: p}}]`` from probabilities whose columns follow order."""
    results = []
    for row in probs:
        scores = {order[j]: float(row[j]) for j in range(len(order))}
        scores = {label: scores[label] for label in LABELS}
        results.append({"label": max(scores, key=scores.__getitem__), "scores": scores})
    return results


class NLIModel:
    """A three-way NLI classifier over (premise, hypothesis) = (matching statement, claim) pairs.

    sentence-transformers' CrossEncoder loads both its own saved models and plain Hugging Face
    ones, so it is used when installed; otherwise transformers loads the model directly.
    """

    def __init__(self, name_or_path: str, batch_size: int = 32) -> None:
        self.name = name_or_path
        self.batch_size = batch_size
        try:
            import sentence_transformers  # noqa: F401
        except ImportError:
            self._cross_encoder = None
            config = self._load_transformers(name_or_path)
        else:
            config = self._load_cross_encoder(name_or_path)
        self._order = label_order(config.id2label)

    def _load_cross_encoder(self, name: str) -> Any:
        from sentence_transformers import CrossEncoder

        try:
            self._cross_encoder = CrossEncoder(name)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise ModelError(f"cannot load NLI model {name!r}: {exc}") from exc
        return self._cross_encoder.config or self._cross_encoder.model.config

    def _load_transformers(self, name: str) -> Any:
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            raise ModelError(
                f"NLI model {name!r} needs torch and transformers: "
                "pip install 'factcheck-claims[st]'"
            ) from exc
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(name)
            model = AutoModelForSequenceClassification.from_pretrained(name)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise ModelError(f"cannot load NLI model {name!r}: {exc}") from exc
        self._device = "cuda" if torch.cuda.is_available() else "cpu"
        self._model = model.to(self._device).eval()
        return model.config

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[dict]:
        """Label and label probabilities for each (premise, hypothesis) pair, in order."""
        if not pairs:
            return []
        pairs = [(premise.strip(), hypothesis.strip()) for premise, hypothesis in pairs]
        encoder = self._cross_encoder
        logits = self._logits(pairs) if encoder is None else self._logits_cross_encoder(pairs)
        return to_predictions(softmax(logits.astype(np.float64)), self._order)

    def _logits_cross_encoder(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        import torch

        # Identity: raw logits whatever activation the model was saved with, softmaxed once here.
        return np.asarray(
            self._cross_encoder.predict(
                pairs,
                batch_size=self.batch_size,
                activation_fn=torch.nn.Identity(),
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        ).reshape(len(pairs), -1)

    def _logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        import torch

        config = self._model.config
        limit = min(
            self._tokenizer.model_max_length, getattr(config, "max_position_embeddings", 512)
        )
        out = []
        with torch.inference_mode():
            for start in range(0, len(pairs), self.batch_size):
                batch = pairs[start : start + self.batch_size]
                encoded = self._tokenizer(
                    [p for p, _ in batch],
                    [h for _, h in batch],
                    padding=True,
                    truncation=True,
                    max_length=limit,
                    return_tensors="pt",
                ).to(self._device)
                out.append(self._model(**encoded).logits.float().cpu().numpy())
        return np.concatenate(out)
