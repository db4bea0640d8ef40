"""The report step: the claims in a corpus that other articles dispute, with both sides.

1. The check-worthy sentences (``factcheck.checkworthy``, stored at ingest), and those below
   the bar that hold a figure or a date (``Filters.figures``), are the statements.
2. One batched FAISS search gives each statement its nearest sentences in *other* articles
   (``NEIGHBOURS`` of them): the work grows with the corpus, not with its square. A sentence
   below the check-worthiness bar may be the other side of a conflict (a headline quoting a
   denial scores low), but only by a rule's finding, and it is never a cluster's claim.
3. Each close pair is related (``factcheck.relations``); pairs that agree or contradict are
   about the same thing and link the two statements.
   Headline kickers ("Ukraine war: …", "Live: …") are cut off first (``kickers``): a label
   shared by a feed's headlines says nothing about what they claim. A contradiction also needs
   the two statements to be about one event (``same_event``): "Macron met Putin on 7
   February" and "Putin received graduates on 21 June" differ in more than their dates.
4. Star clustering on those links: the statement with the most links, then the next one not
   yet taken, gathers its linked statements; a statement whose links were all taken joins its
   closest neighbour's cluster. Chains cannot grow: a member is at most two links from its
   centre, and a cluster holds at most ``MAX_CLUSTER`` statements.
5. Every pair of statements from different articles inside a cluster is related; a cluster
   with at least one contradiction is **contested**. A contradiction found between two
   statements that ended in different clusters is not lost: the cluster of the earlier one
   reports it, the other statement shown there as a guest (``Statement.guest``). So every
   pair the search relates as ``contradicts`` is in the report (``contradictions_all_pairs``
   relates every pair instead, to measure what the search misses on a small corpus).
6. Cluster ids are kept in the index (``claim_ids``): a cluster takes the id that most of its
   statements had in the last report, so a claim keeps its id as the corpus grows; a new
   cluster's id is a hash of its centre statement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from typing import IO, TYPE_CHECKING

import numpy as np

from .dates import wrong_weekdays
from .embed import PACKAGED_MODELS
from .errors import InputError
from .features import Features
from .filters import NO_FILTERS, Filters
from .lexical import terms
from .models import ArticleRef
from .outlets import outlet_of
from .relations import (
    _REPORTING_TERMS,
    AGREES,
    CONTRADICTS,
    RELATED,
    SAME_MIN_SIMILARITY,
    VERDICT_KINDS,
    Findings,
    Relation,
    Side,
    decide,
    findings,
    may_change,
    places,
    side,
)
from .store import Store
from .vectors import VectorIndex
from .vocabulary import KICKERS, PRESCRIPTIVE, fold

if TYPE_CHECKING:
    from .relation_model import RelationModel

SCHEMA = "factcheck.report/3"
NEIGHBOURS = 20  # nearest statements searched for each statement
SEARCH_BATCH = 512  # statements searched in one FAISS call
MAX_CLUSTER = 60  # statements in one cluster at most (every pair of them is related)
# The report compares two indexed sentences, both embedded as passages; the relation
# thresholds were set on claim-as-query similarities. For the packaged e5 model, passage/passage
# cosines run higher (mean +0.027 on 600 XNLI fr pairs); a least-squares fit on those pairs
# (r = 0.87) maps them back: query/passage ≈ 0.78 · passage/passage + 0.17.
E5_PASSAGE_TO_QUERY = (0.78, 0.17)
# A label before ":" is a kicker when it is in ``vocabulary.KICKERS`` or when this many
# articles of one source start a statement with it (BBC News: "Ukraine war:" 253 times in the
# RSS corpus); a speaker ("Zelensky: …") rarely heads that many headlines of one feed.
KICKER_MIN_REPEATS = 5
KICKER_MAX_WORDS = 5
# Same event: of the words that say what happened (names, figures and dates left out), this
# share of the smaller set must be in the other statement (set on the tune half of the
# planted benchmark, benchmarks/report.py; see docs/report.md).
EVENT_MIN_OVERLAP = 0.5
# A contradiction the relation model alone sees (no rule found a differing figure, date,
# negation…) has nothing to point at, and the model calls two different events told alike a
# contradiction ("World Cup play-off postponed" / "Wales host Ukraine in the play-off final"):
# what happened must then be shared as a set (Jaccard). 0.5 is the largest round value that
# keeps every conflict the model alone found on the tune half (the lowest: 0.56).
MODEL_EVENT_MIN_JACCARD = 0.5
# ...and the model must be this sure of it: the bar of ``relations.MODEL_CONTRADICTION`` was
# set on NLI pairs, where a reader compares two sentences; a report puts thousands of
# headlines side by side, and one told with a kicker ("Energy threat: Europe rejected
# Putin's ultimatum." / "Europe rejected Putin's ultimatum.") can read 0.67. Set on the tune
# half of the planted benchmark (``benchmarks/report.py planted --half tune --model-bars``).
# A contradiction reads as one whichever statement comes first, while two different scenes
# told alike often read as one in one order only ("Osama bin Laden owns Citibank." / "Osama
# bin Laden Owns Snapple Rumor": 0.81 one way, 0.20 the other): the bar holds both ways.
REPORT_MODEL_CONTRADICTION = 0.8
# Figures move as news comes in: tolls, sums raised, people fled are counted again; prices
# rise, then fall; a border opens, then closes. Two statements whose only conflicts are such
# changes (``relations.may_change``: a figure, words of opposite meaning), in articles
# published more than this many days apart, tell an update or another event ("pledged to
# match up to $3 million", 4 March; "have raised $30 million", 20 March), unless a date
# they share pins them to one moment. A week, set by hand: the planted benchmark cannot
# measure it (each planted conflict is published a day after its origin), and the RSS
# readings are what it was written after.
UPDATE_DAYS = 7
# The sentence that disputes a check-worthy statement need not be check-worthy itself: a
# headline quoting a denial or a figure scores low ("The CIA chief says Putin is 'entirely
# too healthy.'": 0.11). Sentences down to this bar may be the other side of a conflict.
PARTNER_MIN_CHECKWORTHY = 0.0
ALL_PAIRS_MAX = 5_000  # statements up to which ``contradictions_all_pairs`` runs

ProgressCallback = Callable[[int, int], None]
Embed = Callable[[list[str]], np.ndarray]  # passages -> vectors, as at ingest


@dataclass
class Statement:
    """A check-worthy sentence of the corpus, as it appears in a report."""

    id: str  # stable: a hash of the article id and the sentence text
    text: str
    lang: str | None
    checkworthy: float
    article: ArticleRef
    sentence: dict  # {"index", "start", "end"}
    relation: str | None = None  # to the cluster's claim; None for the claim itself
    guest: bool = False  # a member of another cluster, here for a conflict across the two

    @property
    def date(self) -> str | None:
        return self.article.date

    def by_date(self) -> tuple:
        """Sort key: by article date, undated last, then by id."""
        return (self.date is None, self.date or "", self.id)

    @property
    def source(self) -> str | None:
        return outlet_of(self.article.source, self.article.url)

    def to_dict(self) -> dict:
        found = {
            "id": self.id,
            "text": self.text,
            "lang": self.lang,
            "checkworthy": self.checkworthy,
            "relation": self.relation,
            "article": asdict(self.article),
            "sentence": self.sentence,
        }
        if self.guest:
            found["guest"] = True
        return found


@dataclass
class Conflict:
    """Two statements of a cluster, from different articles, that contradict each other.

    In ``evidence``, ``claim`` is what statement ``a`` says and ``match`` what ``b`` says.
    """

    a: str
    b: str
    evidence: list[dict]
    score: float  # cosine similarity of the two statements (on the claim/match scale)
    relation: str = CONTRADICTS

    def to_dict(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "relation": self.relation,
            "evidence": self.evidence,
            "score": round(self.score, 4),
        }


@dataclass
class Cluster:
    """Statements from several articles about one claim, and the pairs that contradict."""

    id: str
    claim: Statement  # the centre: the statement with the most links
    statements: list[Statement]  # the claim first, then by date
    conflicts: list[Conflict]

    @property
    def contested(self) -> bool:
        return bool(self.conflicts)

    @property
    def dates(self) -> list[str]:
        return sorted(s.date for s in self.statements if s.date)

    @property
    def sources(self) -> list[str]:
        return sorted({s.source for s in self.statements if s.source})

    def timeline(self) -> list[dict]:
        """The statements by article date, undated last."""
        ordered = sorted(self.statements, key=Statement.by_date)
        return [
            {
                "date": s.date,
                "date_inferred": s.article.date_inferred,
                "statement": s.id,
                "article": s.article.id,
                "source": s.source,
                "relation": s.relation,
            }
            for s in ordered
        ]

    def to_dict(self) -> dict:
        dates = self.dates
        return {
            "schema": SCHEMA,
            "id": self.id,
            "claim": self.claim.to_dict(),
            "statements": [s.to_dict() for s in self.statements],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "timeline": self.timeline(),
            "first_seen": dates[0] if dates else None,
            "last_seen": dates[-1] if dates else None,
            "sources": self.sources,
            "articles": len({s.article.id for s in self.statements}),
            "status": "unreviewed",
        }


@dataclass
class Report:
    """Every cluster found; ``contested`` are the ones a report file holds."""

    clusters: list[Cluster]
    statements: int  # statements searched from (``Filters.figures``)
    seconds: float = 0.0
    judged: int = 0  # distinct pairs the relation model read

    @property
    def contested(self) -> list[Cluster]:
        return [c for c in self.clusters if c.contested]

    def summary(self) -> dict:
        return {
            "statements": self.statements,
            "clusters": len(self.clusters),
            "contested": len(self.contested),
            "conflicts": sum(len(c.conflicts) for c in self.clusters),
            "pairs_judged": self.judged,
            "seconds": round(self.seconds, 2),
        }

    def write_jsonl(self, fh: IO[str]) -> None:
        """One JSON line per contested cluster."""
        for cluster in self.contested:
            fh.write(json.dumps(cluster.to_dict(), ensure_ascii=False) + "\n")


def build(
    store: Store,
    vectors: VectorIndex,
    model: str,
    *,
    filters: Filters = NO_FILTERS,
    min_score: float = SAME_MIN_SIMILARITY,
    limit: int | None = None,
    dismissed: set[frozenset[str]] | None = None,
    on_progress: ProgressCallback | None = None,
    relation_model: RelationModel | None = None,
    embed: Embed | None = None,
) -> Report:
    """Cluster the statements passing the filters and find the contested ones.

    ``min_score``: the similarity two statements need to be compared at all (on the
    claim/match scale of ``find``). ``limit``: search from only the ``limit`` most check-worthy
    statements, for a quick look. ``dismissed``: statement id pairs a reviewer said are no
    contradiction; they are not reported again. ``relation_model`` joins the rules on the
    pairs their gate lets through (None: the rules alone). ``embed`` embeds the statements
    that lose a headline kicker again without it (None: their stored vectors are searched).
    The cluster ids are recorded in ``store``.
    """
    started = time.perf_counter()
    ids = store.filtered_ids(filters)
    queries = ids[:limit] if limit is not None else ids
    everyone, graph = _graph(store, ids, filters, model, min_score, relation_model, embed)
    search = vectors.among(everyone)
    for first in range(0, len(queries), SEARCH_BATCH):
        batch = queries[first : first + SEARCH_BATCH]
        hits = search(np.vstack([graph.vectors[int(i)] for i in batch]), NEIGHBOURS + 1)
        keys = [
            graph.consider(u, v, raw)
            for u, found in zip(batch.tolist(), hits, strict=True)
            for v, raw in found
            if graph.comparable(u, v)
        ]
        graph.settle()
        for key in keys:
            graph.link(key)
        if on_progress:
            on_progress(min(first + SEARCH_BATCH, len(queries)), len(queries))
    clusters = graph.clusters(dismissed or set())
    _add_weekday_evidence(clusters, {graph.key[n]: r["features"] for n, r in graph.rows.items()})
    _assign_ids(store, clusters)
    clusters.sort(key=lambda c: (-len(c.conflicts), -len(c.sources), -len(c.statements), c.id))
    return Report(clusters, len(ids), time.perf_counter() - started, graph.judged)


def contradictions_all_pairs(
    store: Store,
    model: str,
    *,
    filters: Filters = NO_FILTERS,
    min_score: float = SAME_MIN_SIMILARITY,
    relation_model: RelationModel | None = None,
    embed: Embed | None = None,
    partners: bool = True,
) -> set[frozenset[str]]:
    """The statement id pairs that contradict when every pair above ``min_score`` is related,
    not only each statement's nearest neighbours: the baseline the report's candidate search
    is measured against. ``partners``: a statement against every sentence that may answer it
    (``partner_filters``), else against the other statements only. Quadratic, so for corpora
    of at most ``ALL_PAIRS_MAX`` statements."""
    ids = store.filtered_ids(filters)
    if len(ids) > ALL_PAIRS_MAX:
        raise InputError(
            f"{len(ids):,} statements: the all-pairs baseline stops at {ALL_PAIRS_MAX:,}"
        )
    everyone, graph = _graph(
        store, ids, filters, model, min_score, relation_model, embed, partners=partners
    )
    order = [int(i) for i in everyone]
    place = {node: i for i, node in enumerate(order)}
    queries = [int(i) for i in ids]
    matrix = np.vstack([graph.vectors[i] for i in order]) if order else np.zeros((0, 1))
    found: set[frozenset[str]] = set()
    for first in range(0, len(queries), SEARCH_BATCH):
        batch = queries[first : first + SEARCH_BATCH]
        raw = matrix[[place[u] for u in batch]] @ matrix.T
        rows_, cols = np.nonzero(graph.scale[0] * raw + graph.scale[1] >= min_score)
        keys = [
            graph.consider(batch[i], order[j], float(raw[i, j]))
            for i, j in zip(rows_.tolist(), cols.tolist(), strict=True)
            if graph.comparable(batch[i], order[j])
            # a pair of two statements once, from the one that comes first in ``order``
            and not (order[j] in graph.statements and j < place[batch[i]])
        ]
        graph.settle()
        found.update(
            frozenset((graph.key[u], graph.key[v]))
            for u, v in keys
            if graph.pairs[(u, v)][0] == CONTRADICTS
        )
        graph.pairs.clear()  # only the contradictions are kept: all pairs would not fit
    return found


def _graph(
    store: Store,
    ids: np.ndarray,
    filters: Filters,
    model: str,
    min_score: float,
    relation_model: RelationModel | None,
    embed: Embed | None,
    partners: bool = True,
) -> tuple[np.ndarray, _Graph]:
    """The sentences that may answer the statements ``ids`` (``partner_filters``; the
    statements alone without ``partners``), and the graph of them all, its kickers cut."""
    everyone = store.filtered_ids(partner_filters(filters)) if partners else ids
    rows = store.sentences_by_id(everyone.tolist(), filters.inferred_dates)
    vectors = _vectors(store, everyone)
    graph = _Graph(rows, vectors, _scale(model), min_score, relation_model, set(ids.tolist()))
    graph.embed_without_kickers(embed)
    return everyone, graph


def partner_filters(filters: Filters) -> Filters:
    """The filters of the sentences that may answer a statement: the same, with the
    check-worthiness bar lowered to ``PARTNER_MIN_CHECKWORTHY``."""
    if filters.min_checkworthy is None:
        return filters
    return replace(filters, min_checkworthy=min(filters.min_checkworthy, PARTNER_MIN_CHECKWORTHY))


def _scale(model: str) -> tuple[float, float]:
    return E5_PASSAGE_TO_QUERY if model in PACKAGED_MODELS else (1.0, 0.0)


_KICKER = re.compile(r"\s*([^:\n]{2,60}?)\s*:\s+(?=\S)")
_FOLDED_KICKERS = frozenset(fold(k) for k in KICKERS)


def _kicker(text: str) -> tuple[str, int] | None:
    """A headline's label before ":" ("Ukraine war: …"), folded, and where the rest begins."""
    found = _KICKER.match(text)
    if found is None or len(found.group(1).split()) > KICKER_MAX_WORDS:
        return None
    return fold(found.group(1)).lstrip("•- "), found.end()


