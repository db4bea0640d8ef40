"""Read articles from files: plain text and Markdown, HTML, and JSON Lines.

Each supported file yields ``Parsed`` articles (the text plus the spans of it that are
content) or ``Problem`` records that name the file and line; one bad file, folder or line
never stops the batch. A file's article is named by its path from the folder given, so
``2022/02/07/index.html`` and ``2022/02/08/index.html`` are two articles.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

from .clean import clean_text
from .dates import parse_date
from .models import Article

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
MAX_ARTICLE_CHARS = 2_000_000  # a long report; beyond that it is a scrape gone wrong
MAX_HTML_BYTES = 50_000_000
# JSON Lines as feeds and scrapers write them: the keys each article field is read from, the
# first one holding a value wins: this tool's own names, then those of RSS/Atom dumps, JSON
# Feed and news-please, so that such a file goes in as it is (docs/commands.md).
JSONL_KEYS: dict[str, tuple[str, ...]] = {
    "id": ("id", "guid"),
    "title": ("title", "headline"),
    "date": (
        "date", "date_published", "datePublished", "published", "published_at", "pubDate",
        "date_publish",
    ),
    "source": ("source", "source_feed", "source_domain", "site_name", "publisher"),
    "url": ("url", "link"),
    "lang": ("lang", "language"),
    "author": ("author", "authors", "byline"),
}  # fmt: skip
TEXT_KEYS = ("text", "content_text", "content", "maintext", "body")
# A feed item has no body: its text is its headline and its summary, as a reader sees it.
SUMMARY_KEYS = ("description", "summary")
NOT_REGULAR = "not a regular file (a FIFO, socket or device), not read"
MAX_GARBLED_SHARE = 0.05  # of a text file's characters that may be control or U+FFFD
_CONTROL = frozenset(map(chr, [*range(0x20), *range(0x7F, 0xA0)]))


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
    line: int | None = None  # of a JSON Lines file
    checksum: str = field(init=False)

    def __post_init__(self) -> None:
        # Taken as read, before later steps fill in fields such as the detected language:
        # it changes whenever the text or any metadata changes, so re-ingesting detects edits.
        payload = json.dumps(self.article.to_dict(), sort_keys=True, ensure_ascii=False)
        self.checksum = hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Source:
    """A file to read and the name of its article (of its lines without an id, in JSON Lines)."""

    path: Path
    name: str


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Source | Problem]:
    """Supported files under each path (folders recursively, sorted), each once, or a
    Problem for each path, folder or file that cannot be read.

    A file is named by its path from the folder given, without its extension (a file
    given alone, by its name): the same files get the same names at every ingest. Should
    two files of the batch share a name, the later one keeps its extension (``x.md`` after
    ``x.txt``) or more of its folders (``b/x`` after ``a/x.txt`` and ``b/x.txt`` given as
    files).
    """
    taken: dict[str, Path] = {}  # name -> file
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        mode = _mode(path)
        if isinstance(mode, Problem):
            yield mode
            continue
        if stat.S_ISDIR(mode):
            root, (files, problems) = path, _walk(path)
            yield from problems
        elif not stat.S_ISREG(mode):
            yield Problem(str(path), NOT_REGULAR)
            continue
        elif path.suffix.lower() not in SUPPORTED:
            yield Problem(str(path), f"unsupported file type {path.suffix or '(none)'!r}")
            continue
        else:
            root, files = path.parent, [path]
        for file in files:
            if (resolved := file.resolve()) not in seen:
                seen.add(resolved)
                whole = Path(os.path.abspath(file))  # ".." gone, links kept: the name as given
                taken[name := _name(whole, len(file.relative_to(root).parts), taken)] = whole
                yield Source(file, name)


def _mode(path: Path) -> int | Problem:
    """The type and permission bits of ``path`` (links followed), or why it has none."""
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        reason = "broken symbolic link" if path.is_symlink() else "no such file or folder"
        return Problem(str(path), reason)
    except OSError as exc:
        return Problem(str(path), f"cannot read: {exc.strerror or exc}")


def _walk(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The supported files under ``folder``, sorted, and the folders and files under it
    that cannot be read (``Path.rglob`` passes over an unreadable folder without a word)."""
    problems: list[Problem] = []

    def unreadable(exc: OSError) -> None:
        where = str(exc.filename or folder)
        problems.append(Problem(where, f"cannot read folder: {exc.strerror or exc}"))

    files = []
    for parent, _, names in os.walk(folder, onerror=unreadable):
        for name in names:
            file = Path(parent, name)
            if file.suffix.lower() not in SUPPORTED:
                continue
            mode = _mode(file)
            if isinstance(mode, Problem):
                problems.append(mode)
            elif stat.S_ISREG(mode):
                files.append(file)
            else:
                problems.append(Problem(str(file), NOT_REGULAR))
    return sorted(files), problems


