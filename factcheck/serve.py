"""The local web page (``factcheck serve``): search claims, browse the last report, open a
cluster to see both sides of each conflict, and record decisions on it.

Standard library only. Pages are rendered on the server and decisions are plain form posts,
so the page needs no JavaScript. The articles are written by anyone, so every piece of their
text (and of the reviewers' notes) goes through ``html.escape`` before it reaches the HTML,
and the headers forbid inline scripts and styles as a second line of defence. Because a post
changes the shared decisions file, the server listens on this machine only unless told
otherwise, and refuses requests another site could make a browser send: a per-server token
in every form, the ``Origin`` of every post, and the ``Host`` of every request (DNS rebinding).
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import secrets
import socket
import threading
from collections.abc import Callable, Iterable
from datetime import date
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .corpus import Corpus
from .errors import FactcheckError
from .models import Match, shown_date
from .outlets import outlet_of
from .relations import VERDICT_KINDS, describe, evidence_spans
from .review import (
    DECISIONS,
    VERDICTS,
    ClusterState,
    Decision,
    ReviewError,
    Reviews,
    default_reviewer,
)

MAX_BODY = 64 * 1024  # a decision form is a few hundred bytes
DRAIN_LIMIT = 1 << 20  # read at most this much of a refused body, so the client gets the answer
SEARCH_K, MAX_K = 10, 50
STATIC = {"style.css": "text/css; charset=utf-8"}  # the only files /static/ serves
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
COLOURS = {"claim": "#1f5fbf", "agrees": "#2e8b57", "contradicts": "#c62828", "related": "#8a94a6"}
BUTTONS = {"confirmed": "Confirm", "dismissed": "Dismiss", "needs-work": "Needs work"}


class ServeError(FactcheckError):
    """The page cannot be served as asked: an address open to others, a port in use."""


class _Refused(Exception):
    """A request answered with an error page (its message is shown, escaped)."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and addresses of this machine only (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# -- the server ----------------------------------------------------------------------------


class App:
    """What the request threads share: the open index, the decisions file, the form token,
    and a lock, since the index has one SQLite connection and one loaded model."""

    def __init__(self, index: Path, decisions: Path) -> None:
        self.corpus = Corpus.open(index, create=False)
        try:
            self.decisions = decisions
            self.csrf = secrets.token_urlsafe(32)
            self.lock = threading.Lock()
            self.reviewer = default_reviewer()
            web = files("factcheck").joinpath("web")
            self.static = {name: web.joinpath(name).read_bytes() for name in STATIC}
            _ = self.corpus.embedder  # loaded once now, not on the first search
            self.reviews()  # an unreadable decisions file stops the start, with its message
        except BaseException:
            self.corpus.close()
            raise

    def reviews(self) -> Reviews:
        """Opened per request (under the lock): picks up a decisions file changed meanwhile."""
        return Reviews(self.corpus.store, self.decisions)

    def close(self) -> None:
        self.corpus.close()


