"""The review step: people confirm or dismiss what the report found, before anything goes out.

A decision is about a whole cluster of the report or about one of its conflicts (a pair of
statement ids): ``confirmed`` (a real contradiction), ``dismissed`` (not one, or a wrong
match) or ``needs-work``, with a note, a reviewer and a time; a cluster also gets a
verdict for publication, chosen by the reviewer, never by the tool.

Decisions are appended to a JSON Lines file (``claims/decisions.jsonl`` by default) that a
newsroom keeps under version control and merges like any text file, and mirrored in the
index's SQLite for queries. The file is the truth: when it changes (a colleague's merge, a
checkout), opening the reviews rebuilds the SQLite copy from it, leaving out (and naming)
the lines it cannot read. The latest decision is the last in the file, whatever the clocks of
the reviewers' machines said. Decisions name clusters and statements by their stable ids, so
they stay attached when the corpus grows or is re-ingested.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import io
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from .errors import FactcheckError
from .store import Store

SCHEMA = "factcheck.decision/1"
DECISIONS = ("confirmed", "dismissed", "needs-work")
VERDICTS = ("false", "misleading", "accurate", "unproven")
DEFAULT_FILE = Path("claims") / "decisions.jsonl"
_SYNCED = "decisions_sha256"  # meta key: the file the SQLite copy was built from
_SKIPPED = "decisions_skipped"  # meta key: the lines of that file left out, and why (JSON)
_JSON_TYPES = {dict: "an object", list: "an array", bool: "true or false"}


class ReviewError(FactcheckError):
    """A decision that cannot be recorded or read; the message names the file and line."""


def default_file() -> Path:
    """``$FACTCHECK_DECISIONS``, else ``claims/decisions.jsonl`` in the working directory."""
    return Path(os.environ.get("FACTCHECK_DECISIONS", DEFAULT_FILE))


def default_reviewer() -> str:
    """``$FACTCHECK_REVIEWER``, else the login name."""
    try:
        return os.environ.get("FACTCHECK_REVIEWER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class Decision:
    """One reviewer's decision on a cluster (``conflict`` is None) or on one conflict."""

    cluster: str
    decision: str | None = None  # confirmed | dismissed | needs-work; None: a verdict alone
    conflict: tuple[str, str] | None = None  # (a, b) statement ids, as in the report
    verdict: str | None = None  # false | misleading | accurate | unproven (cluster only)
    note: str | None = None
    reviewer: str = field(default_factory=default_reviewer)
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    claim: str | None = None  # the claim's text when decided: the file reads on its own

    def __post_init__(self) -> None:
        if not self.cluster:
            raise ReviewError("a decision needs a cluster id")
        if self.decision is not None and self.decision not in DECISIONS:
            raise ReviewError(f"decision {self.decision!r} is not one of {', '.join(DECISIONS)}")
        if self.verdict is not None and self.verdict not in VERDICTS:
            raise ReviewError(f"verdict {self.verdict!r} is not one of {', '.join(VERDICTS)}")
        if self.decision is None and self.verdict is None and not self.note:
            raise ReviewError(
                "a decision needs --confirm, --dismiss, --needs-work, a verdict or a note"
            )
        if self.conflict is not None:
            if len(self.conflict) != 2 or not all(isinstance(s, str) for s in self.conflict):
                raise ReviewError("a conflict is a pair of statement ids")
            if self.verdict is not None:
                raise ReviewError("a verdict is given to a whole cluster, not to one conflict")
            self.conflict = (self.conflict[0], self.conflict[1])

    @property
    def key(self) -> tuple[str, frozenset[str] | None]:
        """What the decision is about: later decisions on the same key replace earlier ones."""
        return self.cluster, frozenset(self.conflict) if self.conflict else None

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA,
            "cluster": self.cluster,
            "conflict": list(self.conflict) if self.conflict else None,
            "decision": self.decision,
            "verdict": self.verdict,
            "note": self.note,
            "reviewer": self.reviewer,
            "at": self.at,
            "claim": self.claim,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Decision:
        if not isinstance(data, dict):
            raise ReviewError("not a JSON object")
        if data.get("schema") not in (None, SCHEMA):
            raise ReviewError(f"schema {data.get('schema')!r}; this factcheck reads {SCHEMA!r}")
        conflict = data.get("conflict")
        return cls(
            cluster=str(data.get("cluster") or ""),
            decision=data.get("decision"),
            conflict=tuple(conflict) if conflict else None,
            verdict=data.get("verdict"),
            note=_text(data, "note"),
            reviewer=str(data.get("reviewer") or "unknown"),
            at=str(data.get("at") or ""),
            claim=_text(data, "claim"),
        )


