"""The FAISS side of an index: sentence vectors under their SQLite sentence ids.

The index type follows the corpus size: exact inner-product search (``IndexIDMap2`` over
``IndexFlatIP``) up to ``IVF_THRESHOLD`` vectors, where it is both exact and fast enough;
an inverted-file index (``IndexIVFFlat``, trained on a sample, ``nlist = 4·√n``) beyond.
Both keep stable 64-bit ids, support removal, and take an ``IDSelector`` so metadata
filters are applied inside the search instead of after it.

On disk an index is a base file plus, optionally, a delta file: the vectors added and the
ids removed since the base was written. A small ingest into a large index writes only the
delta (``save_delta``: 200 sentences are 0.3 MB next to a 1.5 GB base at 1M sentences);
once the delta outgrows ``delta_limit`` the whole index is written again (``save``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np

IVF_THRESHOLD = 100_000
TRAIN_SAMPLE = 100_000
# An IVF search probes at least this many vectors' worth of lists. With nprobe = nlist/32
# alone, recall@10 against exact search was 0.805 at 100k vectors but 0.964 at 1M
# (benchmarks/index.py, real e5 queries, synthetic base grown from real e5 passages): each
# list holds only ~80 vectors at 100k, so 39 lists scan ~3k. Probing enough lists for 12,500
# vectors gives nprobe 158 at 100k (recall 0.96, p50 1.6 ms) and leaves 1M at nlist/32 = 125
# (recall 0.96, p50 5.7 ms; flat 155 ms), where a higher nprobe would also push the filtered
# search (nprobe × n / |allowed|) past 50 ms.
MIN_SCANNED = 12_500
# A delta file holds at most this share of the index (and at least DELTA_MIN vectors) before
# the whole index is written again: at 1M vectors, 20,000 (30 MB), about 100 ingests of 200.
DELTA_SHARE = 0.02
DELTA_MIN = 5_000


Search = Callable[[np.ndarray, int], list[list[tuple[int, float]]]]  # queries, k -> hits
Run = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]  # queries, k -> scores, ids


class VectorIndex:
    """A FAISS index of unit vectors searched by inner product (cosine similarity), with
    the changes made since its base file was written (``added`` and ``removed``; ``added``
    None: no base file to add them to, the next save writes the whole index)."""

    def __init__(self, index: faiss.Index) -> None:
        self.index = index
        self.added: dict[int, np.ndarray] | None = None  # vectors added since the base file
        self.removed: set[int] = set()  # base ids removed since

    @classmethod
    def empty(cls, dim: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def build(cls, dim: int, ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
        """A new index of the type that suits ``len(ids)`` vectors."""
        sample = vectors[sample_rows(len(ids))] if len(ids) >= IVF_THRESHOLD else vectors[:0]
        built = cls.trained(dim, len(ids), sample)
        built.add(ids, vectors)
        return built

    @classmethod
    def trained(cls, dim: int, n: int, sample: np.ndarray) -> VectorIndex:
        """An empty index of the type that suits ``n`` vectors, trained on ``sample`` (a
        random sample of them, ``TRAIN_SAMPLE`` at most) if it is an IVF: vectors are then
        added in batches, never all held at once beside the index (``Corpus._rebuild``)."""
        if n < IVF_THRESHOLD:
            return cls.empty(dim)
        nlist = _nlist(n)
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.train(np.ascontiguousarray(sample, dtype=np.float32))
        ivf.nprobe = max(16, nlist // 32, math.ceil(MIN_SCANNED * nlist / n))
        return cls(ivf)

    @classmethod
    def load(cls, path: Path, delta: Path | None = None) -> VectorIndex:
        """The base file, with the delta file's changes applied when one is given."""
        loaded = cls(faiss.read_index(str(path)))
        loaded.added = {}
        if delta is not None:
            with np.load(delta, allow_pickle=False) as changes:
                removed, ids, vectors = changes["removed"], changes["ids"], changes["vectors"]
            loaded.remove(removed)
            loaded.add(ids, vectors)
        return loaded

    def save(self, path: Path) -> None:
        """Write the whole index to ``path`` (atomically); the delta starts again empty."""
        _atomic(path, lambda tmp: faiss.write_index(self.index, str(tmp)))
        self.added, self.removed = {}, set()

    def delta_limit(self) -> int:
        """The most vectors a delta file may hold (added plus removed) before ``save``."""
        return max(DELTA_MIN, int(DELTA_SHARE * len(self)))

    def delta_size(self) -> int | None:
        """Vectors added plus ids removed since the base file; None when there is no base
        file to add them to or when they outgrew ``delta_limit``."""
        if self.added is None:
            return None
        size = len(self.added) + len(self.removed)
        return size if size <= self.delta_limit() else None

    def save_delta(self, path: Path) -> None:
        """Write the changes since the base file to ``path`` (atomically): a small ingest into
        a large index writes kilobytes, not the whole index."""
        if self.added is None:
            raise ValueError("no base file to write a delta against: save the index first")
        ids = np.fromiter(self.added, dtype=np.int64, count=len(self.added))
        vectors = (
            np.vstack(list(self.added.values()))
            if self.added
            else np.zeros((0, self.dim), dtype=np.float32)
        )
        removed = np.fromiter(sorted(self.removed), dtype=np.int64, count=len(self.removed))

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as fh:
                np.savez(fh, ids=ids, vectors=vectors, removed=removed)

        _atomic(path, write)

    @property
    def dim(self) -> int:
        return self.index.d

    def __len__(self) -> int:
        return self.index.ntotal

    def outgrown(self) -> bool:
        """True when another index type or layout would now suit its size: flat past
        ``IVF_THRESHOLD``, or IVF lists trained for a quarter of the vectors or fewer (each
        list four times too long: a search scans four times the vectors it should)."""
        ivf = faiss.try_extract_index_ivf(self.index)
        if ivf is None:
            return len(self) >= IVF_THRESHOLD
        return _nlist(len(self)) >= 2 * ivf.nlist

    def describe(self) -> dict:
        """Index type and parameters, recorded in the manifest."""
        ivf = faiss.try_extract_index_ivf(self.index)
        if ivf is None:
            return {"kind": "flat", "metric": "inner_product"}
        return {"kind": "ivf", "metric": "inner_product", "nlist": ivf.nlist, "nprobe": ivf.nprobe}

    def ids(self) -> np.ndarray:
        """Every id held, to compare with SQLite after a crash."""
        ivf = faiss.try_extract_index_ivf(self.index)
        if ivf is None:
            return faiss.vector_to_array(self.index.id_map).astype(np.int64)
        lists = ivf.invlists
        parts = [
            faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
            for i in range(ivf.nlist)
            if lists.list_size(i)
        ]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if not len(ids):
            return
        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.index.add_with_ids(vectors, ids)
        if self.added is not None:
            self.added.update(zip(ids.tolist(), vectors, strict=True))
            self._bound_delta()

    def remove(self, ids: np.ndarray) -> None:
        if not len(ids):
            return
        ids = np.asarray(ids, dtype=np.int64)
        self.index.remove_ids(ids)
        if self.added is not None:
            for i in ids.tolist():
                if self.added.pop(i, None) is None:
                    self.removed.add(i)
            self._bound_delta()

    def _bound_delta(self) -> None:
        """Forget a delta past its limit: the next save writes the whole index anyway, and
        a large ingest must not hold its vectors twice."""
        if len(self.added or ()) + len(self.removed) > self.delta_limit():
            self.added, self.removed = None, set()

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` best (id, score) pairs, only among ``allowed`` ids when given."""
        return self.search_many(query.reshape(1, -1), k, allowed)[0]

    def search_many(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[list[tuple[int, float]]]:
        """``search`` for each row of ``queries``, in one FAISS call (one filter for all)."""
        return self.among(allowed)(queries, k)

    def among(self, allowed: np.ndarray | None) -> Search:
        """``search_many`` among ``allowed`` ids only (all when None), the filter prepared
        once for every call: the report searches 50k statements, 512 at a time, among the
        same ids, and preparing them for each batch took a ninth of its time at 100k
        sentences (copying a flat index's allowed vectors out)."""
        if len(self) == 0 or (allowed is not None and len(allowed) == 0):
            return _searcher(0, self.index.search)
        params = None
        if allowed is not None:
            ivf = faiss.try_extract_index_ivf(self.index)
            if ivf is None:
                return _subset(self.index, np.asarray(allowed, dtype=np.int64))
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            # Probe more lists the rarer the allowed ids, so about as many of them are
            # scanned as an unfiltered search scans vectors (all lists for a tiny set).
            nprobe = math.ceil(ivf.nprobe * len(self) / len(allowed))
            params = faiss.SearchParametersIVF(sel=selector, nprobe=min(ivf.nlist, nprobe))
            params.selector_kept = selector  # alive as long as the parameters that point to it
        index = self.index
        return _searcher(len(self), lambda queries, k: index.search(queries, k, params=params))


def _searcher(size: int, run: Run) -> Search:
    """A ``Search`` over ``size`` vectors that ``run`` searches (k at most ``size``)."""

    def search(queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        if k <= 0 or size == 0:
            return [[] for _ in range(len(queries))]
        scores, ids = run(np.ascontiguousarray(queries, dtype=np.float32), min(k, size))
        return _pairs(ids, scores)

    return search


def _subset(index: faiss.Index, allowed: np.ndarray) -> Search:
    """Exact search among ``allowed`` ids only. A flat index filtered by an ``IDSelector``
    leaves BLAS for a scalar loop: the report's 20 neighbours of 50k statements among 93k
    vectors took over ten minutes. Searching the allowed vectors, copied out, keeps BLAS."""
    held = np.intersect1d(allowed, faiss.vector_to_array(index.id_map))
    subset = index.reconstruct_batch(held) if len(held) else None

    def run(queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        scores, rows = faiss.knn(queries, subset, k, faiss.METRIC_INNER_PRODUCT)
        return scores, np.where(rows >= 0, held[rows], -1)

    return _searcher(len(held), run)


def _atomic(path: Path, write: Callable[[Path], object]) -> None:
    """``write`` a temporary file, flush it to disk and rename it into place: readers never
    see half a file, and a crash leaves the old one."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    write(tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _pairs(ids: np.ndarray, scores: np.ndarray) -> list[list[tuple[int, float]]]:
    """FAISS result rows as (id, score) lists, without the -1 padding of short rows."""
    return [
        [(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i >= 0]
        for row_ids, row_scores in zip(ids, scores, strict=True)
    ]


def sample_rows(n: int) -> np.ndarray:
    """The rows of ``n`` an IVF index is trained on: ``TRAIN_SAMPLE`` at random, sorted."""
    rng = np.random.default_rng(0)
    return np.sort(rng.choice(n, size=min(n, TRAIN_SAMPLE), replace=False))


def _nlist(n: int) -> int:
    """IVF lists for ``n`` vectors: 4·√n, FAISS's usual rule."""
    return int(4 * math.sqrt(n))
