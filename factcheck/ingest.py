"""Read articles from files: plain text and Markdown, HTML, and JSON Lines.

Each supported file yields ``Parsed`` articles (the text plus the spans of it that are
content) or ``Problem`` records that name the file and line; one bad file or line never
stops the batch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .clean import clean_text
from .dates import parse_date
from .models import Article

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
MAX_ARTICLE_CHARS = 2_000_000  # a long report; beyond that it is a scrape gone wrong
MAX_HTML_BYTES = 50_000_000
JSONL_FIELDS = ("id", "title", "date", "source", "url", "lang", "author")


@dataclass
class Problem:
    """Why a file, or one line of it, was skipped (or ingested with a caveat)."""

    path: str
    reason: str
    line: int | None = None
    skipped: bool = True  # False: the article went in, with a caveat

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "reason": self.reason,
            "skipped": self.skipped,
        }


@dataclass
class Parsed:
    """An article ready to be split: ``blocks`` are its content spans in ``article.text``."""

    article: Article
    blocks: list[tuple[int, int]]
    checksum: str = field(init=False)

    def __post_init__(self) -> None:
        # Taken as read, before later steps fill in fields such as the detected language:
        # it changes whenever the text or any metadata changes, so re-ingesting detects edits.
        payload = json.dumps(self.article.to_dict(), sort_keys=True, ensure_ascii=False)
        self.checksum = hashlib.sha256(payload.encode("utf-8")).hexdigest()


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | Problem]:
    """Supported files under each path (folders recursively, sorted), or a Problem."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED
            )
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED:
                yield path
            else:
                yield Problem(str(path), f"unsupported file type {path.suffix or '(none)'!r}")
        else:
            yield Problem(str(path), "no such file or folder")


def read_file(path: Path) -> Iterator[Parsed | Problem]:
    """The articles in one file; JSON Lines are streamed, so a file may be any size."""
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
            if b"\x00" in head:
                yield Problem(str(path), "binary file, not text")
                return
            fh.seek(0)
            if suffix in JSONL_SUFFIXES:
                yield from _read_jsonl(path, fh)
                return
            if suffix in HTML_SUFFIXES and path.stat().st_size > MAX_HTML_BYTES:
                yield Problem(str(path), f"HTML file over {MAX_HTML_BYTES:,} bytes, not an article")
                return
            raw = fh.read()
    except OSError as exc:
        yield Problem(str(path), f"cannot read: {exc.strerror or exc}")
        return
    if not raw.strip():
        yield Problem(str(path), "empty file")
    elif suffix in HTML_SUFFIXES:
        yield _read_html(path, decode(raw))
    else:
        yield parse_article(Article(id=path.stem, text=decode(raw), path=str(path)))


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the usual encoding of older scrapes."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_article(article: Article, line: int | None = None) -> Parsed | Problem:
    """Clean an article and fill in what its text's own header says (title, date, author…)
    without overriding metadata already given; a Problem when nothing is left to index.
    The caller's article is left as it was: later steps fill in a copy."""
    article = replace(article)
    where = article.path or article.id
    if len(article.text) > MAX_ARTICLE_CHARS:
        return Problem(
            where,
            f"article is {len(article.text):,} characters long, over the limit of "
            f"{MAX_ARTICLE_CHARS:,}: split it into articles",
            line,
        )
    cleaned = clean_text(article.text)
    article.title = article.title or cleaned.title
    article.author = article.author or cleaned.author
    article.source = article.source or cleaned.source
    article.url = article.url or cleaned.url
    if article.date is None and cleaned.date is not None:
        article.date = cleaned.date.isoformat()
    if not cleaned.blocks:
        return Problem(where, "no article text left after cleaning", line)
    return Parsed(article, cleaned.blocks)


def _read_html(path: Path, html: str) -> Parsed | Problem:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if doc is None or not (doc.text or "").strip():
        return Problem(str(path), "no main text found in the HTML")
    return parse_article(
        Article(
            id=path.stem,
            text=doc.text,
            title=doc.title,
            date=_iso(doc.date),
            source=doc.sitename,
            url=doc.url,
            author=doc.author,
            path=str(path),
        )
    )


def _read_jsonl(path: Path, lines: Iterable[bytes]) -> Iterator[Parsed | Problem]:
    empty = True
    for lineno, raw in enumerate(lines, start=1):
        line = decode(raw)
        if not line.strip():
            continue
        empty = False
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Problem(str(path), f"invalid JSON: {exc.msg} (column {exc.colno})", lineno)
            continue
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number, 100,000 "["
            yield Problem(str(path), f"invalid JSON: {str(exc) or 'nested too deeply'}", lineno)
            continue
        if not isinstance(record, dict):
            yield Problem(str(path), "a line must be a JSON object", lineno)
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            yield Problem(str(path), "missing or empty 'text' field", lineno)
            continue
        body = _well_formed(body)
        fields = {k: _str_or_none(record.get(k)) for k in JSONL_FIELDS}
        article_id = fields.pop("id") or f"{path.stem}-{lineno}"
        date_text = fields.pop("date")
        date = _iso(date_text)
        if date_text and date is None:
            yield Problem(str(path), f"unparsable date {date_text!r}, kept undated", lineno, False)
        article = Article(id=article_id, text=body, date=date, path=str(path), **fields)
        yield parse_article(article, lineno)
    if empty:
        yield Problem(str(path), "empty file")


def _str_or_none(value: object) -> str | None:
    if value is None or value == "":
        return None
    return _well_formed(str(value))


def _well_formed(text: str) -> str:
    """Lone surrogates (a JSON escape such as "\\ud800") become U+FFFD: UTF-8 cannot store them."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    parsed = parse_date(value)
    return parsed.isoformat() if parsed else None
