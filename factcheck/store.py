"""SQLite metadata: articles, sentences and the embedding of every distinct sentence text.

SQLite is the source of truth. The FAISS file is a derived copy of the ``vectors`` table that
can always be rebuilt from it, so a crash between the two never loses committed work.
Each article is written in one transaction; WAL mode lets readers query during an ingest.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from . import checkworthy, lexical
from .dates import latest_written_day
from .errors import CorpusError
from .filters import NO_FILTERS, Filters
from .models import Article, ArticleRef, Sentence
from .outlets import outlet_of

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT, date TEXT, source TEXT, url TEXT, path TEXT, lang TEXT, author TEXT,
    text TEXT NOT NULL,
    checksum TEXT NOT NULL,
    date_inferred INTEGER NOT NULL DEFAULT 0,  -- 1: date is a lower bound read from the text
    ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS articles_date ON articles(date);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the FAISS id; AUTOINCREMENT never reuses one
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    lang TEXT,
    hash TEXT NOT NULL,
    features TEXT,  -- JSON: numbers, dates, quotes, negation... (factcheck.features)
    checkworthy REAL NOT NULL DEFAULT 0,  -- 0..1, factcheck.checkworthy
    UNIQUE (article_id, idx)
);
CREATE INDEX IF NOT EXISTS sentences_hash ON sentences(hash);
CREATE TABLE IF NOT EXISTS vectors (hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
-- Report cluster ids by statement (factcheck.report): a claim keeps its id as the corpus grows.
CREATE TABLE IF NOT EXISTS claim_ids (statement TEXT PRIMARY KEY, cluster TEXT NOT NULL);
-- The contested clusters of the last report, as written (factcheck.report/3 lines).
CREATE TABLE IF NOT EXISTS report_clusters (
    id TEXT PRIMARY KEY, rank INTEGER NOT NULL, line TEXT NOT NULL
);
-- Reviewers' decisions, mirrored from claims/decisions.jsonl (factcheck.review).
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster TEXT NOT NULL, a TEXT, b TEXT, decision TEXT, verdict TEXT, note TEXT,
    reviewer TEXT, at TEXT NOT NULL, line TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_cluster ON decisions(cluster);
"""
# The retrieval side of ``find`` (factcheck.lexical, factcheck.clauses), added by a writer to
# an index of any age: BM25 terms of each sentence, kept by triggers in the sentence's own
# transaction; clauses of long sentences with their vectors, ids apart from sentence ids (so
# they are never statements: the report, review and counts read ``sentences`` only).
# Sentences per BM25 term, for this connection only (``Store._lexical_counts``); created
# before a reader turns ``query_only`` on.
_VOCABULARY = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.lexical_vocabulary USING fts5vocab(main, lexical, row)"
)
RETRIEVAL_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS lexical USING fts5(
    terms, tokenize = "unicode61 tokenchars '.'", detail = none
);
CREATE TRIGGER IF NOT EXISTS sentences_lexical_insert AFTER INSERT ON sentences BEGIN
    INSERT INTO lexical(rowid, terms) VALUES (new.id, lexical_document(new.text));
END;
CREATE TRIGGER IF NOT EXISTS sentences_lexical_delete AFTER DELETE ON sentences BEGIN
    DELETE FROM lexical WHERE rowid = old.id;
END;
CREATE TABLE IF NOT EXISTS clauses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the id in clauses.faiss
    sentence_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,  -- offsets in the sentence's text
    end INTEGER NOT NULL,
    hash TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS clauses_sentence ON clauses(sentence_id);
