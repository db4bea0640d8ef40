"""Property-based tests (hypothesis) for the parsers: clean, sentences, dates, ingest.

Settings: every test uses ``_fuzz(n)``: ``max_examples=n`` (times ``FACTCHECK_FUZZ_SCALE``,
default 1, raise it for a long local run), ``deadline=None`` (timings vary on shared CI
cores) and ``database=None`` (no failure replay that would make runs depend on history).
The whole file runs in about 10 s on two cores. Each bug the properties found is fixed and
pinned by a regression test with a minimal example; no input is left out for a known bug.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from factcheck.clean import MAX_BOILERPLATE_CHARS, clean_text, is_boilerplate
from factcheck.dates import parse_bound, parse_date
from factcheck.ingest import Parsed, Problem, _plain, read_file
from factcheck.sentences import split_sentences

_SCALE = int(os.environ.get("FACTCHECK_FUZZ_SCALE", "1"))


def _fuzz(examples: int) -> Callable:
    """Moderate example counts, no deadline, no example database."""
    return settings(
        max_examples=examples * _SCALE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# --- strategies ---------------------------------------------------------------------------

_SPECIAL = "«»’“”\u202f\u00a0\u2028\x85\r\n\t \x00.!?…,;:-—–#>•*_|/()[]\"'©\ufeff\ud800\udfff"
_CHARS = st.one_of(st.characters(), st.sampled_from(_SPECIAL))
# UTF-8 JSON cannot carry these raw; for their escapes see test_jsonl_lone_surrogate_escape.
_JSON_CHARS = st.one_of(
    st.characters(codec="utf-8"), st.sampled_from(_SPECIAL.replace("\ud800\udfff", ""))
)
_WORD_CHARS = st.one_of(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzéèàçôîABCDEFGHIJKLMNOPQRSTUVWXYZÉÀ0123456789"),
    st.sampled_from("«»’\u202f\u00a0.,;:!?…-()\"'"),
)
_FRAGMENTS = [
    "Lire aussi",
    "Lire aussi : Poutine reçoit Macron",
    "Partager",
    "Home » Monde » Europe » Titre",
    "Accueil > Politique > Article",
    "Publié le 23 février 2022 | AFP",
    "Le 8 février 2022 à 10h30",
    "par Jessie Neal",
    "By J. Smith | 7 Feb 2022",
    "Title: Macron à Moscou",
    "Date: 2022-02-08",
    "Source: Le Quotidien",
    "Auteur : Marie Dupont",
    "---",
    "## Un intertitre",
    "> Une citation.",
    "Related Articles",
    "More from Europe",
    "Nous utilisons des cookies",
    "quatre + 14 = ",
    "© 2022 Le Quotidien. Tous droits réservés.",
    "Tags: Russie, Ukraine",
    "Politique Monde Économie Culture Sport",
    "« Nous ne voulons pas la guerre », a déclaré M. Poutine.",
    "Le président a été reçu au Kremlin. Il est reparti le soir même.",
    "The U.S. said so. Dr. Smith agreed… Then he left!",
    "1.",
    "***",
    "…",
    "?!?!",
    "",
    " ",
]


@st.composite
def _line(draw: st.DrawFn, chars: st.SearchStrategy[str] = _CHARS) -> str:
    """One line: a typical fragment, a line of words, random characters or a very long line."""
    kind = draw(st.integers(0, 9))
    if kind <= 3:
        return draw(st.sampled_from(_FRAGMENTS))
    if kind <= 6:
        words = draw(st.lists(st.text(_WORD_CHARS, min_size=1, max_size=12), max_size=15))
        return draw(st.sampled_from(["", "## ", "> ", "- ", "• "])) + " ".join(words)
    if kind <= 8:
        return draw(st.text(chars, max_size=40))
    piece = draw(st.text(chars, min_size=1, max_size=12))
    return piece * draw(st.integers(50, 300))


@st.composite
def _article_text(draw: st.DrawFn, chars: st.SearchStrategy[str] = _CHARS) -> str:
    """Article-like text: lines of fragments and noise, joined by various line breaks."""
    lines = draw(st.lists(_line(chars), max_size=14))
    out = []
    for line in lines:
        out.append(line)
        out.append(draw(st.sampled_from(["\n", "\n\n", "\r\n", "\r\n\r\n", " \n", "\n \t\n"])))
    text = "".join(out)
    if draw(st.booleans()):
        meta = draw(st.lists(st.sampled_from(_FRAGMENTS[9:13]), max_size=3))
        text = "---\n" + "\n".join(meta) + "\n---\n" + text
    return text


_ANY_TEXT = st.one_of(st.text(_CHARS, max_size=300), _article_text())

# --- clean.py -----------------------------------------------------------------------------


def _check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    """Spans are non-empty, in order, non-overlapping, inside ``text`` and trimmed."""
    previous = 0
    for start, end in spans:
        assert previous <= start < end <= len(text), (start, end, spans)
        piece = text[start:end]
        assert piece == piece.strip(), repr(piece)
        previous = end


@_fuzz(250)
@given(_ANY_TEXT)
def test_clean_text_spans_are_ordered_trimmed_and_in_text(text: str) -> None:
    """Blocks index the original text; title and other fields are taken from it verbatim."""
    cleaned = clean_text(text)
    _check_spans(text, cleaned.blocks)
    for value in (cleaned.title, cleaned.date_text, cleaned.author, cleaned.source, cleaned.url):
        assert value is None or value in text
    assert cleaned.date is None or isinstance(cleaned.date, dt.date)


@_fuzz(150)
@given(_ANY_TEXT)
def test_clean_text_never_raises(text: str) -> None:
    """Any text at all gives a ``Cleaned`` with spans inside it."""
    cleaned = clean_text(text)
    assert all(0 <= s <= e <= len(text) for s, e in cleaned.blocks)
    assert cleaned.title is None or cleaned.title in text


@_fuzz(200)
@given(st.one_of(_line(), st.text(_CHARS, max_size=100)))
def test_is_boilerplate_never_raises(line: str) -> None:
    """``is_boilerplate`` answers a bool; lines over the limit are never boilerplate."""
    answer = is_boilerplate(line)
    assert isinstance(answer, bool)
    if len(line.strip().lstrip("#*_>•·-– \t")) > MAX_BOILERPLATE_CHARS:
        assert answer is False


_LONG_OPENERS = ["", "Lire aussi ", "Related ", "Partager ", "Tags: ", "© ", "Home » ", "par "]


@_fuzz(60)
@given(
    st.sampled_from(_LONG_OPENERS),
    st.lists(st.text(_WORD_CHARS, min_size=1, max_size=10), min_size=120, max_size=200),
    st.lists(_line(), max_size=4),
)
def test_long_paragraph_is_always_kept(opener: str, words: list[str], after: list[str]) -> None:
    """'Boilerplate lines are short; longer lines are always kept.'"""
    paragraph = (opener + " ".join(words)).strip()
    assume(len(paragraph) > MAX_BOILERPLATE_CHARS)
    head = "Le président a parlé hier soir à la télévision.\n\n"
    text = head + paragraph + "\n\n" + "\n".join(after)
    start, end = len(head), len(head) + len(paragraph)
    blocks = clean_text(text).blocks
    assert any(s <= start and end <= e for s, e in blocks), (blocks, start, end)


def test_long_more_from_paragraph_is_kept() -> None:
    """A >600-char paragraph opening with 'More from' is kept, not taken for the heading of a
    list of links (as it once was)."""
    paragraph = "More from " + "the report shows that prices rose again, " * 20 + "said the bank."
    text = "Le président a parlé hier soir.\n\n" + paragraph
    blocks = clean_text(text).blocks
    assert any(text[s:e] == paragraph for s, e in blocks), blocks


def test_markdown_marker_then_nbsp_is_trimmed() -> None:
    """'# \\xa0Titre' gives the title and a block without the U+00A0 (it once kept it)."""
    text = "# \u00a0Poutine reçoit Macron\n\nLe président a parlé hier soir."
    cleaned = clean_text(text)
    _check_spans(text, cleaned.blocks)
    assert cleaned.title == text[cleaned.blocks[0][0] : cleaned.blocks[0][1]]
    assert cleaned.title == "Poutine reçoit Macron"


def test_empty_quoted_title_gives_no_empty_block() -> None:
    """'title: \"\"' in front matter gives no title and no empty block (it once gave the
    block (12, 12) and the title '')."""
    text = '---\ntitle: ""\n---\nBody text here.'
    cleaned = clean_text(text)
    _check_spans(text, cleaned.blocks)
    assert cleaned.title is None
    assert [text[s:e] for s, e in cleaned.blocks] == ["Body text here."]


# --- sentences.py -------------------------------------------------------------------------

_LETTER = re.compile(r"[^\W\d_]")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_LANGS = st.sampled_from([None, "fr", "en"])


def _check_sentences(
    text: str, blocks: list[tuple[int, int]], spans: list[tuple[int, int]]
) -> None:
    """Spans are trimmed, ordered, inside one block each; nothing visible is dropped; a
    letterless piece is only alone when its whole block has no letter."""
    _check_spans(text, spans)
    per_block: dict[int, list[tuple[int, int]]] = {}
    for s, e in spans:
        owners = [i for i, (bs, be) in enumerate(blocks) if bs <= s and e <= be]
        assert owners, f"span {(s, e)} crosses a block: {blocks}"
        per_block.setdefault(owners[0], []).append((s, e))
    covered = bytearray(len(text))
    for s, e in spans:
        covered[s:e] = b"\x01" * (e - s)
    for i, (bs, be) in enumerate(blocks):
        dropped = [k for k in range(bs, be) if not text[k].isspace() and not covered[k]]
        assert not dropped, f"block {(bs, be)} lost {[text[k] for k in dropped]!r}"
        mine = per_block.get(i, [])
        if _LETTER.search(text, bs, be):
            assert all(_LETTER.search(text, s, e) for s, e in mine), mine
        else:
            assert len(mine) <= 1, mine


@_fuzz(200)
@given(_ANY_TEXT, _LANGS)
def test_split_sentences_on_cleaned_blocks(text: str, lang: str | None) -> None:
    """Sentences of the blocks ``clean_text`` gives (its documented input)."""
    blocks = clean_text(text).blocks
    _check_sentences(text, blocks, split_sentences(text, blocks, lang))


@st.composite
def _text_and_blocks(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """Any text with any ordered, non-overlapping (possibly untrimmed) blocks."""
    text = draw(st.one_of(st.text(_CHARS, max_size=200), _article_text()))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=12)))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    return text, [(s, e) for s, e in pairs if s < e]


@_fuzz(200)
@given(_text_and_blocks(), _LANGS)
def test_split_sentences_on_any_blocks(
    text_blocks: tuple[str, list[tuple[int, int]]], lang: str | None
) -> None:
    """Blocks need not be trimmed: spans still never cross or leave one."""
    text, blocks = text_blocks
    _check_sentences(text, blocks, split_sentences(text, blocks, lang))


@_fuzz(150)
@given(st.one_of(st.text(_CHARS, max_size=300), _article_text()), _LANGS)
def test_split_sentences_without_blocks(text: str, lang: str | None) -> None:
    """Without blocks, the whole text is covered and no sentence spans a blank line."""
    spans = split_sentences(text, None, lang)
    _check_spans(text, spans)
    covered = bytearray(len(text))
    for s, e in spans:
        covered[s:e] = b"\x01" * (e - s)
        assert not _BLANK_LINE.search(text, s, e), repr(text[s:e])
    assert all(covered[k] or text[k].isspace() for k in range(len(text)))


# Idempotence (re-splitting one sentence) is not promised by the module: not tested.

# --- dates.py -----------------------------------------------------------------------------

_MOIS = [
    ["janvier", "janv."],
    ["février", "fevrier", "févr.", "fév."],
    ["mars"],
    ["avril", "avr."],
    ["mai"],
    ["juin"],
    ["juillet", "juil."],
    ["août", "aout"],
    ["septembre", "sept."],
    ["octobre"],
    ["novembre"],
    ["décembre", "decembre"],
]
_MONTHS = [
    ["January", "Jan."],
    ["February", "Feb."],
    ["March", "Mar."],
    ["April", "Apr."],
    ["May"],
    ["June", "Jun."],
    ["July", "Jul."],
    ["August", "Aug."],
    ["September", "Sept.", "Sep."],
    ["October", "Oct."],
    ["November", "Nov."],
    ["December", "Dec."],
]
_WRITTEN_DATES = st.dates(min_value=dt.date(1000, 1, 1))
_CASE = st.sampled_from([str, str.lower, str.upper, str.title])


@_fuzz(300)
@given(
    st.one_of(st.text(_CHARS, max_size=100), st.from_regex(r"[\d/.: -]{0,25}", fullmatch=True)),
    _LANGS,
)
def test_parse_date_never_raises(text: str, lang: str | None) -> None:
    """Any text gives a ``datetime.date`` or None."""
    result = parse_date(text, lang)
    assert result is None or type(result) is dt.date


@_fuzz(150)
@given(st.dates(), st.sampled_from(["", "T10:00", "T23:59:59Z", " 08:30:00+02:00", "T1:05 UTC"]))
def test_parse_date_iso_round_trip(day: dt.date, time: str) -> None:
    """ISO dates, with or without a time, give back the day."""
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.isoformat() + time) == day


@_fuzz(150)
@given(_WRITTEN_DATES, st.data())
def test_parse_date_french_round_trip(day: dt.date, data: st.DataObject) -> None:
    """'{jour} {mois} {année}', with '1er', abbreviations and a leading 'Le'."""
    mois = data.draw(_CASE)(data.draw(st.sampled_from(_MOIS[day.month - 1])))
    jour = "1er" if day.day == 1 and data.draw(st.booleans()) else str(day.day)
    prefix = data.draw(st.sampled_from(["", "Le ", "Publié le ", "lundi "]))
    assert parse_date(f"{prefix}{jour} {mois} {day.year}") == day
    assert parse_date(f"{jour} {mois} {day.year}", "fr") == day


@_fuzz(150)
@given(_WRITTEN_DATES, st.data())
def test_parse_date_english_round_trip(day: dt.date, data: st.DataObject) -> None:
    """'{Month} {day}, {year}' and '{day} {Month} {year}', ordinals and abbreviations."""
    month = data.draw(_CASE)(data.draw(st.sampled_from(_MONTHS[day.month - 1])))
    suffix = data.draw(st.sampled_from(["", {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")]))
    if 11 <= day.day <= 13 and suffix:
        suffix = "th"
    assert parse_date(f"{month} {day.day}{suffix}, {day.year}") == day
    assert parse_date(f"{day.day} {month} {day.year}", "en") == day


@_fuzz(150)
@given(_WRITTEN_DATES, st.sampled_from(["/", ".", "-"]))
def test_parse_date_numeric_round_trip(day: dt.date, sep: str) -> None:
    """Day/month by default; month/day with ``lang='en'`` (docstring)."""
    assert parse_date(f"{day.day:02}{sep}{day.month:02}{sep}{day.year}") == day
    assert parse_date(f"{day.month}{sep}{day.day}{sep}{day.year}", "en") == day


@_fuzz(150)
@given(st.integers(1, 9999))
def test_parse_bound_year(year: int) -> None:
    """'YYYY' is 1 January, or 31 December with ``end=True``."""
    assert parse_bound(f"{year:04}") == dt.date(year, 1, 1)
    assert parse_bound(f" {year:04}\n", end=True) == dt.date(year, 12, 31)


@_fuzz(150)
@given(st.integers(1, 9999), st.integers(1, 12), st.booleans())
def test_parse_bound_month(year: int, month: int, pad: bool) -> None:
    """'YYYY-MM' (or 'YYYY-M') is the first day, or the last one with ``end=True``."""
    text = f"{year:04}-{month:02}" if pad else f"{year:04}-{month}"
    last = calendar.monthrange(year, month)[1]
    assert parse_bound(text) == dt.date(year, month, 1)
    assert parse_bound(text, end=True) == dt.date(year, month, last)


def test_parse_bound_last_month_of_9999() -> None:
    """'9999-12' with ``end=True`` ends on 31 December 9999 (it once raised 'year 10000 is
    out of range')."""
    assert parse_bound("9999-12", end=True) == dt.date(9999, 12, 31)


@_fuzz(300)
@given(
    st.one_of(st.text(_CHARS, max_size=40), st.from_regex(r"[\d -]{0,12}", fullmatch=True)),
    st.booleans(),
)
def test_parse_bound_garbage_raises_value_error_only(text: str, end: bool) -> None:
    """Anything else gives a date or a ``ValueError``, never another exception."""
    try:
        result = parse_bound(text, end=end)
    except ValueError:
        return
    assert type(result) is dt.date


# --- ingest.py ----------------------------------------------------------------------------

_SUFFIXES = st.sampled_from([".txt", ".md", ".jsonl", ".html"])


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for all generated files (hypothesis does not mix with ``tmp_path``)."""
    return tmp_path_factory.mktemp("fuzz")


def _read(path: Path, raw: bytes) -> list[Parsed | Problem]:
    path.write_bytes(raw)
    return list(read_file(path))


def _check_items(path: Path, raw: bytes, items: list[Parsed | Problem]) -> None:
    """Only Parsed or Problem; problems name the file (and, for JSONL, an existing line);
    blocks index ``article.text``."""
    assert items, "read_file yields at least one item"
    lines = raw.count(b"\n") + 1
    for item in items:
        assert isinstance(item, Parsed | Problem), item
        if isinstance(item, Problem):
            assert item.path == str(path)
            if path.suffix == ".jsonl" and item.line is None:
                assert len(items) == 1, f"file-level problem among others: {items}"
            elif path.suffix == ".jsonl":
                assert isinstance(item.line, int) and 1 <= item.line <= lines, item
        else:
            assert item.article.path == str(path)
            assert item.blocks
            text = item.article.text
            _check_spans(text, item.blocks)


@_fuzz(120)
@given(st.binary(max_size=1500), _SUFFIXES)
def test_read_file_random_bytes(fuzz_dir: Path, raw: bytes, suffix: str) -> None:
    """Random bytes never raise; a NUL in the first 8 KiB is one 'binary' problem."""
    path = fuzz_dir / f"bytes{suffix}"
    items = _read(path, raw)
    _check_items(path, raw, items)
    if b"\x00" in raw:
        assert len(items) == 1 and isinstance(items[0], Problem) and items[0].line is None


_ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1"])


@_fuzz(120)
@given(st.one_of(_article_text(), st.text(_CHARS, max_size=200)), _ENCODINGS, _SUFFIXES)
def test_read_file_encoded_text(fuzz_dir: Path, text: str, encoding: str, suffix: str) -> None:
    """Text in UTF-8 (BOM or not) is read back exactly; cp1252 is the fallback."""
    path = fuzz_dir / f"text{suffix}"
    raw = text.encode(encoding, errors="replace")
    items = _read(path, raw)
    _check_items(path, raw, items)
    if suffix in (".txt", ".md") and b"\x00" not in raw:
        assert len(items) == 1
        try:
            expected = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            expected = raw.decode("cp1252", errors="replace")
            if encoding == "cp1252" and _encodable(text, "cp1252"):
                assert expected == text
        if encoding.startswith("utf-8") and _encodable(text, "utf-8"):
            assert expected == text.removeprefix("\ufeff") or expected == text
        if isinstance(items[0], Parsed):
            assert items[0].article.text == expected
        if not expected.strip():
            assert isinstance(items[0], Problem)


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


_JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False),
    st.text(_JSON_CHARS, max_size=20),
)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
_DATES_TEXT = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.sampled_from(["8 février 2022", "Feb 7, 2022", "hier", "", "31/02/2022"]),
    st.text(max_size=10),
)


@st.composite
def _record(draw: st.DrawFn) -> dict:
    """A JSONL object: usually with a string text, sometimes a wrong or missing one."""
    record: dict = {}
    text = draw(
        st.one_of(
            _article_text(_JSON_CHARS),
            st.text(_JSON_CHARS, max_size=120),
            _JSON_VALUES,
            st.just(None),
        )
    )
    if text is not None:
        record["text"] = text
    for key in ("title", "source", "url", "lang", "author"):
        if draw(st.booleans()):
            record[key] = draw(_JSON_SCALARS)
    if draw(st.booleans()):
        record["date"] = draw(_DATES_TEXT)
    if draw(st.booleans()):
        record["extra"] = draw(_JSON_VALUES)
    return record


@st.composite
def _jsonl_line(draw: st.DrawFn) -> str:
    """A JSONL line: an object, other JSON, broken JSON, random text or a blank line."""
    kind = draw(st.integers(0, 9))
    if kind <= 4:
        return json.dumps(draw(_record()), ensure_ascii=draw(st.booleans()))
    if kind == 5:
        return json.dumps(draw(_JSON_VALUES))
    if kind == 6:
        whole = json.dumps(draw(_record()))
        return whole[: draw(st.integers(0, max(0, len(whole) - 1)))]
    if kind == 7:
        return draw(st.sampled_from(["", "   ", "\t", "{}", "[]", "{", '{"text": 1}', "null"]))
    return draw(st.text(_JSON_CHARS.filter(lambda c: c != "\n"), max_size=60))


def _expected(line: str) -> tuple[str, str | None]:
    """What a JSONL line should give: 'blank', 'problem' (skipped), or 'article' with the
    text it should hold: its ``text``, else its title alone (``ingest.JSONL_KEYS``)."""
    if not line.strip():
        return "blank", None
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return "problem", None
    if not isinstance(record, dict):
        return "problem", None
    if "id" in record:
        return "other", None  # only random JSON values carry an "id": the test skips those
    body = record.get("text")
    if isinstance(body, str) and body.strip():
        return "article", _plain(body)  # markup read (a feed's HTML): tested in test_ingest
    if body not in (None, "", [], {}) and not isinstance(body, str):
        return "problem", None  # a text that is not a string
    title = record.get("title")
    if isinstance(title, str) and title.strip():
        return "article", _plain(title)  # a headline alone, with a caveat
    return "problem", None


@_fuzz(120)
@given(
    st.lists(_jsonl_line(), min_size=1, max_size=8),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_read_file_jsonl_lines(
    fuzz_dir: Path, lines: list[str], newline: str, encoding: str
) -> None:
    """Each line gives its own Problem (path and 1-based line) or article, its text kept
    (markup read as ``ingest._plain`` reads it)."""
    path = fuzz_dir / "lines.jsonl"
    raw = newline.join(lines).encode(encoding)
    items = _read(path, raw)
    _check_items(path, raw, items)
    if b"\x00" in raw[:8192]:
        assert len(items) == 1 and isinstance(items[0], Problem)
        return
    # Each line is UTF-8 with or without a BOM (files concatenated with ``cat`` have several).
    decoded = [chunk.decode("utf-8-sig") for chunk in raw.split(b"\n")]
    assert len(decoded) == len(lines)
    expected = {n: _expected(line) for n, line in enumerate(decoded, start=1)}
    kinds = {n: kind for n, (kind, _) in expected.items()}
    assume("other" not in kinds.values())  # a generated key named "id" (not generated)
    if all(kind == "blank" for kind in kinds.values()):
        assert len(items) == 1 and isinstance(items[0], Problem)
        return
    seen: dict[int, list[Parsed | Problem]] = {}
    for item in items:
        if isinstance(item, Parsed):
            stem, _, number = item.article.id.rpartition("-")
            assert stem == path.stem, item.article.id
            line = int(number)
            assert item.article.text == expected[line][1]
            event("JSONL article parsed")
        else:
            assert item.line is not None, item
            line = item.line
        seen.setdefault(line, []).append(item)
    for n, kind in kinds.items():
        got = seen.get(n, [])
        if kind == "blank":
            assert not got, (n, got)
        elif kind == "problem":
            assert len(got) == 1 and isinstance(got[0], Problem) and got[0].skipped, (n, got)
        else:  # an article, or a skipped Problem when cleaning leaves nothing; maybe caveats
            final = [g for g in got if isinstance(g, Parsed) or g.skipped]
            caveats = [g for g in got if isinstance(g, Problem) and not g.skipped]
            assert len(final) == 1 and len(caveats) <= 2, (n, got)  # a headline alone, a date


def _jsonl_then_a_good_line(fuzz_dir: Path, name: str, line: str) -> Parsed | Problem:
    """What ``line`` gives, followed by a good line that must still be read."""
    path = fuzz_dir / f"{name}.jsonl"
    items = _read(path, (line + "\n" + json.dumps({"text": "Une phrase."}) + "\n").encode())
    assert len(items) == 2 and isinstance(items[1], Parsed), items
    assert items[1].article.text == "Une phrase."
    return items[0]


def test_jsonl_lone_surrogate_escape(fuzz_dir: Path) -> None:
    r"""'{"text": "a \ud800 b"}' is valid JSON; the surrogate becomes U+FFFD (it once made
    Parsed's checksum encode() raise)."""
    item = _jsonl_then_a_good_line(fuzz_dir, "surrogate", '{"text": "Bonjour \\ud800 le monde."}')
    assert isinstance(item, Parsed) and item.article.text == "Bonjour \ufffd le monde."


def test_jsonl_huge_integer(fuzz_dir: Path) -> None:
    """json.loads raises ValueError (not JSONDecodeError) past sys.get_int_max_str_digits:
    the line is an invalid-JSON problem, and the next one is read."""
    item = _jsonl_then_a_good_line(fuzz_dir, "bigint", '{"text": "x", "n": ' + "1" * 5000 + "}")
    assert isinstance(item, Problem) and item.line == 1 and "invalid JSON" in item.reason


def test_jsonl_deep_nesting(fuzz_dir: Path) -> None:
    """A line of 100,000 '[' makes json.loads raise RecursionError: the line is an
    invalid-JSON problem, and the next one is read."""
    item = _jsonl_then_a_good_line(fuzz_dir, "deep", "[" * 100_000)
    assert isinstance(item, Problem) and item.line == 1 and "invalid JSON" in item.reason
