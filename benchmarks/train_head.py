"""Train the relation head (``factcheck/head.py``) on XNLI French dev and measure it honestly.

- Data: XNLI 1.0 dev in French (2,490 pairs, 830 per label), split by premise (each premise has
  one hypothesis per label, so a random pair split would leak premises): 70 % to train, 30 %
  held out; RTE-3 French dev (800 news-like pairs, 91 contradictions) is never trained on.
- Pairs are (premise, hypothesis) = (match, claim): matches are embedded as passages, claims as
  queries or as passages, whichever 5-fold cross-validation on the training part prefers.
- Model: multinomial logistic regression on standardised ``pair_features`` with an L2 penalty
  chosen by the same cross-validation (mean log-loss), fitted by accelerated gradient descent in
  numpy (the objective is convex, so the fit does not depend on a random start).
- Reported on held-out XNLI and on all of RTE-3: accuracy, and precision/recall/F1 of
  "contradiction" against the rest, for the head, the training majority class, "always
  contradiction", and a cosine baseline (two cosine thresholds and a label per interval, fitted
  on the training part for accuracy); and average precision of P(contradiction).

Run from the repository root: ``python benchmarks/train_head.py`` (``--no-save`` to only measure).
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from factcheck.embed import load_embedder
from factcheck.head import WEIGHTS, RelationHead, pair_features
from factcheck.nli import LABELS, softmax

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
XNLI = DATA / "xnli_fr_dev.jsonl"
RTE3 = DATA / "rte3_fr_dev.jsonl"
DEFAULT_OUT = REPO / "benchmarks" / "results" / "head.json"
SEED = 20240611
HELD_OUT = 0.3
FOLDS = 5
PENALTIES = (3.0, 1.0, 0.3, 0.1, 0.03, 0.01)
RTE3_LABELS = {0: "entailment", 1: "neutral", 2: "contradiction"}
CONTRADICTION = LABELS.index("contradiction")


def read(path: Path, rte: bool = False) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        row["y"] = LABELS.index(RTE3_LABELS[row["label"]] if rte else row["label"])
    return rows


class Vectors:
    """Embeds each distinct text once per role (premises repeat three times in XNLI)."""

    def __init__(self) -> None:
        self.embedder = load_embedder(None)
        self.texts = 0
        self.seconds = 0.0

    def __call__(self, texts: list[str], as_query: bool) -> np.ndarray:
        distinct = sorted(set(texts))
        start = time.perf_counter()
        encode = self.embedder.embed_queries if as_query else self.embedder.embed_passages
        vectors = encode(distinct)
        self.seconds += time.perf_counter() - start
        self.texts += len(distinct)
        row = {text: i for i, text in enumerate(distinct)}
        return vectors[[row[t] for t in texts]]


def fit(
    x: np.ndarray, y: np.ndarray, penalty: float, start: np.ndarray | None = None, steps: int = 400
) -> np.ndarray:
    """(features + 1, 3) weights, bias last, of L2-penalised softmax regression on standardised x.

    Nesterov descent with step 1/L, L = x'x/n's largest eigenvalue over 2 (a bound on the loss's
    curvature) plus the penalty, so it converges without a tuned learning rate; ``start`` warm-
    starts it from the fit for a neighbouring penalty.
    """
    n = len(x)
    onehot = np.eye(len(LABELS))[y]
    xb = np.hstack([x, np.ones((n, 1))]).astype(np.float32)
    probe = np.ones(xb.shape[1], dtype=np.float32)
    for _ in range(30):  # power iteration for the largest eigenvalue of xb'xb
        probe = xb.T @ (xb @ probe)
        probe /= np.linalg.norm(probe)
    lipschitz = float(np.linalg.norm(xb @ probe) ** 2) / n / 2 + penalty
    mask = np.ones((xb.shape[1], 1), dtype=np.float32)
    mask[-1] = 0  # the bias is not penalised
    w = np.zeros((xb.shape[1], len(LABELS)), dtype=np.float32) if start is None else start
    previous = w
    for t in range(1, steps + 1):
        look = w + (t - 1) / (t + 2) * (w - previous)
        gradient = xb.T @ (softmax(xb @ look) - onehot) / n + penalty * mask * look
        previous, w = w, (look - gradient / lipschitz).astype(np.float32)
    return w


def linear(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return softmax(x @ w[:-1] + w[-1])


class Standardiser:
    def __init__(self, x: np.ndarray) -> None:
        self.mean = x.mean(axis=0)
        self.scale = x.std(axis=0) + 1e-6

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.scale


def log_loss(probs: np.ndarray, y: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, None))))


def group_folds(groups: np.ndarray, folds: int, rng: np.random.Generator) -> np.ndarray:
    """A fold number per row, all rows of one premise in the same fold."""
    distinct = np.unique(groups)
    fold_of = dict(zip(rng.permutation(distinct), np.arange(len(distinct)) % folds, strict=True))
    return np.array([fold_of[g] for g in groups])


def cross_validate(x: np.ndarray, y: np.ndarray, folds: np.ndarray) -> dict[float, float]:
    """Mean held-out-fold log-loss per penalty (largest first, each fit warm-starting the next)."""
    losses = {p: [] for p in PENALTIES}
    for k in np.unique(folds):
        train, test = folds != k, folds == k
        scale = Standardiser(x[train])
        w = None
        for penalty in PENALTIES:
            w = fit(scale(x[train]), y[train], penalty, start=w)
            losses[penalty].append(log_loss(linear(scale(x[test]), w), y[test]))
    return {p: float(np.mean(v)) for p, v in losses.items()}


def fit_cosine(cosine: np.ndarray, y: np.ndarray) -> tuple[float, float, tuple[int, ...]]:
    """Two thresholds and a label for each of the three intervals, best training accuracy."""
    cuts = np.quantile(cosine, np.linspace(0.02, 0.98, 49))
    best = (-1.0, 0.0, 0.0, (0, 0, 0))
    for low, high in itertools.combinations_with_replacement(cuts, 2):
        for labels in itertools.product(range(len(LABELS)), repeat=3):
            accuracy = float(np.mean(cosine_predict(cosine, low, high, labels) == y))
            if accuracy > best[0]:
                best = (accuracy, float(low), float(high), labels)
    return best[1], best[2], best[3]


def cosine_predict(cosine: np.ndarray, low: float, high: float, labels: tuple) -> np.ndarray:
    return np.asarray(labels)[np.digitize(cosine, [low, high])]


def average_precision(score: np.ndarray, positive: np.ndarray) -> float:
    order = np.argsort(-score, kind="stable")
    hits = positive[order]
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision_at[hits].mean())


def scores(predicted: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Accuracy, and precision/recall/F1 of contradiction against the rest."""
    guess, gold = predicted == CONTRADICTION, y == CONTRADICTION
    hits = int(np.sum(guess & gold))
    precision = hits / guess.sum() if guess.any() else 0.0
    recall = hits / gold.sum()
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {
        "accuracy": round(float(np.mean(predicted == y)), 4),
        "contradiction_precision": round(float(precision), 4),
        "contradiction_recall": round(float(recall), 4),
        "contradiction_f1": round(float(f1), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-save", action="store_true", help="measure only; keep the weights")
    args = parser.parse_args()

    xnli, rte = read(XNLI), read(RTE3, rte=True)
    vectors = Vectors()
    match = {
        name: vectors([r["premise"] for r in rows], False)
        for name, rows in (("xnli", xnli), ("rte3", rte))
    }
    claim = {
        (name, role): vectors([r["hypothesis"] for r in rows], role == "query")
        for name, rows in (("xnli", xnli), ("rte3", rte))
        for role in ("query", "passage")
    }
    y = {"xnli": np.array([r["y"] for r in xnli]), "rte3": np.array([r["y"] for r in rte])}

    rng = np.random.default_rng(SEED)
    premises = np.array([r["premise"] for r in xnli])
    distinct = np.unique(premises)
    held_premises = set(rng.permutation(distinct)[: round(HELD_OUT * len(distinct))])
    held = np.array([p in held_premises for p in premises])
    train = ~held
    folds = group_folds(premises[train], FOLDS, rng)

    cv = {}
    for role in ("query", "passage"):
        x = pair_features(claim["xnli", role], match["xnli"])
        cv[role] = cross_validate(x[train], y["xnli"][train], folds)
    role, penalty = min(((r, p) for r in cv for p in cv[r]), key=lambda rp: cv[rp[0]][rp[1]])

    x_train = pair_features(claim["xnli", role], match["xnli"])[train]
    scale = Standardiser(x_train)
    w = fit(scale(x_train), y["xnli"][train], penalty, steps=1500)
    head = RelationHead(w[:-1], w[-1], scale.mean, scale.scale, claim_as=role)
    y_train = y["xnli"][train]
    majority = int(np.bincount(y_train).argmax())
    cos_train = np.sum(claim["xnli", role][train] * match["xnli"][train], axis=1)
    low, high, interval_labels = fit_cosine(cos_train, y_train)

    results = {}
    for name, rows_mask in (("xnli_held_out", held), ("rte3_fr", slice(None))):
        data = "xnli" if name.startswith("xnli") else "rte3"
        u, v, gold = claim[data, role][rows_mask], match[data][rows_mask], y[data][rows_mask]
        probs = head.probabilities(u, v)
        cosine = np.sum(u * v, axis=1)
        results[name] = {
            "pairs": int(len(gold)),
            "contradictions": int(np.sum(gold == CONTRADICTION)),
            "log_loss": round(log_loss(probs, gold), 4),
            "contradiction_average_precision": round(
                average_precision(probs[:, CONTRADICTION], gold == CONTRADICTION), 4
            ),
            "head": scores(probs.argmax(axis=1), gold),
            "majority_class": scores(np.full(len(gold), majority), gold),
            "always_contradiction": scores(np.full(len(gold), CONTRADICTION), gold),
            "cosine_thresholds": scores(cosine_predict(cosine, low, high, interval_labels), gold),
        }

    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "trained_on": f"{XNLI.name}: {int(train.sum())} pairs "
        f"({len(distinct) - len(held_premises)} premises); held out {int(held.sum())} pairs "
        f"({len(held_premises)} premises, split by premise), seed {SEED}",
        "never_trained_on": f"{RTE3.name}: {len(rte)} pairs",
        "features": "[u, v, |u-v|, u*v, cos(u, v)], u = claim (hypothesis), v = match (premise) "
        "as passage, e5 vectors L2-normalised, then standardised",
        "claim_embedded_as": role,
        "model": "multinomial logistic regression, L2 penalty on the mean log-loss",
        "penalty": penalty,
        "cross_validation_log_loss": {
            r: {str(p): round(v, 4) for p, v in cv[r].items()} for r in cv
        },
        "majority_class": LABELS[majority],
        "cosine_baseline": {
            "thresholds": [round(low, 4), round(high, 4)],
            "labels": [LABELS[i] for i in interval_labels],
        },
        "results": results,
        "embedding": {
            "model": vectors.embedder.name,
            "texts": vectors.texts,
            "seconds": round(vectors.seconds, 1),
            "machine": f"{platform.system()} {platform.machine()}",
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if not args.no_save:
        head.save(WEIGHTS)
        metadata = {k: v for k, v in report.items() if k != "cross_validation_log_loss"}
        WEIGHTS.with_suffix(".json").write_text(
            json.dumps(metadata, indent=2, ensure_ascii=False) + "\n"
        )
    print_table(report)


def print_table(report: dict) -> None:
    rows = (
        ("head", "head"),
        ("majority", "majority_class"),
        ("always contr.", "always_contradiction"),
        ("cosine", "cosine_thresholds"),
    )
    print(f"claim as {report['claim_embedded_as']}, penalty {report['penalty']}")
    for name, result in report["results"].items():
        print(
            f"\n{name}: {result['pairs']} pairs, {result['contradictions']} contradictions; "
            f"head log-loss {result['log_loss']}, "
            f"AP(contradiction) {result['contradiction_average_precision']}"
        )
        print(f"{'':14} {'accuracy':>9} {'P(contr)':>9} {'R(contr)':>9} {'F1(contr)':>9}")
        for label, key in rows:
            s = result[key]
            print(
                f"{label:14} {s['accuracy']:9.3f} {s['contradiction_precision']:9.3f} "
                f"{s['contradiction_recall']:9.3f} {s['contradiction_f1']:9.3f}"
            )
    embedding = report["embedding"]
    print(f"\nembedded {embedding['texts']} texts in {embedding['seconds']} s")


if __name__ == "__main__":
    main()
