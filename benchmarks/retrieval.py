"""Retrieval of ``factcheck find``: by meaning only, by words only (BM25), both fused, and
fused with the clauses of long sentences, each with its quality and its latency.

Sections (each measured in this run, on this machine):

1. CheckThat! 2020 Task 2 (English tweets -> 10,375 verified Snopes claims, each indexed as
   an article of its title and claim): MAP@1, MAP@5 and success@5 on ``tweets_dev``; the
   fusion weight (``lexical.LEXICAL_WEIGHT``) is chosen on ``tweets_train`` only, by the grid
   printed with ``--tune`` (dev is never read for it).
2. Our reformulations of the seed sentences (``benchmarks/data/reformulations_fr.jsonl``,
   French and English, written before any tuning): split once, by the first byte of the
   SHA-256 of each id (even: ``tune``, odd: ``figures``; the ``half`` field), into a half the
   clause split and the stemming were looked at on and a half reported and never tuned on.
3. Latency: warm ``find`` per claim (``--rules-only``: retrieval and the rules, no relation
   model) on both indexes, and cold ``factcheck find`` on the seeds (a new process).
4. One million sentences: the BM25 query on an FTS5 table of 1M sentences (real sentences
   recombined) and the dense IVF search on 1M vectors, the two halves of a hybrid search.
5. Index growth on disk: what the word index and the clauses add.

    FACTCHECK_CACHE=/tmp/fcache HF_HUB_OFFLINE=1 nice python benchmarks/retrieval.py

The indexes are built under ``--work`` (default ``$TMPDIR/factcheck-retrieval``), kept for
the next run; results go to ``benchmarks/results/retrieval.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from splits import read_jsonl

from factcheck import Corpus, lexical
from factcheck.corpus import DENSE, HYBRID, LEXICAL
from factcheck.models import Article
from factcheck.store import Store
from factcheck.vectors import VectorIndex

ROOT = Path(__file__).resolve().parent
DATA = ROOT.parent.parent / "shared" / "data"
SEEDS = ROOT.parent.parent / "shared" / "seeds"
REFORMULATIONS = ROOT / "data" / "reformulations_fr.jsonl"
OUT = ROOT / "results" / "retrieval.json"
CHECKTHAT = "checkthat2020_en"
MODES = {  # name: (channels, clauses)
    "dense": (DENSE, False),
    "lexical": (LEXICAL, False),
    "fused": (HYBRID, False),
    "fused+clauses": (HYBRID, True),
}
DEPTH = 30  # sentences fetched per claim: a claim's article may hold two of them
GRID = (0.0, 0.02, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3, 0.5)
LATENCY_CLAIMS = 50
BATCH = 64


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def p50(values: Sequence[float]) -> float:
    return round(statistics.median(values), 2)


def p95(values: Sequence[float]) -> float:
    return round(float(np.percentile(values, 95)), 2)


# -- 1. CheckThat! 2020 -----------------------------------------------------------------------


def checkthat_index(work: Path) -> Path:
    """Every verified claim as an article (title, then claim), built once under ``work``."""
    path = work / "checkthat"
    claims = read_jsonl(DATA / CHECKTHAT / "verified_claims.jsonl")
    with Corpus.open(path) as corpus:
        if corpus.store.counts()["articles"] != len(claims):
            log(f"indexing {len(claims):,} verified claims into {path} …")
            result = corpus.add(
                Article(id=c["vclaim_id"], text=f"{c['title']}\n\n{c['vclaim']}", lang="en")
                for c in claims
            )
            log(f"  {result.added} added, {result.sentences} sentences")
    return path


def ranked_articles(matches: Sequence, limit: int = 5) -> list[str]:
    """Article ids in the order their first sentence comes."""
    seen: list[str] = []
    for m in matches:
        if m.article.id not in seen:
            seen.append(m.article.id)
    return seen[:limit]


def average_precision(found: Sequence[str], relevant: set[str], k: int) -> float:
    hits, total = 0, 0.0
    for rank, item in enumerate(found[:k], 1):
        if item in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), k) if relevant else 0.0


def checkthat_metrics(rankings: list[list[str]], tweets: list[dict]) -> dict:
    relevant = [set(t["relevant_vclaim_ids"]) for t in tweets]
    n = len(tweets)
    return {
        "n": n,
        "map@1": round(
            sum(average_precision(r, g, 1) for r, g in zip(rankings, relevant, strict=True)) / n, 4
        ),
        "map@5": round(
            sum(average_precision(r, g, 5) for r, g in zip(rankings, relevant, strict=True)) / n, 4
        ),
        "success@5": round(
            sum(bool(set(r[:5]) & g) for r, g in zip(rankings, relevant, strict=True)) / n, 4
        ),
    }


def search(corpus: Corpus, claims: list[str], mode: str) -> tuple[list[list], float]:
    """Matches of every claim in batches, and the mean ms per claim."""
    channels, clauses = MODES[mode]
    out: list[list] = []
    start = time.perf_counter()
    for i in range(0, len(claims), BATCH):
        out += corpus.find_many(
            claims[i : i + BATCH], DEPTH, rules_only=True, channels=channels, clauses=clauses
        )
    return out, round(1000 * (time.perf_counter() - start) / len(claims), 2)


def tune(corpus: Corpus, tweets: list[dict]) -> dict:
    """MAP@5 on ``tweets_train`` for each fusion weight of ``GRID``, the BM25 score taken as
    a share of the claim's (``lexical.most``) or of the best candidate's (``OF_BEST``): the
    dense and lexical candidates are fetched once and fused here as ``lexical.fuse`` does."""
    claims = [t["tweet"] for t in tweets]
    dense, _ = search(corpus, claims, "dense")
    words, _ = search(corpus, claims, "lexical")
    grid: dict[str, dict[str, float]] = {"of_claim": {}, "of_best": {}}
    for of_best, name in ((False, "of_claim"), (True, "of_best")):
        for weight in GRID:
            rankings = []
            for by_meaning, by_words in zip(dense, words, strict=True):
                similar = {_key(m): m.similarity for m in [*by_meaning, *by_words]}
                article = {_key(m): m.article.id for m in [*by_meaning, *by_words]}
                fused = lexical.fuse(
                    similar, [(_key(m), m.score) for m in by_words], weight, of_best
                )
                order = sorted(fused, key=fused.__getitem__, reverse=True)
                rankings.append(list(dict.fromkeys(article[key] for key in order))[:5])
            grid[name][str(weight)] = checkthat_metrics(rankings, tweets)["map@5"]
            log(f"  {name} weight {weight}: train MAP@5 {grid[name][str(weight)]}")
    best = max(((name, w) for name in grid for w in GRID), key=lambda nw: grid[nw[0]][str(nw[1])])
    return {"split": "tweets_train", "map@5": grid, "best": {"share": best[0], "weight": best[1]}}


def _key(match) -> tuple[str, int]:
    return match.article.id, match.sentence["index"]


def section_checkthat(work: Path, do_tune: bool) -> dict:
    path = checkthat_index(work)
    dev = read_jsonl(DATA / CHECKTHAT / "tweets_dev.jsonl")
    out: dict = {
        "index": {"articles": 10_375},
        "weight": lexical.LEXICAL_WEIGHT,
        "share": "of_best" if lexical.OF_BEST else "of_claim",
    }
    with Corpus.open(path, readonly=True) as corpus:
        out["index"]["sentences"] = corpus.store.counts()["sentences"]
        if do_tune:
            log("tuning the fusion weight on tweets_train …")
            out["tuning"] = tune(corpus, read_jsonl(DATA / CHECKTHAT / "tweets_train.jsonl"))
        claims = [t["tweet"] for t in dev]
        for mode in MODES:
            found, per_claim = search(corpus, claims, mode)
            metrics = checkthat_metrics([ranked_articles(m) for m in found], dev)
            out[mode] = {**metrics, "batch_ms_per_claim": per_claim}
            log(f"  dev {mode}: {out[mode]}")
    return out


# -- 2. reformulations of the seeds -----------------------------------------------------------


def seeds_index(work: Path) -> Path:
    path = work / "seeds"
    with Corpus.open(path) as corpus:
        corpus.ingest([SEEDS])
    return path


def section_reformulations(work: Path) -> dict:
    cases = read_jsonl(REFORMULATIONS)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    out: dict = {
        "file": str(REFORMULATIONS.relative_to(ROOT.parent)),
        "sha256": hashlib.sha256(REFORMULATIONS.read_bytes()).hexdigest(),
        "split": {h: sum(c["half"] == h for c in cases) for h in ("tune", "figures")},
    }
    misses: dict[str, list] = {}
    with Corpus.open(seeds_index(work), readonly=True) as corpus:
        for mode in MODES:
            found, _ = search(corpus, [c["claim"] for c in cases], mode)
            ranks = [_rank(c, m[:5], texts) for c, m in zip(cases, found, strict=True)]
            out[mode] = {
                f"{h}/{lang}": _summary(
                    [
                        r
                        for c, r in zip(cases, ranks, strict=True)
                        if c["half"] == h and lang in (c["lang"], "all")
                    ]
                )
                for h in ("tune", "figures")
                for lang in ("fr", "en", "all")
            }
            misses[mode] = [
                {"id": c["id"], "half": c["half"], "rank": r, "claim": c["claim"]}
                for c, r in zip(cases, ranks, strict=True)
                if r != 1
            ]
            log(f"  seeds {mode}: figures/all {out[mode]['figures/all']}")
    out["not_first"] = misses
    return out


def _rank(case: dict, matches: Sequence, texts: dict[str, str]) -> int | None:
    accepted = {stem for stem, text in texts.items() if case["expected"] in text}
    for rank, m in enumerate(matches, 1):
        if case["expected"] in m.text and m.article.id in accepted:
            return rank
    return None


def _summary(ranks: list[int | None]) -> dict:
    n = len(ranks)
    return {
        "n": n,
        "recall@1": round(sum(r == 1 for r in ranks) / n, 3),
        "recall@5": round(sum(r is not None for r in ranks) / n, 3),
        "mrr@5": round(sum(1 / r for r in ranks if r) / n, 3),
    }


# -- 3. latency ---------------------------------------------------------------------------------


def section_latency(work: Path) -> dict:
    """Warm ``find`` (k = 5, rules only) one claim at a time, after one warm-up call."""
    tweets = [t["tweet"] for t in read_jsonl(DATA / CHECKTHAT / "tweets_dev.jsonl")]
    french = [c["claim"] for c in read_jsonl(REFORMULATIONS)]
    out = {}
    for name, path, claims in (
        ("checkthat", work / "checkthat", tweets[:LATENCY_CLAIMS]),
        ("seeds", work / "seeds", french[:LATENCY_CLAIMS]),
    ):
        with Corpus.open(path, readonly=True) as corpus:
            out[name] = {}
            for mode, (channels, clauses) in MODES.items():

                def once(claim: str, channels: str = channels, clauses: bool = clauses) -> object:
                    return corpus.find(
                        claim, 5, rules_only=True, channels=channels, clauses=clauses
                    )

                once(claims[0])
                ms = [_timed(lambda c=c: once(c)) for c in claims]
                out[name][mode] = {"n": len(ms), "p50_ms": p50(ms), "p95_ms": p95(ms)}
                log(f"  warm {name} {mode}: {out[name][mode]}")
    out["cold_seeds"] = cold_find(work / "seeds")
    return out


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return 1000 * (time.perf_counter() - start)


def cold_find(index: Path, runs: int = 3) -> dict:
    """``factcheck find`` in a new process (model loads included), median of ``runs``, with
    the search by meaning alone as the baseline, the two interleaved (same machine load)."""
    claim = "Il n'est pas prévu de nouvelle mobilisation en Russie"
    command = [str(Path(sys.executable).parent / "factcheck"), "find", claim]
    command += ["--index", str(index), "--rules-only", "--json"]
    variants = {"hybrid+clauses": [], "dense": ["--by", "dense", "--no-clauses"]}
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, extra in variants.items():
            start = time.perf_counter()
            subprocess.run([*command, *extra], check=True, capture_output=True)
            seconds[name].append(round(time.perf_counter() - start, 3))
    return {
        name: {"median_s": statistics.median(values), "runs_s": values}
        for name, values in seconds.items()
    }


# -- 4. one million sentences -------------------------------------------------------------------


def million_texts(n: int) -> list[str]:
    """``n`` sentences made of real ones: the first half of one and the second of another,
    from the RSS items and the CheckThat! claims (so terms have a realistic spread)."""
    real = [r["vclaim"] for r in read_jsonl(DATA / CHECKTHAT / "verified_claims.jsonl")]
    real += [r["title"] for r in read_jsonl(DATA / CHECKTHAT / "verified_claims.jsonl")]
    for r in read_jsonl(DATA / "rss_2022_russia_ukraine.jsonl"):
        real += [r["title"] or "", re.sub(r"<[^>]+>", " ", r.get("description") or "")]
    words = [t.split() for t in real if len(t.split()) >= 6]
    rng = random.Random(0)
    out = []
    for _ in range(n):
        a, b = rng.choice(words), rng.choice(words)
        out.append(" ".join(a[: len(a) // 2] + b[len(b) // 2 :]))
    return out


def section_million(work: Path, n: int) -> dict:
    """Both channels at ``n`` sentences, timed for the same claims."""
    claims = [t["tweet"] for t in read_jsonl(DATA / CHECKTHAT / "tweets_dev.jsonl")]
    claims = claims[: LATENCY_CLAIMS // 2] + [
        c["claim"] for c in read_jsonl(REFORMULATIONS)[: LATENCY_CLAIMS // 2]
    ]
    db = work / f"million-{n}.sqlite"
    out: dict = {"sentences": n}
    if not db.exists():
        log(f"building an FTS5 word index of {n:,} sentences …")
        tmp = db.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        store = Store(tmp)
        texts = million_texts(n)
        start = time.perf_counter()
        with store.db:
            for a in range(0, n, 1000):
                store.db.execute(
                    "INSERT INTO articles(id, text, checksum) VALUES (?, '', '')", (str(a),)
                )
                store.db.executemany(
                    "INSERT INTO sentences(article_id, idx, start, end, text, hash) "
                    "VALUES (?, ?, 0, 0, ?, '')",
                    [(str(a), i, t) for i, t in enumerate(texts[a : a + 1000])],
                )
        out["insert_s"] = round(time.perf_counter() - start, 1)
        store.close()
        tmp.rename(db)
    store = Store(db, readonly=True)
    queries = [lexical.query(c) for c in claims]
    store.lexical_search(queries[:1], 20)
    ms = [_timed(lambda q=q: store.lexical_search([q], 20)) for q in queries]
    out["lexical"] = {"n": len(ms), "p50_ms": p50(ms), "p95_ms": p95(ms)}
    sizes = dict(store.db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    out["lexical"]["fts5_mb"] = round(
        sum(v for k, v in sizes.items() if k.startswith("lexical")) / 2**20, 1
    )
    store.close()
    log(f"  1M lexical: {out['lexical']}")
    out["dense"] = million_dense(work, n, claims)
    return out


def million_dense(work: Path, n: int, claims: list[str]) -> dict:
    """The IVF search ``find`` runs at ``n`` vectors (random unit vectors around real e5
    passages of the seeds), for the same claims."""
    from factcheck.embed import load_embedder

    embedder = load_embedder(None)
    queries = embedder.embed_queries(claims)
    path = work / f"million-{n}.faiss"
    if path.exists():
        index = VectorIndex.load(path)
    else:
        log(f"building an IVF index of {n:,} vectors …")
        base = embedder.embed_passages(million_texts(2_000))
        rng = np.random.default_rng(0)
        vectors = base[rng.integers(0, len(base), n)] + rng.normal(0, 0.02, (n, base.shape[1]))
        vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
        index = VectorIndex.build(vectors.shape[1], np.arange(n, dtype=np.int64), vectors)
        index.save(path)
    index.search_many(queries[:1], 20)
    ms = [_timed(lambda q=q: index.search_many(q.reshape(1, -1), 20)) for q in queries]
    embed_ms = [_timed(lambda c=c: embedder.embed_queries([c])) for c in claims]
    return {
        "index": index.describe(),
        "search": {"n": len(ms), "p50_ms": p50(ms), "p95_ms": p95(ms)},
        "embed_claim": {"n": len(embed_ms), "p50_ms": p50(embed_ms), "p95_ms": p95(embed_ms)},
    }


# -- 5. index growth ---------------------------------------------------------------------------


def section_size(work: Path) -> dict:
    """What the word index (FTS5 tables) and the clauses (table + clauses.faiss) take."""
    out = {}
    for name in ("seeds", "checkthat"):
        path = work / name
        db = sqlite3.connect(path / "meta.sqlite")
        sizes = dict(db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
        clauses = db.execute("SELECT count(*) FROM clauses").fetchone()[0]
        sentences = db.execute("SELECT count(*) FROM sentences").fetchone()[0]
        db.close()
        total = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
        words = sum(v for k, v in sizes.items() if k.startswith("lexical"))
        clause_bytes = sizes.get("clauses", 0) + sizes.get("clauses_sentence", 0)
        clause_bytes += sizes.get("clauses_hash", 0) + (path / "clauses.faiss").stat().st_size
        out[name] = {
            "sentences": sentences,
            "clauses": clauses,
            "index_mb": round(total / 2**20, 2),
            "word_index_mb": round(words / 2**20, 2),
            "clauses_mb": round(clause_bytes / 2**20, 2),
            "growth_pct": round(100 * (words + clause_bytes) / (total - words - clause_bytes), 1),
        }
    return out


# -- report ------------------------------------------------------------------------------------


def table(result: dict) -> str:
    lines = ["CheckThat! 2020 dev (train for the weight only)", ""]
    head = f"{'mode':<16}{'MAP@1':>8}{'MAP@5':>8}{'succ@5':>8}{'ms/claim':>10}"
    lines.append(head)
    for mode in MODES:
        r = result["checkthat"][mode]
        lines.append(
            f"{mode:<16}{r['map@1']:>8}{r['map@5']:>8}{r['success@5']:>8}"
            f"{r['batch_ms_per_claim']:>10}"
        )
    lines += ["", "Seed reformulations, figures half (recall@5 / recall@1)", ""]
    lines.append(f"{'mode':<16}{'fr':>14}{'en':>14}{'all':>14}")
    for mode in MODES:
        r = result["reformulations"][mode]
        cells = [
            f"{r[f'figures/{x}']['recall@5']}/{r[f'figures/{x}']['recall@1']}"
            for x in ("fr", "en", "all")
        ]
        lines.append(f"{mode:<16}" + "".join(f"{c:>14}" for c in cells))
    if "latency" in result:
        lines += ["", "Warm find p50 / p95 ms (k 5, rules only)", ""]
        for name in ("checkthat", "seeds"):
            for mode, r in result["latency"][name].items():
                lines.append(f"{name:<10}{mode:<16}{r['p50_ms']:>8}{r['p95_ms']:>8}")
        cold = result["latency"]["cold_seeds"]
        lines.append(
            f"cold find on the seeds: {cold['hybrid+clauses']['median_s']} s "
            f"(by meaning only: {cold['dense']['median_s']} s)"
        )
    if "million" in result:
        m = result["million"]
        lines.append(
            f"1M: lexical p50 {m['lexical']['p50_ms']} ms, dense search p50 "
            f"{m['dense']['search']['p50_ms']} ms, claim embedding p50 "
            f"{m['dense']['embed_claim']['p50_ms']} ms; FTS5 {m['lexical']['fts5_mb']} MB"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_work = Path(tempfile.gettempdir()) / "factcheck-retrieval"
    parser.add_argument("--work", type=Path, default=default_work)
    parser.add_argument("--tune", action="store_true", help="the weight grid on tweets_train")
    parser.add_argument("--million", type=int, default=1_000_000, help="0: skip section 4")
    parser.add_argument("--no-latency", action="store_true")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    result: dict = {
        "benchmark": "retrieval",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_1min": round(os.getloadavg()[0], 2),
            "note": "timings on a shared machine under load unless load_1min is near 0",
        },
    }
    result["checkthat"] = section_checkthat(args.work, args.tune)
    if not args.tune and OUT.exists():  # the weight grid of the last --tune run stands
        last = json.loads(OUT.read_text(encoding="utf-8")).get("checkthat", {})
        if "tuning" in last:
            result["checkthat"]["tuning"] = last["tuning"]
    result["reformulations"] = section_reformulations(args.work)
    if not args.no_latency:
        result["latency"] = section_latency(args.work)
    if args.million:
        result["million"] = section_million(args.work, args.million)
    result["size"] = section_size(args.work)
    result["total_s"] = round(time.perf_counter() - started, 1)
    print(table(result))
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"written: {OUT}")


if __name__ == "__main__":
    main()
