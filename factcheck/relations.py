"""Whether a matching statement agrees with a claim, contradicts it, or is merely related.

Hand-written conflict rules over the claim features of both sentences (``factcheck.features``):
numbers, dates, negation, quantifiers, speakers and polar adjectives. A rule only speaks
when the two statements are about the same thing (the gate below): two different counts in
one article, or a negation about something else, are no contradiction. An optional NLI
verdict joins the rules (see ``_join_nli``). Pure and fast: no model is loaded here, the
caller gives the cosine similarity of the two embeddings.

Thresholds were measured with the packaged multilingual-e5-small (claim as query, match as
passage) on XNLI French dev (2,490 pairs; ``benchmarks/relations.py``) and on hand-written
pairs around the seed articles (``tests/test_relations.py``); RTE-3 French was held out.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from itertools import pairwise

from factcheck.clauses import separates
from factcheck.dates import _MONTHS, _WEEKDAYS
from factcheck.features import (
    DENIAL_VERBS,
    NEGATING_DETERMINERS,
    DateRef,
    Features,
    Quantity,
    extract,
)
from factcheck.lexical import terms
from factcheck.vocabulary import (
    ALL_FUNCTION_WORDS,
    AUXILIARIES,
    FUNCTION_WORDS,
    NUMBER_WORDS,
    OPPOSITES,
    QUANTIFIERS,
    TITLES,
    asks,
    false_verdict,
    fold,
    surface,
)

AGREES, CONTRADICTS, RELATED = "agrees", "contradicts", "related"
MODEL_KIND = "model"  # evidence of the packaged relation model
VERDICT_KINDS = frozenset(["nli", MODEL_KIND])  # a model's verdict: no words of each side

# --- Thresholds ------------------------------------------------------------------------
# Same-thing gate, measured with benchmarks/relations.py on XNLI French dev (median cosine:
# entailment 0.881, neutral 0.859, contradiction 0.855: the same topic by construction) and
# on hand-written pairs around the seed articles (tests/test_relations.py). Similarity alone
# cannot gate: "La Russie a déployé 100 000 soldats à la frontière" vs "L'Ukraine a mobilisé
# 200 000 soldats dans le Donbass" scores 0.86. The words left once the differing tokens are
# masked must also overlap (containment of the smaller term set in the other).
SAME_MIN_SIMILARITY = 0.80  # below: a different point, no rule applies
# XNLI contradicts P/R at overlap 0.2: 0.656/0.239, 0.3: 0.651/0.211, 0.5: 0.648/0.153;
# 0.3 (one shared term in three) keeps precision; negation and quantifiers check their scope.
SAME_MIN_OVERLAP = 0.3
# Numbers, dates and attributed speakers have no scope of their own to check: the rest of
# the sentence must align more (the two troop counts above share 1 term in 4).
VALUE_MIN_OVERLAP = 0.5
# Across languages word overlap is left to names (anchors): a shared anchor when both sides
# have one. "Putin did not meet Macron" vs the seed sentence "Poutine a rencontré Emmanuel
# Macron ce lundi 8 février" scores 0.82; on XNLI French claim vs English premise 0.81
# gives contradicts P/R 0.53/0.31 (0.80: 0.55/0.36, 0.83: 0.50/0.22).
CROSS_MIN_SIMILARITY = 0.81
CROSS_MIN_ANCHORS = 0.5
# Agreement: a paraphrase. On XNLI, agrees vs entailment P/R at 0.86/0.6: 0.63/0.33,
# 0.87/0.6: 0.65/0.30, 0.88/0.6: 0.65/0.25, 0.87/0.75: 0.73/0.18; across languages 0.87
# gives the same precision (0.65/0.36).
AGREE_MIN_SIMILARITY = 0.87
AGREE_MIN_OVERLAP = 0.6
CROSS_AGREE_MIN_SIMILARITY = 0.87
# Numbers: relative tolerance of an exact figure (rounding, unit conversion: 20 km is
# 12.43 miles, written "12,5 miles") and of an approximate one ("une quarantaine" vs 42).
EXACT_TOLERANCE = 0.02
APPROX_TOLERANCE = 0.15
# Scope of a negation cue or quantifier: the words right after it. A flip only counts when
# one of them is in the other statement ("n'a pas rencontré Macron" vs "a rencontré Macron"),
# not for a negation about something else ("qui n'a pas souhaité parler de la Crimée").
SCOPE_WORDS = 4
CLAUSE_SCOPE_WORDS = 8  # after a verb of denial; 8 covers "à plusieurs reprises qu'il" + verb
# Two quotes are the same quote when this share of the shorter one's terms is in the other.
QUOTE_MIN_OVERLAP = 0.6
# Statement against statement (``strict``, what ``factcheck report`` compares): both sides are
# full sentences of the corpus, not a short claim a person typed, so containment of the
# smaller term set says little ("Non, bien sûr que non, a déclaré Poutine" shares half of its
# terms with any sentence naming Putin). The terms of the two must also overlap as sets
# (Jaccard): on the seeds with planted contradictions (tests/test_report.py) restatements
# score 0.53–0.88 and the false conflicts 0.10–0.18. Across languages, both must share at
# least two names or numbers (one, "Putin", is the topic of a whole corpus) and half of
# them, and be closer: 0.84 is the
# median of XNLI's fr/en entailment pairs (passage against passage, mapped to this scale) and
# above three quarters of its contradictions (0.833); a French sentence about Ukraine's NATO
# membership and an English one about recognising the separatist regions, sharing
# "Kremlin" and "Ukraine", score 0.82.
# The rules ask more too: in a stream of news the same sentence comes back about another
# event ("Biden spoke to Zelensky on Sunday", "day 18 of the invasion"), so two bare
# weekdays, two numbers that measure nothing named, or the same words attributed without
# quotes to two people are no conflict between two articles (see each rule).
STRICT_MIN_JACCARD = 0.3
STRICT_CROSS_MIN_SIMILARITY = 0.84
STRICT_CROSS_MIN_SHARED_ANCHORS = 2
# NLI verdicts count from this probability of their label: a round bar, not tuned (no NLI
# model ships with the project to measure one on).
NLI_MIN_SCORE = 0.8
# The packaged relation model (``factcheck.relation_model``): set on the ``tune`` parts of
# XNLI French and DACCORD and on 2,000 SNLI test pairs (``benchmarks/splits.py``), never on
# what is reported, by ``benchmarks/tune_relations.py`` (best contradiction F1 with DACCORD
# precision >= 0.75 and at most 1 % of SNLI's neutral or contradiction pairs called
# ``agrees``; on tune: XNLI fr F1 0.69, fr/en 0.65, DACCORD 0.79 at P 0.76; of settings
# that tie, the higher floor: 0.78 ties 0.75, rerun on 2026-12-07). The model reads
# pairs the rules' gate would drop, but not unrelated ones: an NLI model calls two scenes
# that cannot both be true a contradiction, whatever they are about.
MODEL_MIN_SIMILARITY = 0.78
MODEL_CROSS_MIN_SIMILARITY = 0.75
MODEL_CONTRADICTION = 0.6  # P(contradiction) from which the model alone says contradicts
MODEL_ENTAILMENT = 0.4  # P(entailment), each way, for agrees
# A rule's negation conflict gives way only to entailment this sure,
# both ways: a round bar, not tuned (the tune parts hold too few negated paraphrases), and
# high because the model reads near-identical wording as entailment ("les écoles resteront
# ouvertes" / "la fermeture des écoles": 0.9 one way) where a negation rule is usually right.
MODEL_OVERRULE = 0.9
# Across languages a negation is found with no words to check its scope against (``_in_scope``):
# there it also gives way to the model's entailment one way from this probability, and the
# model then decides as on a pair without rule conflicts.
MODEL_CROSS_OVERRULE = 0.5
# A match found by a search (``find``), rather than a pair given to compare: most of what a
# search returns is about something else, a neighbouring topic or another event told in the
# same words, and the model, trained on pairs written about one scene, reads many such pairs
# as contradictions: at the bars above, 54 % of the verified claims found for CheckThat!
# training tweets that are not theirs, 26 % of XNLI sentences against the nearest premise
# of another row (``benchmarks/unrelated.py``). There the model alone says contradicts only
# on a pair this close, sharing this much of its terms (``_Alignment.overlap``), from this
# probability; and a match that asks a question states nothing to agree with or contradict.
# Set by ``benchmarks/tune_relations.py --search`` on the same tune parts and objective,
# with at most 10 % of each set of such pairs called contradicts (5 % was out of reach of
# every setting of the grid; the RSS headlines of the tune part bind); on tune: XNLI fr F1
# 0.45, fr/en 0.32, DACCORD 0.79 at P 0.86; such pairs called contradicts 0.8 % (fr/fr),
# 6.5 % (en/fr), 0 % (en/en), 4.3 % (CheckThat!), 9.8 % (RSS, some of them real). Across
# languages the floor is higher: an English claim and a French sentence about something
# else share no words to tell them apart.
SEARCH_MODEL_MIN_SIMILARITY = 0.82
SEARCH_MODEL_CROSS_MIN_SIMILARITY = 0.85
SEARCH_MODEL_CONTRADICTION = 0.7
SEARCH_MODEL_MIN_OVERLAP = 0.4
MAX_EVIDENCE_TEXT = 80
# Rule conflicts the model may overrule: a negation, in a paraphrase ("prenaient à la
# légère" / "ne prenait pas au sérieux"). Figures, dates, speakers and quantifiers it cannot
# weigh: it read "sanctions de tous les pays" / "de la plupart des pays" as entailment both
# ways (0.94). Nor antonyms: their rules already read a negation ("pas satisfaisantes" is
# "insatisfaisantes", "n'ont pas baissé" opposes no "ont augmenté"), and near-identical
# wording with one word turned to its opposite is what the model reads as entailment ("ont
# augmenté" / "ont fortement baissé": 0.96 both ways). Leaving antonyms to the model or
# not changed no verdict on the tune parts (2026-12-07).
_MODEL_OVERRULES = frozenset(["negation"])


@dataclass
class Relation:
    """The verdict on one claim/match pair, with evidence a person can check."""

    relation: str  # "agrees" | "contradicts" | "related"
    evidence: list[dict] = field(default_factory=list)
    same_thing: bool = False  # whether the pair passed the rules' same-thing gate

    def to_dict(self) -> dict:
        return {"relation": self.relation, "evidence": [dict(e) for e in self.evidence]}


def describe(evidence: dict) -> str:
    """One finding as a reader sees it: ``negation: a rencontré ≠ n'a pas rencontré``,
    ``model: contradiction 0.93``."""
    kind = evidence.get("kind")
    if kind in VERDICT_KINDS:
        text = f"{kind}: {evidence.get('label')} {evidence.get('score')}"
        if evidence.get("overrules"):
            text += f" (reads a paraphrase: overrules {', '.join(evidence['overrules'])})"
        return text
    if kind == "weekday":  # one-sided (``report``): a weekday its date does not fall on
        written = evidence.get("claim") or evidence.get("match")
        day = dt.date.fromisoformat(evidence["date"]).strftime("%A")
        return f"weekday: {written} (but {evidence['date']} is a {day})"
    sign = "=" if evidence.get("agrees") else "≠"
    return f"{kind}: {evidence.get('claim')} {sign} {evidence.get('match')}"


def relate(
    claim: str | Side,
    match: str | Side,
    *,
    similarity: float,
    claim_features: Features | None = None,
    match_features: Features | None = None,
    claim_date: dt.date | None = None,
    match_date: dt.date | None = None,
    match_lang: str | None = None,
    nli: dict | None = None,
    model: dict | None = None,
    strict: bool = False,
    searched: bool = False,
) -> Relation:
    """Agrees, contradicts or related, from the features of both statements.

    ``similarity``: cosine of the claim (as query) and match (as passage) embeddings.
    Features are extracted when not given, with the dates as references for "lundi"; a
    ``Side`` (``side()``) given for either statement is used as it is. ``match_lang``: the
    match's stored language (a claim's is guessed).
    ``nli``: optional ``{"label": ..., "scores": {...}}`` from an external NLI model.
    ``model``: the packaged relation model's verdict on (match, claim), with ``reverse``,
    its verdict on (claim, match) when it was asked (see ``_join_model``).
    ``strict``: two sentences of a corpus rather than a claim and a match; the same-thing
    gate asks more of them (``STRICT_MIN_JACCARD``).
    ``searched``: the match was found by a search for the claim, not given to compare with
    it; the model alone asks more of it (``SEARCH_MODEL_MIN_SIMILARITY``…).
    """
    a = claim if isinstance(claim, Side) else side(claim, claim_features, claim_date)
    b = match if isinstance(match, Side) else side(match, match_features, match_date, match_lang)
    return decide(findings(a, b, similarity, strict), nli=nli, model=model, searched=searched)


@dataclass
class Findings:
    """What the rules found on a pair, kept so that a model's verdict can be joined later
    (``decide``) without running the rules again."""

    a: Side
    b: Side
    similarity: float
    alignment: _Alignment
    evidence: list[dict]
    values_differ: bool


def findings(a: Side, b: Side, similarity: float, strict: bool = False) -> Findings:
    """The same-thing gate and, when it passes, every rule's evidence (see ``relate``)."""
    alignment = _align(a, b, similarity, strict)
    evidence: list[dict] = []
    values_differ = _values_differ(a.features.quantities, b.features.quantities)
    if alignment.same_thing:
        for rule in _RULES:
            evidence.extend(rule(a, b, alignment))
        dates_differ = any(e["kind"] == "date" and not e.get("agrees") for e in evidence)
        if not (values_differ or dates_differ):  # one difference at a time (``_actor_rule``)
            evidence.extend(_actor_rule(a, b, alignment))
    return Findings(a, b, similarity, alignment, evidence, values_differ)


