"""Data safety: a killed ingest, two writers at once, damaged files, and bad input lose nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from factcheck import Corpus, CorpusError
from factcheck.cli import app

pytestmark = pytest.mark.slow
RSS = Path(__file__).resolve().parents[2] / "shared" / "data" / "rss_2022_russia_ukraine.jsonl"
runner = CliRunner()


def _news(path: Path, start: int, count: int) -> Path:
    """Real dated news items (title + summary) as a JSONL feed of ``count`` articles."""
    if not RSS.exists():
        pytest.skip(f"{RSS} is missing")
    with RSS.open(encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh][start : start + count]
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            text = f"{item['title']}. {item['description']}"
            record = {"id": item["id"], "text": text, "date": item["date_published"]}
            out.write(json.dumps(record | {"source": item["source_feed"]}) + "\n")
    return path


def _ingest_process(index: Path, *paths: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "factcheck.cli", "ingest", *map(str, paths)]
    return subprocess.Popen(
        [*command, "--index", str(index)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _committed_articles(index: Path) -> int:
    try:
        with sqlite3.connect(index / "meta.sqlite") as db:  # recovers a killed writer's WAL
            db.execute("PRAGMA query_only=ON")
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_kill_9_mid_ingest_keeps_committed_articles(tmp_path: Path) -> None:
    feed = _news(tmp_path / "feed.jsonl", 0, 400)
    index = tmp_path / "index"
    process = _ingest_process(index, feed)
    deadline = time.monotonic() + 120
    while _committed_articles(index) < 30 and time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    committed = _committed_articles(index)
    assert 30 <= committed < 400

    with Corpus.open(index, readonly=True) as reader:
        assert reader.info()["articles"] == committed
        ids = reader.store.filtered_ids()
        top = reader.find("Russian troops near the Ukrainian border", k=5)
        assert len(top) == 5
        assert {m.article.id for m in top} <= {
            r[0] for r in reader.store.db.execute("SELECT id FROM articles")
        }
        assert len(ids) == reader.info()["sentences"]

    with Corpus.open(index) as writer:
        result = writer.ingest([feed])
        # Every article committed before the kill was complete: it is seen as unchanged.
        assert (result.unchanged, result.added, result.skipped) == (committed, 400 - committed, [])
        assert writer.check() == []


def test_two_writers_at_once_both_land(tmp_path: Path) -> None:
    index = tmp_path / "index"
    first = _ingest_process(index, _news(tmp_path / "a.jsonl", 0, 40))
    second = _ingest_process(index, _news(tmp_path / "b.jsonl", 40, 40))
    reads = 0
    while first.poll() is None or second.poll() is None:
        if (index / "manifest.json").exists():
            with Corpus.open(index, readonly=True) as reader:  # never blocked, never half-state
                matches = reader.find("sanctions against Russia", k=3)
                assert all(m.text for m in matches)
                reads += 1
        time.sleep(0.1)
    assert first.returncode == 0, first.stderr.read().decode()
    assert second.returncode == 0, second.stderr.read().decode()
    with Corpus.open(index, readonly=True) as corpus:
        assert corpus.info()["articles"] == 80
        assert corpus.check() == []
    assert reads > 0


@pytest.fixture()
def small_index(tmp_path: Path) -> Path:
    index = tmp_path / "index"
    with Corpus.open(index) as corpus:
        corpus.ingest([_news(tmp_path / "feed.jsonl", 100, 12)])
    return index


def test_damaged_faiss_file_is_reported_and_rebuilt(small_index: Path) -> None:
    ok = runner.invoke(app, ["info", "--check", "--index", str(small_index)])
    assert ok.exit_code == 0 and "consistent" in ok.stderr
    faiss_file = small_index / "vectors.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    bad = runner.invoke(app, ["info", "--check", "--index", str(small_index)])
    assert bad.exit_code == 1 and "does not match the checksum" in bad.stderr
    found = runner.invoke(app, ["find", "Ukraine", "--index", str(small_index), "--json"])
    assert found.exit_code == 0 and "rebuilt from SQLite" in found.stderr
    assert len(json.loads(found.stdout)["matches"]) == 5
    with Corpus.open(small_index) as writer:
        writer.ingest([])
    assert runner.invoke(app, ["info", "--check", "--index", str(small_index)]).exit_code == 0


def _find_json(index: Path, claim: str) -> tuple[list[tuple[str, float]], str]:
    """``factcheck find --json --rules-only``: (sentence text, score) of each match, and stderr."""
    result = runner.invoke(app, ["find", claim, "--index", str(index), "--json", "--rules-only"])
    assert result.exit_code == 0, result.output
    matches = json.loads(result.stdout)["matches"]
    return [(m["text"], round(m["score"], 4)) for m in matches], result.stderr


def test_a_damaged_but_readable_faiss_file_is_neither_used_nor_certified(
    small_index: Path,
) -> None:
    """Vectors overwritten in place by other floats (the file still loads, size unchanged):
    find says so and answers from SQLite, and the next ingest rebuilds the file instead of
    appending to it and recording its checksum as good."""
    claim = "Russian troops near the Ukrainian border"
    expected, _ = _find_json(small_index, claim)
    faiss_file = small_index / "vectors.faiss"
    with Corpus.open(small_index, readonly=True) as reader:
        vectors = np.vstack([v for _, v in reader.store.iter_vectors()])
    data = bytearray(faiss_file.read_bytes())
    start = data.find(vectors.tobytes())  # a flat index holds the vectors in id order
    assert start > 0
    data[start : start + vectors.nbytes] = vectors[::-1].tobytes()
    faiss_file.write_bytes(bytes(data))

    found, stderr = _find_json(small_index, claim)
    assert "does not match the checksum" in stderr and "rebuilt from SQLite" in stderr
    assert found == expected
    with Corpus.open(small_index) as writer:
        writer.ingest([])
        assert any("does not match the checksum" in n for n in writer.notices)
    assert faiss_file.read_bytes().find(vectors.tobytes()) > 0  # rebuilt, not appended to
    checked = runner.invoke(app, ["info", "--check", "--index", str(small_index)])
    assert checked.exit_code == 0 and "consistent" in checked.stderr
    found, stderr = _find_json(small_index, claim)
    assert found == expected and "note:" not in stderr


PAUSED_INGEST = """
import sys
from factcheck import Corpus

