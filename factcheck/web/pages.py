"""The pages of the review desk, rendered on the server: plain HTML, forms and links, no
JavaScript. Templates are Python f-strings and every value from the index, a form or the
decisions file goes through ``markup`` (``html.escape``) on its way in: the pages are few
and small, and a template library would add a dependency without removing that rule."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..models import Match
from ..relations import VERDICT_KINDS, describe
from ..review import DECISIONS, VERDICTS, ClusterState, Decision
from .markup import article_link, day, href, marked, short, source, text
from .timeline import timeline_svg

PER_PAGE = 25
SIZES = (20, 50, 100)  # results of a search: the first is the default, the last the most
SEARCH_K, MAX_K = SIZES[0], SIZES[-1]
FILTERS = (
    "q",
    "since",
    "until",
    "source",
    "lang",
    "relation",
    "inferred",
)  # of a search's query string
SORTS = {"conflicts": "most conflicts", "sources": "most sources", "date": "latest first"}
STATUSES = ("unreviewed", "in review", "needs-work", "confirmed", "dismissed")
BUTTONS = {"confirmed": "Confirm", "dismissed": "Dismiss", "needs-work": "Needs work"}
ALL_BUTTONS = {
    "confirmed": "Confirm every undecided conflict",
    "dismissed": "Dismiss every undecided conflict",
    "needs-work": "Needs work on every undecided conflict",
}
RELATION_TO_CLAIM = {
    "claim": "the cluster's claim",
    "agrees": "agrees with the claim",
    "contradicts": "contradicts the claim",
    "related": "related to the claim",
}
# The first submit button of a form is the one Enter presses: a disabled one that is never
# shown makes Enter in a text field do nothing, instead of confirming (notes are textareas).
NO_ENTER = '<button type="submit" disabled hidden aria-hidden="true" tabindex="-1"></button>'


def layout(title: str, body: str, query: str = "") -> str:
    """The page around ``body`` (already HTML), with the search box in its header."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · factcheck</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header>
<a class="home" href="/">factcheck</a>
<form action="/search" method="get" role="search">
<input type="search" name="q" value="{escape(query)}" placeholder="Search a claim…"
 aria-label="Claim" required>
