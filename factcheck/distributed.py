"""Embed a corpus on a Ray cluster, then merge the vectors into the index.

Embedding is nearly all of an ingest's time, and the index already caches one embedding per
distinct sentence text (the ``vectors`` table, keyed by the text's hash), embedding only
what the cache lacks. So the cluster only has to fill the cache:

1. the driver reads and splits the articles exactly as ``Corpus.ingest`` does and collects
   the distinct sentence texts the cache lacks (unchanged articles are skipped);
2. a Ray Dataset of those (hash, text) rows goes through a pool of actors that each load
   the index's model once (``factcheck.embed.load_embedder``);
3. what comes back is written as Parquet shards (hash, vector, model) in
   ``<index>/shards/<run>/``, on the driver's disk, since the workers may be other
   machines with no file system in common with it;
4. under the index's write lock, the shards are merged into the cache in one transaction
   (a shard of another model or dimension is refused, naming the file) and the ordinary
   ingest runs, finding every vector cached: it embeds nothing.

Only the driver writes SQLite, so a plain ingest's guarantees (one transaction per article,
one writer at a time, a kill leaves a usable index) hold unchanged. The shard folder is
removed once merged; if the merge fails it stays, to be merged by ``merge_shards``.

``ray`` is imported inside these functions only: the CLI starts without it.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from .corpus import Corpus, IngestResult, _spans, _text_hash
from .errors import CorpusError, FactcheckError, InputError, MissingExtra, ModelError
from .ingest import Parsed
from .lock import write_lock

SHARDS = "shards"  # folder under the index that holds one sub-folder per run
DEFAULT_CONCURRENCY = 2  # embedding actors; each loads the model once
DEFAULT_BATCH = 256  # sentences per model call on an actor, and per shard file
INSTALL_HINT = "Ray is not installed: pip install 'factcheck-claims[ray]'"

# (stage, done, total): "read" counts files, "embed" sentences, "write" files again.
StageProgress = Callable[[str, int, int], None]


class RayUnavailable(FactcheckError):
    """The Ray cluster named cannot be reached or joined."""


@dataclass
class RayIngestResult(IngestResult):
    """An ``IngestResult`` plus what the cluster did; ``embedded`` counts the driver's own
    model calls, which are 0 unless the cache changed under the run."""

    embedded_on_ray: int = 0
    shard_files: int = 0

    def to_dict(self) -> dict:
        return {
            **super().to_dict(),
            "embedded_on_ray": self.embedded_on_ray,
            "shard_files": self.shard_files,
        }


def ingest_with_ray(
    corpus: Corpus,
    paths: Iterable[str | Path],
    address: str | None = None,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    batch_size: int = DEFAULT_BATCH,
    num_cpus: float = 1,
    num_gpus: float = 0,
    on_progress: StageProgress | None = None,
) -> RayIngestResult:
    """``corpus.ingest(paths)`` with the embedding done by actors on a Ray cluster.

    ``address`` is ``ray.init``'s: ``None`` joins the cluster ``RAY_ADDRESS`` names, else
    the one last started on this machine, else starts a local instance; ``"auto"`` is the
    same but never starts one; ``"local"`` always starts one; ``"HOST:PORT"`` or
    ``"ray://HOST:PORT"`` joins that cluster. If this process is already connected
    (``ray.init`` was called), that connection is used and left open. ``concurrency``
    actors run, each with ``num_cpus`` and ``num_gpus``, and embed ``batch_size``
    sentences a call. The cluster's nodes need this package (and the model's) installed.
    """
    _import_ray()  # fail before reading anything
    if concurrency < 1 or batch_size < 1:
        raise InputError("concurrency and batch_size must be at least 1")
    paths = list(paths)
    texts = missing_texts(corpus, paths, on_progress)
    result = RayIngestResult()
    folder: Path | None = None
    if texts:
        folder = corpus.path / SHARDS / _run_id()
        result.shard_files = _embed_on_ray(
            texts, corpus.model_name, folder, address, concurrency, batch_size, num_cpus,
            num_gpus, on_progress,
        )  # fmt: skip
        result.embedded_on_ray = len(texts)

    def merge() -> None:
        if folder is not None and folder.exists():
            _merge(corpus, folder)
            _remove(folder)

    def progress(done: int, total: int, _: IngestResult) -> None:
        if on_progress:
            on_progress("write", done, total)

    try:
        corpus._write(corpus._read(paths, result, progress), result, before=merge)
    except FactcheckError as exc:
        if folder is None or not folder.exists() or str(folder) in str(exc):
            raise
        raise type(exc)(  # e.g. IndexBusy: say where the cluster's work is
            f"{exc}; the vectors embedded on Ray are kept in {folder} "
            "(factcheck.distributed.merge_shards merges them)"
        ) from exc
    return result


def missing_texts(
    corpus: Corpus, paths: Sequence[str | Path], on_progress: StageProgress | None = None
) -> dict[str, str]:
    """The distinct sentence texts of the new or changed articles in ``paths`` whose
    embedding the index lacks, by text hash: what the cluster has to embed."""
    skipped = IngestResult()  # problems are reported by the ingest that follows

    def progress(done: int, total: int, _: IngestResult) -> None:
        if on_progress:
            on_progress("read", done, total)

    texts: dict[str, str] = {}
    batch: dict[str, str] = {}
    for item in corpus._read(paths, skipped, progress):
        if not isinstance(item, Parsed) or corpus.store.checksum(item.article.id) == item.checksum:
            continue
        for start, end in _spans(item):
            text = item.article.text[start:end]
            batch.setdefault(_text_hash(text), text)
        if len(batch) >= 1000:
            _keep_uncached(corpus, batch, texts)
    _keep_uncached(corpus, batch, texts)
    return texts


def merge_shards(corpus: Corpus, folder: str | Path) -> int:
    """Merge a shard folder (one that a failed merge left behind) into the index's
    embedding cache, then remove it; returns how many vectors were new.

    The next ingest of the articles then finds their vectors cached and embeds nothing.
    """
    folder = Path(folder)
    with write_lock(corpus.path):
        added = _merge(corpus, folder)
    _remove(folder)
    return added


# -- the cluster side -------------------------------------------------------------------------


class _Embed:
    """A Ray actor's work: the model is loaded once per actor, then used for every batch."""

    def __init__(self, model_name: str) -> None:
        from factcheck.embed import load_embedder

        self.embedder = load_embedder(model_name)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = self.embedder.embed_passages([str(t) for t in batch["text"]])
        return {
            "hash": batch["hash"],
            "vector": vectors,
            "model": np.full(len(vectors), self.embedder.name, dtype=object),
        }


