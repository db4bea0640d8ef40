"""The report step: the claims in a corpus that other articles dispute, with both sides.

1. The check-worthy sentences (``factcheck.checkworthy``, stored at ingest) are the statements.
2. One batched FAISS search gives each statement its nearest statements in *other* articles
   (``NEIGHBOURS`` of them): the work grows with the corpus, not with its square.
3. Each close pair is related (``factcheck.relations``); pairs that agree or contradict are
   about the same thing and link the two statements.
4. Star clustering on those links: the statement with the most links, then the next one not
   yet taken, gathers its linked statements; a statement whose links were all taken joins its
   closest neighbour's cluster. Chains cannot grow: a member is at most two links from its
   centre (clusters are not merged, so a contradiction between two clusters goes unreported).
5. Every pair of statements from different articles inside a cluster is related; a cluster
   with at least one contradiction is **contested**.
6. Cluster ids are kept in the index (``claim_ids``): a cluster takes the id that most of its
   statements had in the last report, so a claim keeps its id as the corpus grows; a new
   cluster's id is a hash of its centre statement.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import IO, TYPE_CHECKING

import numpy as np

from .dates import wrong_weekdays
from .embed import PACKAGED_MODELS
from .features import Features
from .filters import NO_FILTERS, Filters
from .models import ArticleRef
from .outlets import outlet_of
from .relations import (
    AGREES,
    CONTRADICTS,
    SAME_MIN_SIMILARITY,
    Findings,
    Side,
    decide,
    findings,
    side,
)
from .store import Store
from .vectors import VectorIndex

if TYPE_CHECKING:
    from .relation_model import RelationModel

SCHEMA = "factcheck.report/2"
NEIGHBOURS = 20  # nearest statements searched for each statement
SEARCH_BATCH = 512  # statements searched in one FAISS call
MAX_CLUSTER = 60  # statements in one cluster at most (every pair of them is related)
# The report compares two indexed sentences, both embedded as passages; the relation
# thresholds were set on claim-as-query similarities. For the packaged e5 model, passage/passage
# cosines run higher (mean +0.027 on 600 XNLI fr pairs); a least-squares fit on those pairs
# (r = 0.87) maps them back: query/passage ≈ 0.78 · passage/passage + 0.17.
E5_PASSAGE_TO_QUERY = (0.78, 0.17)

ProgressCallback = Callable[[int, int], None]


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
        return {
            "id": self.id,
            "text": self.text,
            "lang": self.lang,
            "checkworthy": self.checkworthy,
            "relation": self.relation,
            "article": asdict(self.article),
            "sentence": self.sentence,
        }


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
    statements: int  # check-worthy statements considered
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
) -> Report:
    """Cluster the check-worthy statements passing the filters and find the contested ones.

    ``min_score``: the similarity two statements need to be compared at all (on the
    claim/match scale of ``find``). ``limit``: search from only the ``limit`` most check-worthy
    statements, for a quick look. ``dismissed``: statement id pairs a reviewer said are no
    contradiction; they are not reported again. ``relation_model`` joins the rules on the
    pairs their gate lets through (None: the rules alone). The cluster ids are recorded in
    ``store``.
    """
    started = time.perf_counter()
    ids = store.filtered_ids(filters)
    queries = ids[:limit] if limit is not None else ids
    rows = store.sentences_by_id(ids.tolist(), filters.inferred_dates)
    matrix = _vectors(store, ids)
    scale = E5_PASSAGE_TO_QUERY if model in PACKAGED_MODELS else (1.0, 0.0)
    graph = _Graph(rows, matrix, scale, min_score, relation_model)
    for first in range(0, len(queries), SEARCH_BATCH):
        batch = queries[first : first + SEARCH_BATCH]
        hits = vectors.search_many(
            np.vstack([matrix[int(i)] for i in batch]), NEIGHBOURS + 1, allowed=ids
        )
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
    clusters = [graph.cluster(members, dismissed or set()) for members in graph.stars()]
    _add_weekday_evidence(clusters, {graph.key[n]: r["features"] for n, r in rows.items()})
    _assign_ids(store, clusters)
    clusters.sort(key=lambda c: (-len(c.conflicts), -len(c.sources), -len(c.statements), c.id))
    return Report(clusters, len(ids), time.perf_counter() - started, graph.judged)


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
    ) -> None:
        self.rows = rows
        self.vectors = vectors
        self.scale = scale
        self.min_score = min_score
        self.model = model
        # Same-thing pairs the model has not read, with what the rules found on them.
        self.pending: list[tuple[tuple[int, int], Findings]] = []
        self.judged = 0
        self.links: dict[int, dict[int, float]] = defaultdict(dict)  # same-thing links
        self.pairs: dict[tuple[int, int], tuple[str, list[dict], float]] = {}
        self._sides: dict[int, Side] = {}
        # Ties are broken by the stable statement id, never by the index's own sentence id,
        # so the clusters (and their new ids) do not depend on the order of ingest.
        self.key = {n: statement_id(r["article"].id, r["hash"]) for n, r in rows.items()}

    def similarity(self, u: int, v: int, raw: float | None = None) -> float:
        if raw is None:
            raw = float(self.vectors[u] @ self.vectors[v])
        return self.scale[0] * raw + self.scale[1]

    def relation(self, u: int, v: int, raw: float | None = None) -> tuple[str, list[dict], float]:
        """The relation of two statements, the earlier one (by date, then id) as the claim."""
        key = self.consider(u, v, raw)
        self.settle()
        return self.pairs[key]

    def consider(self, u: int, v: int, raw: float | None = None) -> tuple[int, int]:
        """Relate a pair by the rules, and queue it for the relation model when the rules'
        gate says the two are about the same thing (``settle`` asks the model)."""
        a, b = sorted((u, v), key=self._order)
        key = (a, b)
        if key in self.pairs:
            return key
        similarity = self.similarity(a, b, raw)
        ra, rb = self.rows[a], self.rows[b]
        if similarity < self.min_score:
            self.pairs[key] = ("related", [], similarity)
        elif ra["hash"] == rb["hash"]:
            self.pairs[key] = (AGREES, [], similarity)
        else:
            rules = findings(self._side(a), self._side(b), similarity, strict=True)
            found = decide(rules)
            self.pairs[key] = (found.relation, found.evidence, similarity)
            if self.model is not None and found.same_thing:
                self.pending.append((key, rules))
        return key

    def settle(self) -> None:
        """The relation model's verdicts on the queued pairs, in one batch, joined to the
        rules (``relations.relate``). Only same-thing pairs are read: they are the ones a
        verdict can turn, and few enough for the report to stay linear and quick."""
        if not self.pending:
            return
        queued, self.pending = self.pending, []
        texts = [(rules.a.text, rules.b.text) for _, rules in queued]
        sims = [rules.similarity for _, rules in queued]
        for (key, rules), verdict in zip(queued, self.model.judge(texts, sims), strict=True):
            found = decide(rules, model=verdict)
            self.pairs[key] = (found.relation, found.evidence, rules.similarity)
        self.judged += len(queued)

    def _side(self, node: int) -> Side:
        """Each statement made ready for comparison once, whatever it meets."""
        if node not in self._sides:
            row = self.rows[node]
            stored = Features.from_dict(row["features"]) if row["features"] else None
            self._sides[node] = side(row["text"], stored, row["article"].day)
        return self._sides[node]

    def comparable(self, u: int, v: int) -> bool:
        """Two statements of the corpus, from different articles."""
        return u != v and u in self.rows and v in self.rows and not self._same_article(u, v)

    def link(self, key: tuple[int, int]) -> None:
        """Link a related pair when it agrees or contradicts."""
        relation, _, similarity = self.pairs[key]
        if relation in (AGREES, CONTRADICTS):
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
            if centre in owner:
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

    def cluster(self, members: list[int], dismissed: set[frozenset[str]]) -> Cluster:
        """Relate every pair of statements from different articles; the first is the claim.
        Pairs in ``dismissed`` are no conflict."""
        centre = members[0]
        conflicts = []
        for i, u in enumerate(members):  # every pair related first, the model in one batch
            for v in members[i + 1 :]:
                if not self._same_article(u, v):
                    self.consider(u, v)
        self.settle()
        for i, u in enumerate(members):
            for v in members[i + 1 :]:
                if self._same_article(u, v):
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
    known = store.cluster_ids(s.id for c in clusters for s in c.statements)
    taken: set[str] = set()
    for cluster in clusters:
        votes = Counter(known[s.id] for s in cluster.statements if s.id in known)
        previous = [cid for cid, _ in sorted(votes.items(), key=lambda x: (-x[1], x[0]))]
        cluster.id = next((cid for cid in previous if cid not in taken), "")
        if not cluster.id:
            fresh = ("c" + s.id[1:] for s in cluster.statements)
            cluster.id = next((cid for cid in fresh if cid not in taken), "")
        if not cluster.id:  # every member's hash already names another cluster of this run
            joined = "\0".join(sorted(s.id for s in cluster.statements))
            cluster.id = "c" + hashlib.blake2b(joined.encode(), digest_size=6).hexdigest()
        taken.add(cluster.id)
    store.set_cluster_ids({s.id: c.id for c in clusters for s in c.statements})