class Server(ThreadingHTTPServer):
    """The HTTP server with its ``App``; ``server_close`` also closes the index."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: App, allow_remote: bool) -> None:
        self.app = app
        self.allow_remote = allow_remote
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{host}:{port}/"

    def server_close(self) -> None:
        super().server_close()
        self.app.close()


def make_server(
    index: Path,
    decisions: Path,
    host: str = "127.0.0.1",
    port: int = 8765,
    allow_remote: bool = False,
) -> Server:
    """A server bound to ``host``:``port`` (0: any free port, see ``Server.url``), not yet
    serving: call ``serve_forever`` (in a thread, for tests), then ``shutdown`` and
    ``server_close``. Any address but this machine's own needs ``allow_remote``: whoever
    reaches the page can read the index and change the decisions."""
    if not allow_remote and not is_loopback(host):
        raise ServeError(
            f"{host!r} is not an address of this machine only: anyone who can reach it could "
            "read the index and record decisions. Use 127.0.0.1 (the default), or "
            "--allow-remote if that is what you want"
        )
    app = App(Path(index), Path(decisions))
    try:
        return Server((host, port), app, allow_remote)
    except OSError as exc:
        app.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def serve(
    index: Path,
    decisions: Path,
    host: str = "127.0.0.1",
    port: int = 8765,
    allow_remote: bool = False,
    on_start: Callable[[str], None] | None = None,
) -> None:
    """Serve the page until interrupted (Ctrl+C); ``on_start`` gets its URL once listening."""
    server = make_server(index, decisions, host, port, allow_remote)
    with server, contextlib.suppress(KeyboardInterrupt):
        if on_start:
            on_start(server.url)
        server.serve_forever()


class Handler(BaseHTTPRequestHandler):
    """Routes: ``/``, ``/search``, ``/cluster/<id>``, ``/static/<name>``, ``POST /decide``."""

    server: Server
    server_version = "factcheck"
    timeout = 30  # a client that stops sending mid-request frees its thread

    def do_GET(self) -> None:
        self._handle(self._get)

    def do_POST(self) -> None:
        self._handle(self._post)

    def _handle(self, route: Callable[[], None]) -> None:
        """Run ``route``, turning refusals and errors a user can act on into pages."""
        try:
            self._check_host()
            route()
        except _Refused as exc:
            self._page(exc.status, exc.status.phrase, f"<p>{escape(str(exc))}</p>")
        except (FactcheckError, ValueError) as exc:
            self._page(HTTPStatus.BAD_REQUEST, "Cannot do that", f"<p>{escape(str(exc))}</p>")
        except Exception as exc:
            self.log_error("%s on %s: %r", type(exc).__name__, self.path, exc)
            self._page(HTTPStatus.INTERNAL_SERVER_ERROR, "Error", "<p>Something went wrong.</p>")

    def _check_host(self) -> None:
        """A page on this machine answers only to this machine's names, so a site whose name
        was made to point here (DNS rebinding) cannot read it or get its form token."""
        host = self.headers.get("Host")
        if self.server.allow_remote or host is None:
            return
        try:
            hostname = urlsplit("//" + host).hostname
        except ValueError:
            hostname = None
        if not hostname or not is_loopback(hostname):
            raise _Refused(HTTPStatus.BAD_REQUEST, f"this page is not served as {host!r}")

    def _get(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, max_num_fields=16).items()}
        app = self.server.app
        if url.path.startswith("/static/"):
            name = url.path.removeprefix("/static/")
            if name not in STATIC:  # exact names only: nothing sent reaches the file system
                raise _Refused(HTTPStatus.NOT_FOUND, "no such file")
            self._send(HTTPStatus.OK, app.static[name], STATIC[name])
        elif url.path == "/":
            with app.lock:
                reviews = app.reviews()
                lines, states, skipped = reviews.clusters(), reviews.states(), reviews.skipped
            self._ok("Contested claims", render_skipped(skipped) + render_index(lines, states))
        elif url.path == "/search":
            claim = query.get("q", "").strip()
            k = _int(query.get("k"), SEARCH_K, 1, MAX_K)
            matches: list[Match] = []
            with app.lock:
                if claim:
                    matches = app.corpus.find(claim, k=k)
                lines = app.reviews().clusters()
            self._ok(f"Search: {claim}", render_search(claim, matches, lines), claim)
        elif url.path.startswith("/cluster/"):
            cluster = unquote(url.path.removeprefix("/cluster/"))
            with app.lock:
                line = app.corpus.store.report_line(cluster)
                if line is None:
                    raise _Refused(
                        HTTPStatus.NOT_FOUND, f"no cluster {cluster!r} in the last report"
                    )
                reviews = app.reviews()
                state, decisions = reviews.state(cluster), reviews.decisions(cluster)
            body = render_cluster(line, state, decisions, app.csrf, app.reviewer)
            self._ok(line["claim"]["text"], body)
        else:
            raise _Refused(HTTPStatus.NOT_FOUND, "no such page")

    def _post(self) -> None:
        if urlsplit(self.path).path != "/decide":
            raise _Refused(HTTPStatus.NOT_FOUND, "no such page")
        self._check_origin()
        form = self._form()
        if not hmac.compare_digest(form.get("csrf", "").encode(), self.server.app.csrf.encode()):
            raise _Refused(
                HTTPStatus.FORBIDDEN,
                "the form's token is missing or out of date: reload the page and try again",
            )
        a, b = form.get("a") or None, form.get("b") or None
        if (a is None) != (b is None):
            raise ReviewError("a conflict needs both of its statement ids, a and b")
        decision = Decision(
            cluster=form.get("cluster", ""),
            decision=form.get("decision") or None,
            conflict=(a, b) if a and b else None,
            verdict=form.get("verdict") or None,
            note=form.get("note", "").strip() or None,
            reviewer=form.get("reviewer", "").strip() or self.server.app.reviewer,
        )
        with self.server.app.lock:
            self.server.app.reviews().record(decision)
        target = "/cluster/" + quote(decision.cluster, safe="")
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self._security_headers()
        self.end_headers()

    def _check_origin(self) -> None:
        """Browsers name the page a post comes from: it must be this server's own."""
        origin = self.headers.get("Origin")
        if origin is None:
            return
        host = self.headers.get("Host")
        if host is None or origin.lower() != f"http://{host}".lower():
            raise _Refused(HTTPStatus.FORBIDDEN, "a form from another site cannot post here")

    def _form(self) -> dict[str, str]:
        """The url-encoded body, at most ``MAX_BODY`` bytes; the last value of each field."""
        try:
            size = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            size = -1
        if size < 0:
            raise _Refused(HTTPStatus.BAD_REQUEST, "bad Content-Length")
        if size > MAX_BODY:
            self._drain(size)
            raise _Refused(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a form is at most {MAX_BODY:,} bytes"
            )
        try:
            text = self.rfile.read(size).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Refused(HTTPStatus.BAD_REQUEST, "the form is not UTF-8") from exc
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=32)
        return {k: v[-1] for k, v in fields.items()}

    def _drain(self, size: int) -> None:
        """Read (and drop) a refused body, so closing the socket does not reset it before
        the client reads the answer."""
        self.close_connection = True
        left = min(size, DRAIN_LIMIT)
        try:
            while left > 0 and (chunk := self.rfile.read(min(left, 65536))):
                left -= len(chunk)
        except OSError:
            pass

    # -- responses -------------------------------------------------------------------------

    def _ok(self, title: str, body: str, query: str = "") -> None:
        self._page(HTTPStatus.OK, title, body, query)

    def _page(self, status: HTTPStatus, title: str, body: str, query: str = "") -> None:
        if status != HTTPStatus.OK:
            body = f'<div class="card error"><h1>{escape(title)}</h1>{body}</div>'
        html = layout(title, body, query).encode("utf-8")
        self._send(status, html, "text/html; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self._security_headers()
        self.end_headers()
        self.wfile.write(body)

    def _security_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value), low), high) if value else default
    except ValueError:
        return default