def _text(data: dict, key: str) -> str | None:
    """A free-text field; a number (a note "12" a hand edit left unquoted) becomes its text,
    anything else is refused: an object would reach SQLite, the page and the ClaimReview."""
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ReviewError(f"{key!r} must be text, not {_JSON_TYPES.get(type(value), 'that')}")


@dataclass
class ClusterState:
    """Where the review of one cluster stands: the latest decision on each target."""

    decision: Decision | None = None  # on the whole cluster
    verdict: Decision | None = None  # the latest decision that gave a verdict
    conflicts: dict[frozenset[str], Decision] = field(default_factory=dict)

    @property
    def reviewed(self) -> bool:
        return self.decision is not None or bool(self.conflicts)

    @property
    def confirmed(self) -> bool:
        """A real contradiction: the cluster, or one of its conflicts, confirmed."""
        if self.decision is not None and self.decision.decision == "dismissed":
            return False
        return (self.decision is not None and self.decision.decision == "confirmed") or any(
            d.decision == "confirmed" for d in self.conflicts.values()
        )

    @property
    def publishable(self) -> bool:
        return self.confirmed and self.verdict is not None


class Reviews:
    """The decisions of one index, with their shared JSON Lines file."""

    def __init__(self, store: Store, path: str | Path | None = None) -> None:
        self.store = store
        self.path = Path(path) if path is not None else default_file()
        self.sync()

    # -- writing -----------------------------------------------------------------------

    def record(self, decision: Decision) -> Decision:
        """Append ``decision`` to the file, then to SQLite. The cluster must be in the last
        report, and a conflict in that cluster."""
        return self.record_many([decision])[0]

    def record_many(self, decisions: Sequence[Decision]) -> list[Decision]:
        """Record several decisions at once (one decision for every conflict of a cluster):
        all are checked first, then appended together, so a bad one records none."""
        for decision in decisions:
            line = self.store.report_line(decision.cluster)
            if line is None:
                raise ReviewError(
                    f"no cluster {decision.cluster!r} in the last report: run `factcheck report`"
                )
            if decision.conflict is not None:
                pairs = {frozenset((c["a"], c["b"])) for c in line["conflicts"]}
                if frozenset(decision.conflict) not in pairs:
                    raise ReviewError(
                        f"cluster {decision.cluster} has no conflict {decision.conflict[0]}:"
                        f"{decision.conflict[1]}"
                    )
            if decision.claim is None:
                decision.claim = line["claim"]["text"]
        text = "".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in decisions)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(self.path, exclusive=True) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
            self.store.add_decisions(_rows(decisions), {_SYNCED: self._sha()})
        return list(decisions)

    def sync(self) -> int:
        """Rebuild the SQLite copy when the file is not the one it was built from."""
        if not self.path.exists() and self.store.get_meta(_SYNCED) is None:
            return 0
        with _locked(self.path, exclusive=False):
            if self.store.get_meta(_SYNCED) == self._sha():
                return 0
            return self._rebuild(self.path)

    @property
    def skipped(self) -> list[str]:
        """The lines of the decisions file that SQLite holds no decision for, each as
        ``path:line: why``: invalid JSON, an unknown decision, a note that is not text…"""
        return json.loads(self.store.get_meta(_SKIPPED) or "[]")

    def import_file(self, path: str | Path) -> int:
        """Replace every decision in SQLite by those of ``path`` (one transaction); returns
        how many. A bad line is left out and named in ``skipped``."""
        if not Path(path).is_file():
            raise ReviewError(f"no decisions file at {path}")
        with _locked(Path(path), exclusive=False):
            return self._rebuild(Path(path))

    def _rebuild(self, path: Path) -> int:
        skipped: list[str] = []
        decisions = list(read_decisions(path, skipped))
        meta = {_SKIPPED: json.dumps(skipped, ensure_ascii=False)}
        if path == self.path:
            meta[_SYNCED] = self._sha()
        self.store.add_decisions(_rows(decisions), meta, replace=True)
        return len(decisions)

    def _sha(self) -> str:
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except FileNotFoundError:
            return hashlib.sha256(b"").hexdigest()

    # -- reading -----------------------------------------------------------------------

    def decisions(self, cluster: str | None = None) -> list[Decision]:
        """Every decision, in the order made (on one cluster when given)."""
        return _decisions(self.store, cluster)

    def state(self, cluster: str) -> ClusterState:
        return _fold(self.decisions(cluster)).get(cluster, ClusterState())

    def states(self) -> dict[str, ClusterState]:
        """The latest decision on each target, per cluster."""
        return _fold(self.decisions())

    def clusters(self) -> list[dict]:
        """The contested clusters of the last report (its JSON lines), most conflicts first."""
        return self.store.report_lines()

    def pending(self) -> list[dict]:
        """Clusters of the last report no one has decided on yet, in report order."""
        states = self.states()
        return [c for c in self.clusters() if not states.get(c["id"], ClusterState()).reviewed]

    def stats(self) -> dict:
        """Agreement between the tool and its reviewers on conflicts, by language pair: the
        share of the decided conflicts that reviewers confirmed."""
        langs = {}
        for line in self.clusters():
            by_id = {s["id"]: s.get("lang") or "und" for s in line["statements"]}
            for c in line["conflicts"]:
                pair = sorted({by_id.get(c["a"], "und"), by_id.get(c["b"], "und")})
                langs[(line["id"], frozenset((c["a"], c["b"])))] = "+".join(pair)
        counts: dict[str, Counter] = defaultdict(Counter)
        for cluster, state in self.states().items():
            for pair, d in state.conflicts.items():
                counts[langs.get((cluster, pair), "unknown")][d.decision] += 1
        out = {}
        for lang, c in sorted(counts.items()):
            decided = c["confirmed"] + c["dismissed"]
            out[lang] = {
                "confirmed": c["confirmed"],
                "dismissed": c["dismissed"],
                "needs-work": c["needs-work"],
                "agreement": round(c["confirmed"] / decided, 3) if decided else None,
            }
        return out