def decide(
    found: Findings, nli: dict | None = None, model: dict | None = None, searched: bool = False
) -> Relation:
    """The relation from the rules' findings, with a model's verdict and an external NLI
    verdict when given (see ``relate``); ``found`` is left as it is."""
    alignment, evidence = found.alignment, list(found.evidence)
    if searched and asks(found.b.text):
        return Relation(RELATED, evidence, alignment.same_thing)
    if model is not None:
        relation = _join_model(
            found.a,
            found.b,
            alignment,
            found.similarity,
            model,
            evidence,
            found.values_differ,
            searched,
        )
    elif any(not e.get("agrees") for e in evidence):
        relation = CONTRADICTS
    elif (
        alignment.same_thing
        and _paraphrase(alignment, found.similarity)
        and not found.values_differ
    ):
        relation = AGREES
    else:
        relation = RELATED
    if nli is not None:
        relation = _join_nli(relation, nli, alignment.same_thing, evidence)
    return Relation(relation, evidence, alignment.same_thing)


def model_reads(
    claim_lang: str, match_lang: str, similarity: float, searched: bool = False
) -> bool:
    """Whether the relation model is worth asking about a pair: close enough in meaning."""
    cross = bool(claim_lang and match_lang and claim_lang != match_lang)
    if searched:
        floor = SEARCH_MODEL_CROSS_MIN_SIMILARITY if cross else SEARCH_MODEL_MIN_SIMILARITY
    else:
        floor = MODEL_CROSS_MIN_SIMILARITY if cross else MODEL_MIN_SIMILARITY
    return similarity >= floor


