"""Check-worthiness on CheckThat! 2024 Task 1 (English): the model against two baselines.

For ``dev`` (1,032 sentences, the debates of train: optimistic) and ``dev_test`` (318, other
debates: the honest figure), F1/precision/recall of the check-worthy class at each system's
threshold, ROC-AUC and average precision (threshold-free) of:

- ``model``: the packaged model (``factcheck/checkworthy.py``) on vectors of the default
  engine, at ``MIN_CHECKWORTHY`` (chosen on dev_test: F1 there is optimistic);
- ``model_int8``: the same on the int8 ONNX build's vectors (another engine an index may use);
- ``rules``: the hand-made score it replaced, at its threshold 0.4;
- ``tfidf``: tf-idf of words and bigrams + logistic regression (balanced), fitted on train in
  this run, at 0.5; ``tfidf_tuned``: the same at its best dev_test threshold, as the model's.

Cost: the model's scoring time against the embedding it reuses, on the same sentences.

Run from the repository root: ``python benchmarks/checkworthy.py`` (needs scikit-learn).
"""

from __future__ import annotations

import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from train_checkworthy import best_threshold, read, signals, vectors

from factcheck import checkworthy
from factcheck.embed import DEFAULT_MODEL, FAST_MODEL, load_embedder
from factcheck.features import extract

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "checkworthy.json"
RULES_THRESHOLD = 0.4  # the rules' own threshold, before the model
SPLITS = ("dev", "dev_test")
TIMED = 1000  # sentences of dev embedded and scored for the cost


def measures(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    predicted = scores >= threshold
    return {
        "threshold": threshold,
        "f1": round(float(f1_score(labels, predicted)), 4),
        "precision": round(float(precision_score(labels, predicted)), 4),
        "recall": round(float(recall_score(labels, predicted)), 4),
        "roc_auc": round(float(roc_auc_score(labels, scores)), 4),
        "average_precision": round(float(average_precision_score(labels, scores)), 4),
    }


def cost(texts: list[str]) -> dict:
    """Seconds to embed ``texts`` (what ingest does anyway) and to score them from those
    vectors and the claim features ingest extracts anyway."""
    embedder = load_embedder(None)
    features = [extract(t, "en").to_dict() for t in texts]
    started = time.perf_counter()
    found = embedder.embed_passages(texts)
    embed_s = time.perf_counter() - started
    started = time.perf_counter()
    checkworthy.scores(texts, features, found, DEFAULT_MODEL)
    score_s = time.perf_counter() - started
    return {
        "sentences": len(texts),
        "embed_s": round(embed_s, 3),
        "score_s": round(score_s, 4),
        "score_share_of_embed": round(score_s / embed_s, 4),
    }


def main() -> None:
    train_texts, train_labels = read("train")
    tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    baseline = LogisticRegression(class_weight="balanced", max_iter=2000)
    baseline.fit(tfidf.fit_transform(train_texts), train_labels)
    model = checkworthy.model()
    dev_test_texts, dev_test_labels = read("dev_test")
    tfidf_threshold, _ = best_threshold(
        np.round(baseline.predict_proba(tfidf.transform(dev_test_texts))[:, 1], 3),
        dev_test_labels,
    )
    results: dict = {}
    for split in SPLITS:
        texts, labels = read(split)
        found = signals(texts)
        rules = found[:, checkworthy.SIGNALS.index("rules_score")]
        systems = {
            "model": model.probabilities(vectors(split, texts, DEFAULT_MODEL), found),
            "model_int8": model.probabilities(vectors(split, texts, FAST_MODEL), found),
            "rules": rules,
            "tfidf": baseline.predict_proba(tfidf.transform(texts))[:, 1],
        }
        systems["tfidf_tuned"] = systems["tfidf"]
        thresholds = {"rules": RULES_THRESHOLD, "tfidf": 0.5, "tfidf_tuned": tfidf_threshold}
        results[split] = {
            name: measures(
                labels,
                np.round(scores, 3),
                thresholds.get(name, checkworthy.MIN_CHECKWORTHY),
            )
            for name, scores in systems.items()
        }
        results[split]["sentences"] = len(texts)
        results[split]["check_worthy"] = int(labels.sum())
    timed = cost(read("dev")[0][:TIMED])
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "model_version": model.version,
        "threshold_chosen_on": "dev_test",
        "results": results,
        "cost": timed,
        "machine": f"{platform.machine()} {platform.system()}, 2 CPUs shared with other jobs",
    }
    print("| split | system | threshold | F1 | precision | recall | ROC-AUC | AP |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for split in SPLITS:
        for name, m in results[split].items():
            if isinstance(m, dict):
                print(
                    f"| {split} | {name} | {m['threshold']} | {m['f1']:.3f} | "
                    f"{m['precision']:.3f} | {m['recall']:.3f} | {m['roc_auc']:.3f} | "
                    f"{m['average_precision']:.3f} |"
                )
    print(
        f"cost on {timed['sentences']} sentences: embedding {timed['embed_s']} s, "
        f"scoring {timed['score_s']} s ({100 * timed['score_share_of_embed']:.2f} %)"
    )
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
