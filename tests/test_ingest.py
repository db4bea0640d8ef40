"""Reading articles: formats, metadata, ids, encodings, and errors that name file and line."""

from __future__ import annotations

import json
from pathlib import Path

from factcheck.ingest import Parsed, Problem, expand_paths, read_file

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
        json.dumps({"title": "no text here"}),
        "",
        json.dumps(
            {"text": "Sans identifiant, l'article prend le nom du fichier.", "date": "hier soir"}
        ),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_file(path))
    parsed = [i for i in items if isinstance(i, Parsed)]
    problems = [i for i in items if isinstance(i, Problem)]
    assert [p.article.id for p in parsed] == ["a1", "feed-5"]
    first = parsed[0].article
    assert (first.date, first.source, first.url, first.lang) == (
        "2022-03-01",
        "Wire",
        "https://example.org/a1",
        "en",
    )
    assert parsed[1].article.date is None
    by_line = {p.line: p for p in problems}
    assert by_line[2].skipped and "invalid JSON" in str(by_line[2])
    assert by_line[3].skipped and "'text'" in by_line[3].reason
    assert not by_line[5].skipped and "hier soir" in by_line[5].reason
    assert str(by_line[2]).startswith(f"{path}:2: ")


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
        for p in read_file(f)
    }
    assert reasons == {"vide.txt": "empty file", "image.txt": "binary file, not text"}
    problems = list(expand_paths([tmp_path / "notes.pdf", tmp_path / "absent"]))
    assert [type(p) for p in problems] == [Problem, Problem]
    assert "unsupported" in problems[0].reason and "no such file" in problems[1].reason


def test_folders_expand_to_supported_files_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("b/2.md", "1.txt", "c.html", "d.jsonl", "skip.csv"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    names = [p.relative_to(tmp_path).as_posix() for p in expand_paths([tmp_path])]
    assert names == ["1.txt", "b/2.md", "c.html", "d.jsonl"]