def _join_model(
    a: Side,
    b: Side,
    alignment: _Alignment,
    similarity: float,
    model: dict,
    evidence: list[dict],
    values_differ: bool,
    searched: bool = False,
) -> str:
    """The rules' evidence and the model's verdict, together:

    - a conflict of figures, dates, speakers, quantifiers, antonyms or actors is a
      contradiction (the rules see it);
    - a negation conflict is one unless the model reads entailment both ways with
      ``MODEL_OVERRULE`` (a negated paraphrase), or across languages one way with
      ``MODEL_CROSS_OVERRULE`` (then the model decides as without the conflict);
    - else the model's contradiction, on a pair close enough to be about one thing (a
      match found by a search: ``SEARCH_MODEL_MIN_SIMILARITY``…);
    - ``agrees`` is entailment both ways, or one way with a figure in common; with no
      conflict and no measured value that differs. A close paraphrase by the rules' measure
      is not enough: it also holds for a sentence that adds to the other ("un homme joue" /
      "un homme joue de la guitare sur scène"), which the model reads as neutral; letting
      it through with the model's entailment one way called 1.6 % or more of SNLI's neutral
      and contradiction pairs ``agrees`` (``benchmarks/tune_relations.py``).
    """
    scores = model.get("scores", {})
    reverse = (model.get("reverse") or {}).get("scores", {})
    entail, contra = float(scores.get("entailment", 0.0)), float(scores.get("contradiction", 0.0))
    back = float(reverse.get("entailment", 0.0))
    label = model.get("label")
    if label is not None:  # {}: a pair the model was not asked about (``model_reads``)
        score = round(float(scores.get(label, 0.0)), 3)
        evidence.append({"kind": MODEL_KIND, "label": label, "score": score})
    conflicts = [e for e in evidence if e["kind"] != MODEL_KIND and not e.get("agrees")]
    hard = [e for e in conflicts if e["kind"] not in _MODEL_OVERRULES]
    if hard:
        return CONTRADICTS
    if conflicts:
        overruled = sorted({e["kind"] for e in conflicts})
        if min(entail, back) >= MODEL_OVERRULE:
            evidence[-1]["overrules"] = overruled  # the model's
            return RELATED if values_differ else AGREES
        if not (alignment.cross and entail >= MODEL_CROSS_OVERRULE):
            return CONTRADICTS
        evidence[-1]["overrules"] = overruled  # and the model decides as without them
    if not model_reads(a.lang, b.lang, similarity):
        return RELATED
    if searched:
        alone = (
            model_reads(a.lang, b.lang, similarity, searched)
            and contra >= SEARCH_MODEL_CONTRADICTION
            and alignment.overlap >= SEARCH_MODEL_MIN_OVERLAP
        )
    else:
        alone = contra >= MODEL_CONTRADICTION
    if alone:
        return CONTRADICTS
    if values_differ:
        return RELATED
    agreed = back >= MODEL_ENTAILMENT or _shared_figure(a, b)
    return AGREES if entail >= MODEL_ENTAILMENT and agreed else RELATED


def _join_nli(relation: str, nli: dict, same_thing: bool, evidence: list[dict]) -> str:
    """The rules keep their evidence; a confident NLI verdict (score >= ``NLI_MIN_SCORE``):

    - "contradiction" makes a same-thing pair ``contradicts`` (NLI sees what rules cannot);
    - "entailment" makes a same-thing pair without rule conflict ``agrees``, and turns a rule
      conflict into ``related``: the two disagree, so neither verdict is claimed;
    - "neutral" turns an ``agrees`` into ``related`` (the match adds or lacks something).
    """
    label = nli.get("label")
    score = float(nli.get("scores", {}).get(label, 0.0))
    evidence.append({"kind": "nli", "label": label, "score": round(score, 3)})
    if score < NLI_MIN_SCORE or not same_thing:
        return relation
    if label == "contradiction":
        return CONTRADICTS
    if label == "entailment":
        return RELATED if relation == CONTRADICTS else AGREES
    return RELATED if relation == AGREES else relation


# --- The two sides and their alignment -----------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*(?:['’]t\b|['’])?")
# Each word of ``OPPOSITES`` and its concept and pole (0 or 1).
_POLES = {
    word: (concept, pole)
    for concept, poles in OPPOSITES.items()
    for pole, words in enumerate(poles)
    for word in words
}
# Words whose presence is the point of a rule, not the topic: masked before overlap.
_CUE_TERMS = frozenset(
    terms(
        "pas jamais rien aucun aucune personne guère point nullement never nothing none nobody "
        "without cannot plupart majorité plusieurs certains certaines quelques beaucoup "
        "nombreux nombreuses every each most some several many few tous toutes "
        # what ``terms`` keeps of a negative contraction ("isn't": "isn"); not "won't"
        # ("won" is a word)
        "isn't wasn't aren't weren't don't doesn't didn't hasn't haven't hadn't can't "
        "couldn't shouldn't wouldn't"
    )
)


# Verbs that report speech: in a news stream they follow any negation ("rejects concessions
# to Russia, FM says"), so they are never what a strict negation scope shares.
_REPORTING_TERMS = frozenset(
    terms(
        "says said say saying tells told dit déclare déclaré affirme affirmé selon "
        "reports reported report reporting rapporte rapporté writes wrote écrit"
    )
)


@dataclass
class Side:
    """One statement: its text, features, words, guessed language and comparison terms."""

    text: str
    features: Features
    words: list[str]  # lowercase, ’ as '
    spans: list[tuple[int, int]]  # of the words in ``text``
    lang: str
    terms: set[str]  # content terms with quantities, dates and rule cues masked
    anchors: set[str]  # names and numbers, folded across French and English spellings

    @cached_property
    def surface(self) -> str:
        """The text as ``vocabulary.surface`` sees it: one key for a sentence retyped."""
        return surface(self.text)

    @cached_property
    def poles(self) -> dict[str, tuple[int, str]]:
        """``_poles`` of the statement, found once however many statements it meets."""
        return _poles(self)

    @cached_property
    def cue_positions(self) -> list[list[int]]:
        """``_cue_positions`` of each of its negation cues, in ``features.negations`` order."""
        return [_cue_positions(self, cue) for cue in self.features.negations]

    @cached_property
    def cues(self) -> list[int]:
        """Where the words of its negation cues are, in order."""
        return sorted({p for found in self.cue_positions for p in found})

    @cached_property
    def cue_groups(self) -> list[list[int]] | None:
        """``_cue_groups`` of the statement, found once however many statements it meets."""
        return _cue_groups(self)


def side(
    text: str,
    features: Features | None = None,
    ref_date: dt.date | None = None,
    lang: str | None = None,
) -> Side:
    """A statement ready to be compared: build it once when it meets many others.
    ``lang``: the language stored for the sentence at ingest (identified on its whole
    article); guessed from function words when not known."""
    features = features if features is not None else extract(text, ref_date=ref_date)
    found = list(_WORD.finditer(text))
    words = [m.group().lower().replace("’", "'") for m in found]
    masked = _masked(text, features)
    return Side(
        text,
        features,
        words,
        [m.span() for m in found],
        lang or _language(words),
        # Words of opposite meaning differ where two statements conflict: left out of the
        # overlap like the cues, but only as written ("interdit", not "internet", which
        # ``terms`` cuts to the same stem); still words a negation bears on (``_predicate``).
        terms(masked) - _CUE_TERMS - terms(" ".join(w for w in words if w in _POLES)),
        _anchors(masked),
    )


def _language(words: list[str]) -> str:
    """ "fr" or "en" by function words: enough to know whether word overlap can mean anything;
    "" when there is none ("Boris Johnson denies overruling spies' concerns")."""
    french = sum(w in FUNCTION_WORDS["fr"] for w in words)
    english = sum(w in FUNCTION_WORDS["en"] for w in words)
    if not french and not english:
        return ""
    return "en" if english > french else "fr"