<button type="submit">Search</button>
</form>
</header>
<main>
{body}
</main>
</body>
</html>
"""


def error(title: str, message: str) -> str:
    return f'<div class="card error"><h1>{escape(title)}</h1><p>{escape(message)}</p></div>'


def status_of(line: dict, state: ClusterState) -> str:
    """unreviewed, confirmed, dismissed, needs-work, or in review (some conflicts decided)."""
    if state.decision is not None:
        return str(state.decision.decision)
    if not state.conflicts:
        return "unreviewed"
    if state.confirmed:
        return "confirmed"
    if any(d.decision == "needs-work" for d in state.conflicts.values()):
        return "needs-work"
    pairs = {frozenset((c["a"], c["b"])) for c in line["conflicts"]}
    return "dismissed" if pairs <= set(state.conflicts) else "in review"


def _status(line: dict, state: ClusterState) -> str:
    status = status_of(line, state)
    out = f'<span class="status {escape(status.replace(" ", "-"))}">{escape(status)}</span>'
    if state.verdict is not None:
        out += f' <span class="verdict">{text(state.verdict.verdict)}</span>'
    return out


def render_skipped(skipped: list[str]) -> str:
    """The lines of the decisions file that no decision was read from, if any, with why."""
    if not skipped:
        return ""
    items = "".join(f"<li>{escape(line)}</li>" for line in skipped)
    return (
        '<div class="card error"><p>These lines of the decisions file were left out: fix '
        f"them, then reload.</p><ul>{items}</ul></div>"
    )


# -- the report list -------------------------------------------------------------------------


@dataclass(frozen=True)
class ListView:
    """What the report list shows: its sort, a status to keep only, and its page (from 1)."""

    sort: str = "conflicts"
    status: str = ""
    page: int = 1

    @classmethod
    def of(cls, query: dict[str, str]) -> ListView:
        """From the query string; unknown values fall back to the defaults."""
        sort = query.get("sort", "")
        status = query.get("status", "")
        try:
            page = max(int(query.get("page") or 1), 1)
        except ValueError:
            page = 1
        return cls(
            sort if sort in SORTS else "conflicts", status if status in STATUSES else "", page
        )

    def href(self, **changes: str | int) -> str:
        view = {**vars(self), **changes}
        return href(sort=view["sort"], status=view["status"] or None, page=view["page"])


def _sorted(lines: list[dict], sort: str) -> list[dict]:
    if sort == "sources":
        return sorted(lines, key=lambda x: -len(x.get("sources") or []))
    if sort == "date":
        dated = sorted((x for x in lines if x.get("last_seen")), key=lambda x: x["last_seen"])
        return [*reversed(dated), *(x for x in lines if not x.get("last_seen"))]
    return sorted(lines, key=lambda x: -len(x["conflicts"]))


def render_index(lines: list[dict], states: dict[str, ClusterState], view: ListView) -> str:
    """The contested clusters of the last report with where their review stands: sorted,
    filtered by status and cut in pages of ``PER_PAGE``."""
    if not lines:
        return (
            "<h1>Contested claims</h1><p>The index holds no report yet, or it found nothing "
            "contested: run <code>factcheck report</code>, then reload.</p>"
        )
    status = {x["id"]: status_of(x, states.get(x["id"], ClusterState())) for x in lines}
    kept = [
        x for x in _sorted(lines, view.sort) if not view.status or status[x["id"]] == view.status
    ]
    pages = max((len(kept) + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(view.page, pages)
    shown = kept[(page - 1) * PER_PAGE : page * PER_PAGE]
    rows = [
        "<tr>"
        f'<td class="nowrap"><a href="{href("cluster", x["id"])}">{escape(x["id"])}</a></td>'
        f"<td>{escape(x['claim']['text'])}</td>"
        f'<td class="num">{len(x["conflicts"])}</td>'
        f'<td class="num">{text(x.get("articles"))}</td>'
        f'<td class="nowrap">{text(x.get("first_seen"))}</td>'
        f'<td class="nowrap">{text(x.get("last_seen"))}</td>'
        f"<td>{text(', '.join(x.get('sources') or []))}</td>"
        f"<td>{_status(x, states.get(x['id'], ClusterState()))}</td>"
        "</tr>"
        for x in shown
    ]
    reviewed = sum(states.get(x["id"], ClusterState()).reviewed for x in lines)
    sorts = "".join(
        f'<option value="{k}"{" selected" if k == view.sort else ""}>{v}</option>'
        for k, v in SORTS.items()
    )
    statuses = '<option value="">any status</option>' + "".join(
        f'<option value="{escape(s)}"{" selected" if s == view.status else ""}>{s} only</option>'
        for s in STATUSES
    )
    controls = (
        '<form method="get" action="/" class="controls">'
        f'<label>Sort <select name="sort">{sorts}</select></label> '
        f'<label>Show <select name="status">{statuses}</select></label> '
        '<button type="submit">Show</button></form>'
    )
    table = (
        "<table><thead><tr><th>Cluster</th><th>Claim</th><th>Conflicts</th><th>Articles</th>"
        "<th>First seen</th><th>Last seen</th><th>Sources</th><th>Status</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else '<p class="muted">No cluster has that status.</p>'
    )
    return (
        "<h1>Contested claims</h1>"
        f'<p class="muted">{_count(len(lines), "cluster")} in the last report, {reviewed} '
        "reviewed. Search a claim above, or open a cluster to review it.</p>"
        f"{controls}{table}{_pager(view, page, pages, len(kept))}"
    )


def _pager(view: ListView, page: int, pages: int, count: int) -> str:
    if pages == 1:
        return ""
    before = f'<a href="{view.href(page=page - 1)}" rel="prev">← previous</a>' if page > 1 else ""
    after = f'<a href="{view.href(page=page + 1)}" rel="next">next →</a>' if page < pages else ""
    return (
        f'<nav class="pager">{before} <span>page {page} of {pages} '
        f"({_count(count, 'cluster')})</span> {after}</nav>"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# -- search ----------------------------------------------------------------------------------


def render_search(query: dict[str, str], k: int, matches: list[Match], lines: list[dict]) -> str:
    """The filters form, then the ``k`` matches of the claim, each with its relation to the
    claim, its sentence linked to its article, and the contested clusters it is in."""
    claim = query.get("q", "").strip()
    form = _search_form(query, k)
    if not claim:
        return f"<h1>Search</h1>{form}<p>Type a claim.</p>"
    in_clusters: dict[tuple[str, str], list[dict]] = {}
    for line in lines:
        for s in line["statements"]:
            in_clusters.setdefault((s["article"]["id"], s["text"]), []).append(line)
    rows = []
    for m in matches:
        relation = escape(m.relation)
        phrases = [(e.get("match", ""), bool(e.get("agrees"))) for e in m.evidence]
        links = "".join(
            f'<a href="{href("cluster", x["id"])}">{escape(x["id"])}</a> '
            f'<span class="muted small">({_count(len(x["conflicts"]), "conflict")})</span><br>'
            for x in in_clusters.get((m.article.id, m.text), [])
        )
        rows.append(
            "<tr>"
            f'<td><span class="rel {relation}">{relation}</span></td>'
            f'<td class="num">{m.score:.3f}</td>'
            f'<td class="nowrap">{text(m.article.shown_date, "undated")}</td>'
            f"<td>{text(source(vars(m.article)))}</td>"
            f"<td>{marked(m.text, phrases)}"
            f'<div class="muted small">{article_link(vars(m.article), m.sentence)}</div></td>'
            f"<td>{links or '—'}</td>"
            "</tr>"
        )
    title = f"<h1>Search: “{escape(claim)}”</h1>{form}"
    if not rows:
        return f"{title}<p>No sentence of the index matches with these filters.</p>"
    bigger = [n for n in SIZES if n > k]
    more = ""
    if len(rows) == k and bigger:
        kept = {name: query[name] for name in FILTERS if query.get(name)}
        more = f'<p><a href="{href("search", **kept, k=bigger[0])}">Show {bigger[0]}</a></p>'
    return (
        f"{title}"
        f'<p class="muted">The {len(rows)} closest sentences, with their relation to the claim '
        "and the contested clusters they are in. A sentence's article opens it in context.</p>"
        "<table><thead><tr><th>Relation to the claim</th><th>Score</th><th>Date</th>"
        "<th>Source</th><th>Sentence</th><th>In report</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{more}"
    )


def _search_form(query: dict[str, str], k: int) -> str:
    """The claim with the filters of ``factcheck find``: dates, source, language, relation."""

    def field(name: str, label: str, hint: str) -> str:
        return (
            f'<label>{label} <input type="text" name="{name}" value="{escape(query.get(name, ""))}"'
            f' placeholder="{hint}" size="10"></label>'
        )

    checked = " checked" if query.get("relation") == "contradicts" else ""
    written = " checked" if query.get("inferred") == "no" else ""
    sizes = "".join(
        f'<option value="{n}"{" selected" if n == k else ""}>{n}</option>' for n in SIZES
    )
    return (
        '<form method="get" action="/search" class="controls filters">'
        f'<input type="search" name="q" value="{escape(query.get("q", ""))}" '
        'aria-label="Claim" placeholder="Claim" required class="wide">'
        f"{field('since', 'Since', 'YYYY[-MM[-DD]]')}{field('until', 'Until', 'YYYY[-MM[-DD]]')}"
        f"{field('source', 'Source', 'BBC News')}{field('lang', 'Language', 'fr, en…')}"
        f'<label><input type="checkbox" name="relation" value="contradicts"{checked}> '
        "contradicts only</label>"
        f'<label><input type="checkbox" name="inferred" value="no"{written}> '
        "no inferred dates</label>"
        f'<label>Results <select name="k">{sizes}</select></label>'
        '<button type="submit">Search</button></form>'
    )


# -- an article, a statement marked in it ---------------------------------------------------


def render_article(article: dict, focus: int | None) -> str:
    """The article's text, each sentence anchored (``#s3``), the one asked for marked."""
    body, pos = [], 0
    content = article["text"]
    for s in article["sentences"]:
        start, end = max(s["start"], pos), s["end"]
        if start >= end:
            continue
        body.append(escape(content[pos:start]))
        tag = "mark" if s["index"] == focus else "span"
        body.append(
            f'<{tag} id="s{s["index"]}" class="sentence">{escape(content[start:end])}</{tag}>'
        )
        pos = end
    body.append(escape(content[pos:]))
    meta = " · ".join(
        x
        for x in (
            text(day(article), "undated"),
            text(source(article), ""),
            text(article.get("lang"), ""),
        )
        if x
    )
    url = article.get("url") or ""
    original = (
        f' · <a href="{escape(url)}" rel="noopener noreferrer">original</a>'
        if url.startswith(("http://", "https://"))
        else ""
    )
    return (
        f'<p class="muted small">Article <code>{escape(article["id"])}</code> · {meta}{original}'
        "</p>"
        f"<h1>{text(article.get('title') or article['id'])}</h1>"
        f'<article class="card article-text">{"".join(body)}</article>'
    )