def _name(file: Path, depth: int, taken: dict[str, Path]) -> str:
    """The last ``depth`` parts of ``file``'s path, without its extension; if another file
    has that name, the shortest name that none has (see ``expand_paths``)."""
    for n in range(depth, len(file.parts)):
        for tail in (file.with_suffix("").parts[-n:], file.parts[-n:]):
            name = "/".join(tail)
            if name not in taken:
                return name
            if taken[name].parent != file.parent:
                break  # a file of another folder: keep one more folder
    return file.as_posix()


def read_file(path: Path, name: str | None = None) -> Iterator[Parsed | Problem]:
    """The articles in one file, named ``name`` (by default the file's, without its
    extension); JSON Lines are streamed, so a file may be any size."""
    name = path.stem if name is None else name
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
            if b"\x00" in head:
                yield Problem(str(path), "binary file, not text")
                return
            fh.seek(0)
            if suffix in JSONL_SUFFIXES:
                yield from _read_jsonl(path, name, fh)
                return
            if suffix in HTML_SUFFIXES and path.stat().st_size > MAX_HTML_BYTES:
                yield Problem(str(path), f"HTML file over {MAX_HTML_BYTES:,} bytes, not an article")
                return
            raw = fh.read()
    except OSError as exc:
        yield Problem(str(path), f"cannot read: {exc.strerror or exc}")
        return
    text = decode(raw)
    if not raw.strip():
        yield Problem(str(path), "empty file")
    elif (share := _garbled_share(text)) > MAX_GARBLED_SHARE:
        yield Problem(str(path), f"binary file, not text ({share:.0%} control or undecodable)")
    elif suffix in HTML_SUFFIXES:
        yield _read_html(path, name, text)
    else:
        yield parse_article(Article(id=name, text=text, path=str(path)))


def _garbled_share(text: str) -> float:
    """The share of control characters (but whitespace) and U+FFFD in the first 64k
    characters: binary data without NUL bytes decodes to over 10 % of them, text to ~0."""
    sample = text[:65_536]
    bad = sum(1 for c in sample if c == "\ufffd" or (c in _CONTROL and not c.isspace()))
    return bad / len(sample) if sample else 0.0


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the usual encoding of older scrapes."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_article(article: Article, line: int | None = None) -> Parsed | Problem:
    """Clean an article and fill in what its text's own header says (title, date, author…)
    without overriding metadata already given; a Problem when the id is blank, when nothing
    is left to index, or when a date given is not ISO 8601 (it would fail later, with the
    whole batch).
    The caller's article is left as it was: later steps fill in a copy."""
    article = replace(article)
    where = article.path or article.id
    if not article.id.strip() or "\x00" in article.id:
        reason = f"id {article.id!r} is blank or holds a NUL character: give a printable id"
        return Problem(where, reason, line)
    if article.date is not None:
        day = _iso_day(article.date)
        if day is None:
            return Problem(
                where,
                f"article {article.id!r}: date {article.date!r} is not an ISO 8601 date "
                "(YYYY-MM-DD)",
                line,
            )
        article.date = day
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
    return Parsed(article, cleaned.blocks, line)


def _read_html(path: Path, name: str, html: str) -> Parsed | Problem:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if doc is None or not (doc.text or "").strip():
        return Problem(str(path), "no main text found in the HTML")
    return parse_article(
        Article(
            id=name,
            text=doc.text,
            title=doc.title,
            date=_iso(doc.date),
            source=doc.sitename,
            url=doc.url,
            author=doc.author,
            path=str(path),
        )
    )


def _read_jsonl(path: Path, name: str, lines: Iterable[bytes]) -> Iterator[Parsed | Problem]:
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
        found = _jsonl_article(record)
        if isinstance(found, str):
            yield Problem(str(path), found, lineno)
            continue
        fields, body, caveat = found
        if caveat:
            yield Problem(str(path), caveat, lineno, False)
        article_id = fields.pop("id") or f"{name}-{lineno}"
        date_text = fields.pop("date")
        date = _iso(date_text)
        if date_text and date is None:
            yield Problem(str(path), f"unparsable date {date_text!r}, kept undated", lineno, False)
        article = Article(id=article_id, text=body, date=date, path=str(path), **fields)
        yield parse_article(article, lineno)
    if empty:
        yield Problem(str(path), "empty file")


