"""The local web page: real index (the seeds, examples/contradictions and an article full of
markup), real model, real SQLite, a real server on a free port of 127.0.0.1, and a real
browser (Debian's Chromium driven by Playwright) for the review flow."""

from __future__ import annotations

import inspect
import json
import os
import re
import socket
import struct
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from factcheck import Corpus
from factcheck.filters import Filters
from factcheck.publish import publish_lines
from factcheck.review import Reviews
from factcheck.serve import SEARCHES, ServeError, Server, is_loopback, make_server, serve
from factcheck.web.markup import marked
from factcheck.web.server import SECURITY_HEADERS
from factcheck.web.timeline import timeline_svg

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "contradictions"
# The desk is tested on the planted clusters, whatever check-worthiness lets into a report.
EVERY_STATEMENT = Filters(min_checkworthy=0.0)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCRIPT = "<script>alert(1)</script>"
BOLD = "<b>bold</b>"
# Contradicts the 60 % (planted) and 70 % (seed) sentences: it joins their contested cluster,
# with markup in its title, its source and the sentence itself.
MARKUP_ARTICLE = f"""Title: Estimations {SCRIPT} {BOLD}
Date: 2022-02-07
Source: Le Site {BOLD}
Selon les estimations des services de renseignement américains {BOLD} {SCRIPT}, Poutine a \
rassemblé 50 % du personnel militaire et des armes nécessaires à une invasion à grande \
échelle de l'Ukraine.
Le Kremlin dément toute intention d'envahir son voisin.
"""
PLANTED = ("forces", "macron", "dialogue", "separatists", "markup")


@dataclass
class Site:
    url: str
    port: int
    index: Path
    decisions: Path
    clusters: dict[str, dict]  # report line by the id of the planted article in it
    csrf: str
    server: Server


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str