# -- a cluster -------------------------------------------------------------------------------


def _relation(statement: dict) -> str:
    relation = statement.get("relation") or "claim"
    label = RELATION_TO_CLAIM.get(relation, f"{relation} (to the claim)")
    return f'<span class="rel {escape(relation)}">{escape(label)}</span>'


def undecided(line: dict, state: ClusterState) -> list[int]:
    """Positions (from 1) of the conflicts of ``line`` no one has decided on yet."""
    return [
        i
        for i, c in enumerate(line["conflicts"], start=1)
        if frozenset((c["a"], c["b"])) not in state.conflicts
    ]


def render_cluster(
    line: dict, state: ClusterState, decisions: list[Decision], csrf: str, reviewer: str
) -> str:
    """A cluster to review from top to bottom without scrolling back: the claim and where the
    review stands, the timeline, one decision for every conflict at once, then each conflict
    (decided ones folded, so the next one to decide comes up), the verdict, the statements
    and the decisions so far, named by their texts."""
    cid = line["id"]
    by_id = {s["id"]: s for s in line["statements"]}
    hidden = (
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        f'<input type="hidden" name="cluster" value="{escape(cid)}">'
    )
    fields = (
        '<textarea name="note" rows="1" placeholder="Note" aria-label="Note"></textarea>'
        f'<input type="text" name="reviewer" value="{escape(reviewer)}" aria-label="Reviewer">'
    )
    left = undecided(line, state)
    total = len(line["conflicts"])
    sections = [
        _conflict(i, total, c, by_id, state, hidden + fields)
        for i, c in enumerate(line["conflicts"], start=1)
        if c["a"] in by_id and c["b"] in by_id
    ]
    progress = f"{total - len(left)} of {_count(total, 'conflict')} decided" + (
        f' · <a href="#c{left[0]}">next to decide: {left[0]}</a>' if left else ""
    )
    buttons = "".join(
        f'<button type="submit" name="decision" value="{d}" class="{d}">{label}</button>'
        for d, label in ALL_BUTTONS.items()
    )
    every = (
        '<section class="card" id="all">'
        "<h2>One decision for every undecided conflict</h2>"
        f'<p class="muted small">When they are all the same error (or all real), decide the '
        f"{_count(len(left), 'conflict')} left at once, with one note.</p>"
        f'<form method="post" action="/decide" class="decide">{NO_ENTER}{hidden}'
        f'<input type="hidden" name="scope" value="undecided">{fields}{buttons}</form>'
        "</section>"
        if len(left) > 1
        else ""
    )
    chosen = state.verdict.verdict if state.verdict is not None else None
    options = '<option value="">— no verdict —</option>' + "".join(
        f'<option value="{v}"{" selected" if v == chosen else ""}>{v}</option>' for v in VERDICTS
    )
    cluster_form = (
        f'<form method="post" action="/decide" class="decide cluster">{NO_ENTER}'
        f'{hidden}<select name="verdict" aria-label="Verdict">{options}</select>{fields}'
        '<button type="submit" name="decision" value="confirmed" class="confirmed">'
        "Confirm cluster</button>"
        '<button type="submit" name="decision" value="dismissed" class="dismissed">'
        "Dismiss cluster</button>"
        '<button type="submit" name="decision" value="needs-work" class="needs-work">'
        "Needs work</button>"
        '<button type="submit" name="decision" value="">Save verdict and note only</button>'
        "</form>"
    )
    return (
        f'<p class="muted small">Cluster <code>{escape(cid)}</code> · '
        f"{_count(len(line['statements']), 'statement')} from "
        f"{text(line.get('articles'))} articles · first seen {text(line.get('first_seen'))} · "
        f"last seen {text(line.get('last_seen'))} · sources "
        f"{text(', '.join(line.get('sources') or []))}</p>"
        f'<h1 class="claim">{escape(line["claim"]["text"])}</h1>'
        f'<p>{_status(line, state)} <span class="muted small">{progress}</span></p>'
        '<p class="muted small">The colours and labels of the statements say how each relates '
        "to this claim; a conflict is two statements that contradict each other.</p>"
        "<h2>Timeline</h2>"
        f"{timeline_svg(line)}"
        f"{every}"
        f"<h2>Conflicts ({len(sections)})</h2>"
        f"{''.join(sections)}"
        '<h2 id="cluster">The whole cluster</h2>'
        '<section class="card">'
        f"{_current(state.decision)}"
        '<p class="muted small">Publishing needs a confirmed cluster (or conflict) and a '
        "verdict, chosen here.</p>"
        f"{cluster_form}"
        "</section>"
        "<h2>Statements</h2>"
        f"{_statements(line)}"
        "<h2>Decisions recorded</h2>"
        f"{_decisions(decisions, by_id)}"
    )