def _masked(text: str, features: Features) -> str:
    """The statement without its quantities and dates (the tokens that may differ), so that
    "70 %" vs "60 %" leaves the rest of the sentence to compare."""
    spans = sorted((x.start, x.end) for x in [*features.quantities, *features.dates])
    kept, last = [], 0
    for start, end in spans:
        if start >= last:
            kept.append(text[last:start])
            last = end
    kept.append(text[last:])
    return " ".join(kept)


_NAME = re.compile(r"\b[A-ZÀ-Ý][^\W\d_]{2,}|\d+(?:[.,]\d+)?")


def _fold_name(word: str) -> str:
    """ "Poutine" and "Putin", "Moscou" and "Moscow", "Zelensky" and "Zelenskyy" alike."""
    plain = fold(word).replace("ou", "u").replace("y", "i").replace(",", ".")
    deduped = "".join(c for i, c in enumerate(plain) if i == 0 or c != plain[i - 1])
    return deduped[:4]


def _anchors(text: str) -> set[str]:
    return {_fold_name(w) for w in _NAME.findall(text) if w[0].isdigit() or terms(w)}


@dataclass
class _Alignment:
    """How far two statements are about the same thing."""

    same_thing: bool
    cross: bool  # different languages: word overlap means nothing
    overlap: float  # masked-term overlap (same language) or anchor overlap (across)
    strict: bool = False  # two sentences of a corpus (see ``STRICT_MIN_JACCARD``)


def _jaccard(x: set[str], y: set[str]) -> float:
    """Shared terms over all terms of the two; 0 when both are empty."""
    return len(x & y) / len(x | y) if x | y else 0.0


def _containment(x: set[str], y: set[str]) -> float | None:
    """Share of the smaller set found in the other; None when one is empty."""
    if not x or not y:
        return None
    return len(x & y) / min(len(x), len(y))


def _align(a: Side, b: Side, similarity: float, strict: bool = False) -> _Alignment:
    """The same-thing gate: similar enough, and the words around the differences shared."""
    if a.lang and b.lang and a.lang != b.lang:
        anchors = _containment(a.anchors, b.anchors)
        if strict and len(a.anchors & b.anchors) < STRICT_CROSS_MIN_SHARED_ANCHORS:
            return _Alignment(False, True, anchors or 0.0, strict)
        overlap = 1.0 if anchors is None else anchors
        floor = STRICT_CROSS_MIN_SIMILARITY if strict else CROSS_MIN_SIMILARITY
        same = similarity >= floor and overlap >= CROSS_MIN_ANCHORS
        return _Alignment(same, True, overlap, strict)
    shared = _containment(a.terms, b.terms)
    overlap = 0.0 if shared is None else shared
    same = similarity >= SAME_MIN_SIMILARITY and overlap >= SAME_MIN_OVERLAP
    if strict and same:
        same = _jaccard(a.terms, b.terms) >= STRICT_MIN_JACCARD
    return _Alignment(same, False, overlap, strict)


def _values_align(alignment: _Alignment) -> bool:
    """Whether differing numbers, dates or speakers are about the same fact."""
    return alignment.cross or alignment.overlap >= VALUE_MIN_OVERLAP


def _paraphrase(alignment: _Alignment, similarity: float) -> bool:
    if alignment.cross:
        return similarity >= CROSS_AGREE_MIN_SIMILARITY
    return similarity >= AGREE_MIN_SIMILARITY and alignment.overlap >= AGREE_MIN_OVERLAP


def _words_text(side: Side, start: int, end: int) -> str:
    """The text of words ``start`` to ``end`` (excluded) as written."""
    return side.text[side.spans[start][0] : side.spans[end - 1][1]]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_EVIDENCE_TEXT else text[: MAX_EVIDENCE_TEXT - 1] + "…"


def evidence_spans(text: str, phrases: Iterable[tuple[str, bool]]) -> list[tuple[int, int, bool]]:
    """Where evidence phrases stand in ``text``, to mark them: every occurrence of each
    (a phrase cut by ``_short`` is looked for without its "…"), in order, overlaps dropped;
    each phrase's flag (e.g. agreeing evidence) comes along."""
    found = []
    for phrase, flag in phrases:
        phrase = phrase.rstrip("…")
        start = text.find(phrase) if phrase else -1
        while start != -1:
            found.append((start, start + len(phrase), flag))
            start = text.find(phrase, start + len(phrase))
    spans, last = [], 0
    for start, end, flag in sorted(found):
        if start >= last:
            spans.append((start, end, flag))
            last = end
    return spans


def _evidence(kind: str, claim: str, match: str, agrees: bool = False) -> dict:
    found = {"kind": kind, "claim": _short(claim), "match": _short(match)}
    if agrees:
        found["agrees"] = True
    return found


def _pair_up(
    xs: list, ys: list, comparable: Callable, equal: Callable
) -> tuple[list[tuple], list[tuple]]:
    """Agreeing and conflicting pairs, symmetric in the two sides: a value conflicts only
    when neither it nor its counterpart has an equal on the other side."""
    matched_x = {i for i, x in enumerate(xs) if any(comparable(x, y) and equal(x, y) for y in ys)}
    matched_y = {j for j, y in enumerate(ys) if any(comparable(x, y) and equal(x, y) for x in xs)}
    agreeing, conflicting = [], []
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            if not comparable(x, y):
                continue
            if equal(x, y):
                agreeing.append((x, y))
            elif i not in matched_x and j not in matched_y:
                conflicting.append((x, y))
                matched_x.add(i)
                matched_y.add(j)
    return agreeing, conflicting


# --- Numbers -------------------------------------------------------------------------

# unit -> (dimension, factor to the dimension's base unit); a unit left out is its own
_CONVERSIONS = {
    "km": ("length", 1000.0),
    "m": ("length", 1.0),
    "mile": ("length", 1609.344),
    "kg": ("mass", 1.0),
    "t": ("mass", 1000.0),
    "minute": ("time", 1 / 60),
    "hour": ("time", 1.0),
    "day": ("time", 24.0),
    "week": ("time", 168.0),
    "month": ("time", 730.5),
    "year": ("time", 8766.0),
}
_BELOW = {"<", "<="}
_ABOVE = {">", ">="}


def _dimension(q: Quantity) -> tuple[str | None, float]:
    if q.unit is None:
        return None, q.value
    dimension, factor = _CONVERSIONS.get(q.unit, (q.unit, 1.0))
    return dimension, q.value * factor


def _interval(q: Quantity) -> tuple[float, float]:
    """The values a quantity allows: "plus de 5" is [5, inf), "environ 40" is 40 ± 15 %."""
    _, value = _dimension(q)
    tolerance = APPROX_TOLERANCE if q.comparator == "~" else EXACT_TOLERANCE
    low, high = value * (1 - tolerance), value * (1 + tolerance)
    if q.comparator in _ABOVE:
        return low, math.inf
    if q.comparator in _BELOW:
        return -math.inf, high
    return low, high


def _same_value(x: Quantity, y: Quantity) -> bool:
    """Two quantities of one dimension whose values (read as ranges) meet."""
    if _dimension(x)[0] != _dimension(y)[0]:
        return False
    (xl, xh), (yl, yh) = _interval(x), _interval(y)
    return xl <= yh and yl <= xh


def _shared_figure(a: Side, b: Side) -> bool:
    """A figure in common: one quantity of the same dimension and value on both sides, or
    one date ("40 morts" and "40 personnes sont mortes")."""
    xs, ys = a.features.quantities, b.features.quantities
    if any(_same_value(x, y) for x in xs for y in ys):
        return True
    dates = [(x, y) for x in a.features.dates for y in b.features.dates]
    return any(_comparable_dates(x, y) and _same_date(x, y) for x, y in dates)