CREATE INDEX IF NOT EXISTS clauses_hash ON clauses(hash);
"""


# A sentence that holds a figure or a date (``features.Features.to_dict`` leaves empty lists
# out): ``Filters.figures``, which also asks that it state something (``checkworthy.asserts``).
_FIGURES = (
    "json_extract(s.features, '$.quantities') IS NOT NULL"
    " OR json_extract(s.features, '$.dates') IS NOT NULL"
)
LEXICAL = "lexical_terms"  # meta key: every sentence has its row in ``lexical``
BUSY_TIMEOUT_S = 10  # how long a connection waits for another writer
IN_CHUNK = 500  # values bound in one ``IN (...)``: under SQLite's variable limit everywhere
RESCORE_CHUNK = 4096  # sentences re-scored per model call
MAX_TERM_COUNTS = 100_000  # word counts kept between searches (``_lexical_counts``)
# Check-worthiness of (texts, claim features, vectors), one float each (factcheck.checkworthy).
Scorer = Callable[[list[str], list[dict], np.ndarray], list[float]]
Extractor = Callable[[str, str | None, str | None], dict]  # text, language, article date


def _chunks(values: Sequence) -> Iterator[tuple[list, str]]:
    """``values`` in lists of at most ``IN_CHUNK``, each with its ``?,?,…`` placeholders."""
    for i in range(0, len(values), IN_CHUNK):
        chunk = list(values[i : i + IN_CHUNK])
        yield chunk, ",".join("?" * len(chunk))


class Store:
    """Typed access to the metadata database of one index."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        try:
            # Readers open the file read-write but with query_only: a "mode=ro" connection
            # cannot recover the WAL of a writer that was killed, and would miss its last commits.
            if readonly and not path.exists():
                raise sqlite3.DatabaseError("file not found")
            self.db = sqlite3.connect(path, check_same_thread=False)
            self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.create_function("outlet", 2, outlet_of, deterministic=True)
            self.db.create_function("lexical_document", 1, lexical.document, deterministic=True)
            if readonly:
                self._read_old()
            else:
                self._prepare()
            self.db.execute(_VOCABULARY)
            if readonly:
                self.db.execute("PRAGMA query_only=ON")
            self.db.execute("SELECT count(*) FROM articles").fetchone()
            self._term_counts: tuple[int, dict[str, int]] = (-1, {})  # (version, counts)
        except sqlite3.DatabaseError as exc:
            raise CorpusError(
                f"{path} is not a usable factcheck database ({exc}): restore it from a backup, "
                "or ingest the articles again into a new --index"
            ) from exc

    def close(self) -> None:
        self.db.close()

    def _prepare(self) -> None:
        """WAL mode, schema and migrations. Two writers opening a new file at once race to
        switch it to WAL, and SQLite answers the loser "locked" without waiting out the busy
        timeout: retry for as long as that timeout."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.executescript(SCHEMA)
                self._migrate()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _read_old(self) -> None:
        """A reader of an index an earlier factcheck wrote, before any writer migrated it:
        its articles read as not dated by inference (a temporary view shadows the table for
        this connection only; the file is not changed)."""
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(articles)")}
        if columns and "date_inferred" not in columns:
            self.db.execute(
                "CREATE TEMP VIEW articles AS SELECT *, 0 AS date_inferred FROM main.articles"
            )

    def _migrate(self) -> None:
        """Bring an index written by an earlier factcheck up to this schema, in place."""
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(sentences)")}
        if "checkworthy" not in columns:
            with self.db:
                # Filled by ``rescore`` when a writer opens the index (factcheck.corpus).
                self.db.execute(
                    "ALTER TABLE sentences ADD COLUMN checkworthy REAL NOT NULL DEFAULT 0"
                )
        if "date_inferred" not in {r[1] for r in self.db.execute("PRAGMA table_info(articles)")}:
            with self.db:
                self.db.execute(
                    "ALTER TABLE articles ADD COLUMN date_inferred INTEGER NOT NULL DEFAULT 0"
                )
                undated = self.db.execute(
                    "SELECT a.id, json_group_array(json(s.features)) FROM articles a "
                    "JOIN sentences s ON s.article_id = a.id "
                    "WHERE a.date IS NULL AND s.features IS NOT NULL GROUP BY a.id"
                ).fetchall()
                found = [(_inferred_date(json.loads(f)), i) for i, f in undated]
                self.db.executemany(
                    "UPDATE articles SET date = ?, date_inferred = 1 WHERE id = ?",
                    [(day, i) for day, i in found if day],
                )
        self.db.executescript(RETRIEVAL_SCHEMA)
        if not self.has_lexical:  # an index from before the lexical channel: fill it once
            with self.db:
                self.db.execute(
                    "INSERT INTO lexical(rowid, terms) SELECT id, lexical_document(text) "
                    "FROM sentences WHERE id NOT IN (SELECT rowid FROM lexical)"
                )
                self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (LEXICAL,))

    # -- meta ---------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def rescore(self, score: Scorer, key: str, version: str) -> None:
        """Re-score every sentence's check-worthiness from its text, features and stored
        vector, and record ``version`` under ``key``, in one transaction."""

        def update(rows: list[tuple]) -> list[tuple]:
            found = score(
                [r[1] for r in rows],
                [json.loads(r[2]) if r[2] else {} for r in rows],
                np.vstack([np.frombuffer(r[3], dtype=np.float32) for r in rows]),
            )
            return [(worth, r[0]) for worth, r in zip(found, rows, strict=True)]

        self._rewrite(
            "SELECT s.id, s.text, s.features, v.vector FROM sentences s "
            "JOIN vectors v ON v.hash = s.hash",
            "UPDATE sentences SET checkworthy = ? WHERE id = ?",
            update,
            (key, version),
        )

    def refeature(self, extract: Extractor, key: str, version: str) -> None:
        """Extract every sentence's claim features again from its text, language and article
        date, and record ``version`` under ``key``, in one transaction."""
        self._rewrite(
            "SELECT s.id, s.text, s.lang, a.date FROM sentences s "
            "JOIN articles a ON a.id = s.article_id",
            "UPDATE sentences SET features = ? WHERE id = ?",
            lambda rows: [(json.dumps(extract(*r[1:]), ensure_ascii=False), r[0]) for r in rows],
            (key, version),
        )

    def _rewrite(
        self,
        select: str,
        update: str,
        values: Callable[[list[tuple]], list[tuple]],
        meta: tuple[str, str],
    ) -> None:
        """Every sentence's rows of ``select`` (the sentence id first), chunk by chunk, turned
        into ``update``'s parameters by ``values``; then the ``meta`` key and value. One
        transaction: a reader sees all of it or none."""
        with self.db:
            last = -1
            while rows := self.db.execute(
                f"{select} WHERE s.id > ? ORDER BY s.id LIMIT ?", (last, RESCORE_CHUNK)
            ).fetchall():
                self.db.executemany(update, values(rows))
                last = rows[-1][0]
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", meta)

    @property
    def version(self) -> int:
        """Bumped by every committed change; the FAISS file records the version it reflects."""
        return int(self.get_meta("version") or 0)

    # -- articles -----------------------------------------------------------------------

    def checksum(self, article_id: str) -> str | None:
        row = self.db.execute(
            "SELECT checksum FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def cached_vectors(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """Embeddings already computed for these sentence texts (the embedding cache)."""
        return self._vectors_by_hash("vectors", hashes)

    def _vectors_by_hash(self, table: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """The vectors ``table`` (``vectors`` or ``clauses``) holds for these text hashes."""
        found: dict[str, np.ndarray] = {}
        for chunk, marks in _chunks(list(dict.fromkeys(hashes))):
            for h, blob in self.db.execute(
                f"SELECT hash, vector FROM {table} WHERE hash IN ({marks})", chunk
            ):
                found[h] = np.frombuffer(blob, dtype=np.float32)
        return found

    def cached_hashes(self, hashes: Iterable[str]) -> set[str]:
        """The hashes among ``hashes`` whose embedding is cached, without reading the vectors."""
        found: set[str] = set()
        for chunk, marks in _chunks(list(dict.fromkeys(hashes))):
            rows = self.db.execute(f"SELECT hash FROM vectors WHERE hash IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found

    def add_vectors(self, rows: Iterable[tuple[str, np.ndarray]]) -> int:
        """Add embeddings computed elsewhere to the cache, all in one transaction: if ``rows``
        raises part-way, nothing is added. Hashes already cached keep their vector.

        Returns how many were new. Nothing prunes the cache, so they wait there for the
        ingest that uses them; the FAISS copy is unaffected (it holds sentences, not texts).
        """
        before = self.db.total_changes
        with self.db:
            self.db.executemany(
                "INSERT OR IGNORE INTO vectors(hash, vector) VALUES (?, ?)",
                ((h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in rows),
            )
        return self.db.total_changes - before

    def replace_article(
        self,
        article: Article,
        checksum: str,
        sentences: Sequence[Sentence],
        hashes: Sequence[str],
        vectors: dict[str, np.ndarray],
    ) -> tuple[list[int], list[int]]:
        """Write an article and its sentences in one transaction.

        Returns the sentence ids removed (the article's old version) and the ids added. An
        undated article is given the date ``_inferred_date`` reads from its sentences.
        """
        day = article.date or _inferred_date(s.features for s in sentences)
        with self.db:
            removed = [
                r[0]
                for r in self.db.execute(
                    "SELECT id FROM sentences WHERE article_id = ?", (article.id,)
                )
            ]
            self.db.execute("DELETE FROM articles WHERE id = ?", (article.id,))
            self.db.execute(
                "INSERT INTO articles(id, title, date, source, url, path, lang, author, text, "
                "checksum, date_inferred) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article.id,
                    article.title,
                    day,
                    article.source,
                    article.url,
                    article.path,
                    article.lang,
                    article.author,
                    article.text,
                    checksum,
                    day is not None and article.date is None,
                ),
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO vectors(hash, vector) VALUES (?, ?)",
                [(h, v.astype(np.float32).tobytes()) for h, v in vectors.items()],
            )
            added = [
                self.db.execute(
                    "INSERT INTO sentences(article_id, idx, start, end, text, lang, hash, features,"
                    " checkworthy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        article.id,
                        s.index,
                        s.start,
                        s.end,
                        s.text,
                        s.lang,
                        h,
                        json.dumps(s.features, ensure_ascii=False),
                        s.checkworthy,
                    ),
                ).lastrowid
                for s, h in zip(sentences, hashes, strict=True)
            ]
            self._bump_version()
        return removed, added

    def _bump_version(self) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES ('version', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    # -- vectors for the FAISS copy -------------------------------------------------------

    def iter_vectors(
        self, ids: np.ndarray | None = None, batch: int = 10_000
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) of every sentence, or of the given ``ids``, in batches."""
        sql = "SELECT s.id, v.vector FROM sentences s JOIN vectors v ON v.hash = s.hash"
        return self._id_vectors(sql, "s.id", ids, batch)

    def _id_vectors(
        self, sql: str, id_column: str, ids: np.ndarray | None, batch: int
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) batches of ``sql`` (selecting an id and a vector blob), for every
        row in id order or for the given ``ids``."""
        if ids is None:
            cursors = [self.db.execute(sql + f" ORDER BY {id_column}")]
        else:
            cursors = (
                self.db.execute(sql + f" WHERE {id_column} IN ({marks})", chunk)
                for chunk, marks in _chunks(ids.tolist())
            )
        for cursor in cursors:
            while rows := cursor.fetchmany(batch):
                found = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
                yield found, np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])

    def integrity(self) -> list[str]:
        """Problems SQLite itself finds, plus sentences that lost their vector."""
        problems = [r[0] for r in self.db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        orphans = self.db.execute(
            "SELECT count(*) FROM sentences s LEFT JOIN vectors v ON v.hash = s.hash "
            "WHERE v.hash IS NULL"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} sentences have no stored vector")
        if self.has_lexical:
            unindexed = self.db.execute(
                "SELECT count(*) FROM sentences WHERE id NOT IN (SELECT rowid FROM lexical)"
            ).fetchone()[0]
            if unindexed:
                problems.append(f"{unindexed} sentences are missing from the word index")
        return problems

    # -- lookups for find ----------------------------------------------------------------

    def filtered_ids(self, filters: Filters = NO_FILTERS) -> np.ndarray:
        """Sentence ids that pass the filters; with ``min_checkworthy``, most check-worthy
        first. ``source`` matches the stored source or its outlet name (``outlet_of``)."""
        f = filters
        where: list[str] = []
        params: list[object] = []
        if (f.since or f.until) and not f.inferred_dates:
            where.append("a.date_inferred = 0")
        if f.since:
            where.append("a.date >= ?")
            params.append(f.since)
        if f.until:
            where.append("a.date <= ?")
            params.append(f.until)
        if f.source:
            where.append(
                "(a.source = ? COLLATE NOCASE OR outlet(a.source, a.url) = ? COLLATE NOCASE)"
            )
            params += [f.source, f.source]
        if f.lang:
            where.append("coalesce(s.lang, a.lang) = ? COLLATE NOCASE")
            params.append(f.lang)
        order, text = "", "NULL"
        if f.min_checkworthy is not None:
            worthy = "s.checkworthy >= ?"
            if f.figures:
                # the text of a sentence below the bar, to check that it states something
                text = f"CASE WHEN {worthy} THEN NULL ELSE s.text END"
                params.insert(0, f.min_checkworthy)
                worthy = f"({worthy} OR {_FIGURES})"
            where.append(worthy)
            params.append(f.min_checkworthy)
            order = " ORDER BY s.checkworthy DESC, s.id"
        sql = f"SELECT s.id, {text} FROM sentences s JOIN articles a ON a.id = s.article_id"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.db.execute(sql + order, params)
        kept = (i for i, below in rows if below is None or checkworthy.asserts(below))
        return np.fromiter(kept, dtype=np.int64)

    def sentences_by_id(self, ids: Sequence[int], inferred_dates: bool = True) -> dict[int, dict]:
        """Sentence rows with their article, neighbours, text hash and check-worthiness,
        keyed by sentence id; without ``inferred_dates``, an inferred date reads as none."""
        out = {}
        for chunk, marks in _chunks(ids):
            rows = self.db.execute(
                f"""
                SELECT s.id, s.idx, s.start, s.end, s.text, s.lang, s.features, s.hash,
                       s.checkworthy, a.id, a.title, a.date, a.source, a.url, a.path, a.lang,
                       a.date_inferred,
                       (SELECT p.text FROM sentences p WHERE p.article_id = s.article_id
                          AND p.idx = s.idx - 1),
                       (SELECT n.text FROM sentences n WHERE n.article_id = s.article_id
                          AND n.idx = s.idx + 1)
                FROM sentences s JOIN articles a ON a.id = s.article_id
                WHERE s.id IN ({marks})
                """,
                chunk,
            )
            for r in rows:
                out[r[0]] = {
                    "sentence": {"index": r[1], "start": r[2], "end": r[3]},
                    "text": r[4],
                    "lang": r[5],
                    "features": json.loads(r[6]) if r[6] else None,
                    "hash": r[7],
                    "checkworthy": r[8],
                    "article": ArticleRef(
                        id=r[9],
                        title=r[10],
                        date=r[11] if inferred_dates or not r[16] else None,
                        source=r[12],
                        url=r[13],
                        path=r[14],
                        lang=r[15],
                        date_inferred=bool(r[16]) and inferred_dates,
                    ),  # fmt: skip
                    "context": {"before": r[17], "after": r[18]},
                }
        return out

    # -- the lexical channel and clauses (factcheck.lexical, factcheck.clauses) ------------

    @property
    def has_lexical(self) -> bool:
        """Whether every sentence has its BM25 terms: not in an index an earlier factcheck
        wrote until a writer opens it (``_migrate``)."""
        return self.get_meta(LEXICAL) is not None

    def lexical_search(
        self, queries: Sequence[Sequence[str]], k: int, allowed: np.ndarray | None = None
    ) -> list[list[tuple[int, float]]]:
        """The ``k`` best (sentence id, BM25 score over ``lexical.most``) for each claim's terms
        (``lexical.query``), only among ``allowed`` ids when given: the rarest terms' postings
        are read, scored in ``lexical.bm25`` and the best candidates weighed by length."""
        n_docs, n_terms = self._lexical_totals()
        out = []
        for terms in queries:
            counts = self._lexical_counts(terms)
            postings = {t: self._postings(t) for t in lexical.rarest(counts)}
            if allowed is not None:
                postings = {t: ids[np.isin(ids, allowed)] for t, ids in postings.items()}
            ids, scores = lexical.bm25(postings, counts, n_docs)
            if len(ids) > (depth := max(4 * k, 200)):
                best = np.argpartition(-scores, depth)[:depth]
                ids, scores = ids[best], scores[best]
            mean_length = n_terms / n_docs if n_docs else 0.0
            scores = scores * lexical.length_factor(self._lexical_lengths(ids), mean_length)
            scores /= lexical.most(counts, n_docs, mean_length) or 1.0
            order = np.argsort(-scores, kind="stable")[:k]
            out.append([(int(ids[i]), float(scores[i])) for i in order])
        return out

    def _lexical_counts(self, terms: Sequence[str]) -> dict[str, int]:
        """Sentences holding each term, from FTS5's vocabulary (``_VOCABULARY``: ~10x faster
        than counting a ``MATCH`` at 1M sentences); a term it does not
        list is counted by ``MATCH``, so the counts are always ``MATCH``'s. The vocabulary
        reads a term's whole list to count it (14 ms a claim at 1M sentences, most of it
        for "Russia" or "Ukraine"), so counts are kept until the index changes
        (``version``): a watch-list or ``serve`` meets the same words again."""
        version = self.version
        if self._term_counts[0] != version or len(self._term_counts[1]) > MAX_TERM_COUNTS:
            self._term_counts = (version, {})
        known = self._term_counts[1]
        missing = sorted({t for t in terms if t not in known})
        if missing:
            marks = ", ".join("?" * len(missing))
            found = dict(
                self.db.execute(
                    f"SELECT term, doc FROM temp.lexical_vocabulary WHERE term IN ({marks})",
                    missing,
                )
            )
            sql = "SELECT count(*) FROM lexical WHERE lexical MATCH ?"
            for t in missing:
                known[t] = (
                    found[t]
                    if t in found
                    else self.db.execute(sql, (lexical.match(t),)).fetchone()[0]
                )
        return {t: known[t] for t in terms}

    def _postings(self, term: str) -> np.ndarray:
        """Ids of the sentences holding ``term``, read as one string: ~5x faster than a row
        per id at tens of thousands of ids."""
        (joined,) = self.db.execute(
            "SELECT group_concat(rowid) FROM lexical WHERE lexical MATCH ?", (lexical.match(term),)
        ).fetchone()
        if not joined:
            return np.zeros(0, dtype=np.int64)
        return np.fromstring(joined, dtype=np.int64, sep=",")

    def _lexical_totals(self) -> tuple[int, int]:
        """Sentences and terms in the word index, from FTS5's averages record (its row 1)."""
        row = self.db.execute("SELECT block FROM lexical_data WHERE id = 1").fetchone()
        if not row:
            return 0, 0
        n_docs, at = _varint(row[0], 0)
        return n_docs, _varint(row[0], at)[0]

    def _lexical_lengths(self, ids: np.ndarray) -> np.ndarray:
        """The number of terms of each sentence, from FTS5's ``docsize`` table."""
        found: dict[int, int] = {}
        for chunk, marks in _chunks(ids.tolist()):
            rows = self.db.execute(
                f"SELECT id, sz FROM lexical_docsize WHERE id IN ({marks})", chunk
            )
            found.update((i, _varint(sz, 0)[0]) for i, sz in rows)
        return np.array([found.get(i, 0) for i in ids.tolist()], dtype=np.float64)

    def clause_vectors(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """Vectors already computed for these clause texts (a clause repeated elsewhere)."""
        return self._vectors_by_hash("clauses", hashes)

    def add_clauses(self, rows: Iterable[tuple[int, int, int, str, np.ndarray]]) -> None:
        """Store (sentence id, start, end, text hash, vector) clauses, in one transaction
        that bumps the version (a running ``serve`` then reloads them)."""
        found = [(i, a, b, h, v.astype(np.float32).tobytes()) for i, a, b, h, v in rows]
        if not found:
            return
        with self.db:
            self.db.executemany(
                "INSERT INTO clauses(sentence_id, start, end, hash, vector) VALUES (?, ?, ?, ?, ?)",
                found,
            )
            self._bump_version()

    def clause_rows(self) -> np.ndarray:
        """(clause id, sentence id, start, end) of every clause, by clause id; none in an
        index an earlier factcheck wrote."""
        if not self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'clauses'").fetchone():
            return np.zeros((0, 4), dtype=np.int64)
        rows = self.db.execute("SELECT id, sentence_id, start, end FROM clauses ORDER BY id")
        return np.array(rows.fetchall(), dtype=np.int64).reshape(-1, 4)

    def iter_clause_vectors(
        self, ids: np.ndarray | None = None, batch: int = 10_000
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) of every clause, or of the given ``ids``, in batches."""
        return self._id_vectors("SELECT id, vector FROM clauses", "id", ids, batch)

    # -- lookups for report ----------------------------------------------------------------

    def cluster_ids(self, statements: Iterable[str]) -> dict[str, str]:
        """The report cluster each statement key was last seen in."""
        found: dict[str, str] = {}
        for chunk, marks in _chunks(list(dict.fromkeys(statements))):
            found.update(
                self.db.execute(
                    f"SELECT statement, cluster FROM claim_ids WHERE statement IN ({marks})", chunk
                )
            )
        return found

    def set_cluster_ids(self, mapping: dict[str, str]) -> None:
        """Record the cluster of each statement key, in one transaction."""
        with self.db:
            self.db.executemany(
                "INSERT INTO claim_ids(statement, cluster) VALUES (?, ?) "
                "ON CONFLICT(statement) DO UPDATE SET cluster = excluded.cluster",
                list(mapping.items()),
            )

    def save_report(self, lines: Sequence[dict]) -> None:
        """Replace the stored report by ``lines`` (its contested clusters, in order)."""
        with self.db:
            self.db.execute("DELETE FROM report_clusters")
            self.db.executemany(
                "INSERT INTO report_clusters(id, rank, line) VALUES (?, ?, ?)",
                [(x["id"], i, json.dumps(x, ensure_ascii=False)) for i, x in enumerate(lines)],
            )

    def report_lines(self) -> list[dict]:
        """The contested clusters of the last report, in its order."""
        rows = self.db.execute("SELECT line FROM report_clusters ORDER BY rank")
        return [json.loads(r[0]) for r in rows]

    def report_line(self, cluster: str) -> dict | None:
        row = self.db.execute(
            "SELECT line FROM report_clusters WHERE id = ?", (cluster,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def article(self, article_id: str) -> dict | None:
        """An article's fields, text and sentences (``index``, ``start``, ``end``), for
        reading a statement in its context."""
        row = self.db.execute(
            "SELECT id, title, date, source, url, lang, author, text, date_inferred "
            "FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        sentences = self.db.execute(
            "SELECT idx, start, end FROM sentences WHERE article_id = ? ORDER BY idx",
            (article_id,),
        )
        names = ("id", "title", "date", "source", "url", "lang", "author", "text")
        return {
            **dict(zip(names, row, strict=False)),
            "date_inferred": bool(row[8]),
            "sentences": [{"index": i, "start": s, "end": e} for i, s, e in sentences],
        }

    # -- reviewers' decisions (factcheck.review) -------------------------------------------

    def decision_lines(self, cluster: str | None = None) -> list[str]:
        """The decisions' JSON lines, in the order of the decisions file."""
        where, params = ("WHERE cluster = ?", (cluster,)) if cluster is not None else ("", ())
        rows = self.db.execute(f"SELECT line FROM decisions {where} ORDER BY seq", params)
        return [r[0] for r in rows]

    def add_decisions(
        self, rows: Sequence[tuple], meta: dict[str, str], replace: bool = False
    ) -> None:
        """Append decision rows (cluster, a, b, decision, verdict, note, reviewer, at, line)
        and set ``meta``, in one transaction; ``replace``: drop every earlier decision."""
        with self.db:
            if replace:
                self.db.execute("DELETE FROM decisions")
            self.db.executemany(
                "INSERT INTO decisions(cluster, a, b, decision, verdict, note, reviewer, at, "
                "line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", list(meta.items())
            )

    # -- info ----------------------------------------------------------------------------

    def article_count(self) -> int:
        """What every save records, without ``counts``'s scans of all sentences."""
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def counts(self) -> dict:
        q = self.db.execute
        dates = q("SELECT min(date), max(date), count(date) FROM articles").fetchone()
        return {
            "articles": q("SELECT count(*) FROM articles").fetchone()[0],
            "sentences": q("SELECT count(*) FROM sentences").fetchone()[0],
            "distinct_vectors": q("SELECT count(*) FROM vectors").fetchone()[0],
            "languages": dict(
                q(
                    "SELECT coalesce(s.lang, a.lang, 'und'), count(*) FROM sentences s "
                    "JOIN articles a ON a.id = s.article_id GROUP BY 1 ORDER BY 2 DESC"
                ).fetchall()
            ),
            "sources": dict(
                q(
                    "SELECT coalesce(source, ''), count(*) FROM articles GROUP BY 1 "
                    "ORDER BY 2 DESC LIMIT 20"
                ).fetchall()
            ),
            "dates": {"first": dates[0], "last": dates[1]},
            "undated_articles": q("SELECT count(*) FROM articles WHERE date IS NULL").fetchone()[0],
        }


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """An SQLite varint (as FTS5 writes them) at ``at``: its value and where the next starts."""
    value = 0
    for i in range(8):
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, at + i + 1
    return (value << 8) | data[at + 8], at + 9


def _inferred_date(features: Iterable[dict]) -> str | None:
    """An undated article's lower bound: the latest full date its sentences write."""
    return latest_written_day(d for f in features for d in f.get("dates", ()))