def _conflict(
    n: int, total: int, c: dict, by_id: dict[str, dict], state: ClusterState, fields: str
) -> str:
    """One conflict: both sides (each with its relation to the claim), the evidence, its
    decision, and its form; folded under its decision once decided."""
    a, b = by_id[c["a"]], by_id[c["b"]]
    side_a = [(e.get("claim", ""), bool(e.get("agrees"))) for e in c["evidence"]]
    side_b = [(e.get("match", ""), bool(e.get("agrees"))) for e in c["evidence"]]
    evidence = "; ".join(
        escape(describe(e))
        if e.get("kind") in VERDICT_KINDS
        else f"{escape(e.get('kind', ''))}: “{escape(e.get('claim', ''))}” ↔ "
        f"“{escape(e.get('match', ''))}”" + (" (agrees)" if e.get("agrees") else "")
        for e in c["evidence"]
    )
    current = state.conflicts.get(frozenset((c["a"], c["b"])))
    buttons = "".join(
        f'<button type="submit" name="decision" value="{d}" class="{d}">{BUTTONS[d]}</button>'
        for d in DECISIONS
    )
    inner = (
        '<div class="pair">'
        f"{_side('A', a, side_a)}{_side('B', b, side_b)}"
        "</div>"
        f'<p class="evidence">Why A and B contradict each other: {evidence or "—"} · '
        f"similarity {c['score']:.3f}</p>"
        f'<form method="post" action="/decide" class="decide conflict">{NO_ENTER}'
        f'<input type="hidden" name="a" value="{escape(c["a"])}">'
        f'<input type="hidden" name="b" value="{escape(c["b"])}">'
        f"{fields}{buttons}"
        "</form>"
    )
    title = f"Conflict {n} of {total}: A and B contradict each other"
    if current is None or current.decision is None:
        return (
            f'<section class="card conflict" id="c{n}"><h3>{title}</h3>'
            f"{_current(current)}{inner}</section>"
        )
    return (
        f'<section class="card conflict decided" id="c{n}"><details>'
        f'<summary><span class="small">{escape(title)}</span> {_current(current, "span")} '
        f'<span class="muted small">{_gist(a, b, c["evidence"])}</span></summary>'
        f"{inner}</details></section>"
    )