def _values_differ(xs: list[Quantity], ys: list[Quantity]) -> bool:
    """Whether some dimension measured on both sides has no value in common: "60 % des
    forces" and "70 % du personnel militaire" count different nouns, so the number rule
    cannot call them a conflict, but the two statements do not say the same thing either."""
    dimensions = {_dimension(x)[0] for x in xs} & {_dimension(y)[0] for y in ys}
    return any(
        not any(_same_value(x, y) for x in xs if _dimension(x)[0] == dimension for y in ys)
        for dimension in dimensions
    )


def _same_counted(x: Quantity, y: Quantity) -> bool | None:
    """Whether two counted nouns are the same (None when one is missing)."""
    if not x.counted or not y.counted:
        return None
    return bool(terms(x.counted) & terms(y.counted))


def _number_rule(a: Side, b: Side, alignment: _Alignment) -> list[dict]:
    """Quantities of one dimension ("70 %" and "60 %", "20 km" and "12,5 miles") that
    measure the same thing: the same counted noun, else the only such pair."""

    def sole(q: Quantity, side: Side) -> bool:
        dim = _dimension(q)[0]
        return sum(_dimension(o)[0] == dim for o in side.features.quantities) == 1

    def comparable(x: Quantity, y: Quantity) -> bool:
        if _dimension(x)[0] != _dimension(y)[0]:
            return False
        counted = _same_counted(x, y)
        if alignment.strict:  # a unit, or the same noun counted: not "day 18" vs "day 19"
            return bool(counted) or (counted is None and x.unit is not None)
        if counted is not None and not alignment.cross:
            return counted
        if counted or (counted is None and x.unit is not None):
            return True
        return sole(x, a) and sole(y, b)

    def equal(x: Quantity, y: Quantity) -> bool:
        (x_low, x_high), (y_low, y_high) = _interval(x), _interval(y)
        return x_low <= y_high and y_low <= x_high

    agreeing, conflicting = _pair_up(
        a.features.quantities, b.features.quantities, comparable, equal
    )
    return [_evidence("number", x.text, y.text, agrees=True) for x, y in agreeing] + [
        _evidence("number", x.text, y.text) for x, y in conflicting
    ]


# --- Dates ---------------------------------------------------------------------------

_DATE_LEAD = re.compile(r"^(?:le|ce|on|the|en|in|de|from|of|since|depuis)\s+", re.IGNORECASE)


def _date_key(d: DateRef) -> tuple[str, tuple] | None:
    """What a date says at its precision: a resolved day, a day of a month, a month, a
    year, a bare weekday. The weekday written beside a full date is left out: "lundi 8
    février" (a Tuesday in 2022) says 8 February."""
    if d.date is not None and d.granularity in {"day", "weekday", "relative"}:
        return "day", (d.date,)
    if d.granularity == "day" and d.month and d.day:
        return "monthday", (d.month, d.day, d.year)
    if d.granularity == "month" and d.month:
        return "month", (d.month, d.year)
    if d.granularity == "year" and d.year:
        return "year", (d.year,)
    if d.granularity == "weekday" and d.weekday is not None:
        return "weekday", (d.weekday,)
    return None


def _same_date(x: DateRef, y: DateRef) -> bool:
    kx, ky = _date_key(x), _date_key(y)
    assert kx is not None and ky is not None
    if kx[0] == ky[0]:
        return all(p is None or q is None or p == q for p, q in zip(kx[1], ky[1], strict=True))
    # a resolved day against a day of a month written without a year
    day = dt.date.fromisoformat(kx[1][0] if kx[0] == "day" else ky[1][0])
    month, number, _ = ky[1] if kx[0] == "day" else kx[1]
    return (day.month, day.day) == (month, number)


def _comparable_dates(x: DateRef, y: DateRef) -> bool:
    kx, ky = _date_key(x), _date_key(y)
    if kx is None or ky is None:
        return False
    return kx[0] == ky[0] or {kx[0], ky[0]} == {"day", "monthday"}


_NEWS_RELATIVE = {"weekday", "relative"}  # "on Sunday", "hier": the day of each article's news


def _date_rule(a: Side, b: Side, alignment: _Alignment) -> list[dict]:
    """Dates of the same precision that differ: "lundi 8 février" vs "7 February 2022".
    Strict: only dates written out (a day of a month, a month, a year)."""

    def comparable(x: DateRef, y: DateRef) -> bool:
        if alignment.strict and _NEWS_RELATIVE & {x.granularity, y.granularity}:
            return False
        return _comparable_dates(x, y)

    agreeing, conflicting = _pair_up(a.features.dates, b.features.dates, comparable, _same_date)

    def show(d: DateRef) -> str:
        return _DATE_LEAD.sub("", d.text)

    return [_evidence("date", show(x), show(y), agrees=True) for x, y in agreeing] + [
        _evidence("date", show(x), show(y)) for x, y in conflicting
    ]


# --- Negation ------------------------------------------------------------------------


def _cue_positions(side: Side, cue: str) -> list[int]:
    """Where the words of a negation cue ("n'… pas", "not", "n't", "aucune … ne") are."""
    parts = [p.strip() for p in cue.split("…") if p.strip()]
    found = []
    for i, word in enumerate(side.words):
        if any(word == p or (p == "n't" and word.endswith("n't")) for p in parts):
            found.append(i)
    return found


def _scope_terms(side: Side, positions: Iterable[int], names: bool = True) -> set[str]:
    """Terms of the words a cue bears on: a few after a particle, a clause after a verb of
    denial ("a nié à plusieurs reprises qu'il planifiait une incursion"). Without ``names``,
    capitalised words are left out: what is denied is a predicate, and in "Britain will not
    flinch over Ukraine" the shared "Ukraine" is the topic of a whole corpus."""
    return terms(" ".join(_scope_words(side, positions, names)))


def _scope_words(side: Side, positions: Iterable[int], names: bool = True) -> list[str]:
    """The words of ``_scope_terms``, as written (lowercase)."""
    words = []
    for i in positions:
        width = CLAUSE_SCOPE_WORDS if side.words[i] in DENIAL_VERBS else SCOPE_WORDS
        for j in range(i + 1, min(i + 1 + width, len(side.words))):
            if names or not side.text[side.spans[j][0]].isupper():
                words.append(side.words[j])
    return words


def _in_scope(
    negated: Side, other: Side, positions: list[int], alignment: _Alignment, names: bool = False
) -> bool:
    """Whether the words a cue bears on are in the other statement too. ``names``: a name
    can be all the cue bears on ("all of Ukraine"), as for a quantifier."""
    if alignment.cross:
        return True  # across languages the gate has to do
    if not positions:  # a cue inside a word ("non-negotiable"): no scope to check
        return not alignment.strict
    scope = _scope_terms(negated, positions, names=names or not alignment.strict) - _CUE_TERMS
    if alignment.strict:
        scope -= _REPORTING_TERMS
    if not scope:
        return not alignment.strict
    as_negated = _as_negated(negated, other, positions)
    shared = scope & terms(" ".join([other.text, *as_negated.values()]))
    if not alignment.strict or not shared:
        return bool(shared)
    # Strict: what is negated is the first word the cue bears on ("won't use", "ne
    # souhaitait pas"), and the other statement must say it: sharing only the object is
    # another predicate about one topic ("hasn't imposed a no-fly zone" / "slams NATO over
    # its rejection of a no-fly zone"; "cannot guarantee gas supplies" / "stopped gas
    # supplies"). For a quantifier (``_quantifier_rule``) that word is what it counts.
    predicate = _predicate(negated, positions)
    wanted = [{predicate} if predicate is not None else shared]
    # "Neither video shows": the cue counts the videos, and what it denies comes after them;
    # the other statement must say that too ("What social media videos reveal" has the
    # videos, not what they show).
    denied = _predicate(negated, positions, after_noun=True)
    if denied is not None:
        wanted.append({denied})
    # The words must be affirmed where the other statement has them, not negated there too
    # ("Putin should not remain" vs "was not announcing … cannot remain": two negations make
    # the second sentence positive as a whole, not "remain").
    cues = other.cues
    return all(
        any(
            _says(as_negated.get(word, word), terms_)
            and not any(0 < j - p <= SCOPE_WORDS for p in cues)
            for j, word in enumerate(other.words)
        )
        for terms_ in wanted
    )


