"""Dates in the report: inferred dates of undated articles, and weekdays that do not fit.

Real model, real FAISS, real SQLite, on three articles written here about one meeting: two
dated ones that disagree on its day (one of them writes "lundi 8 février" in 2022, a
Tuesday), and an undated one whose text writes its own full date.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from factcheck import Corpus, Filters
from factcheck.cli import app
from factcheck.relations import describe

ARTICLES = {
    "monday.txt": """Title: Poutine et Macron
Date: 2022-02-10
Le président russe Vladimir Poutine a rencontré Emmanuel Macron ce lundi 8 février à Moscou.
""",
    "seventh.txt": """Title: Macron au Kremlin
Date: 2022-02-10
Le président russe Vladimir Poutine a rencontré Emmanuel Macron le lundi 7 février 2022 à Moscou.
""",
    "undated.txt": """Macron reçu par Poutine
Le vendredi 21 Juin 2024, le président russe Vladimir Poutine a rencontré Emmanuel Macron à \
Moscou.
""",
}
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads(files("factcheck").joinpath("data/report.schema.json").read_text("utf-8"))
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("report-dates")
    for name, text in ARTICLES.items():
        (root / name).write_text(text, encoding="utf-8")
    with Corpus.open(root / "index") as corpus:
        corpus.ingest([root / name for name in ARTICLES])
    yield root / "index"


@pytest.mark.slow
def test_a_weekday_that_does_not_fit_is_evidence_in_its_conflicts(index: Path) -> None:
    with Corpus.open(index) as corpus:
        report = corpus.report(filters=Filters(min_checkworthy=0.0))
    lines = [c.to_dict() for c in report.contested]
    assert lines
    for line in lines:
        VALIDATOR.validate(line)
    conflicts = [
        (c, {s["id"]: s for s in line["statements"]}) for line in lines for c in line["conflicts"]
    ]
    with_monday = [
        (c, by_id) for c, by_id in conflicts
        if "monday" in (by_id[c["a"]]["article"]["id"], by_id[c["b"]]["article"]["id"])
    ]  # fmt: skip
    assert with_monday
    for conflict, by_id in with_monday:
        role = "claim" if by_id[conflict["a"]]["article"]["id"] == "monday" else "match"
        weekday = [e for e in conflict["evidence"] if e["kind"] == "weekday"]
        assert weekday == [{"kind": "weekday", role: "ce lundi 8 février", "date": "2022-02-08"}]
        assert describe(weekday[0]) == "weekday: ce lundi 8 février (but 2022-02-08 is a Tuesday)"
    others = [c for c, by_id in conflicts if (c, by_id) not in with_monday]
    assert not any(e["kind"] == "weekday" for c in others for e in c["evidence"])


@pytest.mark.slow
def test_inferred_dates_are_marked_in_the_report_and_can_be_left_out(index: Path) -> None:
    with Corpus.open(index) as corpus:
        inferred = corpus.report(filters=Filters(min_checkworthy=0.0))
        left_out = corpus.report(filters=Filters(min_checkworthy=0.0, inferred_dates=False))
    entries = [t for c in inferred.contested for t in c.to_dict()["timeline"]]
    undated = [t for t in entries if t["article"] == "undated"]
    assert undated and all(t["date"] == "2024-06-21" and t["date_inferred"] for t in undated)
    assert not any(t["date_inferred"] for t in entries if t["article"] != "undated")
    entries = [t for c in left_out.contested for t in c.to_dict()["timeline"]]
    assert any(t["article"] == "undated" for t in entries)
    assert all(
        t["date"] is None and not t["date_inferred"] for t in entries if t["article"] == "undated"
    )


@pytest.mark.slow
def test_find_shows_an_inferred_date_as_a_lower_bound(index: Path) -> None:
    claim = "Poutine a rencontré Macron à Moscou"
    shown = CliRunner().invoke(app, ["find", claim, "--index", str(index), "-k", "3"])
    assert shown.exit_code == 0, shown.output
    assert "≥ 2024-06-21" in shown.stdout
    with Corpus.open(index, readonly=True) as corpus:
        june = corpus.find(claim, k=3, filters=Filters(since="2024-06"))
        strict = corpus.find(claim, k=3, filters=Filters(since="2024-06", inferred_dates=False))
    assert june and {m.article.id for m in june} == {"undated"}
    assert all(m.article.date_inferred for m in june)
    assert strict == []
