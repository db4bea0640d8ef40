"""Vector index at scale: the index ``VectorIndex.build`` chooses against exact flat search.

For 10k, 100k and 1M vectors (384 dims) grown from real e5 passage embeddings, measures for
the chosen index (flat below ``IVF_THRESHOLD``, IVF above) and for an exact ``IndexFlatIP``
baseline built in the same run: build time, size on disk, warm single-query latency (p50/p95,
k=10, one query at a time as ``find`` does), recall@10 against the flat results, memory; and,
at the largest size, a filtered search restricted to 10 % of the ids (``allowed``).

Real vectors: titles and descriptions of ``rss_2022_russia_ukraine.jsonl`` embedded as
passages, except for held-out items whose titles, embedded as queries, are the queries.
Embeddings are cached under /tmp (never in the repository). The bases are synthetic
vectors grown from them: a real vector plus Gaussian noise shaped by the real vectors' covariance,
renormalised, the noise scale calibrated so that nearest-neighbour cosines match the real ones.

Run from the repository root: ``python benchmarks/index.py`` (``--sizes``, ``--out``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from factcheck.vectors import IVF_THRESHOLD, VectorIndex

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "rss_2022_russia_ukraine.jsonl"
DEFAULT_OUT = REPO / "benchmarks" / "results" / "index.json"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "factcheck_index_bench"
HELD_OUT = 400  # items whose titles are the queries; none of their text is in the base
K = 10
WARMUP = 20
SEED = 0


def texts(data: Path) -> tuple[list[str], list[str]]:
    """(base passages, held-out queries): titles and descriptions, a seeded split by item."""
    items = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line]
    order = np.random.default_rng(SEED).permutation(len(items))
    held = {int(i) for i in order[:HELD_OUT]}
    queries = [items[i]["title"].strip() for i in sorted(held) if items[i]["title"].strip()]
    base: dict[str, None] = {}
    for i, item in enumerate(items):
        if i in held:
            continue
        for field in ("title", "description"):
            text = (item.get(field) or "").strip()
            if text:
                base[text] = None
    return list(base), list(dict.fromkeys(queries))


def embeddings(data: Path, cache: Path) -> tuple[np.ndarray, np.ndarray, dict]:
    """Real passage and query vectors, from the cache when present."""
    cache.mkdir(parents=True, exist_ok=True)
    base_file, query_file, meta_file = (cache / n for n in ("base.npy", "queries.npy", "meta.json"))
    if base_file.exists() and query_file.exists() and meta_file.exists():
        meta = json.loads(meta_file.read_text())
        return np.load(base_file), np.load(query_file), meta
    from factcheck.embed import load_embedder

    base_texts, query_texts = texts(data)
    embedder = load_embedder(None)
    start = time.perf_counter()
    base = np.asarray(embedder.embed_passages(base_texts), dtype=np.float32)
    queries = np.asarray(embedder.embed_queries(query_texts), dtype=np.float32)
    seconds = time.perf_counter() - start
    meta = {
        "base_texts": len(base_texts),
        "query_texts": len(query_texts),
        "embed_seconds": round(seconds, 1),
        "texts_per_second": round((len(base_texts) + len(query_texts)) / seconds, 1),
    }
    np.save(base_file, base)
    np.save(query_file, queries)
    meta_file.write_text(json.dumps(meta))
    return base, queries, meta


def neighbour_cosines(index: faiss.Index, vectors: np.ndarray, exclude_self: bool) -> dict:
    """Median cosine of the 1st and 10th nearest neighbours (self left out for base vectors)."""
    scores, _ = index.search(np.ascontiguousarray(vectors), K + int(exclude_self))
    scores = scores[:, 1:] if exclude_self else scores
    return {
        "top1": round(float(np.median(scores[:, 0])), 4),
        "top10": round(float(np.median(scores[:, K - 1])), 4),
    }


class Synthesiser:
    """Real vectors plus noise shaped by their covariance: E‖noise‖² = sigma², renormalised."""

    def __init__(self, real: np.ndarray) -> None:
        self.real = real
        cov = np.cov(real.astype(np.float64), rowvar=False)
        cov /= np.trace(cov)  # unit total variance: sigma alone sets the noise's expected norm
        self.shape = np.linalg.cholesky(cov + 1e-9 * np.eye(len(cov))).astype(np.float32)

    def make(self, n: int, sigma: float, seed: int = SEED, chunk: int = 100_000) -> np.ndarray:
        rng = np.random.default_rng(seed)
        out = np.empty((n, self.real.shape[1]), dtype=np.float32)
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            parents = self.real[rng.integers(len(self.real), size=stop - start)]
            noise = rng.standard_normal((stop - start, self.real.shape[1]), dtype=np.float32)
            rows = parents + sigma * (noise @ self.shape.T)
            out[start:stop] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        return out


def calibrate(synth: Synthesiser, size: int, target: float, steps: int = 14) -> float:
    """The noise scale whose synthetic vectors, in a synthetic base of ``size``, have the median
    top-1 neighbour cosine of the real vectors among themselves (bisection: more noise, lower
    cosine)."""
    lo, hi = 0.01, 3.0
    for _ in range(steps):
        sigma = (lo + hi) / 2
        base = synth.make(size, sigma, seed=SEED + 1)
        flat = faiss.IndexFlatIP(base.shape[1])
        flat.add(base)
        top1 = neighbour_cosines(flat, base[:1000], exclude_self=True)["top1"]
        lo, hi = (sigma, hi) if top1 > target else (lo, sigma)
    return round((lo + hi) / 2, 4)


def rss_mb() -> float:
    """Current resident set size of this process."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def latency(
    index: VectorIndex, queries: np.ndarray, allowed: np.ndarray | None = None
) -> tuple[dict, list[list[int]]]:
    """Warm single-query latency (ms) over every query, and each query's result ids."""
    for query in queries[:WARMUP]:
        index.search(query, K, allowed)
    times, results = [], []
    for query in queries:
        start = time.perf_counter()
        hits = index.search(query, K, allowed)
        times.append((time.perf_counter() - start) * 1000)
        results.append([i for i, _ in hits])
    ms = np.asarray(times)
    stats = {
        "queries": len(ms),
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
        "mean_ms": round(float(ms.mean()), 3),
    }
    return stats, results


