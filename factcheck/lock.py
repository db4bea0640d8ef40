"""One writer at a time per index: an advisory file lock that waits, then fails clearly."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import IndexBusy


@contextmanager
def write_lock(index_dir: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold ``index_dir/.lock`` exclusively; readers never take it and are never blocked."""
    path = index_dir / ".lock"
    with open(path, "a+") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise IndexBusy(
                        f"{index_dir} is being written by another factcheck process "
                        f"(pid {holder}); "
                        "wait for it to finish or use another --index"
                    ) from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def lock_holder(index_dir: Path) -> str | None:
    """The pid writing to ``index_dir`` ("unknown" if not yet written), or None when no
    process is: a reader's probe, which holds the lock shared for an instant, never waiting."""
    try:
        with open(index_dir / ".lock") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return fh.read().strip() or "unknown"
            fcntl.flock(fh, fcntl.LOCK_UN)
    except OSError:  # no writer ever ran here, or a lock file this user cannot read
        pass
    return None
