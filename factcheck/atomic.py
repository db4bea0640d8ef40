"""Files replaced whole: written beside their target and renamed into place, so a reader or a
crash never sees half of one."""

from __future__ import annotations

from pathlib import Path


def write_text(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` atomically. A device or pipe (``-o /dev/stdout``) is
    written to as it is, never replaced by a file. Raises ``OSError``."""
    if path.exists() and not path.is_file():
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
