"""Relation benchmark: does ``relate`` call contradictions contradictions, and agreement
agreement? The default relation (rules and the packaged relation model together) beside the
rules alone and the model alone, on data the model was not trained on and its thresholds
were not set on (``benchmarks/splits.py``):

- XNLI French dev, ``eval`` part (40 %, 995 pairs): French/French, and French premise with
  English hypothesis;
- DACCORD (French fact-check pairs, contradiction vs compatible), ``eval`` part (40 % of its
  fact-checks, by URL): precision, recall, F1 and MCC of ``contradicts``;
- RTE-3 French dev (800 news-like pairs, 91 contradictions): never trained on;
- STS-B fr/en dev (never trained on): how often pairs scored >= 4.6 (fr/fr, fr/en) and each
  sentence with its own translation are called ``agrees``, and pairs scored <= 2 are;
- pairs about different things, as a search puts them in front of the relation
  (``unrelated.py``): each XNLI ``eval`` hypothesis against the nearest premise of another
  row (French, English claim on French premise, English), and each CheckThat! 2020 dev tweet
  against the 3 nearest verified claims not its own: how often they are called
  ``contradicts``.

The hypothesis plays the claim and the premise the match; the similarity is the packaged
e5 (claim as query, match as passage), the claims embedded all at once as ``compare --file``
embeds them (on int8: ``embed.BULK_QUERIES``). ``search`` is the default relation as ``find``
applies it to what a search returned (``relate(searched=True)``). ``model alone`` is the model's
most probable label (entailment: agrees, contradiction: contradicts). A trivial baseline (a
negation cue in exactly one sentence means a contradiction) is run too.

Run from the repository root: ``python benchmarks/relations.py`` (``--data-dir``, ``--out``).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import unrelated  # noqa: E402
from splits import EVAL, TUNE, daccord_part, read_jsonl, xnli_part  # noqa: E402

from factcheck import relations  # noqa: E402
from factcheck.embed import Embedder, load_embedder  # noqa: E402
from factcheck.features import extract  # noqa: E402
from factcheck.relation_model import (  # noqa: E402
    RelationModel,
    model_floor,
    verdict,
    wants_reverse,
)
from factcheck.relations import AGREES, CONTRADICTS, RELATED, relate  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "benchmarks" / "results" / "relations.json"
GOLD = ("entailment", "neutral", "contradiction")
PREDICTED = (AGREES, RELATED, CONTRADICTS)
RTE_LABELS = {0: "entailment", 1: "neutral", 2: "contradiction"}
METHODS = ("default", "search", "rules", "model", "baseline")
UNRELATED = "unrelated "  # the name prefix of the sets of pairs about different things
EXAMPLES = 8
EXAMPLE_CHARS = 160
STS_SAME, STS_DIFFERENT = 4.6, 2.0
STS_TRANSLATIONS = 400  # sentences checked against their own translation
SNLI_TUNE = 2000  # SNLI test pairs (seeded sample) among the tune sets, for agreement


@dataclass
class Pair:
    """One pair: the hypothesis plays the claim, the premise the matching sentence."""

    id: str
    claim: str
    match: str
    gold: str


def load_xnli(data: Path, part: str, claim: str = "hypothesis", match: str = "premise"):
    rows = [r for r in read_jsonl(data / "xnli_fr_dev.jsonl") if xnli_part(r) == part]
    return [Pair(r["id"], r[claim], r[match], r["label"]) for r in rows]


def load_daccord(data: Path, part: str) -> list[Pair]:
    rows = [r for r in read_jsonl(data / "daccord_fr_dev.jsonl") if daccord_part(r) == part]
    gold = {1: "contradiction", 0: "neutral"}  # "compatible": not a contradiction
    return [Pair(r["id"], r["hypothesis"], r["premise"], gold[int(r["label"])]) for r in rows]


def load_rte(data: Path) -> list[Pair]:
    rows = read_jsonl(data / "rte3_fr_dev.jsonl")
    return [Pair(str(r["id"]), r["hypothesis"], r["premise"], RTE_LABELS[r["label"]]) for r in rows]


def load_sts(data: Path) -> dict[str, list[Pair]]:
    """STS-B pairs as agreement checks: gold entailment when scored >= 4.6 or a translation,
    neutral when scored <= 2."""
    rows = read_jsonl(data / "stsb_fr_en_dev.jsonl")
    same = [r for r in rows if r["score"] >= STS_SAME]
    different = [r for r in rows if r["score"] <= STS_DIFFERENT]
    sentences = sorted({(r["sentence1_fr"], r["sentence1_en"]) for r in rows})
    step = max(1, len(sentences) // STS_TRANSLATIONS)
    return {
        "stsb >= 4.6 fr/fr": [
            Pair(r["id"], r["sentence2_fr"], r["sentence1_fr"], "entailment") for r in same
        ],
        "stsb >= 4.6 fr/en": [
            Pair(r["id"], r["sentence2_en"], r["sentence1_fr"], "entailment") for r in same
        ],
        "stsb translation fr/en": [
            Pair(f"t{i}", en, fr, "entailment")
            for i, (fr, en) in enumerate(sentences[::step][:STS_TRANSLATIONS])
        ],
        "stsb <= 2 fr/fr": [
            Pair(r["id"], r["sentence2_fr"], r["sentence1_fr"], "neutral") for r in different
        ],
        "stsb <= 2 fr/en": [
            Pair(r["id"], r["sentence2_en"], r["sentence1_fr"], "neutral") for r in different
        ],
    }


def load_snli_test(data: Path, n: int = SNLI_TUNE) -> list[Pair]:
    """A seeded sample of SNLI test (English; never trained on, never reported): its neutral
    pairs (the hypothesis adds to the premise) are what ``agrees`` must not take."""
    rows = read_jsonl(data / "snli_en" / "snli_test.jsonl.gz")
    random.Random(7).shuffle(rows)
    rows = rows[:n]
    return [Pair(f"snli{i}", r["hypothesis"], r["premise"], r["label"]) for i, r in enumerate(rows)]


def similarities(pairs: Sequence[Pair], embedder: Embedder) -> list[float]:
    """Claim (query) against match (passage), each distinct text embedded once."""
    claims = sorted({p.claim for p in pairs})
    matches = sorted({p.match for p in pairs})
    q = dict(zip(claims, embedder.embed_queries(claims), strict=True))
    d = dict(zip(matches, embedder.embed_passages(matches), strict=True))
    return [float(q[p.claim] @ d[p.match]) for p in pairs]


@dataclass
class Judged:
    """Pairs with everything ``relate`` needs: similarity and the model's verdicts both ways."""

    pairs: list[Pair]
    sims: list[float]
    forward: list[dict]  # model on (match, claim)
    backward: list[dict]  # model on (claim, match)

    def verdict(self, i: int) -> dict:
        """What ``RelationModel.judge`` gives ``relate`` at the current thresholds."""
        if self.sims[i] < model_floor():
            return {}
        reverse = self.backward[i] if wants_reverse(self.forward[i]) else None
        return verdict(self.forward[i], reverse)


