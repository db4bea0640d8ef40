"""Check-worthiness: how much a sentence states a checkable fact, from 0 to 1.

A small model learned from labelled data (CLEF-2024 CheckThat! Task 1, English debate
sentences; ``benchmarks/train_checkworthy.py``) reads the sentence's e5 passage vector, which
the index computes anyway, with a few readable rule signals: numbers, dates, quotes, actors,
questions, opinions, instructions (``explain``). Its scores are calibrated probabilities;
``MIN_CHECKWORTHY``, chosen on the CheckThat! ``dev_test`` split, says which sentences are
claims for ``factcheck claims`` and the report. The weights are in
``data/checkworthy.npz``; how well it does, on which split, in ``data/checkworthy.json``.

The vectors must come from the packaged e5 model (any of its builds); an index built with
another model falls back to ``rules_score``, the hand-made score the model replaced.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from .embed import PACKAGED_MODELS, Embedder, load_embedder
from .features import extract
from .lang import detect
from .vocabulary import asks

DATA = Path(__file__).resolve().parent / "data"
WEIGHTS = DATA / "checkworthy.npz"
SETTINGS = DATA / "checkworthy.json"

# What each kind of checkable content adds to the rules' score; the sum is capped at 1.
WEIGHTS_OF_PARTS = {
    "number": 0.3,  # "70 %", "20 km", "cinq heures"
    "date": 0.2,  # "lundi 8 février", "en septembre"
    "quote": 0.2,  # « … », a déclaré X, selon X
    "actor": 0.2,  # a named person, country or organisation after the first word, or a role
    "full_sentence": 0.2,  # 8 to 80 words, ending like a sentence
}
QUESTION_FACTOR = 0.3  # "L'armée russe mobilisée pour une future attaque ?"
OPINION_FACTOR = 0.5  # "je pense que", "à mon avis", "I believe"
INSTRUCTION_FACTOR = 0.3  # "Ajoutez 200 g de farine.", "Click here to subscribe."
LISTICLE_FACTOR = 0.3  # "Five ways the Ukraine war could push up prices": a headline, no claim
CREDIT_FACTOR = 0.3  # "CNN's Melissa Bell reports from Kyiv.": who tells the news, not a claim
MIN_WORDS = 6  # below: a subhead or a fragment
SHORT_FACTOR = 0.3

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_NAME = re.compile(r"(?<=\s)[A-ZÀ-Ý][^\W\d_]{2,}")
_ROLE = re.compile(
    r"\b(?:présidente?|premier ministre|ministre|gouvernement|armée|porte-parole|chef|"
    r"dirigeante?s?|responsables?|police|tribunal|parlement|president|prime minister|"
    r"minister|government|army|spokes(?:man|woman|person)|officials?|court|parliament)\b",
    re.IGNORECASE,
)
# A sentence that opens on an order: French imperative ("Ajoutez", "Cliquez", "Abonnez-vous")
# or an English instruction verb.
_INSTRUCTION = re.compile(
    r"^\W*(?:[A-ZÀ-Ý][a-zà-ÿ]+ez\b|(?:add|mix|stir|bake|preheat|cook|pour|click|subscribe|"
    r"sign up|share|follow|download|read more)\b)",
    re.IGNORECASE,
)
_LISTICLE = re.compile(
    r"^\W*(?:[^:\d]{1,40}:\s*)?(?:\d+|two|three|four|five|six|seven|eight|nine|ten|deux|trois|"
    r"quatre|cinq|six|sept|huit|neuf|dix)\s+(?:\w+\s+)?(?:ways|reasons|things|questions|charts|"
    r"maps|lessons|takeaways|facts|moments|tips|raisons|choses|façons|leçons|clés|points)\b",
    re.IGNORECASE,
)
# A credit line under a news video or story: a name, a reporting phrase, perhaps a place, and
# nothing else. The debates the model learned from hold none, so the rule applies after it.
_CREDIT = re.compile(
    r"^\W*(?:[\w'’.-]+\s+){1,6}(?:reports|has (?:more|the (?:latest|details|story|report|"
    r"exclusive(?: report| story)?))|"
    r"explains(?: why| how)?|rapporte|raconte|fait le point|a les détails)"
    r"(?:\s+(?:from|depuis|de)\s+[^.!?]{1,50})?\s*[.!]?\W*$"
    r"|^\W*(?:reportage|le récit|les explications|le point|le décryptage|l'analyse|récit)\s+"
    r"(?:de|d'|d’|avec)\s*[^.!?]{1,60}[.!]?\W*$",
    re.IGNORECASE,
)
_OPINION = re.compile(
    r"\b(?:je pense|je crois|à mon avis|selon moi|il me semble|nous pensons|j'estime|"
    r"i think|i believe|in my view|in my opinion|we believe|i feel)\b",
    re.IGNORECASE,
)
# The rule signals the model reads next to the vector, in this order (``rule_signals``).
SIGNALS = (
    *WEIGHTS_OF_PARTS,
    "question",
    "opinion",
    "instruction",
    "listicle",
    "short",
    "rules_score",
)


def explain(text: str, features: dict) -> dict[str, float]:
    """The parts of the rules' score of ``text`` with its stored claim ``features``."""
    words = _WORD.findall(text)
    parts: dict[str, float] = {}
    if features.get("quantities"):
        parts["number"] = WEIGHTS_OF_PARTS["number"]
    if features.get("dates"):
        parts["date"] = WEIGHTS_OF_PARTS["date"]
    if features.get("quotes") or features.get("attributions"):
        parts["quote"] = WEIGHTS_OF_PARTS["quote"]
    if _NAME.search(text) or _ROLE.search(text):
        parts["actor"] = WEIGHTS_OF_PARTS["actor"]
    if 8 <= len(words) <= 80 and text.rstrip()[-1:] in '.!»”"':
        parts["full_sentence"] = WEIGHTS_OF_PARTS["full_sentence"]
    return parts


