"""The pages of the review desk without a server: the report list's sort, status filter and
pages, and the decisions table. Made-up report lines: this code does not read their meaning."""

from __future__ import annotations

import re

from factcheck.review import ClusterState, Decision
from factcheck.web.pages import PER_PAGE, ListView, render_cluster, render_index


def _line(i: int, sources: int, last_seen: str | None) -> dict:
    statements = [
        {
            "id": f"s{i}-{j}",
            "text": f"Statement {j} of <b>cluster</b> {i}",
            "relation": None if j == 0 else "contradicts",
            "article": {"id": f"a{i}-{j}", "title": f"Article {j}", "date": last_seen},
            "sentence": {"index": j, "start": 0, "end": 10},
        }
        for j in range(3)
    ]
    return {
        "id": f"c{i:03d}",
        "claim": statements[0],
        "statements": statements,
        "conflicts": [
            {"a": f"s{i}-0", "b": f"s{i}-{j}", "evidence": [], "score": 0.9}
            for j in range(1, 1 + i % 2 + 1)
        ],
        "timeline": [{"date": last_seen, "statement": s["id"]} for s in statements],
        "sources": [f"Outlet {k}" for k in range(sources)],
        "last_seen": last_seen,
        "first_seen": last_seen,
        "articles": 3,
    }


LINES = [_line(i, i % 7, f"2022-03-{1 + i % 28:02d}" if i % 10 else None) for i in range(60)]


def _ids(html: str) -> list[str]:
    return re.findall(r'<a href="/cluster/(c\d+)">', html)


def test_the_list_is_cut_in_pages_with_links_that_keep_the_view() -> None:
    first = render_index(LINES, {}, ListView(sort="sources"))
    assert len(_ids(first)) == PER_PAGE and "page 1 of 3" in first
    assert 'href="/?sort=sources&amp;page=2" rel="next"' in first and 'rel="prev"' not in first
    last = render_index(LINES, {}, ListView(sort="sources", page=3))
    assert len(_ids(last)) == len(LINES) - 2 * PER_PAGE and 'rel="next"' not in last
    beyond = render_index(LINES, {}, ListView(page=99))
    assert "page 3 of 3" in beyond  # the last page, not an empty one
    seen = [*_ids(first), *_ids(render_index(LINES, {}, ListView("sources", "", 2))), *_ids(last)]
    assert sorted(seen) == sorted(x["id"] for x in LINES)  # each cluster on one page


def test_the_list_sorts_by_conflicts_sources_and_date() -> None:
    by_id = {x["id"]: x for x in LINES}

    def shown(sort: str) -> list[dict]:
        return [by_id[i] for i in _ids(render_index(LINES, {}, ListView(sort=sort)))]

    conflicts = [len(x["conflicts"]) for x in shown("conflicts")]
    assert conflicts == sorted(conflicts, reverse=True)
    sources = [len(x["sources"]) for x in shown("sources")]
    assert sources == sorted(sources, reverse=True)
    everything = []
    for page in (1, 2, 3):
        everything += _ids(render_index(LINES, {}, ListView(sort="date", page=page)))
    dates = [by_id[i]["last_seen"] for i in everything]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True) and dates[len(dated) :] == [None] * (
        len(dates) - len(dated)
    )  # latest first, undated last


def test_the_status_filter_keeps_only_that_status() -> None:
    decided = Decision(cluster="c001", decision="dismissed", reviewer="r")
    states = {"c001": ClusterState(decision=decided)}
    unreviewed = render_index(LINES, states, ListView(status="unreviewed", page=3))
    assert "c001" not in _ids(unreviewed) and "page 3 of 3" in unreviewed
    dismissed = render_index(LINES, states, ListView(status="dismissed"))
    assert _ids(dismissed) == ["c001"]
    assert ListView.of({"status": "nonsense", "sort": "x", "page": "-4"}) == ListView()


def test_the_list_escapes_the_claims() -> None:
    html = render_index(LINES[:1], {}, ListView())
    assert "&lt;b&gt;cluster&lt;/b&gt;" in html and "<b>cluster</b>" not in html


def test_the_decisions_table_names_conflicts_by_their_texts() -> None:
    line = LINES[1]
    on_conflict = Decision(
        cluster=line["id"], decision="confirmed", conflict=("s1-0", "s1-1"), reviewer="r"
    )
    html = render_cluster(line, ClusterState(), [on_conflict], "token", "r")
    table = html.split("Decisions recorded")[1]
    assert "“Statement 0 of &lt;b&gt;cluster&lt;/b&gt; 1” ↔ “Statement 1 of" in table
    assert "s1-0" not in table and "s1-1" not in table