def _as_negated(negated: Side, other: Side, positions: list[int]) -> dict[str, str]:
    """A word of ``OPPOSITES`` is said in any of its forms ("did not fall" / "fell"): the
    other statement's words that are another form of a negated word, read as that word."""
    form = {_POLES[w]: w for w in _scope_words(negated, positions) if w in _POLES}
    return {w: form[_POLES[w]] for w in other.words if _POLES.get(w) in form}


def _says(word: str, wanted: set[str]) -> bool:
    """Whether ``word`` is one of the ``wanted`` terms, or the quantifier ``_predicate``
    gives as it is ("tous": a word ``terms`` leaves out)."""
    folded = fold(word)
    return bool(terms(word) & wanted) or (folded in QUANTIFIERS and folded in wanted)


def _predicate(side: Side, positions: list[int], after_noun: bool = False) -> str | None:
    """The term of the first content word after a statement's first negation cue: "use" in
    "Russia won't use tactical weapons", "ouver" in "n'était pas ouverte", "all"
    in "not all Russians". None when a name, a verb of denial (whose clause ``_scope_terms``
    reads) or the end of the scope comes first. ``after_noun``: for a cue that is a
    determiner (``NEGATING_DETERMINERS``), the next content word after that one ("show" in
    "neither video shows"); None for other cues."""
    first = positions[0]
    if side.words[first] in DENIAL_VERBS:
        return None
    if after_noun:
        if side.words[first] not in NEGATING_DETERMINERS:
            return None
        noun = _content_word(side, first)
        return None if noun is None else _predicate(side, [noun])
    for j in range(first + 1, min(first + 1 + SCOPE_WORDS, len(side.words))):
        word = side.words[j]
        if side.text[side.spans[j][0]].isupper():
            return None
        if fold(word) in QUANTIFIERS:
            return fold(word)
        if word in ALL_FUNCTION_WORDS or word in AUXILIARIES:
            continue
        found = terms(word) - _CUE_TERMS - _REPORTING_TERMS
        if found:
            return min(found)
    return None


def _content_word(side: Side, cue: int) -> int | None:
    """The position of the first word after ``cue`` that is neither a function word nor an
    auxiliary, within the scope of a cue."""
    for j in range(cue + 1, min(cue + 1 + SCOPE_WORDS, len(side.words))):
        if side.words[j] not in ALL_FUNCTION_WORDS and side.words[j] not in AUXILIARIES:
            return j
    return None


def _negated_snippet(side: Side, positions: list[int]) -> str:
    """ "n'a pas rencontré": from the first cue word to the word after the last, and on to
    the first content word the cue bears on ("not to compete", "will not be allowed")."""
    start, end = min(positions), min(max(positions) + 2, len(side.words))
    word = _content_word(side, start)
    if word is not None:
        end = max(end, word + 1)
    if side.words[start] in {"not", "never"} and start:
        start -= 1  # "did not meet"
    return _words_text(side, start, end)


def _affirmed_snippet(
    side: Side, scope: set[str], alignment: _Alignment, as_negated: dict[str, str]
) -> str:
    """The words of the affirmative side that the negation bears on: "a rencontré"; the
    whole statement across languages, where words cannot be lined up."""
    if not alignment.cross:
        for i, word in enumerate(side.words):
            if _says(as_negated.get(word, word), scope):
                return _words_text(side, max(0, i - 1), i + 1)
    return side.text


def _negation_rule(a: Side, b: Side, alignment: _Alignment) -> list[dict]:
    """One statement negated, the other not, on the same words. Polar adjectives take
    negation into account themselves ("pas satisfaisantes" = "insatisfaisantes")."""
    if _shared_bases(a, b):
        return []
    if a.features.polarity != b.features.polarity:
        negated, other = (a, b) if a.features.polarity == "negative" else (b, a)
        cues = negated.cue_groups or [negated.cues]
    else:
        found = _negations_apart(a, b)
        if found is None:
            return []
        negated, other, cues = found
    for positions in cues:
        if _in_scope(negated, other, positions, alignment) and not _negates_opposite(
            negated, other, positions
        ):
            return [_negation_evidence(a, negated, other, positions, alignment)]
    return []


def _negations_apart(a: Side, b: Side) -> tuple[Side, Side, list[list[int]]] | None:
    """A statement with no negation against one whose cues stand in different clauses
    (``_cue_groups``): an even number of cues there negates two things rather than
    cancelling out, so each cue is tried on its own."""
    for negated, other in ((a, b), (b, a)):
        groups = negated.cue_groups
        if groups and not other.features.negations:
            return negated, other, groups
    return None


def _cue_groups(side: Side) -> list[list[int]] | None:
    """The positions of each negation cue of a statement that has two or more, when every
    cue stands ``SCOPE_WORDS`` or more from the next or a clause boundary separates them
    ("will no longer be able to compete after teams threatened not to compete", "ne sont
    pas satisfaisantes, et Moscou ne souhaite pas"); None otherwise. Cues side by side ("not
    without") cancel, as the parity of ``features.polarity`` reads them."""
    if len(side.features.negations) < 2:
        return None
    cues = side.cues
    groups = [[cues[0]]] if cues else []
    for earlier, later in pairwise(cues):
        between = side.text[side.spans[earlier][1] : side.spans[later][0]]
        if later - earlier > SCOPE_WORDS or separates(between):
            groups.append([])
        groups[-1].append(later)
    return groups if len(groups) == len(side.features.negations) else None


def _negation_evidence(
    a: Side, negated: Side, other: Side, positions: list[int], alignment: _Alignment
) -> dict:
    """The negated words and the words of the other statement they oppose."""
    negative = _negated_snippet(negated, positions) if positions else negated.text
    # Shown: the words of the other statement that the negated word opposes, when it has
    # that word (a claim's looser scope may have matched on another word of it).
    predicate = _predicate(negated, positions) if positions else None
    as_negated = _as_negated(negated, other, positions)
    says = predicate and any(_says(as_negated.get(w, w), {predicate}) for w in other.words)
    scope = {predicate} if says else _scope_terms(negated, positions)
    positive = _affirmed_snippet(other, scope, alignment, as_negated)
    claim, match = (negative, positive) if negated is a else (positive, negative)
    return _evidence("negation", claim, match)


# --- Quantifiers ---------------------------------------------------------------------

# Labels of factcheck.features and the pairs that cannot both hold of the same thing.
_INCOMPATIBLE = {
    frozenset(p)
    for p in [
        ("all", "most"),
        ("all", "some"),
        ("all", "few"),
        ("all", "none"),
        ("none", "most"),
        ("none", "some"),
        ("none", "many"),
        ("most", "few"),
        ("many", "few"),
    ]
}
_QUANTIFIER_SURFACE = {
    label: frozenset(w for w, of in QUANTIFIERS.items() if of == label)
    for label in set(QUANTIFIERS.values())
}


def _quantifier_position(side: Side, label: str) -> int | None:
    words = _QUANTIFIER_SURFACE[label]
    return next((i for i, w in enumerate(side.words) if w in words), None)


def _quantifier_text(side: Side, position: int | None, label: str) -> str:
    if position is None:
        return label
    start = position - 1 if side.words[position] == "plupart" and position else position
    return _words_text(side, start, position + 1)


