"""The review desk (``factcheck serve``): search claims with the filters of ``find``, browse
the last report, read a statement in its article, and decide on a cluster's conflicts.

This module is what the desk does; ``factcheck.web`` holds how: HTTP and its safety checks
(``web.server``), the pages (``web.pages``) and the timeline (``web.timeline``).

Pages and searches do not wait for each other. Pages and decisions use one SQLite
connection under a lock held for milliseconds; searches use another copy of the index, one at
a time (the model is one per process, and a search keeps the CPU busy), with at most
``SEARCHES`` in flight: a search beyond those is answered 503 at once, so searches can hold
at most that many of the server's workers and the rest always serve pages.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable
from http import HTTPStatus
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .corpus import Corpus
from .filters import Filters
from .models import Match
from .review import ClusterState, Decision, ReviewError, Reviews, default_reviewer
from .web import pages
from .web.server import (
    QUEUE,
    WORKERS,
    Handler,
    PoolServer,
    Refused,
    ServeError,
    check_bind,
    is_loopback,
)

__all__ = ["ServeError", "is_loopback", "make_server", "serve"]

SEARCHES = WORKERS // 2  # searches in flight (one running, the others waiting for it)
STATIC = {"style.css": "text/css; charset=utf-8"}  # the only files /static/ serves
HTML = "text/html; charset=utf-8"


class App:
    """What the workers share: the index opened twice (pages and decisions; searches), the
    decisions file, the form token, and the locks that keep each SQLite connection to one
    thread at a time."""

    def __init__(self, index: Path, decisions: Path) -> None:
        self.corpus = Corpus.open(index, create=False)
        try:
            self.searcher = Corpus.open(index, create=False)
        except BaseException:
            self.corpus.close()
            raise
        try:
            self.decisions = decisions
            self.csrf = secrets.token_urlsafe(32)
            self.lock = threading.Lock()  # pages and decisions
            self.search_lock = threading.Lock()  # the search in progress
            self.searches = threading.BoundedSemaphore(SEARCHES)  # in flight
            self.reviewer = default_reviewer()
            web = files("factcheck").joinpath("web")
            self.static = {name: web.joinpath(name).read_bytes() for name in STATIC}
            _ = self.searcher.embedder  # loaded once now, not on the first search
            self.reviews()  # an unreadable decisions file stops the start, with its message
        except BaseException:
            self.close()
            raise

    def reviews(self) -> Reviews:
        """Opened per request (under the lock): picks up a decisions file changed meanwhile."""
        return Reviews(self.corpus.store, self.decisions)

    def search(self, claim: str, k: int, filters: Filters, relation: str | None) -> list[Match]:
        """``Corpus.find`` on the searchers' copy of the index, or 503 when ``SEARCHES`` are
        in flight already."""
        if not self.searches.acquire(blocking=False):
            raise Refused(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "too many searches at once: try again in a moment",
                retry_after=1,
            )
        try:
            with self.search_lock:
                return self.searcher.find(claim, k=k, filters=filters, relation=relation)
        finally:
            self.searches.release()

    def close(self) -> None:
        self.corpus.close()
        self.searcher.close()


class Server(PoolServer):
    """The desk's server with its ``App``; ``server_close`` also closes the index."""

    def __init__(
        self,
        address: tuple[str, int],
        app: App,
        allow_remote: bool,
        workers: int = WORKERS,
        queue_size: int = QUEUE,
    ) -> None:
        self.app = app
        super().__init__(address, DeskHandler, allow_remote, workers, queue_size)

    def server_close(self) -> None:
        super().server_close()
        self.app.close()


def make_server(
    index: Path,
    decisions: Path,
    host: str = "127.0.0.1",
    port: int = 8765,
    allow_remote: bool = False,
    workers: int = WORKERS,
    queue_size: int = QUEUE,
) -> Server:
    """A server bound to ``host``:``port`` (0: any free port, see ``Server.url``), its
    workers started, not yet accepting: call ``serve_forever`` (in a thread, for tests), then
    ``shutdown`` and ``server_close``. Any address but this machine's own needs
    ``allow_remote``: whoever reaches the page can read the index and change the decisions.
    ``workers`` threads answer the requests, of which at most ``queue_size`` wait."""
    check_bind(host, allow_remote)
    app = App(Path(index), Path(decisions))
    try:
        return Server((host, port), app, allow_remote, workers, queue_size)
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


