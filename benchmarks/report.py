"""`factcheck report` on a real multi-source, multi-date corpus: time, clusters, contested.

Reads ../shared/data/rss_2022_russia_ukraine.jsonl (3,059 dated RSS items: title and summary)
in place, ingests it into an index, runs the report on growing shares of the corpus to show
how its time grows, and writes a reading sample of contested clusters for a person to judge.

Baseline, same run: the report's candidate step done as all pairs (one exact similarity
matrix over the check-worthy statements, every pair above the threshold related) instead of
one nearest-neighbour search per statement; its relate time is measured on a sample of the
pairs and extrapolated (relating them all would take hours).

    python benchmarks/report.py            # --index DIR keeps the index between runs
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from factcheck import Corpus
from factcheck.checkworthy import MIN_CHECKWORTHY
from factcheck.features import Features
from factcheck.filters import Filters
from factcheck.models import Article
from factcheck.relations import SAME_MIN_SIMILARITY, relate
from factcheck.report import E5_PASSAGE_TO_QUERY

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data" / "rss_2022_russia_ukraine.jsonl"
SHARES = (0.25, 0.5, 1.0)  # of the corpus, by date, for the growth table
SAMPLE = 20  # contested clusters written out to be read by hand
BASELINE_SAMPLE = 5_000  # pairs the all-pairs baseline relates to measure its rate


def articles(path: Path) -> list[Article]:
    """One article per item: its title and summary; source = the site of its link."""
    found = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            text = "\n\n".join(p.strip() for p in (item["title"], item["description"]) if p)
            host = urlsplit(item.get("link") or item["source_feed"]).hostname or ""
            found.append(
                Article(
                    id=item["id"],
                    text=text,
                    title=item["title"],
                    date=item["date_published"][:10],
                    source=host.removeprefix("www."),
                    url=item.get("link"),
                    lang=item.get("language"),
                )
            )
    return sorted(found, key=lambda a: (a.date, a.id))


def all_pairs(corpus: Corpus, until: str, sample: int = BASELINE_SAMPLE) -> dict:
    """The baseline candidate step: every pair of check-worthy statements above the gate.

    The exact similarity matrix is computed whole; relating every pair above the gate (most
    of them, in a corpus about one war) would take hours, so a random sample of them is
    related and the time extrapolated to all.
    """
    started = time.perf_counter()
    ids = corpus.store.filtered_ids(Filters(until=until, min_checkworthy=MIN_CHECKWORTHY))
    batches = list(corpus.store.iter_vectors(ids))
    ids = np.concatenate([i for i, _ in batches])
    vectors = np.vstack([v for _, v in batches])
    a, b = E5_PASSAGE_TO_QUERY
    pairs = []
    for start in range(0, len(ids), 1024):
        block = a * (vectors[start : start + 1024] @ vectors.T) + b
        rows, cols = np.nonzero(np.triu(block >= SAME_MIN_SIMILARITY, k=start + 1))
        pairs.append(np.stack([rows + start, cols, (block[rows, cols] * 1e4).astype(int)], 1))
    found = np.concatenate(pairs) if pairs else np.zeros((0, 3), dtype=int)
    matrix_seconds = time.perf_counter() - started
    rng = np.random.default_rng(0)
    chosen = found[rng.choice(len(found), size=min(sample, len(found)), replace=False)]
    rows = corpus.store.sentences_by_id(sorted({int(ids[i]) for i, j, _ in chosen} | {
        int(ids[j]) for i, j, _ in chosen}))  # fmt: skip
    started = time.perf_counter()
    for i, j, sim in chosen:
        ra, rb = rows[int(ids[i])], rows[int(ids[j])]
        relate(
            ra["text"], rb["text"], similarity=sim / 1e4, strict=True,
            claim_features=Features.from_dict(ra["features"] or {}),
            match_features=Features.from_dict(rb["features"] or {}),
        )  # fmt: skip
    per_pair = (time.perf_counter() - started) / max(1, len(chosen))
    return {"seconds": matrix_seconds + per_pair * len(found), "pairs": len(found)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--index", type=Path, help="index folder (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "report.json")
    parser.add_argument("--sample-out", type=Path, default=HERE / "results" / "report_sample.md")
    args = parser.parse_args()

    items = articles(args.data)
    index = args.index or Path(tempfile.mkdtemp(prefix="factcheck-report-"))
    with Corpus.open(index) as corpus:
        started = time.perf_counter()
        ingested = corpus.add(items)
        ingest_seconds = time.perf_counter() - started
        print(
            f"ingest: {len(items):,} items, {ingested.sentences:,} sentences, "
            f"{ingested.embedded:,} embedded in {ingest_seconds:.1f} s",
            file=sys.stderr,
        )
        rows = []
        report = None
        for share in SHARES:
            until = items[max(0, int(len(items) * share) - 1)].date
            report = corpus.report(filters=Filters(until=until))
            baseline = all_pairs(corpus, until)
            summary = report.summary()
            rows.append(
                {
                    "share": share,
                    "until": until,
                    **summary,
                    "baseline_seconds": round(baseline["seconds"], 2),
                    "baseline_pairs": baseline["pairs"],
                    "ratio": round(baseline["seconds"] / max(summary["seconds"], 1e-9), 2),
                }
            )
        info = corpus.info()

    print(
        "| share | until | statements | clusters | contested | conflicts | report s "
        "| all-pairs pairs | all-pairs s (est.) | ratio |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['share']:.0%} | {r['until']} | {r['statements']:,} | {r['clusters']:,} | "
            f"{r['contested']:,} | {r['conflicts']:,} | {r['seconds']:.1f} | "
            f"{r['baseline_pairs']:,} | {r['baseline_seconds']:,.0f} | {r['ratio']:,.0f}× |"
        )

    contested = report.contested
    sample = random.Random(0).sample(contested, min(SAMPLE, len(contested)))
    with open(args.sample_out, "w", encoding="utf-8") as fh:
        fh.write("# Contested clusters to read by hand (benchmarks/report.py, seed 0)\n")
        for n, cluster in enumerate(sample, start=1):
            fh.write(f"\n## {n}. {cluster.id}\n\n")
            for s in cluster.statements:
                fh.write(f"- `{s.id}` {s.date} {s.source} [{s.relation or 'claim'}]: {s.text}\n")
            for c in cluster.conflicts:
                ev = "; ".join(
                    f"{e['kind']}: {e.get('claim')} {'=' if e.get('agrees') else '≠'} "
                    f"{e.get('match')}"
                    for e in c.evidence
                )
                fh.write(f"- conflict `{c.a}` × `{c.b}` ({c.score:.3f}): {ev}\n")
    result = {
        "data": str(args.data.name),
        "items": len(items),
        "sentences": info["sentences"],
        "ingest_seconds": round(ingest_seconds, 1),
        "embedded": ingested.embedded,
        "growth": rows,
        "sample": [c.id for c in sample],
        "machine": "Linux x86_64, 2 CPUs",
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} and {args.sample_out}", file=sys.stderr)


if __name__ == "__main__":
    main()