def kickers(rows: dict[int, dict]) -> set[tuple[str | None, str]]:
    """(source, label) pairs that head statements of ``KICKER_MIN_REPEATS`` articles or more
    of one source: a feed's running labels, learned from the corpus itself."""
    heads = set()
    for row in rows.values():
        if found := _kicker(row["text"]):
            heads.add((row["article"].source, found[0], row["article"].id))
    counts = Counter((source, label) for source, label, _ in heads)
    return {key for key, n in counts.items() if n >= KICKER_MIN_REPEATS}


def without_kicker(
    text: str, features: Features | None, source: str | None, learned: set
) -> tuple[str, Features | None]:
    """The statement without its kicker, the features' offsets moved to match; as it is
    when it has none."""
    found = _kicker(text)
    if found is None or (found[0] not in _FOLDED_KICKERS and (source, found[0]) not in learned):
        return text, features
    cut = found[1]
    if features is not None:

        def shift(items: list) -> list:
            return [
                replace(x, start=x.start - cut, end=x.end - cut) for x in items if x.start >= cut
            ]

        features = replace(
            features,
            quantities=shift(features.quantities),
            dates=shift(features.dates),
            quotes=shift(features.quotes),
        )
    return text[cut:], features


_FIGURE_KINDS = frozenset(["number", "date"])  # conflicts ``same_event`` checks names for
_CAPITALISED = re.compile(r"\b[A-ZÀ-Ý][^\W\d_]*")


