"""The FAISS side of an index: sentence vectors under their SQLite sentence ids.

The index type follows the corpus size: exact inner-product search (``IndexIDMap2`` over
``IndexFlatIP``) up to ``IVF_THRESHOLD`` vectors, where it is both exact and fast enough;
an inverted-file index (``IndexIVFFlat``, trained on a sample, ``nlist = 4·√n``) beyond.
Both keep stable 64-bit ids, support removal, and take an ``IDSelector`` so metadata
filters are applied inside the search instead of after it.
"""

from __future__ import annotations

import math
import os
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


class VectorIndex:
    """A FAISS index of unit vectors searched by inner product (cosine similarity)."""

    def __init__(self, index: faiss.Index) -> None:
        self.index = index

    @classmethod
    def empty(cls, dim: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def build(cls, dim: int, ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
        """A new index of the type that suits ``len(ids)`` vectors."""
        n = len(ids)
        if n < IVF_THRESHOLD:
            built = cls.empty(dim)
        else:
            nlist = _nlist(n)
            ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
            rng = np.random.default_rng(0)
            sample = vectors[rng.choice(n, size=min(n, TRAIN_SAMPLE), replace=False)]
            ivf.train(sample)
            ivf.nprobe = max(16, nlist // 32, math.ceil(MIN_SCANNED * nlist / n))
            built = cls(ivf)
        built.add(ids, vectors)
        return built

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        return cls(faiss.read_index(str(path)))

    def save(self, path: Path) -> None:
        """Write to a temporary file and rename it into place: readers never see half a file."""
        tmp = path.with_suffix(path.suffix + ".tmp")
        faiss.write_index(self.index, str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)

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
        if len(ids):
            self.index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64)
            )

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self.index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` best (id, score) pairs, only among ``allowed`` ids when given."""
        return self.search_many(query.reshape(1, -1), k, allowed)[0]

    def search_many(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[list[tuple[int, float]]]:
        """``search`` for each row of ``queries``, in one FAISS call (one filter for all)."""
        if k <= 0 or len(self) == 0 or (allowed is not None and len(allowed) == 0):
            return [[] for _ in range(len(queries))]
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        params = None
        if allowed is not None:
            ivf = faiss.try_extract_index_ivf(self.index)
            if ivf is None:
                return self._search_subset(queries, k, np.asarray(allowed, dtype=np.int64))
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            # Probe more lists the rarer the allowed ids, so about as many of them are
            # scanned as an unfiltered search scans vectors (all lists for a tiny set).
            nprobe = math.ceil(ivf.nprobe * len(self) / len(allowed))
            params = faiss.SearchParametersIVF(sel=selector, nprobe=min(ivf.nlist, nprobe))
        scores, ids = self.index.search(queries, min(k, len(self)), params=params)
        return _pairs(ids, scores)

    def _search_subset(
        self, queries: np.ndarray, k: int, allowed: np.ndarray
    ) -> list[list[tuple[int, float]]]:
        """Exact search among ``allowed`` ids only. A flat index filtered by an ``IDSelector``
        leaves BLAS for a scalar loop: the report's 20 neighbours of 50k statements among 93k
        vectors took over ten minutes. Searching the allowed vectors, copied out, keeps BLAS."""
        held = np.intersect1d(allowed, faiss.vector_to_array(self.index.id_map))
        if len(held) == 0:
            return [[] for _ in range(len(queries))]
        subset = self.index.reconstruct_batch(held)
        scores, rows = faiss.knn(queries, subset, min(k, len(held)), faiss.METRIC_INNER_PRODUCT)
        return _pairs(np.where(rows >= 0, held[rows], -1), scores)


def _pairs(ids: np.ndarray, scores: np.ndarray) -> list[list[tuple[int, float]]]:
    """FAISS result rows as (id, score) lists, without the -1 padding of short rows."""
    return [
        [(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i >= 0]
        for row_ids, row_scores in zip(ids, scores, strict=True)
    ]


def _nlist(n: int) -> int:
    """IVF lists for ``n`` vectors: 4·√n, FAISS's usual rule."""
    return int(4 * math.sqrt(n))
