"""The match step: how each statement found for a claim relates to it, with the evidence.

Rules on the claim features of both statements decide (``factcheck.relations``); an NLI
model, when a user has one, adds its verdict (``factcheck.nli``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from .features import Features, extract
from .models import Match
from .relations import Relation, relate

if TYPE_CHECKING:
    from .embed import Embedder
    from .head import HeadNLI
    from .nli import NLIModel

    NLI = NLIModel | HeadNLI

HEAD_NLI = "head"  # the --nli name of the packaged relation head


def load_nli(name: str, embedder: Embedder) -> NLI:
    """An NLI model by name or path, or the packaged head for ``"head"``."""
    if name == HEAD_NLI:
        from .head import HeadNLI

        return HeadNLI(embedder)
    from .nli import NLIModel

    return NLIModel(name)


def annotate(
    claim: str, matches: list[Match], nli: NLI | None = None, claim_date: date | None = None
) -> list[Match]:
    """Set ``relation`` and ``evidence`` on each match of ``claim`` (in place; returned)."""
    if not matches:
        return matches
    claim_features = extract(claim, ref_date=claim_date)
    verdicts = _verdicts(nli, [(m.text, claim) for m in matches])
    for match, verdict in zip(matches, verdicts, strict=True):
        found = relate(
            claim,
            match.text,
            similarity=match.similarity,
            claim_features=claim_features,
            match_features=Features.from_dict(match.features) if match.features else None,
            claim_date=claim_date,
            match_date=date.fromisoformat(match.article.date) if match.article.date else None,
            nli=verdict,
        )
        match.relation, match.evidence = found.relation, found.evidence
    return matches


def compare(
    pairs: Sequence[tuple[str, str]], embedder: Embedder, nli: NLI | None = None
) -> list[Relation]:
    """The relation of ``b`` to the claim ``a``, for each pair, without any index."""
    if not pairs:
        return []
    claims = embedder.embed_queries([a for a, _ in pairs])
    statements = embedder.embed_passages([b for _, b in pairs])
    similarities = np.einsum("ij,ij->i", claims, statements)
    verdicts = _verdicts(nli, [(b, a) for a, b in pairs])
    return [
        relate(a, b, similarity=float(s), nli=v)
        for (a, b), s, v in zip(pairs, similarities, verdicts, strict=True)
    ]


def _verdicts(nli: NLI | None, pairs: list[tuple[str, str]]) -> list[dict | None]:
    """NLI verdicts on (premise, hypothesis) pairs, or None for each when there is no model."""
    return nli.predict(pairs) if nli is not None else [None] * len(pairs)
