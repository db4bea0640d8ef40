"""The review desk on a cluster of 30 statements, in a browser: real index (30 generated
dispatches, one of which gives another figure), real report, real server, Debian's Chromium.

The screenshots of ``docs/`` come from this test: ``FACTCHECK_SCREENSHOTS=docs pytest
tests/test_web_desk.py`` writes them there (else into the test's temporary folder)."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import factcheck.report
from factcheck import Corpus
from factcheck.review import Decision, ReviewError, Reviews
from factcheck.serve import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
OUTLETS = ("Le Monde", "BBC News", "CNN", "The Guardian", "Libération", "France 24", "Reuters")
STATEMENTS, ODD_ONE = 30, 17  # dispatch 17 says 70 % where the 29 others say 60 %
VIEWPORT = {"width": 1280, "height": 900}


@dataclass
class Desk:
    url: str
    index: Path
    decisions: Path
    line: dict  # the report line of the 30-statement cluster


def _dispatch(i: int) -> str:
    """Dispatch ``i``: the same sentence in every outlet, on another day, with one figure
    (the share), so that only the odd one contradicts the others. The figure is dated ("au
    1er février"): over three weeks an undated figure would be an update, not a conflict
    (``report.later_update``); the date comes last, so that the decisions table's
    90-character excerpt still shows the share."""
    share = 70 if i == ODD_ONE else 60
    outlet = OUTLETS[i % len(OUTLETS)]
    return (
        f"Title: Ukraine : l'armée russe est-elle prête ? ({outlet})\n"
        f"Date: 2022-02-{1 + (i * 7) % 24:02d}\n"
        f"Source: {outlet}\n"
        "Selon les services de renseignement américains, Poutine a rassemblé "
        f"{share} % du personnel militaire et des armes nécessaires à une invasion à grande "
        "échelle de l'Ukraine au 1er février.\n"
        "Le Kremlin dément toute intention d'envahir son voisin.\n"
    )


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """The 30 dispatches ingested and reported, served. The report searches 40 neighbours
    per statement (20 by default), so that all 30 statements form one cluster."""
    root = tmp_path_factory.mktemp("desk")
    articles = root / "articles"
    articles.mkdir()
    for i in range(STATEMENTS):
        (articles / f"d{i:02d}.txt").write_text(_dispatch(i), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch, Corpus.open(root / "index") as corpus:
        patch.setattr(factcheck.report, "NEIGHBOURS", 40)
        corpus.ingest([articles])
        corpus.report()
        lines = corpus.store.report_lines()
    decisions = root / "decisions.jsonl"
    server = make_server(root / "index", decisions, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Desk(
            server.url, root / "index", decisions, max(lines, key=lambda x: len(x["statements"]))
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture()
def screenshots(tmp_path: Path) -> Path:
    """Where the screenshots go: ``$FACTCHECK_SCREENSHOTS`` (``docs``), else a temp folder."""
    folder = os.environ.get("FACTCHECK_SCREENSHOTS")
    return Path(folder) if folder else tmp_path


@pytest.mark.slow
def test_the_fixture_is_one_cluster_of_30_statements_with_one_odd_one(desk: Desk) -> None:
    assert len(desk.line["statements"]) == STATEMENTS
    odd = [s["id"] for s in desk.line["statements"] if "70 %" in s["text"]]
    assert len(odd) == 1
    pairs = {frozenset((c["a"], c["b"])) for c in desk.line["conflicts"]}
    others = [s["id"] for s in desk.line["statements"] if s["id"] != odd[0]]
    assert all(frozenset((odd[0], s)) in pairs for s in others)  # 70 % against each 60 %


@pytest.mark.slow
def test_a_reviewer_finishes_the_30_statement_cluster_without_scrolling_back(
    desk: Desk, screenshots: Path
) -> None:
    if not CHROMIUM.exists() and not os.environ.get("CI"):  # .ci/run installs it
        pytest.skip(f"no {CHROMIUM}: apt-get install chromium")
    from playwright import sync_api

    cid = desk.line["id"]
    conflicts = len(desk.line["conflicts"])
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(desk.url + "?status=unreviewed")
            sync_api.expect(page.locator(f'a[href="/cluster/{cid}"]')).to_be_visible()
            page.screenshot(path=str(screenshots / "review-desk-list.png"))
            with page.expect_navigation():
                page.locator(f'a[href="/cluster/{cid}"]').click()
            assert page.locator("svg.timeline circle.dot").count() == STATEMENTS
            page.screenshot(path=str(screenshots / "review-desk-timeline.png"))

            # Three conflicts one by one: each decision lands on the next one, in view.
            for n in (1, 2, 3):
                form = page.locator(f"#c{n} form.decide.conflict")
                form.locator('textarea[name="note"]').fill(f"70 % here, 60 % elsewhere ({n})")
                with page.expect_navigation():
                    form.get_by_role("button", name="Confirm").click()
                assert page.url.endswith(f"/cluster/{cid}#c{n + 1}")
                _assert_in_view(page, f"#c{n + 1}")
                sync_api.expect(page.locator(f"#c{n}")).to_contain_text("confirmed by")
            page.locator("#all").evaluate("e => e.scrollIntoView()")  # and the decided, folded
            page.screenshot(path=str(screenshots / "review-desk-cluster.png"))
            page.locator("#c4").evaluate("e => e.scrollIntoView()")

            # A statement opens its article, the sentence marked in its context.
            side = page.locator("#c4 .side").first
            text = side.locator("div").nth(1).inner_text()
            with page.expect_navigation():
                side.locator('a[href^="/article/"]').first.click()
            sync_api.expect(page.locator("article mark")).to_have_text(text)
            _assert_in_view(page, "article mark")
            page.go_back()

            # The rest at once: the same error everywhere.
            every = page.locator("#all form")
            every.locator('textarea[name="note"]').fill("only The Guardian gives 70 %")
            with page.expect_navigation():
                every.get_by_role("button", name="Confirm every undecided conflict").click()
            assert page.url.endswith(f"/cluster/{cid}#cluster")
            _assert_in_view(page, "#cluster")
            assert page.locator("section.conflict.decided").count() == conflicts
            verdict = page.locator("form.decide.cluster")
            verdict.locator('select[name="verdict"]').select_option("false")
            with page.expect_navigation():
                verdict.get_by_role("button", name="Confirm cluster").click()
            sync_api.expect(page.locator("h1 + p .verdict")).to_have_text("false")
            _assert_in_view(page, "#cluster")
            page.screenshot(path=str(screenshots / "review-desk-reviewed.png"))

            # The decisions table, latest first, names conflicts by their texts, not their
            # ids, and says what was decided.
            table = page.locator("h2:has-text('Decisions recorded') + table").inner_text()
            rows = [row.split("\t") for row in table.splitlines()[1:]]
            assert len(rows) == conflicts + 1
            assert rows[0][2:5] == ["whole cluster", "confirmed", "false"]
            assert "Poutine a rassemblé 70 %" in table
            assert all(" ↔ " in row[2] and "Poutine a rassemblé" in row[2] for row in rows[1:])
            assert {row[3] for row in rows[1:]} == {"confirmed"}
            assert rows[-1][5] == "70 % here, 60 % elsewhere (1)"
            assert not re.search(r"\bs[0-9a-f]{12}\b", table)
        finally:
            browser.close()
    decided = [d for d in _lines(desk.decisions) if d["conflict"]]
    assert len({frozenset(d["conflict"]) for d in decided}) == conflicts
    assert sum(d["note"] == "only The Guardian gives 70 %" for d in decided) == conflicts - 3


def _assert_in_view(page: Any, selector: str) -> None:
    """The element's top is in the upper half of the viewport: no scrolling to reach it."""
    top = page.locator(selector).first.evaluate("e => e.getBoundingClientRect().top")
    assert -1 < top < VIEWPORT["height"] / 2, f"{selector} is at {top}px"  # -1: rounding


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
def test_one_decision_for_every_conflict_records_all_or_none(desk: Desk, tmp_path: Path) -> None:
    """``Reviews.record_many``, as the desk's "every undecided conflict" uses it: a bad
    decision among them records none of them."""
    pairs = [(c["a"], c["b"]) for c in desk.line["conflicts"][:3]]
    good = [Decision(desk.line["id"], "dismissed", conflict=p, note="same error") for p in pairs]
    bad = Decision(desk.line["id"], "dismissed", conflict=(pairs[0][0], "s-nowhere"))
    path = tmp_path / "decisions.jsonl"
    with Corpus.open(desk.index, create=False) as corpus:
        reviews = Reviews(corpus.store, path)
        with pytest.raises(ReviewError, match="no conflict"):
            reviews.record_many([*good, bad])
        assert not path.exists() or path.read_text(encoding="utf-8") == ""
        reviews.record_many(good)
        assert [d.conflict for d in reviews.decisions(desk.line["id"])] == pairs
    assert len(_lines(path)) == 3
