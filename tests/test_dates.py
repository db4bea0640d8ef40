"""Dates as written in article headers, metadata and CLI bounds."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from factcheck.dates import parse_bound, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-02-07", dt.date(2022, 2, 7)),
        ("2022-02-07T10:00:00Z", dt.date(2022, 2, 7)),
        ("2022-02-07 10:00:00+00:00", dt.date(2022, 2, 7)),
        ("Mon, 07 Feb 2022 10:00:00 GMT", dt.date(2022, 2, 7)),
        ("Mon, 07 Feb 2022 10:00:00 +0000", dt.date(2022, 2, 7)),
        ("23 février 2022", dt.date(2022, 2, 23)),
        ("23 fevrier 2022", dt.date(2022, 2, 23)),
        ("lundi 21 février 2022", dt.date(2022, 2, 21)),
        ("1er mars 2022", dt.date(2022, 3, 1)),
        ("Le vendredi 21 Juin 2024", dt.date(2024, 6, 21)),
        ("15 aout 2021", dt.date(2021, 8, 15)),
        ("2 décembre 2021", dt.date(2021, 12, 2)),
        ("Publié le 23 février 2022 à 10h30", dt.date(2022, 2, 23)),
        ("21/06/2024", dt.date(2024, 6, 21)),
        ("06/21/2024", dt.date(2024, 6, 21)),
        ("February 7, 2022", dt.date(2022, 2, 7)),
        ("Feb. 7, 2022", dt.date(2022, 2, 7)),
        ("7 Feb 2022", dt.date(2022, 2, 7)),
        ("7th February 2022", dt.date(2022, 2, 7)),
        ("Monday, February 7, 2022", dt.date(2022, 2, 7)),
        ("Updated: March 3, 2022 at 10:00 am EST", dt.date(2022, 3, 3)),
    ],
)
def test_formats(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["7,3", "", "   ", "hello", "32 février 2022", "2022-02-30", "le 23", "x" * 10_000]
)
def test_garbage_is_none(text: str) -> None:
    assert parse_date(text) is None


def test_english_numeric_dates_are_month_first() -> None:
    assert parse_date("02/07/2022") == dt.date(2022, 7, 2)
    assert parse_date("02/07/2022", lang="en") == dt.date(2022, 2, 7)


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2022", False, dt.date(2022, 1, 1)),
        ("2022", True, dt.date(2022, 12, 31)),
        ("2022-02", False, dt.date(2022, 2, 1)),
        ("2022-02", True, dt.date(2022, 2, 28)),
        ("2024-02", True, dt.date(2024, 2, 29)),
        ("2022-12", True, dt.date(2022, 12, 31)),
        ("2022-02-07", True, dt.date(2022, 2, 7)),
        ("23 février 2022", False, dt.date(2022, 2, 23)),
    ],
)
def test_bounds(text: str, end: bool, expected: dt.date) -> None:
    assert parse_bound(text, end=end) == expected


@pytest.mark.parametrize("text", ["2022-13", "hier", "", "2022-02-30"])
def test_bad_bound_says_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_bound(text)


def test_importing_dates_loads_no_date_library() -> None:
    """Month names are tables of the module's own: ``import factcheck.dates``, package and
    all as the CLI loads it, brings in no dateparser or dateutil (installed, for trafilatura),
    whose import would slow the start of every command."""
    code = "import sys, factcheck.dates; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {name.split(".")[0] for name in out.stdout.split()}
    assert "factcheck" in loaded
    assert not loaded & {"dateparser", "dateutil", "htmldate"}
