"""Escaping shared by the pages and the timeline: articles are written by anyone, so every
piece of their text (and of the reviewers' notes) goes through ``html.escape`` here."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from urllib.parse import quote, urlsplit

from ..models import shown_date
from ..outlets import outlet_of
from ..relations import evidence_spans


def text(value: object, empty: str = "—") -> str:
    """``value`` escaped; None or "" as ``empty``."""
    return escape(str(value)) if value not in (None, "") else empty


def short(value: str, limit: int) -> str:
    """Cut before escaping, so an entity is never cut in half."""
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def source(article: dict) -> str | None:
    """The outlet's name (``factcheck.outlets``), else the source as written."""
    return outlet_of(article.get("source"), article.get("url"))


def day(article: dict) -> str | None:
    """The article's date as people should read it (an inferred one as "≥ …")."""
    return shown_date(article.get("date"), bool(article.get("date_inferred")))


def href(*parts: str, **query: str | int | None) -> str:
    """An escaped link: ``parts`` quoted as path segments, then the non-empty ``query``."""
    path = "/" + "/".join(quote(p, safe="") for p in parts)
    kept = "&".join(
        f"{k}={quote(str(v), safe='')}" for k, v in query.items() if v not in (None, "")
    )
    return escape(path + (f"?{kept}" if kept else ""))


def article_link(article: dict, sentence: dict | None = None) -> str:
    """Title linked to the article's page in the index (the statement marked in context when
    ``sentence`` is given), then the original's link when its URL is http or https (never a
    ``javascript:`` one), then the source."""
    index = (sentence or {}).get("index")
    target = href("article", article["id"], s=index)
    if index is not None:
        target += f"#s{int(index)}"
    title = f'<a href="{target}">{text(article.get("title") or article.get("id"))}</a>'
    url = article.get("url") or ""
    if urlsplit(url).scheme in ("http", "https"):
        title += f' <a href="{escape(url)}" rel="noopener noreferrer" class="small">original</a>'
    name = source(article)
    return f"{title} · {text(name)}" if name else title


def marked(value: str, phrases: Iterable[tuple[str, bool]]) -> str:
    """``value`` escaped, with each occurrence of each phrase (``agrees``: agreeing evidence)
    in ``<mark>``. The phrases are found in the raw text and every piece is escaped, so the
    result is the escaped text with the escaped evidence wrapped, and a phrase can never
    match inside an entity such as ``&amp;``."""
    out, pos = [], 0
    for start, end, agrees in evidence_spans(value, phrases):
        tag = '<mark class="agree">' if agrees else "<mark>"
        out += [escape(value[pos:start]), tag, escape(value[start:end]), "</mark>"]
        pos = end
    out.append(escape(value[pos:]))
    return "".join(out)
