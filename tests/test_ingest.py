"""Reading articles: formats, metadata, ids, encodings, and errors that name file and line."""

from __future__ import annotations

import errno
import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from factcheck.ingest import NOT_REGULAR, Parsed, Problem, Source, expand_paths, read_file

HTML = """<html><head><title>Poutine et Macron | Le Quotidien</title>
<meta property="og:site_name" content="Le Quotidien">
<meta property="article:published_time" content="2022-02-08T10:00:00Z">
<link rel="canonical" href="https://example.org/poutine-macron"></head>
<body><nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav>
<article><h1>Poutine a reçu Macron au Kremlin</h1>
<p>Le président russe Vladimir Poutine a rencontré Emmanuel Macron lundi à Moscou pendant plus
de cinq heures, a indiqué l'Élysée.</p>
<p>Les deux dirigeants ont évoqué la crise ukrainienne et les garanties de sécurité demandées
par la Russie à l'OTAN.</p></article>
<footer>Nous utilisons des cookies pour améliorer votre expérience.</footer></body></html>"""


def _one(path: Path) -> Parsed:
    items = list(read_file(path))
    assert len(items) == 1 and isinstance(items[0], Parsed), items
    return items[0]


def test_txt_header_gives_title_and_date(tmp_path: Path) -> None:
    path = tmp_path / "rencontre.txt"
    path.write_text(
        "Macron reçu à Moscou\n12 mars 2022\n\nLe président a été reçu au Kremlin. "
        "Il est reparti le soir même.\n",
        encoding="utf-8",
    )
    parsed = _one(path)
    assert parsed.article.id == "rencontre"
    assert parsed.article.title == "Macron reçu à Moscou"
    assert parsed.article.date == "2022-03-12"
    assert parsed.article.path == str(path)
    content = [parsed.article.text[s:e] for s, e in parsed.blocks]
    assert not any(c == "12 mars 2022" for c in content), "the date line is metadata"


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "poutine-macron.html"
    path.write_text(HTML, encoding="utf-8")
    article = _one(path).article
    assert article.id == "poutine-macron"
    assert article.date == "2022-02-08"
    assert article.source == "Le Quotidien"
    assert article.url == "https://example.org/poutine-macron"
    assert "cinq heures" in article.text
    assert "cookies" not in article.text and "Accueil" not in article.text


def test_jsonl_fields_ids_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps(
            {
                "id": "a1",
                "text": "Kyiv was shelled on Monday night.",
                "date": "2022-03-01",
                "source": "Wire",
                "url": "https://example.org/a1",
                "lang": "en",
            }
        ),
        "{not json",
        json.dumps({"title": "no text here"}),  # a headline alone: it goes in, with a note
        "",
        json.dumps(
            {"text": "Sans identifiant, l'article prend le nom du fichier.", "date": "hier soir"}
        ),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_file(path))
    parsed = [i for i in items if isinstance(i, Parsed)]
    problems = [i for i in items if isinstance(i, Problem)]
    assert [p.article.id for p in parsed] == ["a1", "feed-3", "feed-5"]
    first = parsed[0].article
    assert (first.date, first.source, first.url, first.lang) == (
        "2022-03-01",
        "Wire",
        "https://example.org/a1",
        "en",
    )
    assert parsed[2].article.date is None
    by_line = {p.line: p for p in problems}
    assert by_line[2].skipped and "invalid JSON" in str(by_line[2])
    assert not by_line[3].skipped and "'text'" in by_line[3].reason
    assert not by_line[5].skipped and "hier soir" in by_line[5].reason
    assert str(by_line[2]).startswith(f"{path}:2: ")