def _short(text: str) -> bool:
    return len(_WORD.findall(text)) < MIN_WORDS


def asserts(text: str) -> bool:
    """Whether a sentence can state a fact at all: neither a question ("Does This Photograph
    Show a 7-Headed Snake?") nor a fragment ("2006 Darwin Awards")."""
    return not asks(text) and not _short(text)


def _dampers(text: str) -> dict[str, float]:
    """The factors that lower the rules' score: questions, opinions, fragments…"""
    return {
        "question": QUESTION_FACTOR if asks(text) else 1.0,
        "opinion": OPINION_FACTOR if _OPINION.search(text) else 1.0,
        "instruction": INSTRUCTION_FACTOR if _INSTRUCTION.search(text) else 1.0,
        "listicle": LISTICLE_FACTOR if _LISTICLE.search(text) else 1.0,
        "short": SHORT_FACTOR if _short(text) else 1.0,
    }


def rules_score(text: str, features: dict) -> float:
    """The hand-made score in [0, 1]: the parts of ``explain``, damped for questions,
    opinions and fragments. The fallback for vectors of a model other than the packaged e5."""
    return _combined(explain(text, features), _dampers(text))


def _combined(parts: dict[str, float], dampers: dict[str, float]) -> float:
    value = min(1.0, sum(parts.values()))
    for factor in dampers.values():
        value *= factor
    return round(value, 3)


def rule_signals(text: str, features: dict) -> np.ndarray:
    """The rules' findings as numbers in ``SIGNALS`` order: 1/0 for each part and damper,
    and the rules' score."""
    parts = explain(text, features)
    dampers = _dampers(text)
    values = [1.0 if name in parts else 0.0 for name in WEIGHTS_OF_PARTS]
    values += [1.0 if factor < 1.0 else 0.0 for factor in dampers.values()]
    values.append(_combined(parts, dampers))
    return np.array(values, dtype=np.float32)