def judge(pairs: Sequence[Pair], embedder: Embedder, model: RelationModel) -> Judged:
    sims = similarities(pairs, embedder)
    forward = model.predict([(p.match, p.claim) for p in pairs])
    backward = model.predict([(p.claim, p.match) for p in pairs])
    return Judged(list(pairs), sims, forward, backward)


def features_of(judged: Judged) -> list[tuple]:
    return [(extract(p.claim), extract(p.match)) for p in judged.pairs]


def predictions(judged: Judged, method: str, features: list[tuple] | None = None) -> list[str]:
    """The relation of each pair by ``method``: default, rules, model or baseline."""
    out = []
    for i, p in enumerate(judged.pairs):
        cf, mf = features[i] if features else (None, None)
        if method == "model":
            label = judged.forward[i]["label"]
            out.append({"entailment": AGREES, "contradiction": CONTRADICTS}.get(label, RELATED))
        elif method == "baseline":
            negated = [bool((f or extract(t)).negations) for f, t in ((cf, p.claim), (mf, p.match))]
            out.append(CONTRADICTS if negated[0] != negated[1] else RELATED)
        else:
            model = judged.verdict(i) if method in ("default", "search") else None
            found = relate(
                p.claim,
                p.match,
                similarity=judged.sims[i],
                claim_features=cf,
                match_features=mf,
                model=model,
                searched=method == "search",
            )
            out.append(found.relation)
    return out


