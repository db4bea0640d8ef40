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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import __version__, checkworthy
from . import report as reporting
from .atomic import write_text
from .dates import parse_bound
from .embed import DEFAULT_MODEL, Embedder, load_embedder
from .errors import CorpusError, ModelError
from .features import extract
from .ingest import Parsed, Problem, expand_paths, parse_article, read_file
from .lang import detect
from .lexical import overlap, terms
from .lock import write_lock
from .match import annotate
from .models import Article, Match, Sentence
from .review import dismissed_pairs
from .sentences import split_sentences
from .store import Store
from .vectors import VectorIndex

if TYPE_CHECKING:
    from .match import NLI

MANIFEST = "manifest.json"
METADATA = "meta.sqlite"
VECTORS = "vectors.faiss"
FORMAT = "factcheck.index/1"
MAX_CLAIM_CHARS = 10_000
LEXICAL_WEIGHT = 0.05  # at most this much is added to a cosine similarity (see lexical.py)
RERANK_FACTOR, RERANK_EXTRA = 4, 50  # the dense search returns up to 4·k (≤ k + 50) to rerank
RELATION_POOL = 100  # nearest sentences searched when only one relation is wanted
EMBED_BATCH = 512  # paragraphs gathered before one model call: length-sorted batches pad little


def default_index() -> Path:
    """``$FACTCHECK_INDEX``, else ``index/`` in the working directory."""
    return Path(os.environ.get("FACTCHECK_INDEX", "index"))


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
        self._vectors: VectorIndex | None = None
        self._vectors_version = 0  # the SQLite version ``_vectors`` reflects
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
        return cls(path, store, manifest, model)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
            try:
                self._vectors = VectorIndex.load(faiss_path) if faiss_path.exists() else None
            except RuntimeError as exc:
                self.notices.append(f"{faiss_path} is unreadable ({exc}); rebuilt from SQLite")
            if self._vectors is None:
                self._vectors = self._rebuild()
            elif self.stale:
                self._sync(self._vectors)
            self._vectors_version = self.store.version
        return self._vectors

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
        batches = list(self.store.iter_vectors())
        if not batches:
            return VectorIndex.empty(self.manifest.get("dim") or self.embedder.dim)
        ids = np.concatenate([b[0] for b in batches])
        vecs = np.vstack([b[1] for b in batches])
        return VectorIndex.build(vecs.shape[1], ids, vecs)

    # -- ingest ----------------------------------------------------------------------------

    def ingest(
        self, paths: Iterable[str | Path], on_progress: ProgressCallback | None = None
    ) -> IngestResult:
        """Add or update the articles in ``paths`` (files or folders).

        Unchanged articles are skipped, changed ones replace their old sentences, and bad
        files or lines are reported in the result while the rest of the batch goes on.
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
                yield from read_file(file)
                if on_progress:
                    on_progress(done, len(files), result)

        return items()

    def add(self, articles: Iterable[Article]) -> IngestResult:
        """Ingest articles built in Python, e.g. by a scraper, like files are ingested."""
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
            if before:
                before()
            pending: list[Parsed] = []
            for item in items:
                if isinstance(item, Problem):
                    (result.skipped if item.skipped else result.warnings).append(item)
                elif self.store.checksum(item.article.id) == item.checksum:
                    result.unchanged += 1
                else:
                    pending.append(item)
                    if sum(len(p.blocks) for p in pending) >= EMBED_BATCH:
                        self._commit(pending, vectors, result)
                        pending = []
            self._commit(pending, vectors, result)
            self._save(vectors)
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
        if "dim" not in self.manifest:
            # Written before the first commit, so an index killed mid-way still opens.
            self.manifest.update(format=FORMAT, model=self.model_name, dim=self.embedder.dim)
            _write_manifest(self.path / MANIFEST, self.manifest)
        for (parsed, sents), hs in zip(prepared, hashes, strict=True):
            existed = self.store.checksum(parsed.article.id) is not None
            new_vectors = {h: cached[h] for h in hs if h in missing}
            removed, added = self.store.replace_article(
                parsed.article, parsed.checksum, sents, hs, new_vectors
            )
            vectors.remove(np.array(removed, dtype=np.int64))
            if added:
                vectors.add(np.array(added, dtype=np.int64), np.vstack([cached[h] for h in hs]))
            result.updated += existed
            result.added += not existed
            result.sentences += len(sents)

    def _save(self, vectors: VectorIndex) -> None:
        if vectors.outgrown():
            vectors = self._vectors = self._rebuild()
        faiss_path = self.path / VECTORS
        vectors.save(faiss_path)
        counts = self.store.counts()
        self.manifest.update(
            format=FORMAT,
            factcheck_version=__version__,
            model=self.model_name,
            dim=vectors.dim,
            index=vectors.describe(),
            version=self.store.version,
            articles=counts["articles"],
            sentences=counts["sentences"],
            files={
                VECTORS: {"sha256": _file_sha256(faiss_path), "bytes": faiss_path.stat().st_size}
            },
            updated=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        _write_manifest(self.path / MANIFEST, self.manifest)

    # -- find ------------------------------------------------------------------------------

    def find(
        self,
        claim: str,
        k: int = 5,
        *,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        lang: str | None = None,
        relation: str | None = None,
        nli: NLI | None = None,
    ) -> list[Match]:
        """The ``k`` sentences closest to ``claim`` among those passing the filters, each
        with its relation to the claim (agrees / contradicts / related) and the evidence.

        Filters (dates as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, inclusive, so
        ``until="2022-02"`` ends on 28 February; source and language, case-insensitive) are applied
        inside the vector search, so they never cost any of the ``k`` best results.
        ``relation`` keeps only matches with that relation, searched among the nearest
        ``RELATION_POOL`` sentences. ``nli`` adds an NLI model's verdict to the rules.
        """
        return self.find_many(
            [claim], k, since=since, until=until, source=source, lang=lang, relation=relation,
            nli=nli,
        )[0]  # fmt: skip

    def find_many(
        self,
        claims: Sequence[str],
        k: int = 5,
        *,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        lang: str | None = None,
        relation: str | None = None,
        nli: NLI | None = None,
    ) -> list[list[Match]]:
        """``find`` for a watch-list: the claims are embedded in one batch."""
        texts = [_check_claim(c) for c in claims]
        if not texts:
            return []
        since = parse_bound(since).isoformat() if since else None
        until = parse_bound(until, end=True).isoformat() if until else None
        vectors = self._vector_index()
        allowed = None
        if any((since, until, source, lang)):
            allowed = self.store.filtered_ids(since=since, until=until, source=source, lang=lang)
        queries = self.embedder.embed_queries(texts)
        pool = RELATION_POOL if relation else max(k, min(k * RERANK_FACTOR, k + RERANK_EXTRA))
        hits = [vectors.search(q, pool, allowed) for q in queries]
        rows = self.store.sentences_by_id(sorted({i for h in hits for i, _ in h}))
        results = []
        for claim, h in zip(texts, hits, strict=True):
            ranked = _rerank(claim, [(rows[i], similarity) for i, similarity in h if i in rows])
            if relation:
                kept = [m for m in annotate(claim, ranked, nli) if m.relation == relation]
                results.append(kept[:k])
            else:
                results.append(annotate(claim, ranked[:k], nli))
        return results

    # -- report ----------------------------------------------------------------------------

    def report(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        lang: str | None = None,
        min_score: float = reporting.SAME_MIN_SIMILARITY,
        min_checkworthy: float = checkworthy.MIN_CHECKWORTHY,
        limit: int | None = None,
        on_progress: reporting.ProgressCallback | None = None,
    ) -> reporting.Report:
        """The claims of the corpus that other articles dispute (``factcheck.report``).

        Needs a writable index: the cluster ids are recorded so that a claim keeps its id
        in the next report, and the contested clusters are kept for review. Conflicts that
        a reviewer dismissed (``factcheck.review``) are left out.
        """
        if not 0.0 <= min_score <= 1.0:
            raise ValueError(f"min_score must be between 0 and 1, not {min_score}")
        found = reporting.build(
            self.store,
            self._vector_index(),
            self.model_name,
            since=parse_bound(since).isoformat() if since else None,
            until=parse_bound(until, end=True).isoformat() if until else None,
            lang=lang,
            min_score=min_score,
            min_checkworthy=min_checkworthy,
            limit=limit,
            dismissed=dismissed_pairs(self.store),
            on_progress=on_progress,
        )
        self.store.save_report([c.to_dict() for c in found.contested])
        return found

    # -- checks -----------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Everything that disagrees between SQLite, the FAISS file and the manifest."""
        problems = self.store.integrity()
        faiss_path = self.path / VECTORS
        recorded = self.manifest.get("files", {}).get(VECTORS, {}).get("sha256")
        if not faiss_path.exists():
            return problems + [f"{faiss_path} is missing (it is rebuilt by the next ingest)"]
        if recorded and recorded != _file_sha256(faiss_path):
            problems.append(f"{faiss_path} does not match the checksum in the manifest")
        try:
            held = VectorIndex.load(faiss_path).ids()
        except RuntimeError as exc:
            return problems + [f"{faiss_path} is unreadable: {exc}"]
        live = self.store.filtered_ids()
        if self.stale:
            problems.append("the FAISS file is behind SQLite (an ingest was interrupted)")
        if missing := len(np.setdiff1d(live, held)):
            problems.append(f"{missing} sentences are not in the FAISS file")
        if extra := len(np.setdiff1d(held, live)):
            problems.append(f"{extra} FAISS vectors belong to no sentence")
        return problems

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


