"""The filters of ``find`` and ``report``, declared once for the store, corpus and commands."""

from __future__ import annotations

from dataclasses import dataclass

from .dates import parse_bound


@dataclass(frozen=True)
class Filters:
    """Which sentences a search or report reads.

    Both date bounds are inclusive; an article's inferred date (a lower bound
    read from its text, ``factcheck.store``) counts unless ``inferred_dates`` is False, and
    then the article is undated. ``source`` is an outlet name (``factcheck.outlets``) or the
    source as stored; ``source`` and ``lang`` ignore case. With ``figures``, a sentence
    below ``min_checkworthy`` that holds a figure or a date (its claim features) and is no
    question or fragment (``checkworthy.asserts``) passes too: the check-worthiness model
    learned from debates, where narrative news facts ("Poutine a rencontré Emmanuel Macron
    ce lundi 8 février", 0.11) are rare, yet a figure or a date is what a fact-checker
    checks first (the report's statements).
    """

    since: str | None = None
    until: str | None = None
    source: str | None = None
    lang: str | None = None
    min_checkworthy: float | None = None
    inferred_dates: bool = True
    figures: bool = False

    def __post_init__(self) -> None:
        """Bounds as the user writes them (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) become
        days, ``until`` the last of its period (``2022-02`` ends on 28 February); a bad one
        raises ValueError."""
        if self.since:
            object.__setattr__(self, "since", parse_bound(self.since).isoformat())
        if self.until:
            object.__setattr__(self, "until", parse_bound(self.until, end=True).isoformat())

    @property
    def restricts(self) -> bool:
        """Whether any sentence may fail the filters (without date bounds, ``inferred_dates``
        changes the dates shown, not the sentences read)."""
        kept = (self.since, self.until, self.source, self.lang, self.min_checkworthy)
        return any(x is not None for x in kept)


NO_FILTERS = Filters()
