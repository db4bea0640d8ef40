"""Claim watch-lists: ``.txt`` (a claim a line, ``#`` comments) or ``.jsonl`` (``claim`` field)."""

from __future__ import annotations

import json
from pathlib import Path

from .errors import FactcheckError


def read_claims(path: str | Path) -> list[str]:
    """The claims of a watch-list, in order; a bad line raises an error naming file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FactcheckError(f"{path}: cannot read watch-list ({exc})") from exc
    claims = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or (path.suffix != ".jsonl" and line.startswith("#")):
            continue
        if path.suffix == ".jsonl":
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FactcheckError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from exc
            claim = record.get("claim") if isinstance(record, dict) else None
            if not isinstance(claim, str) or not claim.strip():
                raise FactcheckError(f"{path}:{lineno}: missing or empty 'claim' field")
            line = claim.strip()
        claims.append(line)
    return claims
