"""The local web page: real index (the seeds, examples/contradictions and an article full of
markup), real model, real SQLite, a real server on a free port of 127.0.0.1, and a real
browser (Debian's Chromium driven by Playwright) for the review flow."""

from __future__ import annotations

import inspect
import json
import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from factcheck import Corpus
from factcheck.publish import publish_lines
from factcheck.review import Reviews
from factcheck.serve import (
    SECURITY_HEADERS,
    ServeError,
    is_loopback,
    make_server,
    marked,
    serve,
    timeline_svg,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "contradictions"
CHROMIUM = Path("/usr/bin/chromium")
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
        corpus.report()
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
            server.app.csrf,
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
    assert answer.headers["Location"] == f"/cluster/{line['id']}"
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
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
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
            conflict.locator('input[name="note"]').fill("60 % against 70 %")
            conflict.locator('input[name="reviewer"]').fill("alice")
            with page.expect_navigation():
                conflict.get_by_role("button", name="Confirm").click()
            assert page.url == site.url + f"cluster/{forces['id']}"
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


def test_timeline_places_dated_and_undated_statements_with_escaped_labels() -> None:
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
    dots = re.findall(r'class="dot \w+" cx="([\d.]+)" cy="(\d+)"', svg)
    same_day = dots[:2]
    assert same_day[0][0] == same_day[1][0] and same_day[0][1] != same_day[1][1]  # stacked
    assert float(dots[2][0]) > float(dots[0][0])  # later is further right


def test_timeline_without_dates() -> None:
    svg = timeline_svg(_line(("s1", None, None, "a"), ("s2", None, "contradicts", "b")))
    assert "no dated statement" in svg and svg.count('<circle class="dot') == 2