def _quantifier_rule(a: Side, b: Side, alignment: _Alignment) -> list[dict]:
    """ "toutes" vs "la plupart", "all" vs "none", over the same noun."""
    found = []
    for x in a.features.quantifiers:
        for y in b.features.quantifiers:
            if frozenset((x, y)) not in _INCOMPATIBLE:
                continue
            if y in a.features.quantifiers or x in b.features.quantifiers:
                continue  # both sides use both: no clash to point at
            px, py = _quantifier_position(a, x), _quantifier_position(b, y)
            in_scope = (px is None or _in_scope(a, b, [px], alignment, names=True)) and (
                py is None or _in_scope(b, a, [py], alignment, names=True)
            )
            if in_scope:
                found.append(
                    _evidence("quantifier", _quantifier_text(a, px, x), _quantifier_text(b, py, y))
                )
    return found


# --- Speakers ------------------------------------------------------------------------

_NOT_NAMES = frozenset(terms(" ".join(TITLES))) | frozenset(terms("according"))
_GLUE_BEFORE = {"de", "du", "des", "d'", "of", "la", "le", "l'"}


def _speaker_names(phrase: str) -> set[str]:
    """Folded proper names of a speaker phrase: "Vladimir Poutine" of "le président russe
    Vladimir Poutine", nothing of "le porte-parole du Kremlin" (an institution)."""
    words = _WORD.findall(phrase)
    names = set()
    for i, word in enumerate(words):
        previous = words[i - 1].lower().replace("’", "'") if i else ""
        if not word[0].isupper() or previous in _GLUE_BEFORE:
            continue
        if terms(word) and not terms(word) & _NOT_NAMES:
            names.add(_fold_name(word))
    return names


def _attributed(side: Side) -> set[str]:
    return {n for phrase in side.features.attributions for n in _speaker_names(phrase)}


def _same_quote(x: str, y: str, alignment: _Alignment) -> bool:
    if alignment.cross:
        return True  # translated quotes share no words: the gate has to do
    shared = _containment(terms(x), terms(y))
    return shared is not None and shared >= QUOTE_MIN_OVERLAP


def _speaker_rule(a: Side, b: Side, alignment: _Alignment) -> list[dict]:
    """The same quote, or the same attributed statement, from different named people."""
    found = []
    for qa in a.features.quotes:
        for qb in b.features.quotes:
            if not (qa.speaker and qb.speaker and _same_quote(qa.text, qb.text, alignment)):
                continue
            na, nb = _speaker_names(qa.speaker), _speaker_names(qb.speaker)
            if na and nb and not na & nb:
                found.append(_evidence("speaker", qa.speaker, qb.speaker))
    if found or a.features.quotes and b.features.quotes or alignment.strict:
        return found
    na, nb = _attributed(a), _attributed(b)
    if na and nb and not na & nb and _values_align(alignment):
        found.append(_evidence("speaker", a.features.attributions[0], b.features.attributions[0]))
    return found


# --- Actors --------------------------------------------------------------------------

# Who did it, replaced: the same statement, word for word but a name ("A Jeff Koons
# sculpture … will go on sale" / "A Damien Hirst sculpture …"). Only when what is left is the
# same: this share of the shorter statement's words aligned, every figure and date equal.
# Two names that change places are left to the model (the verb decides), and places ("in
# Kharkiv" / "in Slovyansk") and speakers ("Russia says" / "Ukraine says") are left out: the
# same news told of two places, or said by two sides, is not a contradiction.
ACTOR_MIN_ALIGNED = 0.6
ACTOR_MIN_WORDS = 6  # shorter: a fragment ("Retired Army Brig.")
ACTOR_MAX_OTHER_WORDS = 2  # in a replaced span, words that are neither names nor titles
SPELLED_ALIKE = 0.5  # difflib ratio from which two names are one spelled two ways
_PLACE_BEFORE = frozenset(
    ["in", "at", "on", "near", "from", "to", "à", "en", "au", "aux", "dans", "sur", "près", "vers"]
)
_CALENDAR = frozenset(_MONTHS) | frozenset(_WEEKDAYS.split())  # capitalised, not names


def _actor_rule(a: Side, b: Side, alignment: _Alignment) -> list[dict]:
    """The same statement with another actor (see ``ACTOR_MIN_ALIGNED``), on a pair whose
    figures and dates agree (``findings`` asks it last, with the other rules' evidence)."""
    if alignment.cross:
        return []
    if min(len(a.words), len(b.words)) < ACTOR_MIN_WORDS:
        return []
    fa, fb = [fold(w) for w in a.words], [fold(w) for w in b.words]
    blocks = SequenceMatcher(None, fa, fb, autojunk=False).get_opcodes()
    aligned = sum(i2 - i1 for op, i1, i2, _, _ in blocks if op == "equal")
    if aligned < ACTOR_MIN_ALIGNED * min(len(fa), len(fb)):
        return []
    changed = [
        (i1, i2, j1, j2)
        for op, i1, i2, j1, j2 in blocks
        if op == "replace" and not set(fa[i1:i2] + fb[j1:j2]) <= ALL_FUNCTION_WORDS
    ]
    if len(changed) != 1:
        return []  # one thing said otherwise at most: more is another statement
    spoken = _attributed(a) | _attributed(b)
    found = []
    for i1, i2, j1, j2, na, nb in _renamed(a, b, changed):
        if max(_other_words(a, i1, i2), _other_words(b, j1, j2)) > ACTOR_MAX_OTHER_WORDS:
            continue  # more changed than who: another statement
        if {_fold_name(n) for n in na | nb} & spoken or _speaks(a, i2) or _speaks(b, j2):
            continue  # two speakers
        if _counts(a, i1, i2) == len(nb) or _counts(b, j1, j2) == len(na):
            continue  # the names counted: "two Nordic nations" / "Sweden and Finland"
        found.append(_evidence("actor", _words_text(a, i1, i2), _words_text(b, j1, j2)))
    return found


_COUNTS = {fold(w): n for words in NUMBER_WORDS.values() for w, n in words.items()}


def _counts(side: Side, start: int, end: int) -> int | None:
    """The count a span states ("two Nordic nations": 2, "3 pays": 3), if any."""
    for word in side.words[start:end]:
        if word.isdigit():
            return int(word)
        if fold(word) in _COUNTS:
            return _COUNTS[fold(word)]
    return None


def _renamed(
    a: Side, b: Side, spans: Iterable[tuple[int, int, int, int]]
) -> Iterable[tuple[int, int, int, int, set[str], set[str]]]:
    """The spans of ``a`` and ``b`` aligned with each other where each names someone the
    other statement never names. A name the other holds elsewhere is not replaced: the two
    changed places, which "Putin met Macron" / "Macron met Putin" also do (the model reads
    swaps)."""
    everywhere_a, everywhere_b = _actors(a, 0, len(a.words)), _actors(b, 0, len(b.words))
    for i1, i2, j1, j2 in spans:
        na, nb = _actors(a, i1, i2), _actors(b, j1, j2)
        renamed = na and nb and not na & everywhere_b and not nb & everywhere_a
        if renamed and not _spelled_alike(na, nb):
            yield i1, i2, j1, j2, na, nb


def _spelled_alike(xs: set[str], ys: set[str]) -> bool:
    """One name spelled two ways ("Egypte" / "Eygptian", "Zelensky" / "Zelenskyy")."""
    return any(SequenceMatcher(None, x, y).ratio() >= SPELLED_ALIKE for x in xs for y in ys)


def places(side: Side) -> set[str]:
    """Folded names right after "in", "at", "to", "on", "à", "en"… (and an article: "at the
    US Open"): where a statement says something happened ("strikes on Kharkiv")."""
    found = set()
    for i, word in enumerate(side.words):
        if word not in _PLACE_BEFORE:
            continue
        j = i + 1
        while j < min(i + 3, len(side.words)) and side.words[j] in ALL_FUNCTION_WORDS:
            j += 1
        if j < len(side.words) and _capitalised(side, j):
            name = side.words[j]
            unnamed = name in ALL_FUNCTION_WORDS or name in TITLES
            if not unnamed and fold(name) not in _CALENDAR:
                found.add(fold(name))
    return found