def _name_terms(text: str) -> set[str]:
    """The terms of a text's capitalised words."""
    return {t for w in _CAPITALISED.findall(text) for t in terms(w)}


def _event_words(statement: Side) -> tuple[set[str], set[str]]:
    """(names, what happened): the terms of capitalised words, and the others but words of
    speech ("says"), with figures and dates already masked (``Side.terms``)."""
    names = _name_terms(statement.text) & statement.terms
    return names, statement.terms - names - _REPORTING_TERMS


def _own_names(names: set[str], statement: Side, other: Side) -> set[str]:
    """The ``names`` of ``statement`` that ``other`` does not mention at all, speakers left
    out ("Ukraine says …" names who tells, not who acts)."""
    speakers = {t for phrase in statement.features.attributions for t in _name_terms(phrase)}
    return names - speakers - other.terms


def same_event(a: Side, b: Side, model_only: bool = False, figures_only: bool = False) -> bool:
    """Whether two statements can be about one event, so that their differences conflict:
    names in common (when both have names) and most words of what happened shared.
    "Macron a rencontré Poutine au Kremlin le 7 février" and "Poutine a reçu au Kremlin les
    diplômés le 21 juin" share names but not what happened. Across languages the words
    cannot be compared: every name and figure of the statement that has fewer must be in the
    other ("Macron called Putin on 20 February" names Macron, "Poutine a reçu à Moscou les
    diplômés le 21 juin" does not). ``model_only``: a contradiction no rule found, which asks
    more (``MODEL_EVENT_MIN_JACCARD``). ``figures_only``: a conflict of figures or dates
    alone, which also needs that each statement does not name someone or something the
    other never mentions ("Photograph shows Michelle Obama … at a 2011 Veterans Day
    ceremony" / "… President Obama … at a 2009 Veterans Day ceremony": two photographs)."""
    if a.lang and b.lang and a.lang != b.lang:
        fewer, more = sorted((a.anchors, b.anchors), key=len)
        return fewer <= more
    names_a, what_a = _event_words(a)
    names_b, what_b = _event_words(b)
    if names_a and names_b and not names_a & names_b:
        return False
    if figures_only and _own_names(names_a, a, b) and _own_names(names_b, b, a):
        return False
    where_a, where_b = places(a), places(b)
    if where_a and where_b and not where_a & where_b:
        return False  # the same news of two places: "strikes on Kharkiv" / "on Slovyansk"
    if not what_a or not what_b:
        return not model_only
    shared = len(what_a & what_b)
    if model_only and shared / len(what_a | what_b) < MODEL_EVENT_MIN_JACCARD:
        return False
    return shared / min(len(what_a), len(what_b)) >= EVENT_MIN_OVERLAP