def _embed_on_ray(
    texts: dict[str, str],
    model_name: str,
    folder: Path,
    address: str | None,
    concurrency: int,
    batch_size: int,
    num_cpus: float,
    num_gpus: float,
    on_progress: StageProgress | None,
) -> int:
    """Embed ``texts`` on the cluster and write the results as shards in ``folder``;
    returns the number of shard files. The results stream back to the driver, which writes
    them: the workers may share no file system with it."""
    import pyarrow as pa

    hashes, values = list(texts), list(texts.values())
    size = min(batch_size, -(-len(hashes) // concurrency))  # a small run still uses every actor
    blocks = [
        pa.table({"hash": hashes[i : i + size], "text": values[i : i + size]})
        for i in range(0, len(hashes), size)
    ]
    written = done = 0
    try:
        with _connected(address) as ray, _quiet(bool(on_progress)):
            from ray.data import ActorPoolStrategy

            embedded = ray.data.from_arrow(blocks).map_batches(
                _Embed,
                fn_constructor_kwargs={"model_name": model_name},
                batch_size=size,
                batch_format="numpy",
                compute=ActorPoolStrategy(size=concurrency),
                num_cpus=num_cpus,
                num_gpus=num_gpus,
            )
            for batch in embedded.iter_batches(batch_size=None, batch_format="numpy"):
                folder.mkdir(parents=True, exist_ok=True)  # only once there is a result
                _write_shard(folder / f"part-{written:06d}.parquet", batch)
                written += 1
                done += len(batch["hash"])
                if on_progress:
                    on_progress("embed", done, len(texts))
    except Exception as exc:
        if written:
            exc.add_note(
                f"{written} shard files ({done} of {len(texts)} sentences) are kept in "
                f"{folder}: factcheck.distributed.merge_shards(corpus, {str(folder)!r}) adds "
                "them to the index, and a new run then embeds only the rest"
            )
        else:
            _remove(folder)
        raise
    return written


@contextmanager
def _connected(address: str | None) -> Iterator[ModuleType]:
    """Ray, connected: this process's own connection if it has one, else a new one that is
    closed afterwards."""
    ray = _import_ray()
    if ray.is_initialized():
        yield ray
        return
    options: dict[str, Any] = {}
    if not (address or "").startswith("ray://"):  # Ray Client forwards only ray.init's own
        options = {"include_dashboard": False, "logging_level": logging.WARNING}
    try:
        ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RayUnavailable(
            f"cannot connect to Ray at {address or 'RAY_ADDRESS'}: {reason}"
        ) from exc
    try:
        yield ray
    finally:
        ray.shutdown()


@contextmanager
def _quiet(quiet: bool) -> Iterator[None]:
    """When the caller shows its own progress, Ray Data's bars and INFO lines would
    interleave with it: turn them off for the block, then restore them."""
    from ray.data import DataContext

    context, log = DataContext.get_current(), logging.getLogger("ray.data")
    bars, level = context.enable_progress_bars, log.level
    if quiet:
        context.enable_progress_bars = False
        log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        context.enable_progress_bars, log.level = bars, level


def _import_ray() -> ModuleType:
    try:
        import ray
        import ray.data  # noqa: F401  (ray without the [data] extra lacks pyarrow, pandas)
    except ImportError as exc:
        raise MissingExtra(f"{INSTALL_HINT} ({exc})") from exc
    return ray


# -- shards -----------------------------------------------------------------------------------


def _write_shard(path: Path, batch: dict[str, np.ndarray]) -> None:
    """One Parquet file: ``hash`` (string), ``vector`` (float32 × dim), ``model`` (string);
    written under a temporary name and renamed, so a shard file is whole or absent."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    vectors = np.ascontiguousarray(batch["vector"], dtype=np.float32)
    table = pa.table(
        {
            "hash": pa.array([str(h) for h in batch["hash"]], pa.string()),
            "vector": pa.FixedSizeListArray.from_arrays(
                pa.array(vectors.reshape(-1)), vectors.shape[1]
            ),
            "model": pa.array([str(m) for m in batch["model"]], pa.string()),
        }
    )
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _merge(corpus: Corpus, folder: Path) -> int:
    """Add every shard's vectors to the cache in one transaction, or none of them: a shard
    that is unreadable, or of another model or dimension than the index's, is refused."""
    if not folder.is_dir():
        raise CorpusError(f"no shard folder at {folder}")
    files = sorted(folder.glob("*.parquet"))
    model = corpus.model_name
    dim = corpus.manifest.get("dim") or corpus.embedder.dim

    def rows() -> Iterator[tuple[str, np.ndarray]]:
        for file in files:
            yield from _read_shard(file, model, dim)

    try:
        return corpus.store.add_vectors(rows())
    except FactcheckError as exc:
        raise type(exc)(
            f"{exc}; nothing was merged, and the shards stay in {folder} "
            "(factcheck.distributed.merge_shards merges them once fixed)"
        ) from exc


def _read_shard(file: Path, model: str, dim: int) -> Iterator[tuple[str, np.ndarray]]:
    """The (hash, vector) rows of one shard, after checking its columns, model and size."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(file)
    except (OSError, pa.ArrowException) as exc:
        raise CorpusError(f"shard {file} is unreadable ({exc})") from exc
    lacking = {"hash", "vector", "model"} - set(table.column_names)
    if lacking:
        raise CorpusError(f"shard {file} lacks the column(s) {', '.join(sorted(lacking))}")
    models = set(table.column("model").unique().to_pylist())
    if models != {model} and table.num_rows:
        other = ", ".join(repr(m) for m in sorted(models, key=str) if m != model)
        raise ModelError(f"shard {file} holds vectors of model {other}; the index uses {model!r}")
    vectors = table.column("vector").combine_chunks()
    hashes = table.column("hash").to_pylist()
    if not pa.types.is_list(vectors.type) and not pa.types.is_fixed_size_list(vectors.type):
        raise CorpusError(f"shard {file}: 'vector' is {vectors.type}, not a list of floats")
    if vectors.null_count or None in hashes:
        raise CorpusError(f"shard {file} has rows without a hash or a vector")
    if other_sizes := set(pc.list_value_length(vectors).to_pylist()) - {dim}:
        shown = ", ".join(str(s) for s in sorted(other_sizes))
        raise ModelError(f"shard {file} holds {shown}-dim vectors; the index holds {dim}-dim ones")
    flat = vectors.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
    yield from zip(hashes, flat.reshape(-1, dim), strict=True)


# -- helpers ----------------------------------------------------------------------------------


def _keep_uncached(corpus: Corpus, batch: dict[str, str], into: dict[str, str]) -> None:
    """Move the texts of ``batch`` that the cache lacks into ``into``; empty ``batch``."""
    cached = corpus.store.cached_hashes(batch)
    into.update((h, t) for h, t in batch.items() if h not in cached)
    batch.clear()


def _run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]


def _remove(folder: Path) -> None:
    """Remove a run's shard folder, and ``shards/`` itself once it is empty."""
    shutil.rmtree(folder, ignore_errors=True)
    with suppress(OSError):  # other runs' folders are still there
        folder.parent.rmdir()