def _other_words(side: Side, start: int, end: int) -> int:
    """Words of ``side.words[start:end]`` that are neither capitalised nor titles."""
    return sum(not _capitalised(side, i) and side.words[i] not in TITLES for i in range(start, end))


def _speaks(side: Side, end: int) -> bool:
    """Whether the words right after ``end`` say who speaks ("Russia says", "a dit")."""
    return bool(terms(" ".join(side.words[end : end + 2])) & _REPORTING_TERMS)


def _actors(side: Side, start: int, end: int) -> set[str]:
    """Folded names among ``side.words[start:end]``, but places (after "in", "à"…) and a
    first word alone ("Chute du pétrole": any word is capitalised there)."""
    names = set()
    for i in range(start, end):
        word = side.words[i]
        if not _capitalised(side, i) or word in ALL_FUNCTION_WORDS or fold(word) in _CALENDAR:
            continue
        if i and side.words[i - 1] in _PLACE_BEFORE or word in TITLES or not terms(word):
            continue
        if i == 0 and not (len(side.words) > 1 and _capitalised(side, 1)):
            continue
        names.add(fold(word))  # whole: "Dugin" is not "Dugina"
    return names


def _capitalised(side: Side, i: int) -> bool:
    return side.text[side.spans[i][0]].isupper()


# --- Polar adjectives ----------------------------------------------------------------

# French bases of factcheck.features' polar adjectives and their English counterparts,
# so that "insatisfaisantes" and "satisfactory" compare.
_BASE_EN = {
    "satisfaisant": "satisfactory", "satisfait": "satisfied", "légal": "legal",
    "légitime": "legitimate", "efficace": "effective", "capable": "able", "exact": "accurate",
    "cohérent": "consistent", "connu": "known", "croyable": "credible", "probable": "likely",
    "vraisemblable": "likely", "prévisible": "predictable", "évitable": "avoidable",
    "constitutionnel": "constitutional", "suffisant": "sufficient", "négociable": "negotiable",
    "réaliste": "realistic", "rationnel": "rational", "valide": "valid", "nécessaire": "necessary",
    "justifié": "justified", "fondé": "founded", "attendu": "expected", "supportable": "bearable",
    "populaire": "popular", "heureux": "happy", "honnête": "honest", "amical": "friendly",
    "provoqué": "provoked", "équitable": "fair", "démocratique": "democratic", "vrai": "true",
    "responsable": "responsible", "raisonnable": "reasonable", "précis": "accurate",
}  # fmt: skip


def _signed_bases(side: Side, near: bool = False) -> dict[str, tuple[int, str]]:
    """Base -> (net sign, word as written): "ne sont pas satisfaisantes" is -1 like
    "insatisfaisantes"; the "non" of "non négociables" is already in the sign. With ``near``,
    only a negation in the ``SCOPE_WORDS`` before the adjective flips it, each cue once ("ne
    … pas" is one), not the "no" of "a no-fly zone" ten words away; without it any negation
    of the sentence does (a claim against its match: on DACCORD's and XNLI's training and
    tune parts the near reading found fewer real contradictions than it dropped false
    ones). A capitalised word inside the sentence is a name's ("Covid Safe Ticket")."""
    found = {}
    for signed in side.features.antonyms:
        base = signed[1:]
        sign = 1 if signed[0] == "+" else -1
        position = _adjective_position(side, base, sign)
        if position and _capitalised(side, position):
            continue
        word, flips = base, 0 if near else len(side.features.negations)
        if position is not None and not near and (groups := side.cue_groups):
            flips = sum(group[0] < position for group in groups)  # the clauses before it
        if position is not None:
            close = [
                [p for p in found if 0 < position - p <= SCOPE_WORDS]
                for found in side.cue_positions
            ]
            if near:
                flips = len({tuple(cue) for cue in close if cue})  # a cue said twice: once
            start = min([p for cue in close for p in cue] + [position])  # "ne sont pas …"
            if position and side.words[position - 1] == "non":
                flips -= 1
                start = min(start, position - 1)
            word = _words_text(side, start, position + 1)
        found[_BASE_EN.get(base, base)] = (sign * (-1) ** flips, word)
    return found


def _adjective_position(side: Side, base: str, sign: int) -> int | None:
    if sign < 0 and base in {"vrai", "true"}:
        return next((i for i in range(len(side.words)) if false_verdict(side.words, i)), None)
    stem = base[:-1] if len(base) > 4 else base
    return next((i for i, w in enumerate(side.words) if stem in w), None)


def _shared_bases(a: Side, b: Side) -> set[str]:
    return set(_signed_bases(a)) & set(_signed_bases(b))


def _antonym_rule(a: Side, b: Side, alignment: _Alignment) -> list[dict]:
    """The same polar adjective with opposite net signs: "satisfaisant" vs "insatisfaisant"."""
    xs, ys = _signed_bases(a, alignment.strict), _signed_bases(b, alignment.strict)
    return [
        _evidence("antonym", xs[base][1], ys[base][1])
        for base in sorted(set(xs) & set(ys))
        if xs[base][0] != ys[base][0]
    ]


def _poles(side: Side) -> dict[str, tuple[int, str]]:
    """Concept -> (pole, word as written) of the ``OPPOSITES`` words a statement uses. A
    word under a negation ("n'a pas baissé") is the negation rule's, and a concept whose two
    poles both appear ("rose, then fell") says nothing: both are left out."""
    cues = side.cues
    poles: dict[str, set[int]] = {}
    shown: dict[str, str] = {}
    for i, word in enumerate(side.words):
        if word in _POLES and not any(0 < i - p <= SCOPE_WORDS for p in cues):
            concept, pole = _POLES[word]
            poles.setdefault(concept, set()).add(pole)
            shown.setdefault(concept, _words_text(side, i, i + 1))
    return {c: (min(p), shown[c]) for c, p in poles.items() if len(p) == 1}


def _negates_opposite(negated: Side, other: Side, positions: list[int]) -> bool:
    """ "n'a pas baissé" against "a augmenté": denying the other's opposite says the same."""
    others = other.poles
    for p in positions:
        for word in negated.words[p + 1 : p + 1 + SCOPE_WORDS]:
            concept, pole = _POLES.get(word, ("", -1))
            if concept in others and others[concept][0] != pole:
                return True
    return False


def may_change(evidence: dict) -> bool:
    """Whether a conflicting finding may be a change over time rather than two accounts of
    one moment: a figure (a toll counted again), or words of ``OPPOSITES`` (prices rise, then
    fall; a border opens, then closes)."""
    if evidence["kind"] == "number":
        return True
    words = (evidence.get("claim", ""), evidence.get("match", ""))
    return evidence["kind"] == "antonym" and all(w.lower() in _POLES for w in words)


def _opposite_rule(a: Side, b: Side, alignment: _Alignment) -> list[dict]:
    """Words of opposite meaning about the same thing: "a augmenté" vs "fell", "surging"
    vs "sinking". Shown as an antonym, which the model does not overrule; the report sets
    one told more than a week later aside as a change (``may_change``)."""
    xs, ys = a.poles, b.poles
    return [
        _evidence("antonym", xs[c][1], ys[c][1])
        for c in sorted(set(xs) & set(ys))
        if xs[c][0] != ys[c][0]
    ]


_RULES: tuple[Callable[[Side, Side, _Alignment], list[dict]], ...] = (
    _number_rule,
    _date_rule,
    _negation_rule,
    _quantifier_rule,
    _speaker_rule,
    _antonym_rule,
    _opposite_rule,
)
