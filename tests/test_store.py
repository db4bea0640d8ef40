"""Dates inferred for undated articles: written at ingest, migrated into old indexes, and
used or left out by the date filters; the vectors saved as a base file and a delta."""

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

from factcheck import Corpus, vectors
from factcheck.features import extract
from factcheck.filters import Filters
from factcheck.models import Article, Sentence
from factcheck.store import Store
from factcheck.vectors import VectorIndex

TEXTS = [
    "Le vendredi 21 Juin 2024, le chef de l’État russe recevait les diplômés.",
    "Il rappelait le sommet du 3 mai 2023 et une hausse de 7,3 % en juin.",
]


def _add(store: Store, article: Article) -> int:
    sentences = [
        Sentence(i, 0, len(t), t, "fr", extract(t, "fr").to_dict()) for i, t in enumerate(TEXTS)
    ]
    hashes = [f"{article.id}{i}" for i in range(len(TEXTS))]
    vectors = {h: np.ones(4, dtype=np.float32) for h in hashes}
    return store.replace_article(article, "c", sentences, hashes, vectors)[1][0]


def test_an_undated_article_is_dated_by_the_latest_full_date_it_writes(tmp_path: Path) -> None:
    store = Store(tmp_path / "meta.sqlite")
    undated = _add(store, Article(id="undated", text=" ".join(TEXTS)))
    dated = _add(store, Article(id="dated", text=" ".join(TEXTS), date="2024-07-01"))
    rows = store.sentences_by_id([undated, dated])
    assert (rows[undated]["article"].date, rows[undated]["article"].date_inferred) == (
        "2024-06-21",
        True,
    )  # "7,3" is no date
    assert rows[undated]["article"].shown_date == "≥ 2024-06-21"
    assert (rows[dated]["article"].date, rows[dated]["article"].date_inferred) == (
        "2024-07-01",
        False,
    )
    hidden = store.sentences_by_id([undated], inferred_dates=False)[undated]["article"]
    assert (hidden.date, hidden.date_inferred) == (None, False)
    store.close()


def test_date_filters_use_inferred_dates_unless_told_not_to(tmp_path: Path) -> None:
    store = Store(tmp_path / "meta.sqlite")
    undated = _add(store, Article(id="undated", text=" ".join(TEXTS)))
    june = Filters(since="2024-06")
    assert undated in store.filtered_ids(june).tolist()
    assert undated not in store.filtered_ids(Filters(until="2024-05")).tolist()
    assert store.filtered_ids(Filters(since="2024-06", inferred_dates=False)).tolist() == []
    assert undated in store.filtered_ids(Filters(inferred_dates=False)).tolist()  # no bounds
    store.close()


def test_an_old_index_gains_inferred_dates_on_its_next_writable_open(tmp_path: Path) -> None:
    path = tmp_path / "meta.sqlite"
    store = Store(path)
    _add(store, Article(id="undated", text=" ".join(TEXTS)))
    with store.db:
        store.db.execute("UPDATE articles SET date = NULL")
        store.db.execute("ALTER TABLE articles DROP COLUMN date_inferred")
    store.close()
    Store(path, readonly=True).close()  # a reader leaves the file as it is
    columns = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(articles)")}
    assert "date_inferred" not in columns
    migrated = Store(path)
    row = migrated.db.execute("SELECT date, date_inferred FROM articles").fetchone()
    migrated.close()
    assert row == ("2024-06-21", 1)


def test_a_reader_of_an_old_index_finds_and_filters_before_any_migration(tmp_path: Path) -> None:
    path = tmp_path / "meta.sqlite"
    store = Store(path)
    sentence = _add(store, Article(id="dated", text=" ".join(TEXTS), date="2024-07-01"))
    with store.db:
        store.db.execute("ALTER TABLE articles DROP COLUMN date_inferred")
    store.close()
    reader = Store(path, readonly=True)
    ids = reader.filtered_ids(Filters(since="2024-07", inferred_dates=False)).tolist()
    row = reader.sentences_by_id([sentence])[sentence]["article"]
    reader.close()
    assert sentence in ids
    assert (row.date, row.date_inferred) == ("2024-07-01", False)
    columns = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(articles)")}
    assert "date_inferred" not in columns  # the file is left as it is


# --- Saving the vectors: a base file, a delta file of the changes since, merged when large ---

RSS = Path(__file__).resolve().parents[2] / "shared" / "data" / "rss_2022_russia_ukraine.jsonl"


def _news(start: int, count: int) -> list[dict]:
    """Real dated news items (title + summary) as article records."""
    if not RSS.exists():
        pytest.skip(f"{RSS} is missing")
    with RSS.open(encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh][start : start + count]
    return [
        {"id": i["id"], "text": f"{i['title']}. {i['description']}", "date": i["date_published"]}
        for i in items
    ]


def _feed(path: Path, start: int, count: int) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in _news(start, count)), encoding="utf-8")
    return path


def _manifest(index: Path) -> dict:
    return json.loads((index / "manifest.json").read_text(encoding="utf-8"))