def _gist(a: dict, b: dict, evidence: list[dict]) -> str:
    """What a folded conflict opposes: the sources and dates, and the phrases that differ."""
    phrases = "; ".join(
        f"“{escape(e['claim'])}” ↔ “{escape(e['match'])}”"
        for e in evidence
        if e.get("kind") not in VERDICT_KINDS and e.get("claim") and e.get("match")
        if not e.get("agrees")
    )
    where = [
        f"{text(source(s['article']) or s['article']['id'])}, {text(day(s['article']), 'undated')}"
        for s in (a, b)
    ]
    return f"A: {where[0]} ↔ B: {where[1]}" + (f" · {phrases}" if phrases else "")


def _side(name: str, statement: dict, phrases: list[tuple[str, bool]]) -> str:
    article = statement["article"]
    return (
        f'<div class="side">'
        f'<div class="meta"><strong class="side-name">{name}</strong> · {_relation(statement)} · '
        f"{text(day(article), 'undated')} · "
        f"{article_link(article, statement.get('sentence'))}</div>"
        f"<div>{marked(statement['text'], phrases)}</div>"
        "</div>"
    )


def _current(decision: Decision | None, tag: str = "p") -> str:
    if decision is None or decision.decision is None:
        return f'<{tag} class="muted small">Not decided yet.</{tag}>'
    note = f" — {escape(decision.note)}" if decision.note else ""
    return (
        f'<{tag} class="small"><span class="status {escape(decision.decision)}">'
        f"{escape(decision.decision)}</span> by {text(decision.reviewer)} at "
        f"{text(decision.at)}{note}</{tag}>"
    )