def test_jsonl_of_feeds_and_scrapers_goes_in_as_it_is(tmp_path: Path) -> None:
    """RSS dumps, JSON Feed and news-please name their fields their own way: each is read
    into the same article fields, and a feed item's headline and summary are its text."""
    records = [
        {  # an RSS item as ../shared/data/rss_2022_russia_ukraine.jsonl holds them
            "id": "rss-1",
            "title": "Ukraine war: Kyiv shelled overnight",
            "description": "Explosions were heard in the capital on Monday night.",
            "date_published": "2022-03-01 13:01:11+00:00",
            "link": "https://www.bbc.co.uk/news/world-1",
            "source_feed": "http://feeds.bbci.co.uk/news/rss.xml",
            "language": "en",
        },
        {"title": "Kyiv shelled overnight", "description": None, "pubDate": "Tue, 01 Mar 2022"},
        {  # JSON Feed
            "id": "https://example.org/2",
            "content_text": "Le ministre a annoncé la réforme mardi soir.",
            "summary": "La réforme annoncée.",
            "date_published": "2022-03-02T10:00:00Z",
            "authors": [{"name": "Jeanne Martin"}, {"name": "Paul Roy"}],
        },
        {  # news-please
            "maintext": "Le ministre a confirmé la réforme mercredi.",
            "title": "Réforme confirmée",
            "date_publish": "2022-03-03 00:00:00",
            "source_domain": "lemonde.fr",
            "authors": ["Jeanne Martin"],
            "language": "fr",
        },
        {"text": "Le texte prime sur le contenu.", "content": "Ce contenu n'est pas lu."},
        {  # feedparser's summaries are HTML
            "title": "Putin&#39;s plan &amp; the ruble",
            "summary": '<p>The ruble <b>recovered</b>.</p><img src="r.jpg"/><script>x()</script>',
        },
        {"titre": "Un champ inconnu", "texte": "Rien de ce que le lecteur connaît."},
    ]
    path = tmp_path / "feed.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    items = list(read_file(path))
    articles = [i.article for i in items if isinstance(i, Parsed)]
    problems = [i for i in items if isinstance(i, Problem)]
    rss, headline, feed, scraped, text, html = articles
    assert (rss.id, rss.date, rss.url, rss.lang) == (
        "rss-1", "2022-03-01", "https://www.bbc.co.uk/news/world-1", "en",
    )  # fmt: skip
    assert rss.source == "http://feeds.bbci.co.uk/news/rss.xml"
    assert rss.text.startswith("Ukraine war: Kyiv shelled overnight\n\nExplosions were heard")
    assert rss.title == "Ukraine war: Kyiv shelled overnight"
    assert (headline.text, headline.date) == ("Kyiv shelled overnight", "2022-03-01")
    assert (feed.text, feed.author) == (
        "Le ministre a annoncé la réforme mardi soir.", "Jeanne Martin, Paul Roy",
    )  # fmt: skip
    assert (scraped.date, scraped.source, scraped.author, scraped.lang) == (
        "2022-03-03", "lemonde.fr", "Jeanne Martin", "fr",
    )  # fmt: skip
    assert text.text == "Le texte prime sur le contenu."
    assert html.title == "Putin's plan & the ruble"
    assert html.text == "Putin's plan & the ruble\n\nThe ruble recovered."
    [unknown] = problems  # an empty summary is a feed item's, not a missing text
    assert (unknown.line, unknown.skipped) == (7, True)
    assert unknown.reason.startswith("no text: give it in a 'text' field")


def test_windows_1252_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "ancien.txt"
    path.write_bytes("Le ministère a publié un communiqué très détaillé.".encode("cp1252"))
    assert "ministère" in _one(path).article.text


def test_empty_binary_and_unsupported_files_are_problems(tmp_path: Path) -> None:
    (tmp_path / "vide.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    reasons = {
        Path(p.path).name: p.reason
        for f in expand_paths([tmp_path / "vide.txt", tmp_path / "image.txt"])
        for p in read_file(f.path, f.name)
    }
    assert reasons == {"vide.txt": "empty file", "image.txt": "binary file, not text"}
    problems = list(expand_paths([tmp_path / "notes.pdf", tmp_path / "absent"]))
    assert [type(p) for p in problems] == [Problem, Problem]
    assert "unsupported" in problems[0].reason and "no such file" in problems[1].reason


def test_binary_files_without_nul_bytes_are_skipped_not_ingested(tmp_path: Path) -> None:
    """Control characters, or bytes that decode to nothing (U+FFFD), but no NUL: not text."""
    rng = random.Random(0)
    noise = bytes(rng.randrange(1, 256) for _ in range(4096))  # random bytes, no NUL
    (tmp_path / "noise.txt").write_bytes(noise)
    (tmp_path / "controls.md").write_bytes(bytes(rng.randrange(1, 32) for _ in range(4096)))
    (tmp_path / "replaced.txt").write_text("Le ministre a parlé. " + "\ufffd" * 200, "utf-8")
    for name in ("noise.txt", "controls.md", "replaced.txt"):
        [problem] = read_file(tmp_path / name)
        assert isinstance(problem, Problem) and problem.reason.startswith("binary file, not text")
    (tmp_path / "ok.txt").write_text("Le ministre a parlé mardi.\f\tIl a promis\x0b une loi.\n")
    assert _one(tmp_path / "ok.txt").article.text.startswith("Le ministre")


