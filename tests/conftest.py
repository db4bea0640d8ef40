"""Shared fixtures: the five seed articles, read in place from ``../shared/seeds``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from factcheck import Corpus

os.environ["HF_HUB_OFFLINE"] = "1"

SEEDS = Path(
    os.environ.get("FACTCHECK_SEEDS", Path(__file__).resolve().parents[2] / "shared" / "seeds")
)


@pytest.fixture(scope="session", autouse=True)
def _session_working_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Module and session fixtures (an index ingested once) run outside the clone too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("session-cwd"))
        for name in ("FACTCHECK_INDEX", "FACTCHECK_DECISIONS"):
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(autouse=True)
def _own_working_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test runs in an empty folder of its own, without the user's index settings: a
    README walk-through done in the clone (its ``claims/decisions.jsonl``, its
    ``factcheck.toml``) or a ``$FACTCHECK_INDEX`` must not change what a test sees, and no
    test may leave files in the clone."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    for name in ("FACTCHECK_INDEX", "FACTCHECK_DECISIONS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The seed articles folder (``FACTCHECK_SEEDS`` overrides ``../shared/seeds``)."""
    if not any(SEEDS.glob("*.txt")):
        pytest.skip(f"no seed articles in {SEEDS}")
    return SEEDS


@pytest.fixture(scope="session")
def seed_corpus(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """A corpus with the seed articles ingested once, in a temporary index."""
    from factcheck import Corpus

    corpus = Corpus.open(tmp_path_factory.mktemp("seed-index"))
    corpus.ingest([seeds_dir])
    yield corpus
    corpus.close()