# -- pages: every value from the index or a form goes through escape() -----------------------


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


def _text(value: object, empty: str = "—") -> str:
    """``value`` escaped; None or "" as ``empty``."""
    return escape(str(value)) if value not in (None, "") else empty


def _short(text: str, limit: int) -> str:
    """Cut before escaping, so an entity is never cut in half."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _source(article: dict) -> str | None:
    return outlet_of(article.get("source"), article.get("url"))


def _date(article: dict) -> str | None:
    return shown_date(article.get("date"), bool(article.get("date_inferred")))


def _cluster_href(cluster: str) -> str:
    return escape("/cluster/" + quote(cluster, safe=""))


def _article(article: dict) -> str:
    """Title (linked when its URL is http or https: never a ``javascript:`` one), source."""
    title = _text(article.get("title") or article.get("id"))
    url = article.get("url") or ""
    if urlsplit(url).scheme in ("http", "https"):
        title = f'<a href="{escape(url)}" rel="noopener noreferrer">{title}</a>'
    source = _source(article)
    return f"{title} · {_text(source)}" if source else title


def marked(text: str, phrases: Iterable[tuple[str, bool]]) -> str:
    """``text`` escaped, with each occurrence of each phrase (``agrees``: agreeing evidence)
    in ``<mark>``. The phrases are found in the raw text and every piece is escaped, so the
    result is the escaped text with the escaped evidence wrapped, and a phrase can never
    match inside an entity such as ``&amp;``."""
    out, pos = [], 0
    for start, end, agrees in evidence_spans(text, phrases):
        tag = '<mark class="agree">' if agrees else "<mark>"
        out += [escape(text[pos:start]), tag, escape(text[start:end]), "</mark>"]
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


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
        out += f' <span class="verdict">{_text(state.verdict.verdict)}</span>'
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


def render_index(lines: list[dict], states: dict[str, ClusterState]) -> str:
    """The contested clusters of the last report with where their review stands."""
    if not lines:
        return (
            "<h1>Contested claims</h1><p>The index holds no report yet, or it found nothing "
            "contested: run <code>factcheck report</code>, then reload.</p>"
        )
    rows = []
    for line in lines:
        state = states.get(line["id"], ClusterState())
        rows.append(
            "<tr>"
            f'<td class="nowrap"><a href="{_cluster_href(line["id"])}">'
            f"{escape(line['id'])}</a></td>"
            f"<td>{escape(line['claim']['text'])}</td>"
            f'<td class="num">{len(line["conflicts"])}</td>'
            f'<td class="num">{_text(line.get("articles"))}</td>'
            f'<td class="nowrap">{_text(line.get("first_seen"))}</td>'
            f'<td class="nowrap">{_text(line.get("last_seen"))}</td>'
            f"<td>{_text(', '.join(line.get('sources') or []))}</td>"
            f"<td>{_status(line, state)}</td>"
            "</tr>"
        )
    reviewed = sum(states.get(x["id"], ClusterState()).reviewed for x in lines)
    return (
        "<h1>Contested claims</h1>"
        f'<p class="muted">{len(lines)} clusters in the last report, {reviewed} reviewed. '
        "Search a claim above, or open a cluster to review it.</p>"
        "<table><thead><tr><th>Cluster</th><th>Claim</th><th>Conflicts</th><th>Articles</th>"
        "<th>First seen</th><th>Last seen</th><th>Sources</th><th>Status</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render_search(claim: str, matches: list[Match], lines: list[dict]) -> str:
    """The matches of ``claim``, each with the contested clusters its sentence is in."""
    if not claim:
        return "<h1>Search</h1><p>Type a claim in the box above.</p>"
    in_clusters: dict[tuple[str, str], list[dict]] = {}
    for line in lines:
        for s in line["statements"]:
            in_clusters.setdefault((s["article"]["id"], s["text"]), []).append(line)
    rows = []
    for m in matches:
        relation = escape(m.relation)
        phrases = [(e.get("match", ""), bool(e.get("agrees"))) for e in m.evidence]
        links = "".join(
            f'<a href="{_cluster_href(x["id"])}">{escape(x["id"])}</a> '
            f'<span class="muted small">({len(x["conflicts"])} conflicts)</span><br>'
            for x in in_clusters.get((m.article.id, m.text), [])
        )
        rows.append(
            "<tr>"
            f'<td><span class="rel {relation}">{relation}</span></td>'
            f'<td class="num">{m.score:.3f}</td>'
            f'<td class="nowrap">{_text(m.article.shown_date, "undated")}</td>'
            f"<td>{_text(_source(vars(m.article)))}</td>"
            f"<td>{marked(m.text, phrases)}"
            f'<div class="muted small">{_article(vars(m.article))}</div></td>'
            f"<td>{links or '—'}</td>"
            "</tr>"
        )
    if not rows:
        return f"<h1>Search: “{escape(claim)}”</h1><p>No sentence of the index matches.</p>"
    return (
        f"<h1>Search: “{escape(claim)}”</h1>"
        f'<p class="muted">The {len(rows)} closest sentences, with their relation to the claim '
        "and the contested clusters they are in.</p>"
        "<table><thead><tr><th>Relation</th><th>Score</th><th>Date</th><th>Source</th>"
        "<th>Sentence</th><th>In report</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render_cluster(
    line: dict, state: ClusterState, decisions: list[Decision], csrf: str, reviewer: str
) -> str:
    """The claim, each conflict side by side with its evidence marked and its decision
    buttons, the timeline picture, the cluster's verdict form, and the decisions so far."""
    cid = line["id"]
    by_id = {s["id"]: s for s in line["statements"]}
    hidden = (
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        f'<input type="hidden" name="cluster" value="{escape(cid)}">'
    )
    fields = (
        '<input type="text" name="note" placeholder="Note" aria-label="Note">'
        f'<input type="text" name="reviewer" value="{escape(reviewer)}" aria-label="Reviewer">'
    )
    conflicts = []
    for c in line["conflicts"]:
        a, b = by_id.get(c["a"]), by_id.get(c["b"])
        if a is None or b is None:
            continue
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
        conflicts.append(
            '<section class="card conflict">'
            '<div class="pair">'
            f"{_side(a, side_a)}{_side(b, side_b)}"
            "</div>"
            f'<p class="evidence">Evidence: {evidence or "—"} · similarity {c["score"]:.3f}</p>'
            f"{_current(current)}"
            '<form method="post" action="/decide" class="decide conflict">'
            f"{hidden}"
            f'<input type="hidden" name="a" value="{escape(c["a"])}">'
            f'<input type="hidden" name="b" value="{escape(c["b"])}">'
            f"{fields}{buttons}"
            "</form>"
            "</section>"
        )
    chosen = state.verdict.verdict if state.verdict is not None else None
    options = '<option value="">— no verdict —</option>' + "".join(
        f'<option value="{v}"{" selected" if v == chosen else ""}>{v}</option>' for v in VERDICTS
    )
    cluster_form = (
        '<form method="post" action="/decide" class="decide cluster">'
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
        f"{len(line['statements'])} statements from {_text(line.get('articles'))} articles · "
        f"first seen {_text(line.get('first_seen'))} · last seen "
        f"{_text(line.get('last_seen'))} · sources {_text(', '.join(line.get('sources') or []))}"
        "</p>"
        f'<h1 class="claim">{escape(line["claim"]["text"])}</h1>'
        f"<p>{_status(line, state)}</p>"
        "<h2>Timeline</h2>"
        f"{timeline_svg(line)}"
        f"<h2>Conflicts ({len(conflicts)})</h2>"
        f"{''.join(conflicts)}"
        "<h2>The whole cluster</h2>"
        '<section class="card">'
        f"{_current(state.decision)}"
        '<p class="muted small">Publishing needs a confirmed cluster (or conflict) and a '
        "verdict, chosen here.</p>"
        f"{cluster_form}"
        "</section>"
        "<h2>Statements</h2>"
        f"{_statements(line)}"
        "<h2>Decisions recorded</h2>"
        f"{_decisions(decisions)}"
    )