def _prescribes(statement: Side) -> bool:
    """Whether a statement says what ought to be (``vocabulary.PRESCRIPTIVE``)."""
    return not PRESCRIPTIVE.isdisjoint(statement.words)


def _rule_findings(evidence: list[dict]) -> list[dict]:
    """The rules' conflicting findings (no model verdict, no agreement)."""
    return [e for e in evidence if not e.get("agrees") and e["kind"] not in VERDICT_KINDS]


def _rule_kinds(evidence: list[dict]) -> set[str]:
    """The kinds of the rules' conflicting findings."""
    return {e["kind"] for e in _rule_findings(evidence)}


def later_update(evidence: list[dict], day_a: dt.date | None, day_b: dt.date | None) -> bool:
    """Whether a contradiction is a change told later (``UPDATE_DAYS``): only changes among
    the rules' findings (a figure counted again, a direction or state turned: ``may_change``),
    no date shared, both articles dated (an inferred date is only a lower bound) and far
    enough apart."""
    pinned = any(e["kind"] == "date" and e.get("agrees") for e in evidence)
    found = _rule_findings(evidence)
    if not found or not all(map(may_change, found)) or pinned or None in (day_a, day_b):
        return False
    return abs((day_a - day_b).days) > UPDATE_DAYS


def _add_weekday_evidence(clusters: Iterable[Cluster], features: dict[str, dict | None]) -> None:
    """A weekday that does not fit its date ("lundi 8 février" in 2022) casts doubt on its
    statement: shown in every conflict the statement is part of. ``relations.relate`` compares
    two statements, so this one-sided finding is added here."""
    for cluster in clusters:
        for conflict in cluster.conflicts:
            for role, statement in (("claim", conflict.a), ("match", conflict.b)):
                dates = (features.get(statement) or {}).get("dates", [])
                conflict.evidence += [
                    {"kind": "weekday", role: d["text"], "date": d["date"]}
                    for d in wrong_weekdays(dates)
                ]