def paused(self, vectors):  # everything is committed to SQLite; FAISS and manifest not saved
    print("committed", flush=True)
    sys.stdin.read()

Corpus._save = paused
with Corpus.open(sys.argv[1]) as corpus:
    corpus.ingest([sys.argv[2]])
"""


def test_find_during_and_after_an_unfinished_first_ingest_says_so(tmp_path: Path) -> None:
    """A reader answers from what the running ingest has committed, and says the index is
    incomplete: while it runs (it holds the write lock), and after it died."""
    feed = _news(tmp_path / "feed.jsonl", 100, 6)
    index = tmp_path / "index"
    writer = subprocess.Popen(
        [sys.executable, "-c", PAUSED_INGEST, str(index), str(feed)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout.readline() == "committed\n"
        found, stderr = _find_json(index, "Ukraine")
        assert len(found) == 5
        assert f"ingest into {index} is in progress (pid {writer.pid})" in " ".join(stderr.split())
    finally:
        writer.communicate("")
    assert writer.returncode == 0
    found, stderr = _find_json(index, "Ukraine")
    assert len(found) == 5 and "did not finish" in stderr
    with Corpus.open(index) as corpus:
        corpus.ingest([feed])
    assert "note:" not in _find_json(index, "Ukraine")[1]


def test_an_unreadable_manifest_asks_to_re_create_the_index_only_if_sqlite_is_damaged(
    small_index: Path, tmp_path: Path
) -> None:
    manifest = small_index / "manifest.json"
    manifest.write_text('{"format": "factcheck.index/1", "mod')
    with pytest.raises(CorpusError, match="meta.sqlite is intact") as raised:
        Corpus.open(small_index, readonly=True)
    assert "re-create" not in str(raised.value)
    # The advice works: nothing is embedded again, and the index is whole.
    manifest.rename(tmp_path / "manifest.old")
    (small_index / "vectors.faiss").rename(tmp_path / "vectors.old")
    with Corpus.open(small_index) as writer:
        result = writer.ingest([tmp_path / "feed.jsonl"])
        assert (result.unchanged, result.embedded, writer.check()) == (12, 0, [])
    manifest.write_text("{")
    for name in ("meta.sqlite-wal", "meta.sqlite-shm"):
        (small_index / name).unlink(missing_ok=True)
    (small_index / "meta.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(CorpusError, match="meta.sqlite is damaged too: re-create the index"):
        Corpus.open(small_index, readonly=True)


def test_damaged_database_and_foreign_format_are_refused(small_index: Path) -> None:
    manifest = json.loads((small_index / "manifest.json").read_text())
    (small_index / "manifest.json").write_text(json.dumps(manifest | {"format": "other/9"}))
    with pytest.raises(CorpusError, match="format 'other/9'"):
        Corpus.open(small_index)
    (small_index / "manifest.json").write_text(json.dumps(manifest))
    for name in ("meta.sqlite-wal", "meta.sqlite-shm"):
        (small_index / name).unlink(missing_ok=True)
    (small_index / "meta.sqlite").write_bytes(b"this is not a database" * 100)
    result = runner.invoke(app, ["find", "Ukraine", "--index", str(small_index)])
    assert result.exit_code == 1
    assert "not a usable factcheck database" in result.stderr and "new --index" in result.stderr


def test_bad_inputs_are_named_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Le ministre a annoncé la réforme des retraites mardi soir.")
    (folder / "huge.txt").write_text("Une phrase très longue sans fin " * 1_700_000)  # ~54 MB
    (folder / "empty.jsonl").write_text("\n\n")
    (folder / "maltese.txt").write_text(
        "Il-gvern Malti ħabbar miżuri ġodda biex jgħin lill-familji jħallsu l-kontijiet tad-dawl."
    )
    index = tmp_path / "index"
    result = runner.invoke(
        app, ["ingest", str(folder), str(tmp_path / "absent.md"), "--index", str(index), "--json"]
    )
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    reasons = {Path(p["path"]).name: p["reason"] for p in summary["skipped"]}
    assert "over the limit" in reasons["huge.txt"]
    assert reasons["empty.jsonl"] == "empty file"
    assert reasons["absent.md"] == "no such file or folder"
    assert [Path(w["path"]).name for w in summary["warnings"]] == ["maltese.txt"]
    assert summary["added"] == 2  # good.txt, and maltese.txt with its warning


@pytest.mark.parametrize("claim", ["", "   ", "x" * 100_000])
def test_empty_and_huge_claims_are_refused(small_index: Path, claim: str) -> None:
    result = runner.invoke(app, ["find", claim, "--index", str(small_index)])
    assert result.exit_code == 1
    assert "empty" in result.stderr or "100,000 characters" in result.stderr


def test_an_ivf_index_is_rebuilt_once_it_outgrows_its_lists() -> None:
    """Lists trained for 100k vectors scan 4× too much at 400k: the next save rebuilds."""
    from factcheck.vectors import IVF_THRESHOLD, VectorIndex

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((4 * IVF_THRESHOLD, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(len(vectors), dtype=np.int64)
    flat = VectorIndex.build(8, ids[: IVF_THRESHOLD - 1], vectors[: IVF_THRESHOLD - 1])
    assert flat.describe()["kind"] == "flat" and not flat.outgrown()
    flat.add(ids[IVF_THRESHOLD - 1 : IVF_THRESHOLD], vectors[IVF_THRESHOLD - 1 : IVF_THRESHOLD])
    assert flat.outgrown()
    ivf = VectorIndex.build(8, ids[:IVF_THRESHOLD], vectors[:IVF_THRESHOLD])
    assert ivf.describe()["kind"] == "ivf" and not ivf.outgrown()
    ivf.add(ids[IVF_THRESHOLD : 3 * IVF_THRESHOLD], vectors[IVF_THRESHOLD : 3 * IVF_THRESHOLD])
    assert not ivf.outgrown()
    ivf.add(ids[3 * IVF_THRESHOLD :], vectors[3 * IVF_THRESHOLD :])
    assert ivf.outgrown()