def _jsonl_article(record: dict) -> tuple[dict[str, str | None], str, str | None] | str:
    """A JSON Lines record as an article: its fields (``JSONL_KEYS``), its text and a caveat
    to report; or why it cannot be one. The text is the first of ``TEXT_KEYS`` that holds
    one, else a feed item's title and summary."""
    try:
        fields = {name: _first(record, keys) for name, keys in JSONL_KEYS.items()}
        body = _first(record, TEXT_KEYS, strings=True)
        summary = _first(record, SUMMARY_KEYS, strings=True)
    except _NotText as exc:
        return str(exc)
    if fields["title"]:
        fields["title"] = _plain(fields["title"])
    if body and body.strip():
        return fields, _plain(body), None
    try:  # the title becomes text: only a string will do
        headline = _first(record, JSONL_KEYS["title"], strings=True)
    except _NotText as exc:
        return str(exc)
    parts = [part for part in (headline, summary) if part and part.strip()]
    if not parts:
        return (
            "no text: give it in a 'text' field (or 'content', 'maintext', 'body'), "
            "or a feed item's 'title' and 'description'"
        )
    headline_only = not any(key in record for key in SUMMARY_KEYS)  # not even an empty one
    caveat = "no 'text' field: the title alone is indexed" if headline_only else None
    return fields, _plain("\n\n".join(parts)), caveat


# Markup in a JSON field: feeds carry their summaries as HTML ("<p>…</p>", "&#39;").
_MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def _plain(text: str) -> str:
    """A field's text without HTML: tags dropped (their blocks as paragraphs), entities
    read, scripts and styles left out; a text with no markup comes back as it is."""
    if not _MARKUP.search(text):
        return text
    reader = _TextOfHTML()
    reader.feed(text)
    reader.close()
    paragraphs = ("".join(reader.parts)).split("\n\n")
    return "\n\n".join(p.strip() for p in paragraphs if p.strip())


class _TextOfHTML(HTMLParser):
    BLOCKS = frozenset(
        [
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "tr",
            "table",
            "section",
            "article",
            "figure",
        ]
    )
    HIDDEN = frozenset(["script", "style"])

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.hidden += tag in self.HIDDEN
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in self.HIDDEN and self.hidden > 0
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


class _NotText(ValueError):
    """A field holds what cannot be taken as its text: an object or a list that names
    nothing, or anything but a string where only a string will do."""

    def __init__(self, key: str, value: object) -> None:
        kind = {dict: "an object", list: "a list"}.get(type(value), type(value).__name__)
        super().__init__(f"field {key!r} is {kind}, not text: give it as a string")


def _first(record: dict, keys: tuple[str, ...], strings: bool = False) -> str | None:
    """The text of the first of ``keys`` that holds a value; with ``strings``, only a
    string will do (an article's text given as a number is a mistake, not a text)."""
    for key in keys:
        value = record.get(key)
        if value not in (None, "", [], {}):
            if strings and not isinstance(value, str):
                raise _NotText(key, value)
            return _text_of(key, value)
    return None


def _text_of(key: str, value: object, within: bool = False) -> str | None:
    """Strings and numbers as they are; an object by its ``name`` (a publisher, an author:
    JSON Feed, NewsAPI); a list of authors joined by commas."""
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return _str_or_none(value["name"])
    if isinstance(value, list) and key == "authors" and not within:
        return ", ".join(filter(None, (_text_of(key, v, True) for v in value))) or None
    if isinstance(value, dict | list):
        raise _NotText(key, value)
    return _str_or_none(value)


def _str_or_none(value: object) -> str | None:
    if value is None or value == "":
        return None
    return _well_formed(str(value))


def _well_formed(text: str) -> str:
    """Lone surrogates (a JSON escape such as "\\ud800") become U+FFFD: UTF-8 cannot store them."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _iso_day(value: object) -> str | None:
    """The day of an ISO 8601 date or date-time (or of a ``datetime.date``), as the article
    dates are stored and compared; None when it is neither."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.strip()).date().isoformat()
    except ValueError:
        return None


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    parsed = parse_date(value)
    return parsed.isoformat() if parsed else None