@pytest.fixture(scope="module")
def site(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The index built and reported once, served for the whole module."""
    root = tmp_path_factory.mktemp("serve")
    extra = root / "extra"
    extra.mkdir()
    (extra / "markup.txt").write_text(MARKUP_ARTICLE, encoding="utf-8")
    with Corpus.open(root / "index") as corpus:
        corpus.ingest([seeds_dir, EXAMPLES, extra])
        corpus.report(filters=EVERY_STATEMENT)
        lines = corpus.store.report_lines()
    clusters = {
        s["article"]["id"]: line
        for line in lines
        for s in line["statements"]
        if s["article"]["id"] in PLANTED
    }
    decisions = root / "claims" / "decisions.jsonl"
    server = make_server(root / "index", decisions, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(
            server.url, server.server_address[1], root / "index", decisions, clusters,
            server.app.csrf, server,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(
    site: Site, path: str, form: dict | bytes | None = None, headers: dict | None = None
) -> Response:
    """GET ``path`` (POST when ``form`` is given), redirects not followed."""
    data = urlencode(form).encode() if isinstance(form, dict) else form
    request = urllib.request.Request(site.url + path.lstrip("/"), data, headers or {})
    try:
        with _OPENER.open(request, timeout=60) as r:
            return Response(r.status, dict(r.headers), r.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        return Response(exc.code, dict(exc.headers), exc.read().decode("utf-8"))


def _decisions(site: Site) -> list[dict]:
    if not site.decisions.exists():
        return []
    return [json.loads(x) for x in site.decisions.read_text(encoding="utf-8").splitlines()]


def _wait_until(done: Callable[[], bool]) -> None:
    """Poll ``done`` until it holds (a minute at most): a state to reach, not a timing."""
    deadline = time.monotonic() + 60
    while not done():
        assert time.monotonic() < deadline, "never reached"
        time.sleep(0.01)


def _conflict_form(site: Site, name: str, **fields: str) -> dict:
    line = site.clusters[name]
    conflict = line["conflicts"][0]
    return {"cluster": line["id"], "a": conflict["a"], "b": conflict["b"], **fields}


# -- binding ---------------------------------------------------------------------------------


def test_default_host_is_loopback() -> None:
    for function in (serve, make_server):
        assert inspect.signature(function).parameters["host"].default == "127.0.0.1"


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "192.168.1.20", "example.org", "localhost.example.org"]
)
def test_other_addresses_need_allow_remote(host: str, tmp_path: Path) -> None:
    with pytest.raises(ServeError, match="allow-remote"):
        make_server(tmp_path / "index", tmp_path / "decisions.jsonl", host=host, port=0)
    assert not (tmp_path / "index").exists()


def test_loopback_addresses() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.4.5.6", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "10.0.0.1", "example.org", ""]))


@pytest.mark.slow
def test_the_fixture_server_listens_on_loopback(site: Site) -> None:
    assert site.url.startswith("http://127.0.0.1:")


# -- pages -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_index_lists_the_contested_clusters_with_their_status(site: Site) -> None:
    page = fetch(site, "/")
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    for name, value in SECURITY_HEADERS.items():
        assert page.headers[name] == value
    assert 'action="/search"' in page.text and 'name="q"' in page.text
    forces = site.clusters["forces"]
    assert f'href="/cluster/{forces["id"]}"' in page.text
    assert "60 % du personnel militaire" in page.text
    assert forces["first_seen"] in page.text and forces["last_seen"] in page.text
    assert page.text.count('<a href="/cluster/') == len({x["id"] for x in site.clusters.values()})
    assert "unreviewed" in page.text


@pytest.mark.slow
def test_search_shows_matches_and_links_their_clusters(site: Site) -> None:
    page = fetch(site, "/search?q=" + quote("Poutine a rassemblé 60 % des forces"))
    assert page.status == 200
    assert "Poutine a rassemblé 60 % du personnel militaire" in page.text
    assert "Poutine a rassemblé 70 % du personnel militaire" in page.text
    assert re.search(r'class="rel (agrees|contradicts|related)"', page.text)
    assert f'href="/cluster/{site.clusters["forces"]["id"]}"' in page.text
    assert 'value="Poutine a rassemblé 60 % des forces"' in page.text  # kept in the box
    assert fetch(site, "/search?q=").status == 200
    assert fetch(site, "/search?q=" + "x" * 10_001).status == 400  # too long for a claim


@pytest.mark.slow
def test_cluster_page_shows_both_sides_the_timeline_and_the_forms(site: Site) -> None:
    line = site.clusters["dialogue"]
    page = fetch(site, f"/cluster/{line['id']}")
    assert page.status == 200
    assert "<mark>n&#x27;était pas ouverte</mark>" in page.text
    assert "<mark>restait ouverte</mark>" in page.text
    assert '<div class="pair">' in page.text
    assert page.text.count("<svg") == 1 and page.text.count('<circle class="dot') == len(
        line["statements"]
    )
    assert 'class="dot contradicts"' in page.text
    assert "2021-11-20" in page.text and "undated" in page.text
    assert f'name="csrf" value="{site.csrf}"' in page.text
    for value in ("confirmed", "dismissed", "needs-work"):
        assert f'name="decision" value="{value}"' in page.text
    for verdict in ("false", "misleading", "accurate", "unproven"):
        assert f'<option value="{verdict}"' in page.text
    assert f'name="a" value="{line["conflicts"][0]["a"]}"' in page.text


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/cluster/nope",
        "/static/../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2fserve.py",
        "/static/",
        "/static/nope.css",
        "/static/style.css/",
        "/static/STYLE.CSS",
    ],
)
def test_unknown_paths_are_404(site: Site, path: str) -> None:
    page = fetch(site, path)
    assert page.status == 404
    assert "root:" not in page.text
    assert page.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.slow
def test_static_serves_the_stylesheet(site: Site) -> None:
    page = fetch(site, "/static/style.css")
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/css; charset=utf-8"
    assert ".pair" in page.text


@pytest.mark.slow
def test_requests_for_another_host_name_are_refused(site: Site) -> None:
    """A name made to point at 127.0.0.1 (DNS rebinding) does not get the page."""
    assert fetch(site, "/", headers={"Host": f"evil.example:{site.port}"}).status == 400
    assert fetch(site, "/", headers={"Host": f"localhost:{site.port}"}).status == 200


@pytest.mark.slow
def test_concurrent_requests_share_the_index(site: Site) -> None:
    paths = [
        "/",
        "/search?q=" + quote("Poutine a rencontré Macron le 7 février"),
        f"/cluster/{site.clusters['macron']['id']}",
    ] * 4
    with ThreadPoolExecutor(max_workers=6) as pool:
        pages = list(pool.map(lambda path: fetch(site, path), paths))
    assert [p.status for p in pages] == [200] * len(paths)
    assert all("Macron" in p.text for p in pages)


@pytest.mark.slow
def test_head_answers_the_headers_of_get_without_the_body(site: Site) -> None:
    request = urllib.request.Request(site.url, method="HEAD")
    with _OPENER.open(request, timeout=60) as r:
        assert r.status == 200 and r.read() == b""
        length = int(r.headers["Content-Length"])
    assert length == len(fetch(site, "/").text.encode())


@pytest.mark.slow
def test_searches_never_block_pages_and_too_many_get_503(site: Site) -> None:
    """20 searches at once while the search in progress is held: the ones beyond
    ``SEARCHES`` are answered 503 at once, and the home page still answers."""
    app = site.server.app
    claims = [f"Poutine a rassemblé {n} % des forces" for n in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        with app.search_lock:  # the search in progress, held: searches wait or are refused
            futures = [pool.submit(fetch, site, "/search?q=" + quote(c)) for c in claims]
            refused = len(claims) - SEARCHES
            _wait_until(lambda: sum(f.done() for f in futures) == refused)
            home = fetch(site, "/")
            cluster = fetch(site, f"/cluster/{site.clusters['macron']['id']}")
            assert home.status == 200 and "Contested claims" in home.text
            assert cluster.status == 200
            assert sum(f.done() for f in futures) == refused  # the others still wait
        answers = [f.result() for f in futures]
    statuses = [a.status for a in answers]
    assert statuses.count(200) == SEARCHES and statuses.count(503) == len(claims) - SEARCHES
    busy = next(a for a in answers if a.status == 503)
    assert busy.headers["Retry-After"] == "1" and "too many searches" in busy.text


@pytest.mark.slow
def test_a_full_queue_is_answered_503(site: Site) -> None:
    """One worker held by a client that never finishes its request, one such client
    waiting: the next connection finds the queue full."""
    server = make_server(site.index, site.decisions, port=0, workers=1, queue_size=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stalled = []
    try:
        for waiting in (0, 1):
            stalled.append(socket.create_connection(server.server_address[:2], timeout=10))
            stalled[-1].sendall(b"GET / HTTP/1.0\r\n")  # and never the end of the headers
            _wait_until(  # taken by the worker, then waiting in the queue
                lambda w=waiting: (
                    (server.waiting.qsize(), server.waiting.unfinished_tasks) == (w, len(stalled))
                )
            )
        busy = fetch(Site(server.url, 0, site.index, site.decisions, {}, "", server), "/")
        assert busy.status == 503 and busy.headers["Retry-After"] == "1"
        for s in stalled:
            s.close()
        server.waiting.join()
        again = fetch(Site(server.url, 0, site.index, site.decisions, {}, "", server), "/")
        assert again.status == 200
    finally:
        for s in stalled:
            s.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.slow
def test_a_client_that_leaves_early_is_no_error(site: Site, capfd: pytest.CaptureFixture) -> None:
    claim = quote("Poutine a rassemblé 60 % des forces")
    client = socket.create_connection(("127.0.0.1", site.port), timeout=10)
    client.sendall(f"GET /search?q={claim} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
    client.close()
    err = ""

    def noted() -> bool:
        nonlocal err
        err += capfd.readouterr().err
        return "the client left before its answer" in err  # one line instead

    _wait_until(noted)
    site.server.waiting.join()  # its worker is done with it
    err += capfd.readouterr().err
    assert "Traceback" not in err and '" 500 ' not in err and "Error" not in err
    assert fetch(site, "/").status == 200


@pytest.mark.slow
def test_search_takes_the_filters_of_find_and_more_than_10_results(site: Site) -> None:
    claim = quote("Poutine a rassemblé 60 % des forces")
    page = fetch(site, f"/search?q={claim}&k=30")
    assert page.status == 200
    assert page.text.count('<tr><td><span class="rel') == 30
    assert 'href="/search?q=' in page.text and "k=50" in page.text  # "Show 50"
    assert "60 % du personnel militaire" in page.text
    later = fetch(site, f"/search?q={claim}&k=30&since=2022-02-07").text
    assert "60 % du personnel militaire" not in later  # its article is of 2022-02-06
    assert 'name="since" value="2022-02-07"' in later
    nowhere = fetch(site, f"/search?q={claim}&source=nowhere-at-all").text
    assert "No sentence of the index matches" in nowhere
    only = fetch(site, f"/search?q={claim}&k=30&relation=contradicts").text
    assert set(re.findall(r'<td><span class="rel (\w+)"', only)) == {"contradicts"}
    written = fetch(site, f"/search?q={claim}&since=2022&inferred=no")  # no inferred dates
    assert written.status == 200 and 'value="no" checked' in written.text
    bad = fetch(site, f"/search?q={claim}&until=2022-13")
    assert bad.status == 400 and "2022-13" in bad.text


@pytest.mark.slow
def test_a_statement_opens_its_article_with_the_sentence_marked(site: Site) -> None:
    line = site.clusters["dialogue"]
    cluster = fetch(site, f"/cluster/{line['id']}").text
    statement = line["statements"][0]
    index = statement["sentence"]["index"]
    link = f"/article/{quote(statement['article']['id'], safe='')}?s={index}#s{index}"
    assert f'href="{link.replace("&", "&amp;")}"' in cluster
    page = fetch(site, link.split("#")[0])
    assert page.status == 200
    marked_text = re.search(rf'<mark id="s{index}" class="sentence">(.*?)</mark>', page.text, re.S)
    assert marked_text and escape(statement["text"]) in marked_text.group(1)
    assert page.text.count("<mark") == 1 and 'class="sentence"' in page.text
    assert fetch(site, "/article/nope").status == 404


@pytest.mark.slow
def test_cluster_page_says_what_each_relation_is_relative_to(site: Site) -> None:
    line = site.clusters["dialogue"]
    page = fetch(site, f"/cluster/{line['id']}").text
    assert "A and B contradict each other" in page
    labels = {
        None: "the cluster&#x27;s claim",
        "contradicts": "contradicts the claim",
        "agrees": "agrees with the claim",
        "related": "related to the claim",
    }
    for s in line["statements"]:
        assert labels[s.get("relation")] in page
    assert '<textarea name="note"' in page and 'name="note" type="text"' not in page
    assert page.count('<button type="submit" disabled hidden') == page.count("<form method")


# -- decisions -------------------------------------------------------------------------------


@pytest.mark.slow
def test_post_without_the_right_token_is_refused(site: Site) -> None:
    before = _decisions(site)
    form = _conflict_form(site, "macron", decision="confirmed")
    assert fetch(site, "/decide", form).status == 403
    assert fetch(site, "/decide", {**form, "csrf": "guess"}).status == 403
    assert fetch(site, "/decide", {**form, "csrf": ""}).status == 403
    assert _decisions(site) == before


@pytest.mark.slow
def test_post_from_another_origin_is_refused(site: Site) -> None:
    before = _decisions(site)
    form = _conflict_form(site, "macron", decision="confirmed", csrf=site.csrf)
    for origin in ("http://evil.example", "null", f"http://localhost:{site.port + 1}"):
        assert fetch(site, "/decide", form, {"Origin": origin}).status == 403
    assert _decisions(site) == before


@pytest.mark.slow
def test_post_is_recorded_and_redirects_to_the_cluster(site: Site) -> None:
    line = site.clusters["dialogue"]
    note = "check the <i>speech</i> & its date"
    form = _conflict_form(
        site, "dialogue", decision="needs-work", note=note, reviewer="bob", csrf=site.csrf
    )
    own_origin = {"Origin": site.url.rstrip("/")}
    answer = fetch(site, "/decide", form, own_origin)
    assert answer.status == 303
    page, anchor = answer.headers["Location"].split("#")
    assert page == f"/cluster/{line['id']}"
    assert anchor == ("cluster" if len(line["conflicts"]) == 1 else "c2")  # the next to decide
    last = _decisions(site)[-1]
    assert last["cluster"] == line["id"] and last["decision"] == "needs-work"
    assert last["conflict"] == [form["a"], form["b"]]
    assert last["note"] == note and last["reviewer"] == "bob"
    page = fetch(site, f"/cluster/{line['id']}").text
    assert "check the &lt;i&gt;speech&lt;/i&gt; &amp; its date" in page
    assert "<i>speech</i>" not in page
    assert "needs-work" in fetch(site, "/").text


@pytest.mark.slow
def test_bad_decisions_are_a_400_with_the_message(site: Site) -> None:
    before = _decisions(site)
    cluster = {"cluster": "nope<b>x</b>", "decision": "confirmed", "csrf": site.csrf}
    page = fetch(site, "/decide", cluster)
    assert page.status == 400
    assert "no cluster &#x27;nope&lt;b&gt;x&lt;/b&gt;&#x27; in the last report" in page.text
    wrong = _conflict_form(site, "macron", decision="approved", csrf=site.csrf)
    assert fetch(site, "/decide", wrong).status == 400
    half = {**_conflict_form(site, "macron", decision="confirmed", csrf=site.csrf), "b": ""}
    assert "both of its statement ids" in fetch(site, "/decide", half).text
    verdict = _conflict_form(site, "macron", verdict="false", csrf=site.csrf)
    assert "whole cluster" in fetch(site, "/decide", verdict).text
    assert _decisions(site) == before


@pytest.mark.slow
def test_oversized_post_is_refused(site: Site) -> None:
    form = _conflict_form(site, "macron", decision="confirmed", csrf=site.csrf, note="x" * 70_000)
    assert fetch(site, "/decide", form).status == 413


# -- markup in the articles ------------------------------------------------------------------


@pytest.mark.slow
def test_markup_in_articles_is_shown_as_text(site: Site) -> None:
    cluster = site.clusters["markup"]
    assert cluster is site.clusters["forces"]  # contested together with the 60 % and 70 %
    pages = [
        fetch(site, "/").text,
        fetch(site, f"/cluster/{cluster['id']}").text,
        fetch(site, "/search?q=" + quote("Poutine a rassemblé 50 % du personnel")).text,
    ]
    for page in pages:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&lt;b&gt;bold" in page
        assert "<script" not in page.lower()
        assert BOLD not in page
    cluster_page = pages[1]
    assert "Estimations &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in (
        cluster_page
    )
    assert "Le Site &lt;b&gt;bold&lt;/b&gt;" in cluster_page
    assert "<mark>50 %</mark>" in cluster_page


# -- in a browser ----------------------------------------------------------------------------


@pytest.mark.slow
def test_review_in_a_browser(site: Site, tmp_path: Path) -> None:
    if not CHROMIUM.exists() and not os.environ.get("CI"):  # .ci/run installs it
        pytest.skip(f"no {CHROMIUM}: apt-get install chromium")
    from playwright import sync_api

    forces = site.clusters["forces"]
    dialogs: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(site.url)
            assert page.title() == "Contested claims · factcheck"
            page.fill('input[name="q"]', "Poutine a rassemblé 60 % des forces")
            with page.expect_navigation():
                page.press('input[name="q"]', "Enter")
            assert "/search?q=" in page.url
            assert page.locator("tbody tr").count() >= 3
            with page.expect_navigation():
                page.locator(f'a[href="/cluster/{forces["id"]}"]').first.click()

            # The markup of the planted article is text on the page, not elements.
            conflicts = page.locator("section.conflict")
            sync_api.expect(conflicts.get_by_text(SCRIPT).first).to_be_visible()
            sync_api.expect(conflicts.get_by_text(BOLD).first).to_be_visible()
            assert page.locator("main b, main script").count() == 0
            assert page.evaluate("document.scripts.length") == 0
            assert page.locator("svg.timeline circle.dot").count() == len(forces["statements"])

            conflict = page.locator("form.decide.conflict").first
            a = conflict.locator('input[name="a"]').input_value()
            b = conflict.locator('input[name="b"]').input_value()
            before = len(_decisions(site))
            note = conflict.locator('textarea[name="note"]')
            note.fill("60 % against 70 %")
            note.press("Enter")  # a new line in the note, not a decision
            conflict.locator('input[name="reviewer"]').fill("alice")
            conflict.locator('input[name="reviewer"]').press("Enter")  # nor here
            with page.expect_navigation():
                conflict.get_by_role("button", name="Confirm").click()
            assert len(_decisions(site)) == before + 1  # Enter confirmed nothing
            left = len(forces["conflicts"]) - 1
            assert page.url == site.url + f"cluster/{forces['id']}#{'c2' if left else 'cluster'}"
            sync_api.expect(page.locator("section.conflict").first).to_contain_text(
                "confirmed by alice"
            )

            cluster_form = page.locator("form.decide.cluster")
            cluster_form.locator('select[name="verdict"]').select_option("false")
            cluster_form.locator('input[name="reviewer"]').fill("alice")
            with page.expect_navigation():
                cluster_form.get_by_role("button", name="Confirm cluster").click()
            sync_api.expect(page.locator("h1 + p .verdict")).to_have_text("false")
            page.screenshot(path=str(tmp_path / "cluster.png"), full_page=True)
        finally:
            browser.close()
    assert dialogs == []

    mine = [d for d in _decisions(site) if d["cluster"] == forces["id"]]
    assert mine[0]["conflict"] == [a, b] and mine[0]["decision"] == "confirmed"
    assert mine[0]["note"] == "60 % against 70 %" and mine[0]["reviewer"] == "alice"
    assert "\n" not in mine[0]["note"]  # the Enter pressed at its end is stripped
    assert mine[-1]["conflict"] is None and mine[-1]["verdict"] == "false"
    with Corpus.open(site.index, create=False) as corpus:  # as `factcheck publish` would
        published = publish_lines(Reviews(corpus.store, site.decisions))
    assert [x["id"] for x in published] == [forces["id"]]
    assert published[0]["review"]["verdict"] == "false"
    assert published[0]["review"]["reviewer"] == "alice"


# -- the pieces of the pages, without a server -------------------------------------------------


def test_marked_escapes_the_text_and_wraps_the_evidence() -> None:
    text = 'Le <b>chef</b> a dit "60 %" & 60 % encore'
    html = marked(text, [("60 %", False), ("<b>chef</b>", True), ("absent", False)])
    assert html == (
        'Le <mark class="agree">&lt;b&gt;chef&lt;/b&gt;</mark> a dit &quot;<mark>60 %</mark>'
        "&quot; &amp; <mark>60 %</mark> encore"
    )
    assert marked("a & b", [("amp", False), ("", False)]) == "a &amp; b"  # never in an entity
    assert marked("abcdef", [("abcd", False), ("cdef", False)]) == "<mark>abcd</mark>ef"


def _line(*statements: tuple[str, str | None, str | None, str]) -> dict:
    """A report line with (id, date, relation, source) statements."""
    made = [
        {
            "id": sid,
            "text": f"{SCRIPT} statement {sid}",
            "relation": relation,
            "article": {"id": f"art-{sid}", "title": None, "date": day, "source": source},
        }
        for sid, day, relation, source in statements
    ]
    timeline = [{"date": s["article"]["date"], "statement": s["id"]} for s in made]
    return {"statements": made, "timeline": timeline}


def test_timeline_has_a_row_per_date_and_escaped_labels() -> None:
    svg = timeline_svg(
        _line(
            ("s1", "2022-02-06", None, f"{BOLD} news"),
            ("s2", "2022-02-06", "agrees", "same day"),
            ("s3", "2022-03-01", "contradicts", "later"),
            ("s4", None, "contradicts", "no date"),
            ("s5", "not a date", "related", "bad date"),
        )
    )
    assert svg.count('<circle class="dot') == 5
    assert svg.count('class="dot contradicts"') == 2 and 'class="dot claim"' in svg
    assert "&lt;b&gt;bold&lt;/b&gt; news" in svg and BOLD not in svg
    assert "&lt;script&gt;" in svg and "<script" not in svg
    assert "2022-02-06" in svg and "2022-03-01" in svg and ">undated<" in svg
    assert ">+23 d<" in svg  # the days between the two dates
    dots = {
        sid: (float(x), float(y))
        for sid, x, y in re.findall(
            r'href="#st-(\w+)"><circle class="dot \w+" cx="([\d.]+)" '
            r'cy="([\d.]+)"',
            svg,
        )
    }
    assert dots["s1"][1] == dots["s2"][1] and dots["s1"][0] != dots["s2"][0]  # one row
    assert dots["s3"][1] > dots["s1"][1]  # later is further down
    assert dots["s4"][1] == dots["s5"][1] > dots["s3"][1]  # undated: the last row


def test_timeline_without_dates() -> None:
    svg = timeline_svg(_line(("s1", None, None, "a"), ("s2", None, "contradicts", "b")))
    assert "no dated statement" in svg and svg.count('<circle class="dot') == 2


def test_timeline_of_40_statements_keeps_its_labels_apart() -> None:
    """40 statements over 12 dates: 12 rows, each with one line of grouped sources."""
    statements = [
        (
            f"s{i}",
            f"2022-02-{1 + i % 12:02d}",
            "contradicts" if i % 3 else "agrees",
            f"Outlet {i % 3}",
        )
        for i in range(40)
    ]
    svg = timeline_svg(_line(*statements))
    assert svg.count('<circle class="dot') == 40
    labels = re.findall(r'<text class="sources" x="[\d.]+" y="([\d.]+)">([^<]*)<', svg)
    assert len(labels) == 12 and len({y for y, _ in labels}) == 12  # one row per date
    assert all("×" in text for _, text in labels)  # a source seen twice is named once
    height = int(re.search(r'height="(\d+)"', svg).group(1))
    assert height < 14 * 40  # fewer rows than statements
