"""Embedding through Ray Data (factcheck.distributed) on a local Ray instance the tests start:
the same index as a plain ingest, shards merged and removed, bad shards refused."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from factcheck import Article, Corpus, CorpusError, ModelError
from factcheck.cli import app
from factcheck.corpus import _text_hash
from factcheck.distributed import SHARDS, ingest_with_ray, merge_shards

ray = pytest.importorskip("ray", reason="needs the [ray] extra")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray"),  # Ray Data's own settings
]
CLAIMS = ["Putin met Macron on 7 February", "70 % des forces rassemblées"]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """A local Ray instance for this module; ``ingest_with_ray`` uses this connection."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _rows(corpus: Corpus, sql: str) -> list[tuple]:
    return corpus.store.db.execute(sql).fetchall()


def test_ray_ingest_builds_the_same_index_as_a_plain_ingest(
    local_ray: None, seeds_dir: Path, seed_corpus: Corpus, tmp_path: Path
) -> None:
    stages: set[str] = set()
    with Corpus.open(tmp_path / "index") as corpus:
        result = ingest_with_ray(
            corpus, [seeds_dir], concurrency=2, on_progress=lambda s, *_: stages.add(s)
        )
        assert (result.added, result.skipped) == (5, [])
        assert result.sentences == 91
        distinct = len({h for (h,) in _rows(corpus, "SELECT hash FROM sentences")})
        assert result.embedded_on_ray == distinct and result.shard_files == 2
        assert result.embedded == 0  # the driver found every vector merged into the cache
        assert stages == {"read", "embed", "write"}
        assert not (corpus.path / SHARDS).exists()
        assert corpus.check() == []

        articles = "SELECT id, checksum FROM articles ORDER BY id"
        assert _rows(corpus, articles) == _rows(seed_corpus, articles)
        sentences = (
            "SELECT article_id, idx, start, end, text, lang, hash, features "
            "FROM sentences ORDER BY article_id, idx"
        )
        assert _rows(corpus, sentences) == _rows(seed_corpus, sentences)
        # Each text is embedded alone (export.run_each), so Ray's batches give the plain
        # ingest's vectors exactly, and with them the same scores and matches.
        hashes = [h for (h,) in _rows(corpus, "SELECT hash FROM vectors ORDER BY hash")]
        ours, theirs = corpus.store.cached_vectors(hashes), seed_corpus.store.cached_vectors(hashes)
        assert hashes and set(ours) == set(theirs) == set(hashes)
        assert all(np.array_equal(ours[h], theirs[h]) for h in hashes)

        for claim in CLAIMS:
            got, expected = corpus.find(claim, k=3), seed_corpus.find(claim, k=3)
            assert [(m.text, m.score) for m in got] == [(m.text, m.score) for m in expected]

        again = ingest_with_ray(corpus, [seeds_dir])  # nothing new: no Ray job at all
        assert (again.unchanged, again.embedded, again.embedded_on_ray) == (5, 0, 0)


def test_cli_ingest_with_ray(local_ray: None, seeds_dir: Path, tmp_path: Path) -> None:
    seed = sorted(seeds_dir.glob("*.txt"))[0]
    index = tmp_path / "index"
    args = ["ingest", str(seed), "--index", str(index), "--ray", "auto", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["added"] == 1 and summary["embedded"] == 0
    assert summary["embedded_on_ray"] == summary["sentences"] > 0
    assert "0 embedded here" in result.stderr and "on Ray" in result.stderr


def test_cli_without_ray_says_what_to_install(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    args = ["ingest", str(seeds_dir), "--index", str(tmp_path / "index"), "--ray", "auto"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "pip install 'factcheck-claims[ray]'" in result.stderr


def _shard(path: Path, hashes: list[str], vectors: np.ndarray, model: str) -> Path:
    """A shard as ``ingest_with_ray`` writes it: hash, vector (float32 × dim), model."""
    dim = vectors.shape[1]
    flat = pa.array(vectors.astype(np.float32).reshape(-1))
    table = pa.table(
        {
            "hash": pa.array(hashes, pa.string()),
            "vector": pa.FixedSizeListArray.from_arrays(flat, dim),
            "model": pa.array([model] * len(hashes), pa.string()),
        }
    )
    pq.write_table(table, path)
    return path


def test_bad_shards_are_refused_and_leave_the_index_untouched(tmp_path: Path) -> None:
    text = "Le prix du gaz a doublé en Europe depuis le début de l'année."
    with Corpus.open(tmp_path / "index") as corpus:
        corpus.add([Article(id="kyiv", text="Emmanuel Macron s'est rendu à Kiev mardi.")])
        vector = corpus.embedder.embed_passages([text])
        folder = corpus.path / SHARDS / "run"
        folder.mkdir(parents=True)
        good = _shard(folder / "part-000000.parquet", [_text_hash(text)], vector, corpus.model_name)

        def snapshot() -> tuple:
            return (
                _rows(corpus, "SELECT hash, vector FROM vectors ORDER BY hash"),
                _rows(corpus, "SELECT id, text FROM sentences ORDER BY id"),
                (corpus.path / "manifest.json").read_text(),
            )

        before = snapshot()
        other = _shard(folder / "part-000001.parquet", ["a" * 32], vector, "other/model")
        with pytest.raises(ModelError, match=r"part-000001\.parquet.*'other/model'") as caught:
            merge_shards(corpus, folder)
        assert str(folder) in str(caught.value) and "nothing was merged" in str(caught.value)
        assert snapshot() == before and good.exists() and other.exists()

        other.unlink()
        small = _shard(
            folder / "part-000002.parquet", ["b" * 32], np.ones((1, 8)), corpus.model_name
        )
        with pytest.raises(ModelError, match=r"part-000002\.parquet holds 8-dim vectors.* 384-dim"):
            merge_shards(corpus, folder)
        assert snapshot() == before

        small.write_bytes(b"not parquet")
        with pytest.raises(CorpusError, match=r"part-000002\.parquet is unreadable"):
            merge_shards(corpus, folder)
        assert snapshot() == before and corpus.check() == []

        small.unlink()  # the retry: the good shard alone merges, and its folder goes
        assert merge_shards(corpus, folder) == 1
        assert not (corpus.path / SHARDS).exists()
        added = corpus.add([Article(id="gaz", text=text)])
        assert (added.added, added.embedded) == (1, 0)
        assert np.allclose(
            corpus.store.cached_vectors([_text_hash(text)])[_text_hash(text)], vector
        )
