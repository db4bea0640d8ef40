"""A small lexical bonus that reranks the nearest sentences of a claim.

Embeddings of short texts crowd together: a four-word claim such as "70 % des forces
rassemblées" sits as close to a short subhead as to the sentence that states it. Shared
numbers and content words separate them. The bonus only reorders the dense search's best
candidates, so translated claims (which share little but names and numbers) still rely on
the embedding.
"""

from __future__ import annotations

import re

from factcheck.vocabulary import fold

PREFIX = 5  # crude stemming: "rassemblées" and "rassemblé" share "rasse"
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]{3,}")
_STOPWORDS_TEXT = """
les des une dans par pour avec sans sur sous est sont ont été etre être que qui quoi
dont mais plus moins tres très tout tous toute toutes cette ces ses leur leurs nos vos
aux son sur entre comme aussi selon lors apres après avant depuis elle elles ils nous
vous the and for with from that this these those was were are has have had been not but
its their our his her into over than then also about which who what when where
"""


_STOPWORDS = frozenset(fold(_STOPWORDS_TEXT).split())


def terms(text: str) -> set[str]:
    """Numbers (decimal comma or point alike) and content-word prefixes, accents folded."""
    found = set()
    for token in _TOKEN.findall(fold(text)):
        if token[0].isdigit():
            found.add(token.replace(",", "."))
        elif token not in _STOPWORDS:
            found.add(token[:PREFIX])
    return found


def overlap(claim_terms: set[str], sentence: str) -> float:
    """Share of the claim's terms that the sentence also has, from 0 to 1."""
    if not claim_terms:
        return 0.0
    return len(claim_terms & terms(sentence)) / len(claim_terms)
