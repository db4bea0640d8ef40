"""Dates inferred for undated articles: written at ingest, migrated into old indexes, and
used or left out by the date filters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from factcheck.features import extract
from factcheck.filters import Filters
from factcheck.models import Article, Sentence
from factcheck.store import Store

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
