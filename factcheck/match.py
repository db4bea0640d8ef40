"""The match step: how each statement found for a claim relates to it, with the evidence.

Rules on the claim features of both statements and the packaged relation model decide
together (``factcheck.relations``, ``factcheck.relation_model``); an external NLI model, when
a user has one, adds its verdict (``factcheck.nli``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from .features import Features, extract
from .models import Match
from .relations import CONTRADICTS, Relation, relate, side

if TYPE_CHECKING:
    from .embed import Embedder
    from .head import HeadNLI
    from .nli import NLIModel
    from .relation_model import RelationModel

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
    claim: str,
    matches: list[Match],
    nli: NLI | None = None,
    claim_date: date | None = None,
    model: RelationModel | None = None,
    only: str | None = None,
) -> list[Match]:
    """Set ``relation`` and ``evidence`` on each match of ``claim`` (in place; returned).
    ``model``: the packaged relation model (None: the rules alone). ``only``: the one
    relation the caller keeps; for ``contradicts`` the model reads each pair one way only.
    A match found by a clause of its sentence (``Match.clause``) is judged on that clause:
    the rest of a long sentence states other things."""
    if not matches:
        return matches
    claim_side = side(claim, extract(claim, ref_date=claim_date))
    stated = [m.clause["text"] if m.clause else m.text for m in matches]
    verdicts = _verdicts(nli, [(text, claim) for text in stated])
    texts = [(claim, text) for text in stated]
    judged = _judged(model, texts, [m.similarity for m in matches], only != CONTRADICTS)
    for match, text, verdict, judgement in zip(matches, stated, verdicts, judged, strict=True):
        features = None if match.clause or not match.features else match.features
        found = relate(
            claim_side,
            text,
            similarity=match.similarity,
            match_features=Features.from_dict(features) if features else None,
            match_date=match.article.day,
            match_lang=match.lang or match.article.lang,
            nli=verdict,
            model=judgement,
            searched=True,
        )
        match.relation, match.evidence = found.relation, found.evidence
    return matches


def compare(
    pairs: Sequence[tuple[str, str]],
    embedder: Embedder,
    nli: NLI | None = None,
    model: RelationModel | None = None,
) -> list[Relation]:
    """The relation of ``b`` to the claim ``a``, for each pair, without any index."""
    if not pairs:
        return []
    if model is not None:
        model.preload()  # while the pairs are embedded
    claims = embedder.embed_queries([a for a, _ in pairs])
    statements = embedder.embed_passages([b for _, b in pairs])
    similarities = [float(s) for s in np.einsum("ij,ij->i", claims, statements)]
    verdicts = _verdicts(nli, [(b, a) for a, b in pairs])
    judged = _judged(model, list(pairs), similarities)
    return [
        relate(a, b, similarity=s, nli=v, model=j)
        for (a, b), s, v, j in zip(pairs, similarities, verdicts, judged, strict=True)
    ]


def _verdicts(nli: NLI | None, pairs: list[tuple[str, str]]) -> list[dict | None]:
    """NLI verdicts on (premise, hypothesis) pairs, or None for each when there is no model."""
    return nli.predict(pairs) if nli is not None else [None] * len(pairs)


def _judged(
    model: RelationModel | None,
    pairs: list[tuple[str, str]],
    similarities: list[float],
    both_ways: bool = True,
) -> list[dict | None]:
    """The relation model's verdicts on (claim, match) pairs, or None for each without it."""
    if model is None:
        return [None] * len(pairs)
    return model.judge(pairs, similarities, both_ways)
