"""Fixed splits of the shared relation data: what the relation model may train on, what its
thresholds may be set on, and what is only ever evaluated.

One place for them, read by the training script and by ``benchmarks/relations.py``, so the
evaluation parts can never leak into training. A split is a fixed hash (SHA-1) of a key, so
it does not depend on file order or on a random seed:

- XNLI French dev, by ``id``: 50 % train, 10 % tune (thresholds), 40 % evaluation.
- DACCORD dev, by ``url`` (one fact-check never sits on two sides): 50 % train, 10 % tune,
  40 % evaluation.
- RTE-3 French and STS-B fr/en: evaluation only. PAWS-X and SNLI train: training only.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

TRAIN, TUNE, EVAL = "train", "tune", "eval"


def bucket(key: str) -> int:
    """0–99, from the key's SHA-1: stable across runs, machines and Python versions."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 100


def part(key: str) -> str:
    """``train`` below 50, ``tune`` from 50 to 59, ``eval`` from 60 (40 %)."""
    b = bucket(key)
    return TRAIN if b < 50 else TUNE if b < 60 else EVAL


def xnli_part(row: dict) -> str:
    return part("xnli:" + row["id"])


def daccord_part(row: dict) -> str:
    return part("daccord:" + row["url"])


def read_jsonl(path: Path) -> list[dict]:
    """The rows of a JSON Lines file of ../shared/data, gzipped or not."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
