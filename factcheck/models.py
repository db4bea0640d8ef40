"""Plain records passed between the pipeline steps; JSON-ready through ``to_dict``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass
class Article:
    """One article as read from a file, before it is split into sentences.

    ``text`` is the text the sentence offsets point into: the decoded file for
    ``.txt``/``.md``, the extracted main text for ``.html``, the ``text`` field for JSONL.
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None  # ISO 8601 day, "YYYY-MM-DD"
    source: str | None = None
    url: str | None = None
    lang: str | None = None
    path: str | None = None
    author: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Sentence:
    """A sentence of an article, with its character offsets into ``Article.text``."""

    index: int
    start: int
    end: int
    text: str
    lang: str | None = None
    features: dict = field(default_factory=dict)  # factcheck.features.Features.to_dict()
    checkworthy: float = 0.0  # factcheck.checkworthy.scores, from the vector


@dataclass
class ArticleRef:
    """The article fields shown with a match."""

    id: str
    title: str | None
    date: str | None
    source: str | None
    url: str | None
    path: str | None
    lang: str | None = None
    date_inferred: bool = False  # ``date`` is a lower bound read from the text (factcheck.store)

    @property
    def shown_date(self) -> str | None:
        return shown_date(self.date, self.date_inferred)

    @property
    def day(self) -> date | None:
        """The day the article's "hier" and "lundi" count from: its date, never an inferred
        lower bound."""
        return date.fromisoformat(self.date) if self.date and not self.date_inferred else None


@dataclass
class Match:
    """A sentence of the corpus that matches a claim."""

    text: str
    score: float  # what matches are ranked by: similarity plus the BM25 share (factcheck.lexical)
    similarity: float  # cosine similarity of the claim and sentence embeddings
    article: ArticleRef
    sentence: dict  # {"index", "start", "end"}
    relation: str = "related"
    evidence: list[dict] = field(default_factory=list)
    context: dict = field(default_factory=dict)  # {"before": str | None, "after": str | None}
    features: dict | None = field(default=None, repr=False)  # stored claim features
    lang: str | None = field(default=None, repr=False)  # stored sentence language
    # The clause of a long sentence that matched (factcheck.clauses): {"start", "end", "text"},
    # offsets in ``text``; None when the whole sentence did.
    clause: dict | None = None

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "score": round(self.score, 4),
            "similarity": round(self.similarity, 4),
            "relation": self.relation,
            "evidence": self.evidence,
            "article": asdict(self.article),
            "sentence": self.sentence,
            "clause": self.clause,
            "context": self.context,
        }


def shown_date(day: str | None, inferred: bool) -> str | None:
    """A date as people should read it: an inferred one (a lower bound) as "≥ 2024-06-21"."""
    return f"≥ {day}" if day and inferred else day