@contextmanager
def _locked(path: Path, exclusive: bool) -> Iterator[IO[str]]:
    """The decisions file, locked: writers one at a time, readers never see half a line."""
    if not path.exists() and not exclusive:
        yield io.StringIO()
        return
    with open(path, "a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield fh
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def dismissed_pairs(store: Store) -> set[frozenset[str]]:
    """Statement pairs whose latest decision is ``dismissed``: the report leaves them out."""
    return {
        pair
        for state in _fold(_decisions(store)).values()
        for pair, d in state.conflicts.items()
        if d.decision == "dismissed"
    }


def _decisions(store: Store, cluster: str | None = None) -> list[Decision]:
    """The decisions in SQLite, in the order of the file (on one cluster when given)."""
    return [Decision.from_dict(json.loads(x)) for x in store.decision_lines(cluster)]


def _rows(decisions: Iterable[Decision]) -> list[tuple]:
    """The SQLite rows of ``decisions`` (``Store.add_decisions``)."""
    return [
        (
            d.cluster,
            d.conflict[0] if d.conflict else None,
            d.conflict[1] if d.conflict else None,
            d.decision,
            d.verdict,
            d.note,
            d.reviewer,
            d.at,
            json.dumps(d.to_dict(), ensure_ascii=False),
        )
        for d in decisions
    ]


def _fold(decisions: Iterable[Decision]) -> dict[str, ClusterState]:
    """Per cluster, the latest decision on each target and the latest verdict."""
    found: dict[str, ClusterState] = defaultdict(ClusterState)
    for d in decisions:
        state = found[d.cluster]
        if d.verdict is not None:
            state.verdict = d
        if d.decision is None:
            continue
        if d.conflict is None:
            state.decision = d
        else:
            state.conflicts[frozenset(d.conflict)] = d
    return dict(found)


def read_decisions(path: Path, skipped: list[str]) -> Iterator[Decision]:
    """The decisions of a JSON Lines file, in its order; identical lines (a merge that kept
    both) once. A line that is no decision is appended to ``skipped`` (``path:line: why``),
    so that one hand edit gone wrong costs that line, not the review."""
    if not path.exists():
        return
    seen = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewError(f"{path}: cannot read ({exc})") from exc
    for lineno, line in enumerate(lines, start=1):
        if not line.strip() or line in seen:
            continue
        seen.add(line)
        try:
            yield Decision.from_dict(json.loads(line))
        except (ValueError, RecursionError) as exc:
            skipped.append(f"{path}:{lineno}: invalid JSON ({exc})")
        except TypeError as exc:
            skipped.append(f"{path}:{lineno}: a field has the wrong type ({exc})")
        except ReviewError as exc:
            skipped.append(f"{path}:{lineno}: {exc}")