class DeskHandler(Handler):
    """Routes: ``/``, ``/search``, ``/cluster/<id>``, ``/article/<id>``,
    ``/static/<name>``, ``POST /decide``."""

    server: Server
    default_type = HTML

    def error_page(self, status: HTTPStatus, message: str) -> bytes:
        return pages.layout(status.phrase, pages.error(status.phrase, message)).encode("utf-8")

    def page(self, title: str, body: str, query: str = "") -> None:
        self.send(HTTPStatus.OK, pages.layout(title, body, query).encode("utf-8"), HTML)

    def get(self) -> None:
        path = urlsplit(self.path).path
        query = self.query()
        app = self.server.app
        if path.startswith("/static/"):
            name = path.removeprefix("/static/")
            if name not in STATIC:  # exact names only: nothing sent reaches the file system
                raise Refused(HTTPStatus.NOT_FOUND, "no such file")
            self.send(HTTPStatus.OK, app.static[name], STATIC[name])
        elif path == "/":
            with app.lock:
                reviews = app.reviews()
                lines, states, skipped = reviews.clusters(), reviews.states(), reviews.skipped
            body = pages.render_index(lines, states, pages.ListView.of(query))
            self.page("Contested claims", pages.render_skipped(skipped) + body)
        elif path == "/search":
            self._search(query)
        elif path.startswith("/cluster/"):
            cluster = unquote(path.removeprefix("/cluster/"))
            with app.lock:
                line = app.corpus.store.report_line(cluster)
                if line is None:
                    raise Refused(
                        HTTPStatus.NOT_FOUND, f"no cluster {cluster!r} in the last report"
                    )
                reviews = app.reviews()
                state, decisions = reviews.state(cluster), reviews.decisions(cluster)
            body = pages.render_cluster(line, state, decisions, app.csrf, app.reviewer)
            self.page(line["claim"]["text"], body)
        elif path.startswith("/article/"):
            article_id = unquote(path.removeprefix("/article/"))
            with app.lock:
                article = app.corpus.store.article(article_id)
            if article is None:
                raise Refused(HTTPStatus.NOT_FOUND, f"no article {article_id!r} in the index")
            focus = _int(query.get("s"), -1, -1, 1 << 31)
            body = pages.render_article(article, focus if focus >= 0 else None)
            self.page(article.get("title") or article_id, body)
        else:
            raise Refused(HTTPStatus.NOT_FOUND, "no such page")

    def _search(self, query: dict[str, str]) -> None:
        """``find`` with its filters (a bad date is a 400 naming it), then the clusters."""
        claim = query.get("q", "").strip()
        k = _int(query.get("k"), pages.SEARCH_K, 1, pages.MAX_K)
        relation = "contradicts" if query.get("relation") == "contradicts" else None
        filters = Filters(
            since=query.get("since") or None,
            until=query.get("until") or None,
            source=query.get("source") or None,
            lang=query.get("lang") or None,
            inferred_dates=query.get("inferred") != "no",
        )
        app = self.server.app
        matches = app.search(claim, k, filters, relation) if claim else []
        with app.lock:
            lines = app.reviews().clusters()
        self.page(f"Search: {claim}", pages.render_search(query, k, matches, lines), claim)

    def post(self) -> None:
        if urlsplit(self.path).path != "/decide":
            raise Refused(HTTPStatus.NOT_FOUND, "no such page")
        app = self.server.app
        form = self.check_post(app.csrf)
        a, b = form.get("a") or None, form.get("b") or None
        if (a is None) != (b is None):
            raise ReviewError("a conflict needs both of its statement ids, a and b")
        cluster = form.get("cluster", "")
        note = form.get("note", "").strip() or None
        reviewer = form.get("reviewer", "").strip() or app.reviewer
        with app.lock:
            reviews = app.reviews()
            line = app.corpus.store.report_line(cluster)
            if form.get("scope") == "undecided" and line is not None:
                left = pages.undecided(line, reviews.state(cluster))
                if not left:
                    raise ReviewError("every conflict of this cluster is decided already")
                reviews.record_many(
                    [
                        Decision(
                            cluster=cluster,
                            decision=form.get("decision") or None,
                            conflict=(line["conflicts"][i - 1]["a"], line["conflicts"][i - 1]["b"]),
                            note=note,
                            reviewer=reviewer,
                        )
                        for i in left
                    ]
                )
                anchor = "cluster"
            else:
                reviews.record(
                    Decision(
                        cluster=cluster,
                        decision=form.get("decision") or None,
                        conflict=(a, b) if a and b else None,
                        verdict=form.get("verdict") or None,
                        note=note,
                        reviewer=reviewer,
                    )
                )
                anchor = _next(line, reviews.state(cluster), (a, b)) if line and a else "cluster"
        self.redirect(f"/cluster/{quote(cluster, safe='')}#{anchor}")


def _next(line: dict, state: ClusterState, pair: tuple[str | None, str | None]) -> str:
    """Where the reviewer goes after deciding ``pair``: the next conflict no one has decided
    (after it, else from the top), else the cluster's verdict."""
    left = pages.undecided(line, state)
    here = next((i for i, c in enumerate(line["conflicts"], 1) if {c["a"], c["b"]} == set(pair)), 0)
    after = [i for i in left if i > here] or left
    return f"c{after[0]}" if after else "cluster"


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value), low), high) if value else default
    except ValueError:
        return default