class CheckworthyModel:
    """A logistic regression on ``[vector, standardised rule_signals]``, then Platt scaling:
    numpy only, plain arrays (no pickle is loaded)."""

    def __init__(self, weights: np.ndarray, bias: float, settings: dict) -> None:
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = float(bias)
        self.settings = settings
        self.version: str = settings["version"]
        self.threshold: float = float(settings["threshold"])
        self.platt = (float(settings["platt"][0]), float(settings["platt"][1]))
        self.mean = np.asarray(settings["signal_mean"], dtype=np.float32)
        self.scale = np.asarray(settings["signal_scale"], dtype=np.float32)

    @classmethod
    def load(cls, weights: Path = WEIGHTS, settings: Path = SETTINGS) -> CheckworthyModel:
        with np.load(weights, allow_pickle=False) as data:
            found, bias = data["weights"], float(data["bias"])
        return cls(found, bias, json.loads(settings.read_text(encoding="utf-8")))

    def save(self, weights: Path = WEIGHTS, settings: Path = SETTINGS) -> None:
        np.savez_compressed(weights, weights=self.weights, bias=np.float32(self.bias))
        settings.write_text(json.dumps(self.settings, indent=2) + "\n", encoding="utf-8")

    def inputs(self, vectors: np.ndarray, signals: np.ndarray) -> np.ndarray:
        """The model's input rows: the vectors beside the standardised rule signals."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(signals), -1)
        return np.hstack([vectors, (np.asarray(signals, np.float32) - self.mean) / self.scale])

    def logits(self, inputs: np.ndarray) -> np.ndarray:
        """The raw, uncalibrated output for each row of ``inputs``."""
        return inputs @ self.weights + self.bias

    def probabilities(self, vectors: np.ndarray, signals: np.ndarray) -> np.ndarray:
        """Calibrated P(check-worthy) for each (vector, signals) row. The debates it learned
        from hold no instructions ("Click here to subscribe…"), so the rules' factor for them
        still applies."""
        if not len(signals):
            return np.zeros(0, dtype=np.float64)
        a, b = self.platt
        z = a * self.logits(self.inputs(vectors, signals)).astype(np.float64) + b
        instruction = np.asarray(signals)[:, SIGNALS.index("instruction")] > 0
        return np.where(instruction, INSTRUCTION_FACTOR, 1.0) / (1.0 + np.exp(-z))


@cache
def model() -> CheckworthyModel:
    """The packaged model, loaded once."""
    return CheckworthyModel.load()


# The rules applied after the model (credit lines); a new value re-scores old indexes.
RULES_VERSION = "credits-2"
# At or above: check-worthy. Chosen on CheckThat! dev_test (see data/checkworthy.json).
MIN_CHECKWORTHY = float(json.loads(SETTINGS.read_text(encoding="utf-8"))["threshold"])


def version(embedding_model: str) -> str:
    """What scored an index built with ``embedding_model``: stored in the index, so an index
    scored by an older model (or by the rules) is re-scored on its next writable open."""
    if embedding_model in PACKAGED_MODELS:
        return f"{model().version}+{RULES_VERSION}"
    return f"rules+{RULES_VERSION}"


def scores(
    texts: Sequence[str],
    features: Sequence[dict],
    vectors: np.ndarray | None,
    embedding_model: str,
) -> list[float]:
    """Check-worthiness of each text, with its claim ``features`` and its passage vector by
    ``embedding_model`` (rounded to 3 places, as stored)."""
    if embedding_model not in PACKAGED_MODELS or vectors is None:
        return [
            round(rules_score(t, f) * credit_factor(t), 3)
            for t, f in zip(texts, features, strict=True)
        ]
    signals = np.array([rule_signals(t, f) for t, f in zip(texts, features, strict=True)])
    found = model().probabilities(vectors, signals.reshape(len(texts), len(SIGNALS)))
    return [round(float(p) * credit_factor(t), 3) for p, t in zip(found, texts, strict=True)]


def credit_factor(text: str) -> float:
    """``CREDIT_FACTOR`` for a credit line ("CNN's Melissa Bell reports from Kyiv."), else 1."""
    return CREDIT_FACTOR if _CREDIT.search(text) else 1.0


def score_texts(texts: Sequence[str], embedder: Embedder | None = None) -> list[float]:
    """Check-worthiness of loose sentences, each embedded as a passage by ``embedder``
    (default: the packaged model) with its claim features in its own language."""
    embedder = embedder or load_embedder(None)
    features = [extract(t, detect(t)).to_dict() for t in texts]
    vectors = embedder.embed_passages(list(texts)) if texts else None
    return scores(texts, features, vectors, embedder.name)