def _statements(line: dict) -> str:
    rows = "".join(
        f'<tr id="st-{escape(s["id"])}">'
        f"<td>{_relation(s)}</td>"
        f'<td class="nowrap">{text(day(s["article"]), "undated")}</td>'
        f"<td>{escape(s['text'])}"
        f'<div class="muted small">{article_link(s["article"], s.get("sentence"))}</div></td>'
        "</tr>"
        for s in line["statements"]
    )
    return (
        "<table><thead><tr><th>Relation to the claim</th><th>Date</th><th>Statement</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _decisions(decisions: list[Decision], by_id: dict[str, dict]) -> str:
    """The decisions, latest first; a conflict named by the texts of its two statements."""
    if not decisions:
        return '<p class="muted">None yet.</p>'

    def said(sid: str) -> str:
        s = by_id.get(sid)
        return f"“{escape(short(s['text'], 90))}”" if s else f"<code>{escape(sid)}</code>"

    rows = "".join(
        "<tr>"
        f'<td class="nowrap">{text(d.at)}</td><td>{text(d.reviewer)}</td>'
        f"<td>{f'{said(d.conflict[0])} ↔ {said(d.conflict[1])}' if d.conflict else 'whole cluster'}"
        f"</td><td>{text(d.decision)}</td><td>{text(d.verdict)}</td><td>{text(d.note)}</td>"
        "</tr>"
        for d in reversed(decisions)
    )
    return (
        "<table><thead><tr><th>At</th><th>Reviewer</th><th>On</th><th>Decision</th>"
        f"<th>Verdict</th><th>Note</th></tr></thead><tbody>{rows}</tbody></table>"
    )
