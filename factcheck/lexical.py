"""The lexical channel of ``find``: BM25 over the indexed sentences, fused with the dense one.

Embeddings of short texts crowd together and underweight names, figures and rare words: a
sentence the embedding ranks 50th for "Bulgarie et Serbie" may be the only one naming both.
An FTS5 table in the index's own database (``factcheck.store``) holds the sentences' terms:
accents and case folded (``vocabulary.fold``), stop words dropped, numbers kept whole ("12,5"
and "12.5" alike) and words lightly stemmed so that French and English plurals, feminines
and common verb endings meet ("rassemblées" and "rassemblé", "talks" and "talk").

Sentences are ranked by BM25 (``bm25``), computed here from the terms' posting lists rather
than by FTS5's ``bm25()``, which looks up every matching row's length: at a million
sentences a tweet's common words match half of them and that took seconds. Only the claim's
rarest terms are read, up to ``MAX_POSTINGS`` postings in all (``rarest``): the common words
left out weigh least in BM25 (their IDF is lowest), and the time stays bounded.

``fuse`` joins the two channels. Every candidate of either gets its cosine similarity (a
sentence only BM25 found is scored from its stored vector) plus ``LEXICAL_WEIGHT`` times its
BM25 share: its score over that of a sentence holding all the claim's words (``most``), so
that a sentence sharing one name with a translated claim gains little. The weight and the
share (of the claim's, or of the best candidate's: ``OF_BEST``) were set on the CheckThat!
2020 training tweets only (``benchmarks/retrieval.py --tune``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from factcheck.vocabulary import fold

LEXICAL_WEIGHT = 0.15  # set on CheckThat! 2020 tweets_train (benchmarks/retrieval.py --tune)
OF_BEST = False  # ``fuse``: BM25 as a share of the best candidate's, not of the claim's
MAX_POSTINGS = 50_000  # postings read per claim (p50 11 ms at 1M sentences); see ``rarest``
K1, B = 1.2, 0.75  # BM25's usual term saturation and length normalisation
PREFIX = 5  # ``terms``: crude stemming for comparing two statements ("rasse")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]{3,}")
_STOPWORDS_TEXT = """
les des une dans par pour avec sans sur sous est sont ont été etre être que qui quoi
dont mais plus moins tres très tout tous toute toutes cette ces ses leur leurs nos vos
aux son sur entre comme aussi selon lors apres après avant depuis elle elles ils nous
vous the and for with from that this these those was were are has have had been not but
its their our his her into over than then also about which who what when where
"""
_STOPWORDS = frozenset(fold(_STOPWORDS_TEXT).split())
# The longest ending found goes, if the stem keeps at least ``_MIN_STEM`` letters.
_ENDINGS_TEXT = """
issements issement ements ement ations ation ateurs ateur atrices atrice
euses euse eurs eur ives ive ifs if ales ale aux iques ique ismes isme istes iste
ités ité ences ence ances ance ions ient aient ait ant ants ante antes
erons erez erait eraient era eront ées ée és er ez
ings ing edly ed ies ers ly ness ments ment es s e x
"""
_ENDINGS = frozenset(fold(_ENDINGS_TEXT).split())
_ENDING_LENGTHS = sorted({len(e) for e in _ENDINGS}, reverse=True)
_MIN_STEM = 4


def stem(word: str) -> str:
    """A folded word without its inflection or common derivation ending: "mobilisations",
    "mobilisation" and "mobiliser" give "mobilis"; short words and numbers stay whole."""
    if word[0].isdigit():
        return word.replace(",", ".")
    for length in _ENDING_LENGTHS:  # the longest ending first
        if len(word) - length >= _MIN_STEM and word[-length:] in _ENDINGS:
            return word[:-length]
    return word


def tokens(text: str) -> list[str]:
    """The terms BM25 reads: folded, stop words out, stemmed, in order."""
    return [stem(t) for t in _TOKEN.findall(fold(text)) if t not in _STOPWORDS]


def document(text: str) -> str:
    """What FTS5 indexes for a sentence: its terms separated by spaces."""
    return " ".join(tokens(text))


def query(text: str) -> list[str]:
    """The claim's distinct terms, in order."""
    return list(dict.fromkeys(tokens(text)))


def match(term: str) -> str:
    """The FTS5 query for one term: quoted, so that no word is read as FTS5 syntax (terms
    hold only letters, digits and ".")."""
    return f'"{term}"'


def rarest(counts: dict[str, int]) -> list[str]:
    """The terms to read, rarest first, while their postings (``counts``: sentences holding
    each) stay within ``MAX_POSTINGS``; none when even the rarest is that common."""
    kept, total = [], 0
    for term in sorted((t for t in counts if counts[t]), key=counts.__getitem__):
        total += counts[term]
        if total > MAX_POSTINGS:
            break
        kept.append(term)
    return kept


def bm25(
    postings: dict[str, np.ndarray], counts: dict[str, int], n_docs: int
) -> tuple[np.ndarray, np.ndarray]:
    """(sentence ids, summed IDF of the claim's terms each holds): BM25 before its length
    factor (``length_factor``); a term counts once per sentence (the index keeps no
    frequencies, and in a sentence a term rarely comes twice)."""
    if not postings:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    ids = np.concatenate(list(postings.values()))
    weights = np.concatenate(
        [np.full(len(found), _idf(counts[t], n_docs)) for t, found in postings.items()]
    )
    unique, at = np.unique(ids, return_inverse=True)
    return unique, np.bincount(at, weights=weights)


def most(counts: dict[str, int], n_docs: int, mean_length: float) -> float:
    """The BM25 score of a sentence of mean length holding every term of the claim that the
    index holds: what a sentence's score is a share of."""
    idf = sum(_idf(c, n_docs) for c in counts.values() if c)
    return idf * float(length_factor(np.array([mean_length]), mean_length)[0])


def length_factor(lengths: np.ndarray, mean_length: float) -> np.ndarray:
    """BM25's factor for a term found once in a sentence of ``lengths`` terms."""
    return (K1 + 1) / (1 + K1 * (1 - B + B * lengths / max(mean_length, 1.0)))


def _idf(count: int, n_docs: int) -> float:
    return float(np.log(1 + (n_docs - count + 0.5) / (count + 0.5)))


def fuse(
    similarities: dict[int, float],
    bm25: Iterable[tuple[int, float]],
    weight: float,
    of_best: bool = OF_BEST,
) -> dict[int, float]:
    """Fused scores of every candidate: cosine similarity (``similarities`` holds every id of
    both channels) plus ``weight`` times its BM25 share (``Store.lexical_search``), or with
    ``of_best`` its BM25 score over the best candidate's."""
    lexical = dict(bm25)
    best = max(lexical.values(), default=0.0) if of_best else 1.0
    return {
        i: s + (weight * lexical.get(i, 0.0) / best if best > 0 else 0.0)
        for i, s in similarities.items()
    }


def terms(text: str) -> set[str]:
    """Numbers (decimal comma or point alike) and content-word prefixes, accents folded:
    the comparison terms of two statements (``factcheck.relations``)."""
    found = set()
    for token in _TOKEN.findall(fold(text)):
        if token[0].isdigit():
            found.add(token.replace(",", "."))
        elif token not in _STOPWORDS:
            found.add(token[:PREFIX])
    return found