def _rerank(claim: str, candidates: list[tuple[dict, float]]) -> list[Match]:
    """Order the dense search's candidates by similarity plus the lexical bonus."""
    claim_terms = terms(claim)
    matches = [
        Match(
            text=row["text"],
            score=similarity + LEXICAL_WEIGHT * overlap(claim_terms, row["text"]),
            similarity=similarity,
            features=row["features"],
            article=row["article"],
            sentence=row["sentence"],
            context=row["context"],
        )
        for row, similarity in candidates
    ]
    return sorted(matches, key=lambda m: m.score, reverse=True)


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
        worth = checkworthy.score(sentence, found)
        sentences.append(Sentence(i, start, end, sentence, lang, found, worth))
    return sentences


def _check_claim(claim: str) -> str:
    text = claim.strip()
    if not text:
        raise ValueError("the claim is empty")
    if len(text) > MAX_CLAIM_CHARS:
        raise ValueError(
            f"the claim is {len(text):,} characters long; the limit is {MAX_CLAIM_CHARS:,} "
            "(a claim is a sentence or two, not an article)"
        )
    return text


def _text_hash(text: str) -> str:
    return hashlib.blake2b(text.strip().encode("utf-8"), digest_size=16).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CorpusError(f"{path} is unreadable ({exc}); re-create the index") from exc
    if manifest.get("format") not in (None, FORMAT):
        raise CorpusError(
            f"{path} has format {manifest.get('format')!r}; this factcheck reads {FORMAT!r}"
        )
    return manifest


def _write_manifest(path: Path, manifest: dict) -> None:
    write_text(path, json.dumps(manifest, indent=2, ensure_ascii=False))