def test_blank_or_nul_ids_and_object_fields_are_refused_with_file_and_line(
    tmp_path: Path,
) -> None:
    text = "Le ministre a annoncé la réforme mardi soir."
    records = [
        {"id": "   ", "text": text},
        {"id": "a\x00b", "text": text},
        {"id": "ok", "text": text, "title": {"fr": "Réforme"}},
        {"id": "ok2", "text": text, "source": ["AFP", "Reuters"]},
        {"id": "good", "text": text, "title": "Réforme"},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    items = list(read_file(path))
    problems = [(str(p), p.skipped) for p in items if isinstance(p, Problem)]
    assert problems == [
        (f"{path}:1: id '   ' is blank or holds a NUL character: give a printable id", True),
        (f"{path}:2: id 'a\\x00b' is blank or holds a NUL character: give a printable id", True),
        (f"{path}:3: field 'title' is an object, not text: give it as a string", True),
        (f"{path}:4: field 'source' is a list, not text: give it as a string", True),
    ]
    [parsed] = [p for p in items if isinstance(p, Parsed)]
    assert (parsed.article.id, parsed.article.title) == ("good", "Réforme")


def test_folders_expand_to_supported_files_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("b/2.md", "1.txt", "c.html", "d.jsonl", "skip.csv"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = list(expand_paths([tmp_path]))
    assert [s.path.relative_to(tmp_path).as_posix() for s in found] == [
        "1.txt",
        "b/2.md",
        "c.html",
        "d.jsonl",
    ]
    assert [s.name for s in found] == ["1", "b/2", "c", "d"]


def test_files_of_one_name_in_other_folders_get_distinct_stable_names(tmp_path: Path) -> None:
    """A site's ``2022/02/07/index.html`` and ``2022/02/08/index.html`` are two articles,
    named the same way at every ingest; files given one by one keep more of their path only
    when another file of the batch has their name."""
    for day in ("07", "08", "09"):
        (tmp_path / "site" / "2022" / "02" / day).mkdir(parents=True)
        page = HTML.replace("lundi", f"le {day} février")
        (tmp_path / "site" / "2022" / "02" / day / "index.html").write_text(page)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text("x")
    (tmp_path / "a" / "x.md").write_text("x")

    def names(*paths: Path) -> list[str]:
        return [s.name for s in expand_paths(paths) if isinstance(s, Source)]

    site = ["2022/02/07/index", "2022/02/08/index", "2022/02/09/index"]
    assert names(tmp_path / "site") == names(tmp_path / "site") == site
    assert names(tmp_path) == ["a/x", "a/x.txt", "b/x", *(f"site/{n}" for n in site)]
    a, b = tmp_path / "a" / "x.txt", tmp_path / "b" / "x.txt"
    assert names(a, b) == ["x", "b/x"]
    assert names(tmp_path / "b", tmp_path / "a") == ["x", "a/x", "a/x.txt"]
    assert names(a, tmp_path / "a", a) == ["x", "x.md"], "each file once"
    parsed = [item for s in expand_paths([tmp_path / "site"]) for item in read_file(s.path, s.name)]
    assert [p.article.id for p in parsed if isinstance(p, Parsed)] == site


def test_what_cannot_be_read_is_named_and_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder or path that cannot be read is a Problem, and its siblings are still read.
    Permissions deny root nothing, so the refusals are simulated where the file system is
    asked; a FIFO, a dangling link and a link loop fail for anyone."""
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "hidden.txt").write_text("x")
    (folder / "ok.txt").write_text("x")
    os.mkfifo(folder / "pipe.txt")  # reading it would wait forever
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    denied = tmp_path / "denied" / "a.txt"
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    monkeypatch.setattr(os, "scandir", _refusing(os.scandir, folder / "locked"))
    monkeypatch.setattr(Path, "stat", _refusing(Path.stat, denied))
    items = list(expand_paths([folder, denied, loop, fifo]))
    assert [i.path for i in items if isinstance(i, Source)] == [folder / "ok.txt"]
    assert {p.path: p.reason for p in items if isinstance(p, Problem)} == {
        str(folder / "locked"): "cannot read folder: Permission denied",
        str(folder / "pipe.txt"): NOT_REGULAR,
        str(folder / "gone.txt"): "broken symbolic link",
        str(denied): "cannot read: Permission denied",
        str(loop): "cannot read: Too many levels of symbolic links",
        str(fifo): NOT_REGULAR,
    }


def _refusing(function: Callable, refused: Path) -> Callable:
    """``function`` (``os.scandir``, ``Path.stat``…), denied the permission to read ``refused``."""

    def wrapper(path: Path | str, *args: object, **kwargs: object) -> object:
        if Path(path) == refused:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return function(path, *args, **kwargs)

    return wrapper
