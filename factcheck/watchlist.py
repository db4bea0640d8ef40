"""Claim watch-lists (``.txt``, a claim a line, ``#`` comments; or ``.jsonl``, a ``claim``
field) and statement pairs to compare (``.jsonl``, fields ``a`` and ``b``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import FactcheckError


@dataclass(frozen=True)
class WatchedClaim:
    """A claim of a watch-list and its line; ``error`` says why a line holds no usable claim,
    so that one bad line costs only itself."""

    path: Path
    line: int
    text: str = ""
    error: str | None = None


def read_claims(path: str | Path, field: str = "claim") -> list[WatchedClaim]:
    """The claims of a watch-list (in JSON Lines, the ``field`` of each line), in order, bad
    lines included with their error; a file that cannot be read raises an error."""
    path = Path(path)
    if path.suffix == ".jsonl":
        return [
            WatchedClaim(path, lineno, error=found)
            if isinstance(found, str)
            else WatchedClaim(path, lineno, found[0])
            for lineno, found in _jsonl_fields(path, (field,))
        ]
    return [
        WatchedClaim(path, lineno, line.strip())
        for lineno, line in enumerate(_read(path).splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#")
    ]


def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """(a, b) statement pairs from JSON Lines with ``a`` and ``b`` fields; a bad line raises
    an error naming file and line."""
    path = Path(path)
    pairs = []
    for lineno, found in _jsonl_fields(path, ("a", "b")):
        if isinstance(found, str):
            raise FactcheckError(f"{path}:{lineno}: {found}")
        pairs.append((found[0], found[1]))
    return pairs


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FactcheckError(f"{path}: cannot read ({exc})") from exc


def _jsonl_fields(path: Path, names: tuple[str, ...]) -> Iterator[tuple[int, list[str] | str]]:
    """Each non-blank line's number with its named non-empty string fields, stripped, or
    with what is wrong with it."""
    for lineno, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield lineno, f"invalid JSON ({exc})"
            continue
        values = [record.get(name) if isinstance(record, dict) else None for name in names]
        texts = [v.strip() if isinstance(v, str) else "" for v in values]
        if "" in texts:
            yield lineno, f"missing or empty {names[texts.index('')]!r} field"
        else:
            yield lineno, texts
