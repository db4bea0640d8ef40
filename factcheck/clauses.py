"""The clauses of long sentences, embedded beside them so that a claim stated in the second
half of a sentence is found.

One vector for a 230-character sentence carries mostly its first clause: "Poutine a déclaré
lors d'une conférence de presse … que sa convocation des réservistes serait terminée dans les
deux semaines et qu'il n'y avait aucun projet de mobilisation supplémentaire" is far from "il
n'est pas prévu de nouvelle mobilisation". Sentences of ``MIN_SENTENCE_CHARS`` or more are
cut where a new clause starts: ";" or ":", and a coordinating or subordinating word ("et
que", "mais", "tandis que", "while", "but", "whereas") or, after a comma, a relative pronoun
("qui", "dont", "which"). Each clause keeps its offsets in the sentence, so a match can show
the whole sentence with the clause that matched marked.
"""

from __future__ import annotations

import re

MIN_SENTENCE_CHARS = 150
MIN_CLAUSE_CHARS = 30  # shorter pieces join the clause before them: no vector for "mais"

_CONNECTORS = (
    r"et\s+qu(?:e\b|['’])|mais\b|tandis\s+qu(?:e\b|['’])|alors\s+qu(?:e\b|['’])|"
    r"bien\s+qu(?:e\b|['’])|car\b|puisqu(?:e\b|['’])|si\s+bien\s+qu(?:e\b|['’])|"
    r"tout\s+en\b|while\b|but\b|whereas\b|although\b|and\s+that\b|so\s+that\b"
)
_RELATIVES = r"qui\b|dont\b|où\b|lequel\b|laquelle\b|lesquels\b|lesquelles\b|which\b|who\b|where\b"
# Where a clause starts: after ";" or ":", at a connector, or after a comma at a relative.
_BOUNDARY = re.compile(
    rf"(?<=[;:])\s+|(?<=,)\s+(?=(?:{_RELATIVES}|{_CONNECTORS}))|\s+(?=(?:{_CONNECTORS}))",
    re.IGNORECASE,
)


_BETWEEN = re.compile(rf"[;:,]|\b(?:{_CONNECTORS}|and|et|or|ou)\b", re.IGNORECASE)


def separates(text: str) -> bool:
    """Whether a stretch of a sentence between two words holds a clause boundary or a
    coordination (a comma, ";", a connector, "and", "et"): two negations on either side of
    it ("ne sont pas satisfaisantes, et Moscou ne souhaite pas") negate two things, where
    side by side ("not without") they cancel."""
    return bool(_BETWEEN.search(text))


def split(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of ``sentence``, or [] when it is short or one clause."""
    if len(sentence) < MIN_SENTENCE_CHARS:
        return []
    cuts = [0, *(m.end() for m in _BOUNDARY.finditer(sentence)), len(sentence)]
    spans: list[tuple[int, int]] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        text = sentence[start:end]
        end = start + len(text.rstrip())
        if spans and min(end - start, spans[-1][1] - spans[-1][0]) < MIN_CLAUSE_CHARS:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans if len(spans) > 1 else []
