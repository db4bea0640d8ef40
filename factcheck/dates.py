"""Parse article dates written in French or English, or in machine formats.

Hand-written month tables instead of dateparser: the strings we see are few in shape,
and this keeps import time near zero and parsing fast enough to run on every line.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable

from factcheck.errors import InputError
from factcheck.vocabulary import fold

_MONTHS = {
    # French (accents removed before lookup)
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4,
    "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9,
    "octobre": 10, "novembre": 11, "decembre": 12,
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip

_WEEKDAYS = (
    "lundi mardi mercredi jeudi vendredi samedi dimanche "
    "monday tuesday wednesday thursday friday saturday sunday "
    "mon tue tues wed thu thur thurs fri sat sun"
)

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?",
    re.IGNORECASE,
)
# Words that may surround a date without changing it: "Le", "Publié le", "on", "the".
_FILLER = re.compile(
    r"\b(?:le|the|on|of|publie|published|mis a jour|updated|posted|"
    + "|".join(_WEEKDAYS.split())
    + r")\b"
)
# A trailing time: "10:00:00 GMT", "a 10h30", "at 10:00 am", "+0000".
_TIME = re.compile(
    r"(?:\b(?:a|at)\s+)?\d{1,2}\s*[:h]\s*\d{0,2}(?::\d{2})?\s*(?:am|pm)?"
    r"\s*(?:[a-z]{2,4}|[+-]\d{2}:?\d{2})?\s*$"
)
_NUMERIC = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:er|st|nd|rd|th)? ([a-z]+)\.? (\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)? (\d{4})")


def parse_date(text: str, lang: str | None = None) -> dt.date | None:
    """Return the date that ``text`` is, or None when it is not (only) a date.

    Times and time zones are dropped: the day is the one written. Numeric dates with
    slashes are day/month (``21/06/2024``) unless only month/day is valid, or ``lang``
    is ``"en"`` (US month/day order) and both readings are.
    """
    stripped = text.strip()
    if len(stripped) > 80:  # a date line is short; do not scan prose
        return None
    iso = _ISO.fullmatch(stripped)
    if iso:
        return _make(int(iso[1]), int(iso[2]), int(iso[3]))
    return _parse_words(_normalise(stripped), lang)


def parse_bound(text: str, end: bool = False) -> dt.date:
    """Turn a ``--since``/``--until`` value into a date; ``end`` picks the last day of a
    year (``2022``) or month (``2022-02``) so that ranges include the whole period."""
    value = text.strip()
    if m := re.fullmatch(r"(\d{4})", value):
        return dt.date(int(m[1]), 12, 31) if end else dt.date(int(m[1]), 1, 1)
    if (m := re.fullmatch(r"(\d{4})-(\d{1,2})", value)) and 1 <= int(m[2]) <= 12:
        year, month = int(m[1]), int(m[2])
        if not end:
            return dt.date(year, month, 1)
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    parsed = parse_date(value)
    if parsed is None:
        raise InputError(f"invalid date {text!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    return parsed


def _normalise(text: str) -> str:
    """Lowercase, drop accents, weekdays, filler words, a trailing time and punctuation."""
    text = fold(text)
    text = re.sub(r"(?<=[a-z])\.(?=\s)", " ", text)  # "févr. 2022", "Feb. 7"
    text = re.sub(r"[,;]|:(?=\s|$)", " ", text)  # keep "10:00"
    text = _FILLER.sub(" ", text)
    text = _TIME.sub("", text) if re.search(r"\d{4}.*\d[:h]", text) else text
    return " ".join(text.split())


def _parse_words(text: str, lang: str | None) -> dt.date | None:
    if m := _NUMERIC.fullmatch(text):
        a, b, c = int(m[1]), int(m[2]), int(m[3])
        if len(m[1]) == 4:
            return _make(a, b, c)
        if len(m[3]) != 4:
            return None
        month_first = lang == "en" and a <= 12 and b <= 12
        day_first = _make(c, b, a)
        return _make(c, a, b) if month_first or day_first is None else day_first
    if (m := _DAY_MONTH_YEAR.fullmatch(text)) and m[2] in _MONTHS:
        return _make(int(m[3]), _MONTHS[m[2]], int(m[1]))
    if (m := _MONTH_DAY_YEAR.fullmatch(text)) and m[1] in _MONTHS:
        return _make(int(m[3]), _MONTHS[m[1]], int(m[2]))
    return None


def _make(year: int, month: int, day: int) -> dt.date | None:
    """A date, or None for impossible ones such as 32 February."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def latest_written_day(refs: Iterable[dict]) -> str | None:
    """The latest day written in full (day, month and year) among claim-feature dates
    (``factcheck.features.DateRef`` dicts): an undated article appeared on or after it."""
    days = [r["date"] for r in refs if r.get("date") and r.get("year") and r.get("day")]
    return max(days, default=None)


def wrong_weekdays(refs: Iterable[dict]) -> list[dict]:
    """The claim-feature dates (``DateRef`` dicts) whose written weekday is not the weekday
    of the day they resolve to ("lundi 8 février" in 2022: a Tuesday): a sign of a wrong
    date or of text reused from another year."""
    return [
        r
        for r in refs
        if r.get("date")
        and r.get("weekday") is not None
        and dt.date.fromisoformat(r["date"]).weekday() != r["weekday"]
    ]