def statement_id(article_id: str, text_hash: str) -> str:
    """A statement's stable id: the same sentence of the same article keeps it on re-ingest."""
    digest = hashlib.blake2b(f"{article_id}\0{text_hash}".encode(), digest_size=6)
    return "s" + digest.hexdigest()


def _vectors(store: Store, ids: np.ndarray) -> dict[int, np.ndarray]:
    found: dict[int, np.ndarray] = {}
    for batch_ids, batch_vectors in store.iter_vectors(ids):
        found.update(zip(batch_ids.tolist(), batch_vectors, strict=True))
    return found


class _Graph:
    """Statements linked by agreement or contradiction, and the relation of every pair seen."""

    def __init__(
        self,
        rows: dict[int, dict],
        vectors: dict[int, np.ndarray],
        scale: tuple[float, float],
        min_score: float,
        model: RelationModel | None = None,
        statements: set[int] | None = None,
    ) -> None:
        self.rows = rows
        # The statements; the other rows only ever answer one of them.
        self.statements = set(rows) if statements is None else statements
        self.vectors = vectors
        self.scale = scale
        self.min_score = min_score
        self.model = model
        # Same-thing pairs the model has not read, with what the rules found on them.
        self.pending: list[tuple[tuple[int, int], Findings]] = []
        self.judged = 0
        # The model's verdicts by the two sides' ``surface``: a sentence repeated by many
        # articles is read once against each other sentence, not once per copy.
        self._verdicts: dict[tuple[str, str], dict] = {}
        self._reversed: dict[tuple[str, str], float] = {}  # ``_reverse`` by the two surfaces
        self.links: dict[int, dict[int, float]] = defaultdict(dict)  # same-thing links
        self.pairs: dict[tuple[int, int], tuple[str, list[dict], float]] = {}
        self._sides: dict[int, Side] = {}
        self._events: dict[tuple[int, int, bool, bool], bool] = {}
        self.kickers = kickers(rows)
        self.recut: set[int] = set()  # statements embedded again without their kicker
        # Ties are broken by the stable statement id, never by the index's own sentence id,
        # so the clusters (and their new ids) do not depend on the order of ingest.
        self.key = {n: statement_id(r["article"].id, r["hash"]) for n, r in rows.items()}

    def similarity(self, u: int, v: int, raw: float | None = None) -> float:
        """On the claim/match scale; ``raw``, the index's cosine, unless a side was embedded
        again without its kicker."""
        if raw is None or u in self.recut or v in self.recut:
            raw = float(self.vectors[u] @ self.vectors[v])
        return self.scale[0] * raw + self.scale[1]

    def embed_without_kickers(self, embed: Embed | None) -> None:
        """Statements whose kicker is cut get a vector of the rest (once per distinct text),
        so that a feed's label no longer makes its headlines each other's nearest
        neighbours; the index's vectors of the others are searched as they are."""
        if embed is None:
            return
        cut = {}
        for node, row in self.rows.items():
            text, _ = without_kicker(row["text"], None, row["article"].source, self.kickers)
            if text != row["text"]:
                cut[node] = text
        if not cut:
            return
        texts = sorted(set(cut.values()))
        fresh = dict(zip(texts, embed(texts), strict=True))
        for node, text in cut.items():
            self.vectors[node] = fresh[text]
        self.recut = set(cut)

    def relation(self, u: int, v: int, raw: float | None = None) -> tuple[str, list[dict], float]:
        """The relation of two statements, the earlier one (by date, then id) as the claim."""
        key = self.consider(u, v, raw)
        self.settle()
        return self.pairs[key]

    def consider(self, u: int, v: int, raw: float | None = None) -> tuple[int, int]:
        """Relate a pair by the rules, and queue it for the relation model when the rules'
        gate says the two are about the same thing (``settle`` asks the model)."""
        a, b = (u, v) if self._order(u) <= self._order(v) else (v, u)
        key = (a, b)
        if key in self.pairs:
            return key
        similarity = self.similarity(a, b, raw)
        ra, rb = self.rows[a], self.rows[b]
        if similarity < self.min_score:
            self.pairs[key] = ("related", [], similarity)
        elif ra["hash"] == rb["hash"] or self._side(a).surface == self._side(b).surface:
            self.pairs[key] = (AGREES, [], similarity)
        else:
            rules = findings(self._side(a), self._side(b), similarity, strict=True)
            found = decide(rules)
            self.pairs[key] = (self._event(key, found), found.evidence, similarity)
            # with a sentence below the bar, only a rule's conflict counts: the model may
            # overrule it, never add one (``_event``)
            wanted = self.claims_only(key) or found.relation == CONTRADICTS
            if self.model is not None and found.same_thing and wanted:
                self.pending.append((key, rules))
        return key

    def settle(self) -> None:
        """The relation model's verdicts on the queued pairs, in one batch, joined to the
        rules (``relations.relate``). Only same-thing pairs are read: they are the ones a
        verdict can turn, and few enough for the report to stay linear and quick."""
        if not self.pending:
            return
        queued, self.pending = self.pending, []
        from .relation_model import model_floor  # loaded with the model itself

        floor = model_floor()
        unread: dict[tuple[str, str], Findings] = {}
        for _, rules in queued:
            texts = (rules.a.surface, rules.b.surface)
            if rules.similarity >= floor and texts not in self._verdicts:
                unread.setdefault(texts, rules)
        read = self.model.judge(
            [(rules.a.text, rules.b.text) for rules in unread.values()],
            [rules.similarity for rules in unread.values()],
        )
        self._verdicts.update(zip(unread, read, strict=True))
        self.judged += len(unread)
        for key, rules in queued:
            verdict = {}
            if rules.similarity >= floor:
                verdict = self._verdicts[rules.a.surface, rules.b.surface]
            found = decide(rules, model=verdict)
            self.pairs[key] = (self._event(key, found), found.evidence, rules.similarity)

    def _event(self, key: tuple[int, int], found: Relation) -> str:
        """A contradiction stands only between statements about one event (``same_event``)."""
        if found.relation != CONTRADICTS:
            return found.relation
        days = (self.rows[key[0]]["article"].day, self.rows[key[1]]["article"].day)
        if later_update(found.evidence, *days):
            return RELATED
        a, b = self._side(key[0]), self._side(key[1])
        if _prescribes(a) != _prescribes(b):
            return RELATED  # what should be against what is: an opinion
        kinds = _rule_kinds(found.evidence)
        model_only = not kinds
        if model_only and not self.claims_only(key):
            return RELATED  # a sentence below the check-worthiness bar needs a rule's finding
        sure = [e["score"] for e in found.evidence if e.get("label") == "contradiction"]
        if model_only and (
            max(sure, default=0.0) < REPORT_MODEL_CONTRADICTION
            or self._reverse(key) < REPORT_MODEL_CONTRADICTION
        ):
            return RELATED
        figures_only = bool(kinds) and kinds <= _FIGURE_KINDS
        event = (*key, model_only, figures_only)
        if event not in self._events:
            self._events[event] = same_event(a, b, model_only, figures_only)
        return CONTRADICTS if self._events[event] else RELATED

    def _reverse(self, key: tuple[int, int]) -> float:
        """P(contradiction) with the pair's statements read in the other order than
        ``judge`` reads them (the first as premise), once per distinct pair of texts."""
        a, b = self._side(key[0]), self._side(key[1])
        if (a.surface, b.surface) not in self._reversed:
            [found] = self.model.predict([(a.text, b.text)])
            self._reversed[a.surface, b.surface] = found["scores"]["contradiction"]
            self.judged += 1
        return self._reversed[a.surface, b.surface]

    def _side(self, node: int) -> Side:
        """Each statement made ready for comparison once, whatever it meets, without its
        headline kicker."""
        if node not in self._sides:
            row = self.rows[node]
            stored = Features.from_dict(row["features"]) if row["features"] else None
            text, stored = without_kicker(row["text"], stored, row["article"].source, self.kickers)
            lang = row["lang"] or row["article"].lang
            self._sides[node] = side(text, stored, row["article"].day, lang)
        return self._sides[node]

    def claims_only(self, key: tuple[int, int]) -> bool:
        """Whether both sentences of a pair are statements (none below the bar)."""
        return key[0] in self.statements and key[1] in self.statements

    def comparable(self, u: int, v: int) -> bool:
        """Two sentences of the corpus from different articles, at least one check-worthy."""
        return (
            u != v
            and u in self.rows
            and v in self.rows
            and (u in self.statements or v in self.statements)
            and not self._same_article(u, v)
        )

    def link(self, key: tuple[int, int]) -> None:
        """Link a related pair when it agrees or contradicts; a sentence below the
        check-worthiness bar only where it contradicts."""
        relation, _, similarity = self.pairs[key]
        if relation == CONTRADICTS or relation == AGREES and self.claims_only(key):
            u, v = key
            self.links[u][v] = self.links[v][u] = similarity

    def stars(self) -> list[list[int]]:
        """Star clustering, each leftover attached to its closest neighbour's cluster."""
        order = sorted(
            self.links, key=lambda n: (-len(self.links[n]), -self._worth(n), self.key[n])
        )
        owner: dict[int, int] = {}  # statement -> its cluster's centre
        members: dict[int, list[int]] = {}
        for centre in order:
            if centre in owner or centre not in self.statements:
                continue
            free = [m for m in self._closest(centre) if m not in owner]
            if not free:
                continue
            members[centre] = [centre, *free[: MAX_CLUSTER - 1]]
            for m in members[centre]:
                owner[m] = centre
        for node in order:  # leftovers: every link taken by another centre
            if node not in owner:
                for m in self._closest(node):
                    if m in owner and len(members[owner[m]]) < MAX_CLUSTER:
                        owner[node] = owner[m]
                        members[owner[m]].append(node)
                        break
        return list(members.values())

    def clusters(self, dismissed: set[frozenset[str]]) -> list[Cluster]:
        """The star clusters with their conflicts; a contradiction between statements of two
        clusters is added to the earlier statement's cluster, the other one as a guest."""
        groups = self.stars()
        found = [self.cluster(members, dismissed) for members in groups]
        home = {m: n for n, members in enumerate(groups) for m in members}
        crossing = sorted(
            (key for key, (relation, _, _) in self.pairs.items() if relation == CONTRADICTS),
            key=lambda k: (self.key[k[0]], self.key[k[1]]),
        )
        for a, b in crossing:
            if home.get(a) is not None and home.get(a) == home.get(b):
                continue  # inside one cluster: ``cluster`` has it
            if frozenset((self.key[a], self.key[b])) in dismissed:
                continue
            if a not in home and b not in home:  # every cluster they could join was full
                home[a] = home[b] = len(found)
                found.append(self.cluster([a, b], dismissed))
                continue
            target = found[home[a] if a in home else home[b]]
            guest = b if a in home else a
            if all(s.id != self.key[guest] for s in target.statements):
                statement = self._statement(guest)
                statement.relation, statement.guest = CONTRADICTS, True
                target.statements.append(statement)
                target.statements[1:] = sorted(target.statements[1:], key=Statement.by_date)
            _, evidence, similarity = self.pairs[(a, b)]
            target.conflicts.append(Conflict(self.key[a], self.key[b], evidence, similarity))
            target.conflicts.sort(key=lambda c: -c.score)
        return found

    def cluster(self, members: list[int], dismissed: set[frozenset[str]]) -> Cluster:
        """Relate every pair of statements from different articles; the first is the claim.
        Pairs in ``dismissed`` are no conflict."""
        centre = members[0]
        conflicts = []
        for i, u in enumerate(members):  # every pair related first, the model in one batch
            for v in members[i + 1 :]:
                if self.comparable(u, v):
                    self.consider(u, v)
        self.settle()
        for i, u in enumerate(members):
            for v in members[i + 1 :]:
                if not self.comparable(u, v):
                    continue
                relation, evidence, similarity = self.relation(u, v)
                if (
                    relation == CONTRADICTS
                    and frozenset((self.key[u], self.key[v])) not in dismissed
                ):
                    a, b = sorted((u, v), key=self._order)
                    conflicts.append(Conflict(self.key[a], self.key[b], evidence, similarity))
        claim = self._statement(centre)
        others = []
        for m in members[1:]:
            statement = self._statement(m)
            same = self._same_article(centre, m)
            statement.relation = "related" if same else self.relation(centre, m)[0]
            others.append(statement)
        others.sort(key=Statement.by_date)
        conflicts.sort(key=lambda c: -c.score)
        return Cluster("", claim, [claim, *others], conflicts)

    def _closest(self, node: int) -> list[int]:
        return sorted(self.links[node], key=lambda m: (-self.links[node][m], self.key[m]))

    def _same_article(self, u: int, v: int) -> bool:
        return self.rows[u]["article"].id == self.rows[v]["article"].id

    def _worth(self, node: int) -> float:
        return self.rows[node]["checkworthy"]

    def _order(self, node: int) -> tuple:
        row = self.rows[node]
        return (row["article"].date is None, row["article"].date or "", self.key[node])

    def _statement(self, node: int) -> Statement:
        row = self.rows[node]
        return Statement(
            id=self.key[node],
            text=row["text"],
            lang=row["lang"],
            checkworthy=row["checkworthy"],
            article=row["article"],
            sentence=row["sentence"],
        )


