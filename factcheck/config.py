"""The working folder's ``factcheck.toml``: which index its commands share.

The first ``factcheck ingest --index DIR`` run in a folder writes ``index = "DIR"`` there,
so that ``report``, ``review``, ``serve``, ``publish``, ``find`` and ``info`` run in the same
folder work on that index without repeating ``--index`` (forgetting it on one command of a
workflow sent reviewers to an empty index). Which index a command uses, first match wins:
``--index``, ``$FACTCHECK_INDEX``, ``factcheck.toml`` of the working folder, ``./index``.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from .errors import FactcheckError

CONFIG_FILE = "factcheck.toml"
DEFAULT_INDEX = Path("index")


class ConfigError(FactcheckError):
    """A ``factcheck.toml`` that cannot be read; the message names the file (and line)."""


def default_index(folder: Path | None = None) -> Path:
    """The index a command uses when not given ``--index``: ``$FACTCHECK_INDEX``, else the
    one ``factcheck.toml`` in ``folder`` (the working folder) names, else ``./index``."""
    if os.environ.get("FACTCHECK_INDEX"):
        return Path(os.environ["FACTCHECK_INDEX"])
    return configured_index(folder) or DEFAULT_INDEX


def configured_index(folder: Path | None = None) -> Path | None:
    """The index named by ``folder/factcheck.toml`` (relative paths are relative to that
    folder, so the file means the same from anywhere), or None without a file."""
    path = (folder or Path()) / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        index = tomllib.loads(text).get("index")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}; fix or delete it") from None
    if index is None:
        return None
    if not isinstance(index, str) or not index.strip():
        raise ConfigError(f'{path}: index must be a folder name, as in index = "my-index"')
    index_path = Path(index)
    return index_path if index_path.is_absolute() or folder is None else folder / index_path


def remember_index(index: Path, folder: Path | None = None) -> Path | None:
    """Write ``folder/factcheck.toml`` naming ``index``, unless the folder has one already.

    Returns the file written, or None when one was there (it is never overwritten: the user
    may have edited it). Raises ``ConfigError`` when it cannot be written.
    """
    path = (folder or Path()) / CONFIG_FILE
    body = (
        "# Written by `factcheck ingest --index`: the index that factcheck commands run in this\n"
        "# folder use unless given --index or $FACTCHECK_INDEX.\n"
        f"index = {json.dumps(str(index), ensure_ascii=False)}\n"
    )
    try:
        if tomllib.loads(body)["index"] != str(index):
            raise ValueError
    except ValueError:  # a control character TOML cannot hold as written
        raise ConfigError(f"cannot name the index {str(index)!r} in {path}") from None
    try:
        with open(path, "x", encoding="utf-8") as fh:
            fh.write(body)
    except FileExistsError:
        return None
    except (OSError, UnicodeEncodeError) as exc:
        raise ConfigError(f"cannot write {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return path