def test_a_delta_file_carries_the_changes_since_the_base_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    rows = rng.standard_normal((60, 8)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    VectorIndex.build(8, np.arange(50), rows[:50]).save(tmp_path / "base")
    index = VectorIndex.load(tmp_path / "base")
    index.add(np.arange(50, 60), rows[50:])
    index.remove(np.array([3, 55]))  # one of the base, one of the delta
    assert index.delta_size() == 9 + 1
    index.save_delta(tmp_path / "delta")
    loaded = VectorIndex.load(tmp_path / "base", tmp_path / "delta")
    assert sorted(loaded.ids().tolist()) == sorted(set(range(60)) - {3, 55})
    assert loaded.search(rows[57], 1)[0][0] == 57
    assert loaded.search(rows[3], 1)[0][0] != 3
    assert loaded.delta_size() == 10  # the next delta carries these changes on


def test_a_filter_prepared_once_answers_every_batch_among_the_allowed_ids_only() -> None:
    """``VectorIndex.among``: the report prepares its allowed ids once and searches them in
    many batches; each batch gets the exact nearest allowed neighbours."""
    rng = np.random.default_rng(1)
    rows = rng.standard_normal((200, 8)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    index = VectorIndex.build(8, np.arange(200) + 1000, rows)
    allowed = np.arange(1000, 1200, 3)
    search = index.among(allowed)
    for batch in (rows[:5], rows[100:140]):
        expected = [(allowed[np.argsort(-(rows[allowed - 1000] @ q))[:4]]).tolist() for q in batch]
        assert [[i for i, _ in hits] for hits in search(batch, 4)] == expected
    assert index.among(np.array([], dtype=np.int64))(rows[:2], 4) == [[], []]


@pytest.mark.slow
def test_a_small_ingest_writes_a_delta_and_a_grown_delta_is_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "DELTA_MIN", 20)
    monkeypatch.setattr(vectors, "DELTA_SHARE", 0.0)
    index = tmp_path / "index"
    with Corpus.open(index) as corpus:
        corpus.ingest([_feed(tmp_path / "a.jsonl", 0, 10)])
    base = index / "vectors.faiss"
    written = base.stat().st_mtime_ns
    assert "delta" not in _manifest(index)

    added = _news(10, 3)
    with Corpus.open(index) as corpus:
        assert 0 < corpus.ingest([_feed(tmp_path / "b.jsonl", 10, 3)]).sentences < 20
    manifest = _manifest(index)
    assert base.stat().st_mtime_ns == written  # the base file is not written again
    assert (index / manifest["delta"]).exists() and manifest["delta"] in manifest["files"]
    with Corpus.open(index, readonly=True) as reader:
        assert reader.check() == []
        top = reader.find(added[1]["text"].split(". ")[0], k=1, rules_only=True)[0]
        assert top.article.id == added[1]["id"]

    with Corpus.open(index) as corpus:
        assert corpus.ingest([_feed(tmp_path / "c.jsonl", 13, 15)]).sentences > 20
    assert "delta" not in _manifest(index) and base.stat().st_mtime_ns != written
    assert not list(index.glob("*.delta*"))  # merged into the base file, then removed
    with Corpus.open(index, readonly=True) as reader:
        assert reader.check() == []
        assert reader.info()["sentences"] == len(reader.store.filtered_ids())


@pytest.mark.slow
def test_a_reader_opened_before_a_save_loads_the_files_of_the_new_manifest(
    tmp_path: Path,
) -> None:
    """The delta file a reader's manifest names is gone once a writer saved a new one: the
    reader takes the writer's manifest instead of rebuilding from SQLite."""
    index = tmp_path / "index"
    with Corpus.open(index) as corpus:
        corpus.ingest([_feed(tmp_path / "a.jsonl", 0, 6)])
        corpus.ingest([_feed(tmp_path / "b.jsonl", 6, 2)])
    before = _manifest(index)["delta"]
    with Corpus.open(index, readonly=True) as reader:  # the manifest is read here
        with Corpus.open(index) as writer:
            writer.ingest([_feed(tmp_path / "c.jsonl", 8, 2)])
        assert not (index / before).exists()
        assert len(reader.find("Russian troops near the border", k=3, rules_only=True)) == 3
        assert reader.notices == [] and not reader.stale


ADDER = """
import json, sys
from factcheck import Corpus, vectors
from factcheck.models import Article

vectors.DELTA_MIN, vectors.DELTA_SHARE = 12, 0.0  # deltas and merges both, in a short run
with Corpus.open(sys.argv[1]) as corpus:
    for n, line in enumerate(open(sys.argv[2], encoding="utf-8")):  # a save per article
        corpus.add([Article(**json.loads(line))])
        if n == 0:
            print("ready", flush=True)  # the model is loaded, the first article in
"""


def _articles(index: Path) -> int:
    with sqlite3.connect(index / "meta.sqlite") as db:  # recovers a killed writer's WAL
        return db.execute("SELECT count(*) FROM articles").fetchone()[0]


@pytest.mark.slow
def test_kill_9_during_adds_leaves_an_index_that_answers_and_checks_clean(tmp_path: Path) -> None:
    index = tmp_path / "index"
    with Corpus.open(index) as corpus:
        corpus.ingest([_feed(tmp_path / "first.jsonl", 0, 8)])
    rng = np.random.default_rng(0)
    for round_ in range(3):
        feed = _feed(tmp_path / f"round{round_}.jsonl", 8 + 300 * round_, 300)
        adder = subprocess.Popen(
            [sys.executable, "-c", ADDER, str(index), str(feed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert adder.stdout.readline() == "ready\n", adder.stderr.read()
        before = _articles(index)  # the first article of the round is in
        time.sleep(rng.uniform(0.3, 2.0))  # a random moment: embedding, commit or save
        os.kill(adder.pid, signal.SIGKILL)
        adder.wait()
        assert before <= _articles(index) < before + 299  # killed mid-stream
        with Corpus.open(index, readonly=True) as reader:
            assert len(reader.find("Russian troops near the border", k=3, rules_only=True)) == 3
        with Corpus.open(index) as writer:
            writer.ingest([])
        with Corpus.open(index, readonly=True) as reader:
            assert reader.check() == [], round_
            assert reader.info()["in_sync"]