def recall(results: Sequence[Sequence[int]], truth: Sequence[Sequence[int]]) -> float:
    """Mean share of the exact top-k ids found."""
    shares = [len(set(r) & set(t)) / max(1, len(t)) for r, t in zip(results, truth, strict=True)]
    return round(float(np.mean(shares)), 4)


def build(kind: str, ids: np.ndarray, base: np.ndarray) -> tuple[VectorIndex, dict]:
    """The flat baseline or the index ``VectorIndex.build`` chooses; build time, disk, memory."""
    before = rss_mb()
    start = time.perf_counter()
    if kind == "flat":
        index = VectorIndex.empty(base.shape[1])
        index.add(ids, base)
    else:
        index = VectorIndex.build(base.shape[1], ids, base)
    seconds = time.perf_counter() - start
    grown = rss_mb() - before
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.faiss"
        index.save(path)
        disk = path.stat().st_size
    return index, {
        "index": index.describe(),
        "build_s": round(seconds, 2),
        "disk_mb": round(disk / 2**20, 1),
        "rss_growth_mb": round(grown, 1),
    }


def run_size(n: int, synthetic: np.ndarray, queries: np.ndarray, filtered: bool) -> dict:
    """Flat baseline and chosen index over the first ``n`` synthetic vectors."""
    base = synthetic[:n]
    ids = np.arange(n, dtype=np.int64)
    row: dict = {"n": n}
    flat, flat_stats = build("flat", ids, base)
    flat_stats["latency"], truth = latency(flat, queries)
    flat_stats["recall_at_10"] = 1.0
    sample = np.random.default_rng(SEED + 2).choice(n, size=500, replace=False)
    row["cosines"] = {
        "base": neighbour_cosines(flat.index, base[sample], exclude_self=True),
        "queries": neighbour_cosines(flat.index, queries, exclude_self=False),
    }
    row["flat"] = flat_stats
    chosen, chosen_stats = build("chosen", ids, base)
    chosen_stats["latency"], found = latency(chosen, queries)
    chosen_stats["recall_at_10"] = recall(found, truth)
    row["chosen"] = chosen_stats
    ivf = faiss.try_extract_index_ivf(chosen.index)
    if ivf is not None:
        sweep, default = [], ivf.nprobe
        steps = (64, 32, 16, 8, 4)
        for nprobe in sorted({16, default, *(ivf.nlist // s for s in steps)}):
            if nprobe < 1:
                continue
            ivf.nprobe = nprobe
            stats, found = latency(chosen, queries[:200])
            sweep.append(
                {
                    "nprobe": nprobe,
                    "p50_ms": stats["p50_ms"],
                    "recall_at_10": recall(found, truth[:200]),
                }
            )
        ivf.nprobe = default
        row["nprobe_sweep"] = sweep
    if filtered:
        allowed = np.sort(np.random.default_rng(SEED + 3).choice(n, size=n // 10, replace=False))
        few = queries[:200]
        flat_f, truth_f = latency(flat, few, allowed)
        chosen_f, found_f = latency(chosen, few, allowed)
        in_allowed = all(np.isin(ids_, allowed).all() for ids_ in found_f)
        row["filtered_10pct"] = {
            "allowed": len(allowed),
            "flat": {"latency": flat_f, "recall_at_10": 1.0},
            "chosen": {
                "latency": chosen_f,
                "recall_at_10": recall(found_f, truth_f),
                "all_results_allowed": bool(in_allowed),
            },
        }
    row["peak_rss_mb"] = round(peak_rss_mb(), 1)
    del flat, chosen
    return row


def ivf_check(base: np.ndarray, queries: np.ndarray) -> dict:
    """IVF with ``VectorIndex.build``'s formulas (nlist 4·√n, nprobe max(16, nlist/32)) forced
    on a base too small for it, against flat on the same base: recall@10 of real queries."""
    n, dim = base.shape
    nlist = int(4 * math.sqrt(n))
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(base)
    ivf.add(base)
    flat = faiss.IndexFlatIP(dim)
    flat.add(base)
    _, truth = flat.search(queries, K)
    out = {"n": n, "nlist": nlist}
    for nprobe in (max(16, nlist // 32), nlist // 8):
        ivf.nprobe = nprobe
        _, found = ivf.search(queries, K)
        out[f"recall_at_10_nprobe_{nprobe}"] = recall(found.tolist(), truth.tolist())
    return out


def table(result: dict) -> str:
    """Markdown table of the measurements, flat baseline next to the chosen index."""
    lines = [
        "| n | index | build s | disk MB | RSS growth MB | p50 ms | p95 ms | recall@10 |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]

    def name(stats: dict) -> str:
        d = stats["index"]
        return "flat" if d["kind"] == "flat" else f"IVF nlist {d['nlist']} nprobe {d['nprobe']}"

    for row in result["sizes"]:
        for label, stats in (("flat (baseline)", row["flat"]), ("chosen", row["chosen"])):
            lat = stats["latency"]
            lines.append(
                f"| {row['n']:,} | {label}: {name(stats)} | {stats['build_s']} | "
                f"{stats['disk_mb']} | {stats['rss_growth_mb']} | {lat['p50_ms']} | "
                f"{lat['p95_ms']} | {stats['recall_at_10']:.3f} |"
            )
        filtered = row.get("filtered_10pct")
        if filtered:
            for label, stats in (
                ("flat (baseline)", filtered["flat"]),
                ("chosen", filtered["chosen"]),
            ):
                lat = stats["latency"]
                lines.append(
                    f"| {row['n']:,} | {label}, filtered 10 % | | | | {lat['p50_ms']} | "
                    f"{lat['p95_ms']} | {stats['recall_at_10']:.3f} |"
                )
    lines += [
        "",
        "| base | base top-1 cos | base top-10 cos | query top-1 cos | query top-10 cos |",
        "|---|---:|---:|---:|---:|",
    ]
    real = result["real_vectors"]["cosines"]
    lines.append(
        f"| {real['n']:,} real | {real['base']['top1']} | "
        f"{real['base']['top10']} | {real['queries']['top1']} | {real['queries']['top10']} |"
    )
    for row in result["sizes"]:
        cos = row["cosines"]
        base = cos["base"]
        lines.append(
            f"| {row['n']:,} synthetic | {base['top1']} | "
            f"{base['top10']} | {cos['queries']['top1']} | {cos['queries']['top10']} |"
        )
    for row in result["sizes"]:
        if "nprobe_sweep" in row:
            sweep = ", ".join(
                f"{s['nprobe']}: {s['recall_at_10']:.3f} / {s['p50_ms']} ms"
                for s in row["nprobe_sweep"]
            )
            lines.append(f"\nnprobe sweep at {row['n']:,} (recall@10 / p50): {sweep}")
    checks = result["ivf_real_vs_synthetic"]
    lines.append(f"\nIVF on {checks['real']['n']:,} vectors, real vs synthetic: {checks}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="RSS JSONL")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="embedding cache dir")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON result file")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    started = time.perf_counter()

    real, queries, embed_meta = embeddings(args.data, args.cache)
    print(f"real vectors {real.shape}, queries {queries.shape}", file=sys.stderr)
    real_flat = faiss.IndexFlatIP(real.shape[1])
    real_flat.add(real)
    sample = np.random.default_rng(SEED + 2).choice(len(real), size=1000, replace=False)
    real_cos = {
        "n": len(real),
        "base": neighbour_cosines(real_flat, real[sample], exclude_self=True),
        "queries": neighbour_cosines(real_flat, queries, exclude_self=False),
    }
    synth = Synthesiser(real)
    calibration_size = min(sizes)
    sigma = calibrate(synth, calibration_size, real_cos["base"]["top1"])
    print(f"noise scale sigma = {sigma}", file=sys.stderr)
    synthetic = synth.make(max(sizes), sigma)
    # The same IVF on the real vectors and on as many synthetic ones: is synthetic data harder?
    checks = {
        "real": ivf_check(real, queries),
        "synthetic": ivf_check(synthetic[: len(real)].copy(), queries),
    }
    print(f"IVF check at {len(real):,}: {checks}", file=sys.stderr)

    rows = []
    for n in sizes:
        t0 = time.perf_counter()
        rows.append(run_size(n, synthetic, queries, filtered=n == max(sizes)))
        print(f"n={n:,} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)

    result = {
        "benchmark": "vector index at scale",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": args.data.name,
        "k": K,
        "ivf_threshold": IVF_THRESHOLD,
        "real_vectors": {**embed_meta, "dim": int(real.shape[1]), "cosines": real_cos},
        "synthesis": {
            "method": "real passage vector (uniform parent) + sigma * Gaussian noise with the "
            "real vectors' covariance scaled to unit trace, renormalised; the base "
            "is synthetic only (a base of size n is the first n of one seeded stream)",
            "sigma": sigma,
            "calibrated_on": "median top-1 cosine of 1,000 synthetic vectors in a synthetic "
            f"base of {calibration_size:,} = median top-1 "
            "cosine of 1,000 real vectors among the real ones",
            "seed": SEED,
        },
        "ivf_real_vs_synthetic": checks,
        "filter": "allowed = a seeded random 10 % of the ids, 200 queries",
        "sizes": rows,
        "total_seconds": round(time.perf_counter() - started, 1),
        "machine": {
            "summary": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
            "platform": platform.platform(),
            "python": platform.python_version(),
            "faiss": faiss.__version__,
            "faiss_threads": faiss.omp_get_max_threads(),
        },
    }
    print(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, args.out)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