def _assign_ids(store: Store, clusters: Iterable[Cluster]) -> None:
    """Give each cluster the id most of its statements had last time, else a new one, and
    record the ids. Larger clusters choose first; an id is given once per report."""
    clusters = sorted(clusters, key=lambda c: (-len(c.statements), c.claim.id))
    members = {id(c): [s for s in c.statements if not s.guest] for c in clusters}
    known = store.cluster_ids(s.id for c in clusters for s in members[id(c)])
    taken: set[str] = set()
    for cluster in clusters:
        votes = Counter(known[s.id] for s in members[id(cluster)] if s.id in known)
        previous = [cid for cid, _ in sorted(votes.items(), key=lambda x: (-x[1], x[0]))]
        cluster.id = next((cid for cid in previous if cid not in taken), "")
        if not cluster.id:
            fresh = ("c" + s.id[1:] for s in members[id(cluster)])
            cluster.id = next((cid for cid in fresh if cid not in taken), "")
        if not cluster.id:  # every member's hash already names another cluster of this run
            joined = "\0".join(sorted(s.id for s in members[id(cluster)]))
            cluster.id = "c" + hashlib.blake2b(joined.encode(), digest_size=6).hexdigest()
        taken.add(cluster.id)
    store.set_cluster_ids({s.id: c.id for c in clusters for s in members[id(c)]})
