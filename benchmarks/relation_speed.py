"""What the relation model costs: ``find``, ``find --contradicts``, ``compare --file`` and a
cold ``find``, each with the model (the default) and with ``--rules-only`` (the baseline) in
the same run, on an index of the seeds built with the int8 embedder.

- the int8 cross-encoder alone, pairs per second (budget: at least 64), and the rules alone
  (``relate`` with stored features, as ``find`` calls it), microseconds per pair;
- warm ``Corpus.find(k=10)`` p50 (budget 200 ms) and ``find --contradicts`` p50 (budget 1 s),
  over French and English claims about the seeds;
- ``factcheck compare --file`` over XNLI French eval pairs, pairs per second end to end
  (process start and embedding included; budget 50);
- cold ``factcheck find`` on the seeds, wall time of the process (budget 1.5 s).

Run from the repository root: ``python benchmarks/relation_speed.py`` (``--data-dir``,
``--seeds``, ``--out``). Needs the models built once (the first run builds them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from splits import EVAL, xnli_part  # noqa: E402

from factcheck import Corpus  # noqa: E402
from factcheck.embed import FAST_MODEL  # noqa: E402
from factcheck.features import extract  # noqa: E402
from factcheck.relation_model import RelationModel  # noqa: E402
from factcheck.relations import relate  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_SEEDS = REPO.parent / "shared" / "seeds"
DEFAULT_OUT = REPO / "benchmarks" / "results" / "relation_speed.json"
CLAIMS = [
    "Poutine a rencontré Macron le 7 février",
    "Putin met Macron on 7 February",
    "70 % des forces rassemblées",
    "La Russie prévoit une nouvelle mobilisation",
    "Il n'est pas prévu de nouvelle mobilisation en Russie",
    "Le Kremlin a nié vouloir envahir l'Ukraine",
    "Russia is ready to use nuclear weapons",
    "Les relations avec les États-Unis sont satisfaisantes",
    "Poutine a reçu les diplômés des académies militaires",
    "Zelensky a demandé des armes à l'Occident",
]
RUNS = 5


def p50(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def warm_find(corpus: Corpus, rules_only: bool, relation: str | None, k: int) -> float:
    corpus.find(CLAIMS[0], k=k, relation=relation, rules_only=rules_only)  # warm
    times = []
    for _ in range(RUNS):
        for claim in CLAIMS:
            start = time.perf_counter()
            corpus.find(claim, k=k, relation=relation, rules_only=rules_only)
            times.append(time.perf_counter() - start)
    return p50(times)


def rules_cost(pairs: list[dict]) -> float:
    """Microseconds per ``relate`` call with the features already extracted (stored at
    ingest), the rules alone: what every match of every claim costs."""
    ready = [(p["a"], p["b"], extract(p["a"]), extract(p["b"])) for p in pairs]
    start = time.perf_counter()
    for a, b, fa, fb in ready:
        relate(a, b, similarity=0.85, claim_features=fa, match_features=fb)
    return round((time.perf_counter() - start) / len(ready) * 1e6, 1)


def run_cli(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "factcheck.cli", *args],
        stdout=subprocess.DEVNULL,
        check=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    rows = [json.loads(line) for line in (args.data_dir / "xnli_fr_dev.jsonl").open()]
    pairs = [{"a": r["hypothesis"], "b": r["premise"]} for r in rows if xnli_part(r) == EVAL]
    result: dict = {"date": datetime.now(UTC).isoformat(timespec="seconds")}
    result["machine"] = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"

    model = RelationModel()
    sample = [(p["b"], p["a"]) for p in pairs[:400]]
    model.predict(sample[:32])
    start = time.perf_counter()
    model.predict(sample)
    result["model_pairs_per_second"] = round(len(sample) / (time.perf_counter() - start), 1)
    result["rules_microseconds_per_pair"] = rules_cost(pairs[:400])

    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        with Corpus.open(index, model=FAST_MODEL) as corpus:
            corpus.ingest([args.seeds])
        with Corpus.open(index, readonly=True) as corpus:
            for name, rules_only in (("model", False), ("rules_only", True)):
                result[f"find_k10_p50_ms_{name}"] = warm_find(corpus, rules_only, None, 10)
                result[f"find_contradicts_p50_ms_{name}"] = warm_find(
                    corpus, rules_only, "contradicts", 10
                )
        claim = CLAIMS[1]
        for name, extra in (("model", []), ("rules_only", ["--rules-only"])):
            runs = [run_cli(["find", claim, "--index", str(index), *extra]) for _ in range(3)]
            result[f"cold_find_seconds_{name}"] = round(statistics.median(runs), 2)
        pairs_file = Path(tmp) / "pairs.jsonl"
        pairs_file.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs))
        for name, extra in (("model", []), ("rules_only", ["--rules-only"])):
            seconds = run_cli(["compare", "--file", str(pairs_file), "--model", FAST_MODEL, *extra])
            result[f"compare_file_pairs_per_second_{name}"] = round(len(pairs) / seconds, 1)
    result["compare_pairs"] = len(pairs)
    for key, value in result.items():
        print(f"{key:<40} {value}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