def _side(statement: dict, phrases: list[tuple[str, bool]]) -> str:
    article = statement["article"]
    relation = statement.get("relation") or "claim"
    return (
        '<div class="side">'
        f'<div class="meta"><span class="rel {escape(relation)}">{escape(relation)}</span> · '
        f"{_text(_date(article), 'undated')} · {_article(article)}</div>"
        f"<div>{marked(statement['text'], phrases)}</div>"
        "</div>"
    )


def _current(decision: Decision | None) -> str:
    if decision is None or decision.decision is None:
        return '<p class="muted small">Not decided yet.</p>'
    note = f" — {escape(decision.note)}" if decision.note else ""
    return (
        f'<p class="small"><span class="status {escape(decision.decision)}">'
        f"{escape(decision.decision)}</span> by {_text(decision.reviewer)} at "
        f"{_text(decision.at)}{note}</p>"
    )


def _statements(line: dict) -> str:
    rows = []
    for s in line["statements"]:
        relation = escape(s.get("relation") or "claim")
        rows.append(
            "<tr>"
            f'<td><span class="rel {relation}">{relation}</span></td>'
            f'<td class="nowrap">{_text(_date(s["article"]), "undated")}</td>'
            f"<td>{escape(s['text'])}"
            f'<div class="muted small">{_article(s["article"])}</div></td>'
            "</tr>"
        )
    return (
        "<table><thead><tr><th>Relation to the claim</th><th>Date</th><th>Statement</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _decisions(decisions: list[Decision]) -> str:
    if not decisions:
        return '<p class="muted">None yet.</p>'
    rows = "".join(
        "<tr>"
        f'<td class="nowrap">{_text(d.at)}</td><td>{_text(d.reviewer)}</td>'
        f"<td>{escape(' ↔ '.join(d.conflict)) if d.conflict else 'whole cluster'}</td>"
        f"<td>{_text(d.decision)}</td><td>{_text(d.verdict)}</td><td>{_text(d.note)}</td>"
        "</tr>"
        for d in reversed(decisions)
    )
    return (
        "<table><thead><tr><th>At</th><th>Reviewer</th><th>On</th><th>Decision</th>"
        f"<th>Verdict</th><th>Note</th></tr></thead><tbody>{rows}</tbody></table>"
    )


# -- the timeline picture ------------------------------------------------------------------

WIDTH, MARGIN, UNDATED_WIDTH, ROW, DOT = 960, 40, 210, 24, 6
CHAR_WIDTH = 6.2  # of the 11 px label font, on average: enough to keep labels apart
LABEL_CHARS = 28
LABEL_ROOM = 2 * DOT + CHAR_WIDTH * LABEL_CHARS  # kept free right of the last date's dot


def timeline_svg(line: dict) -> str:
    """The statements as dots on a date axis, coloured by their relation to the claim, the
    undated ones in a panel of their own; each dot's full text in its tooltip. Labels are
    stacked in rows so that none overlaps another."""
    statements = {s["id"]: s for s in line["statements"]}
    dated: list[tuple[date, dict]] = []
    undated: list[dict] = []
    for entry in line["timeline"]:
        s = statements.get(entry["statement"])
        if s is None:
            continue
        try:
            dated.append((date.fromisoformat(entry["date"]), s))
        except (TypeError, ValueError):
            undated.append(s)
    right = WIDTH - MARGIN - (UNDATED_WIDTH if undated else 0)
    first = min((d for d, _ in dated), default=None)
    last = max((d for d, _ in dated), default=None)

    def x_of(day: date) -> float:
        if first is None or last is None or first == last:
            return (MARGIN + right) / 2
        return MARGIN + (day - first).days / (last - first).days * (right - MARGIN - LABEL_ROOM)

    # Each label takes a row (above the axis) where it does not overlap a label already there.
    rows: list[list[tuple[float, float]]] = []
    placed = []
    for day, s in sorted(dated, key=lambda x: (x[0], x[1]["id"])):
        x = x_of(day)
        label = _label(s)
        span = (x - DOT, x + 2 * DOT + CHAR_WIDTH * len(label))
        row = next(
            (i for i, r in enumerate(rows) if all(span[0] > e or span[1] < b for b, e in r)),
            len(rows),
        )
        if row == len(rows):
            rows.append([])
        rows[row].append(span)
        placed.append((x, row, label, s))
    height_rows = max(len(rows), len(undated), 1)
    axis = 34 + height_rows * ROW
    height = axis + 70
    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} '
        f'{height}" width="{WIDTH}" height="{height}" font-size="11" font-family="sans-serif" '
        'role="img" '
        f'aria-label="Timeline of the {len(statements)} statements">'
    ]
    if dated:
        parts.append(f'<line x1="{MARGIN}" y1="{axis}" x2="{right}" y2="{axis}" stroke="#5d6778"/>')
    else:
        parts.append(f'<text class="axis" x="{MARGIN}" y="{axis}">no dated statement</text>')
    ticks = sorted({d for d, _ in dated})
    for i, day in enumerate(ticks):
        x = x_of(day)
        y = axis + 16 + (14 if i % 2 and len(ticks) > 2 else 0)
        parts.append(
            f'<line x1="{x:.1f}" y1="{axis - 3}" x2="{x:.1f}" y2="{axis + 3}" stroke="#5d6778"/>'
            f'<text class="axis" x="{x:.1f}" y="{y}" text-anchor="middle">{day.isoformat()}</text>'
        )
    for x, row, label, s in placed:
        y = axis - 20 - row * ROW
        parts.append(
            f'<line x1="{x:.1f}" y1="{axis}" x2="{x:.1f}" y2="{y}" stroke="#c5ccd8"/>'
            + _dot(x, y, label, s)
        )
    if undated:
        left = WIDTH - MARGIN - UNDATED_WIDTH + 20
        parts.append(
            f'<line x1="{left - 12}" y1="10" x2="{left - 12}" y2="{axis + 10}" '
            'stroke="#c5ccd8" stroke-dasharray="4 3"/>'
            f'<text class="axis" x="{left}" y="{axis + 16}">undated</text>'
        )
        for i, s in enumerate(sorted(undated, key=lambda s: s["id"])):
            parts.append(_dot(left, axis - 20 - i * ROW, _label(s), s))
    legend_y = height - 14
    for i, (name, colour) in enumerate(COLOURS.items()):
        x = MARGIN + i * 110
        parts.append(
            f'<circle cx="{x}" cy="{legend_y - 4}" r="{DOT - 1}" fill="{colour}"/>'
            f'<text x="{x + 10}" y="{legend_y}">{name}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _label(statement: dict) -> str:
    article = statement["article"]
    return _short(_source(article) or article.get("title") or article["id"], LABEL_CHARS)


def _dot(x: float, y: float, label: str, statement: dict) -> str:
    relation = statement.get("relation") or "claim"
    colour = COLOURS.get(relation, COLOURS["related"])
    article = statement["article"]
    tip = f"{_date(article) or 'undated'} · {_label(statement)}: {statement['text']}"
    return (
        f'<circle class="dot {escape(relation)}" cx="{x:.1f}" cy="{y}" r="{DOT}" '
        f'fill="{colour}"><title>{escape(tip)}</title></circle>'
        f'<text x="{x + 2 * DOT:.1f}" y="{y + 4}">{escape(label)}</text>'
    )
