"""Claim watch-lists (``.txt``, a claim a line, ``#`` comments; or ``.jsonl``, a ``claim``
field) and statement pairs to compare (``.jsonl``, fields ``a`` and ``b``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from .errors import FactcheckError


def read_claims(path: str | Path) -> list[str]:
    """The claims of a watch-list, in order; a bad line raises an error naming file and line."""
    path = Path(path)
    if path.suffix == ".jsonl":
        return [fields[0] for fields in _jsonl_fields(path, ("claim",))]
    return [
        line.strip()
        for line in _read(path).splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """(a, b) statement pairs from JSON Lines with ``a`` and ``b`` fields."""
    return [(a, b) for a, b in _jsonl_fields(Path(path), ("a", "b"))]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FactcheckError(f"{path}: cannot read ({exc})") from exc


def _jsonl_fields(path: Path, names: tuple[str, ...]) -> Iterator[list[str]]:
    """The named non-empty string fields of each line, stripped."""
    for lineno, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise FactcheckError(f"{path}:{lineno}: invalid JSON ({exc})") from exc
        values = [record.get(name) if isinstance(record, dict) else None for name in names]
        for name, value in zip(names, values, strict=True):
            if not isinstance(value, str) or not value.strip():
                raise FactcheckError(f"{path}:{lineno}: missing or empty {name!r} field")
        yield [v.strip() for v in values]