def prf(gold: Sequence[str], predicted: Sequence[str], label: str, relation: str) -> dict:
    """Precision, recall, F1 and MCC of ``relation`` for gold ``label``."""
    pairs = list(zip(gold, predicted, strict=True))
    tp = sum(g == label and p == relation for g, p in pairs)
    fp = sum(g != label and p == relation for g, p in pairs)
    fn = sum(g == label and p != relation for g, p in pairs)
    tn = len(pairs) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = (tp * tn - fp * fn) / denominator if denominator else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "mcc": round(mcc, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def rate(predicted: Sequence[str], relation: str) -> float:
    return round(sum(p == relation for p in predicted) / max(1, len(predicted)), 4)


def scores(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    confusion = {g: {p: 0 for p in PREDICTED} for g in GOLD}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    return {
        "contradicts": prf(gold, predicted, "contradiction", CONTRADICTS),
        "agrees": prf(gold, predicted, "entailment", AGREES),
        "agrees_rate": rate(predicted, AGREES),
        "contradicts_rate": rate(predicted, CONTRADICTS),
        "confusion": confusion,
    }


def _short(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def evaluate(judged: Judged, methods: Sequence[str]) -> dict:
    feats = features_of(judged)
    gold = [p.gold for p in judged.pairs]
    result: dict = {"pairs": len(gold), "gold": dict(Counter(gold))}
    for method in methods:
        predicted = predictions(judged, method, feats)
        result[method] = scores(gold, predicted)
        if method == "default":
            wrong = [
                {
                    "id": p.id,
                    "gold": p.gold,
                    "predicted": r,
                    "similarity": round(judged.sims[i], 3),
                    "claim": _short(p.claim),
                    "match": _short(p.match),
                }
                for i, (p, r) in enumerate(zip(judged.pairs, predicted, strict=True))
                if (r == CONTRADICTS) != (p.gold == "contradiction")
            ]
            result["errors"] = wrong[:EXAMPLES]
    return result


def print_table(name: str, result: dict, methods: Sequence[str]) -> None:
    print(f"\n{name}: {result['pairs']} pairs {result['gold']}")
    if name.startswith(UNRELATED):
        rates = ", ".join(f"{m} {result[m]['contradicts_rate']:.3f}" for m in methods)
        print(f"called contradicts: {rates}")
        return
    print(f"{'method':<9} {'P':>6} {'R':>6} {'F1':>6} {'MCC':>6}   agrees P/R  rate")
    for method in methods:
        c, a = result[method]["contradicts"], result[method]["agrees"]
        print(
            f"{method:<9} {c['precision']:6.3f} {c['recall']:6.3f} {c['f1']:6.3f} {c['mcc']:6.3f}"
            f"   {a['precision']:.3f}/{a['recall']:.3f} {result[method]['agrees_rate']:.3f}"
        )


def unrelated_sets(data: Path, part: str, embedder: Embedder) -> dict[str, list[Pair]]:
    """Pairs about different things (``unrelated.py``), gold neutral: the XNLI rows and RSS
    items of ``part`` and the CheckThat! tweets of the matching split (tune: train, eval:
    dev)."""
    found: dict[str, list[Pair]] = {}
    for id_, claim, match, pairing in unrelated.xnli(data, part, embedder):
        found.setdefault(f"{UNRELATED}xnli {pairing}", []).append(
            Pair(id_, claim, match, "neutral")
        )
    split = "train" if part == TUNE else "dev"
    found[f"{UNRELATED}checkthat {split}"] = [
        Pair(id_, claim, match, "neutral")
        for id_, claim, match, _ in unrelated.checkthat(data, split, embedder)
    ]
    found[f"{UNRELATED}rss {part}"] = [
        Pair(id_, claim, match, "neutral")
        for id_, claim, match, _ in unrelated.rss(data, part, embedder)
    ]
    return found


def datasets(
    data: Path, part: str = EVAL, embedder: Embedder | None = None
) -> dict[str, list[Pair]]:
    """The benchmark's data sets; ``part``: which split of XNLI and DACCORD (``eval``); with
    an ``embedder``, the pairs about different things too (``unrelated_sets``)."""
    found = {
        "xnli_fr": load_xnli(data, part),
        "xnli_fr_premise_en_hypothesis": load_xnli(data, part, claim="hypothesis_en"),
        "daccord": load_daccord(data, part),
    }
    if part == EVAL:
        found["rte3_fr"] = load_rte(data)
        found.update(load_sts(data))
    elif part == TUNE:
        found["snli_test"] = load_snli_test(data)
    if embedder is not None:
        found.update(unrelated_sets(data, part, embedder))
    return found


def throughput(model: RelationModel, pairs: Sequence[Pair]) -> dict:
    """Pairs per second of the int8 model alone, and of ``relate`` with it (the rules' cost
    included), on the given pairs."""
    sample = [(p.match, p.claim) for p in pairs]
    model.predict(sample[:32])  # warm
    start = time.perf_counter()
    model.predict(sample)
    model_rate = len(sample) / (time.perf_counter() - start)
    return {"pairs": len(sample), "model_pairs_per_second": round(model_rate, 1)}


def run(data: Path, part: str, on_dataset: Callable[[str, dict], None] | None = None) -> dict:
    embedder = load_embedder(None)
    model = RelationModel()
    results = {}
    for name, pairs in datasets(data, part, embedder).items():
        results[name] = evaluate(judge(pairs, embedder, model), METHODS)
        if on_dataset:
            on_dataset(name, results[name])
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    results = run(args.data_dir, EVAL, lambda n, r: print_table(n, r, METHODS))
    speed = throughput(RelationModel(), load_xnli(args.data_dir, EVAL))
    print(f"\nrelation model: {speed['model_pairs_per_second']} pairs/s (int8, {speed['pairs']})")
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.system()} {platform.machine()}",
        "seconds": round(time.perf_counter() - start),
        "splits": "XNLI and DACCORD: their eval parts only (benchmarks/splits.py); RTE-3 and "
        "STS-B: never trained or tuned on",
        "methods": {
            "default": "rules and the relation model together (relations.relate), as compare "
            "judges a pair it is given",
            "search": "the same as find judges what a search returned (relate(searched=True))",
            "rules": "the rules alone (--rules-only)",
            "model": "the relation model's most probable label alone",
            "baseline": "a negation cue in exactly one sentence -> contradicts",
        },
        "thresholds": {
            k: getattr(relations, k)
            for k in (
                "MODEL_MIN_SIMILARITY",
                "MODEL_CROSS_MIN_SIMILARITY",
                "MODEL_CONTRADICTION",
                "MODEL_ENTAILMENT",
                "SEARCH_MODEL_MIN_SIMILARITY",
                "SEARCH_MODEL_CROSS_MIN_SIMILARITY",
                "SEARCH_MODEL_CONTRADICTION",
                "SEARCH_MODEL_MIN_OVERLAP",
            )
        },
        "speed": speed,
        "datasets": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
