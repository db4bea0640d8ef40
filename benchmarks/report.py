"""`factcheck report` measured: planted conflicts found, and the report on a real RSS corpus.

Two runs, both reading ../shared/ in place (nothing is copied into the repository):

``planted``: the RSS corpus (3,059 dated items, ../shared/data/rss_2022_russia_ukraine.jsonl)
and the five seed articles (../shared/seeds/), plus the articles of
``benchmarks/data/planted/cases.jsonl`` published as other sources: conflicts of six kinds
planted against an RSS item or a seed sentence, harmless restatements, and statements about
other events that share words with one. Each origin (an RSS item or a seed) falls once, by a
fixed hash, into the ``tune`` half or the ``report`` half, with every case planted on it:
thresholds are set on ``tune``; the figures published are the ``report`` half's.

``rss``: the plain RSS corpus: report time with the relation model and without it
(``--rules-only``) on growing shares of the corpus, the distinct pairs judged, candidate
recall against the all-pairs baseline (every pair above ``--min-score`` related, on shares of
at most 5,000 statements), and the top contested clusters written out to be read by hand.

    python benchmarks/report.py planted [--half tune] [--rss-index DIR] [--floors F ...]
    python benchmarks/report.py planted --half tune --model-bars B ...
    python benchmarks/report.py rss [--index DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from splits import bucket

from factcheck import Corpus
from factcheck import report as reporting
from factcheck.checkworthy import MIN_CHECKWORTHY
from factcheck.filters import Filters
from factcheck.models import Article
from factcheck.relations import describe
from factcheck.report import Report, contradictions_all_pairs, statement_id

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared"
DATA = SHARED / "data" / "rss_2022_russia_ukraine.jsonl"
SEEDS = SHARED / "seeds"
CASES = HERE / "data" / "planted" / "cases.jsonl"
RESULTS = HERE / "results"
CONFLICT_KINDS = ("number", "date", "negation", "quantifier", "actor", "meaning")
HARMLESS_KINDS = ("restatement", "other_event")
TUNE, REPORT = "tune", "report"
SHARES = (0.25, 0.5, 1.0)  # of the RSS corpus, by date, for the growth table
ALL_PAIRS_MAX = 5_000  # statements up to which the all-pairs baseline is run
TOP = 30  # contested clusters of the plain RSS corpus written out to be read by hand
# The report's statements at its defaults (``Corpus.report``).
STATEMENTS = Filters(min_checkworthy=MIN_CHECKWORTHY, figures=True)
OUTLETS = ("wire-a.example", "wire-b.example", "wire-c.example")  # the planted articles'


def articles(path: Path = DATA) -> list[Article]:
    """One article per item: its title and summary; source = the site of its link."""
    found = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            text = "\n\n".join(p.strip() for p in (item["title"], item["description"]) if p)
            host = urlsplit(item.get("link") or item["source_feed"]).hostname or ""
            found.append(
                Article(
                    id=item["id"],
                    text=text,
                    title=item["title"],
                    date=item["date_published"][:10],
                    source=host.removeprefix("www."),
                    url=item.get("link"),
                    lang=item.get("language"),
                )
            )
    return sorted(found, key=lambda a: (a.date, a.id))


def read_cases(path: Path = CASES) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def half(case: dict) -> str:
    """The case's half: fixed by a hash of its origin, so that no origin is on both sides."""
    return TUNE if bucket("planted:" + case["origin"]) < 50 else REPORT


def planted_id(case: dict) -> str:
    return "planted-" + case["id"]


def planted_articles(cases: list[dict]) -> list[Article]:
    """Each case as an article of its own, from one of three made-up outlets."""
    return [
        Article(
            id=planted_id(c),
            text=c["text"],
            date=c["date"],
            source=OUTLETS[n % len(OUTLETS)],
            lang=c["lang"],
        )
        for n, c in enumerate(cases)
    ]


def evaluate(report: Report, cases: list[dict], part: str) -> dict:
    """Recall of the planted conflicts of one half, and precision of what the report says
    about its planted statements.

    A conflict is true when one side is a planted conflict and the other states its origin:
    a sentence of the origin item (an RSS headline restates its summary), a copy of the
    origin sentence in another item, or a planted restatement of it.
    Clusters and conflicts are judged when they hold a planted statement of this half;
    contested clusters among RSS statements alone are not labelled here (they are read by
    hand: ``rss``).
    """
    case_of = {planted_id(c): c for c in cases}
    statements = {s.id: s for cl in report.clusters for s in cl.statements}

    def states_origin(statement, case: dict) -> bool:
        other = case_of.get(statement.article.id)
        if other is not None:
            return other["kind"] == "restatement" and other["origin"] == case["origin"]
        origin = case["origin"].split(":", 1)[1].removesuffix(".txt")
        return statement.article.id == origin or case["says"] in statement.text

    def true_conflict(x, y) -> bool:
        for planted, other in ((x, y), (y, x)):
            case = case_of.get(planted.article.id)
            if case and case["kind"] in CONFLICT_KINDS and states_origin(other, case):
                return True
        return False

    found: set[str] = set()
    judged_clusters = real_clusters = judged_conflicts = true_conflicts = 0
    false_alarms = []
    for cluster in report.contested:
        touching = []
        for conflict in cluster.conflicts:
            x, y = statements[conflict.a], statements[conflict.b]
            mine = [
                case_of[s.article.id]
                for s in (x, y)
                if s.article.id in case_of and half(case_of[s.article.id]) == part
            ]
            if not mine:
                continue
            right = true_conflict(x, y)
            touching.append(right)
            if right:
                found.update(c["id"] for c in mine if c["kind"] in CONFLICT_KINDS)
            else:
                false_alarms.append(
                    {
                        "cases": [c["id"] for c in mine],
                        "a": x.text,
                        "b": y.text,
                        "evidence": [describe(e) for e in conflict.evidence],
                    }
                )
        if touching:
            judged_clusters += 1
            real_clusters += any(touching)
            judged_conflicts += len(touching)
            true_conflicts += sum(touching)
    mine = [c for c in cases if half(c) == part]
    per_kind = {}
    for kind in CONFLICT_KINDS:
        ids = [c["id"] for c in mine if c["kind"] == kind]
        per_kind[kind] = {"planted": len(ids), "found": sum(i in found for i in ids)}
    planted = sum(k["planted"] for k in per_kind.values())
    return {
        "half": part,
        "conflicts_planted": planted,
        "conflicts_found": len(found),
        "recall": round(len(found) / max(planted, 1), 3),
        "per_kind": per_kind,
        "missed": sorted(
            c["id"] for c in mine if c["kind"] in CONFLICT_KINDS and c["id"] not in found
        ),
        "contested_clusters_judged": judged_clusters,
        "contested_clusters_real": real_clusters,
        "cluster_precision": round(real_clusters / max(judged_clusters, 1), 3),
        "conflicts_judged": judged_conflicts,
        "conflict_precision": round(true_conflicts / max(judged_conflicts, 1), 3),
        "harmless_cases": sum(c["kind"] in HARMLESS_KINDS for c in mine),
        "false_alarms": false_alarms,
    }  # fmt: skip


def eligible(corpus: Corpus, cases: list[dict]) -> dict[str, bool]:
    """Whether both sides of each planted conflict are statements (check-worthy, or holding a
    figure or a date: the report searches from no others): a miss on a case that is not
    eligible is the check-worthiness filter's, not the report's."""
    statements = corpus.store.filtered_ids(STATEMENTS).tolist()
    rows = [(r["article"].id, r["text"]) for r in corpus.store.sentences_by_id(statements).values()]
    by_article = defaultdict(list)
    for article, text in rows:
        by_article[article].append(text)
    worthy = {}
    for c in cases:
        origin = c["origin"].split(":", 1)[1].removesuffix(".txt")
        worthy[c["id"]] = bool(by_article.get(planted_id(c))) and any(
            c["says"] in t for t in by_article.get(origin, [])
        )
    return worthy


def _ingest_rss(index: Path) -> float:
    started = time.perf_counter()
    with Corpus.open(index) as corpus:
        corpus.add(articles())
    return time.perf_counter() - started


def run_planted(args: argparse.Namespace) -> None:
    cases = read_cases()
    work = Path(tempfile.mkdtemp(prefix="factcheck-planted-"))
    index = work / "index"
    if args.rss_index:
        shutil.copytree(args.rss_index, index)
    else:
        _ingest_rss(index)
    with Corpus.open(index) as corpus:
        corpus.ingest([SEEDS])
        corpus.add(planted_articles(cases))
        if args.floors or args.model_bars:
            compare_settings(corpus, cases, args)
            shutil.rmtree(work, ignore_errors=True)
            return
        worthy = eligible(corpus, cases)
        runs, reports = {}, {}
        for name, rules_only in (("model", False), ("rules_only", True)):
            reports[name] = corpus.report(rules_only=rules_only)
            runs[name] = {
                "summary": reports[name].summary(),
                **evaluate(reports[name], cases, args.half),
            }
        baseline = None
        if reports["model"].statements <= ALL_PAIRS_MAX and not args.no_baseline:
            baseline = candidate_recall(corpus, reports["model"])
    shutil.rmtree(work, ignore_errors=True)

    conflict_cases = [c for c in cases if c["kind"] in CONFLICT_KINDS and half(c) == args.half]
    print(f"planted, {args.half} half: {len(conflict_cases)} conflicts")
    print("| run | kind | planted | found | recall |")
    print("|---|---|---:|---:|---:|")
    for name, run in runs.items():
        for kind, k in run["per_kind"].items():
            share = k["found"] / max(k["planted"], 1)
            print(f"| {name} | {kind} | {k['planted']} | {k['found']} | {share:.0%} |")
        print(
            f"| {name} | **all** | {run['conflicts_planted']} | {run['conflicts_found']} "
            f"| {run['recall']:.0%} |"
        )
    print("\n| run | contested clusters judged | real | precision | conflicts judged | precision |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, run in runs.items():
        print(
            f"| {name} | {run['contested_clusters_judged']} | {run['contested_clusters_real']} | "
            f"{run['cluster_precision']:.0%} | {run['conflicts_judged']} | "
            f"{run['conflict_precision']:.0%} |"
        )
        print(f"  missed: {', '.join(run['missed'])}", file=sys.stderr)
        for alarm in run["false_alarms"]:
            print(f"  false: {alarm}", file=sys.stderr)
    if baseline:
        print(f"\ncandidate recall vs all pairs: {baseline}")
    not_worthy = sorted(c["id"] for c in conflict_cases if not worthy[c["id"]])
    print(f"conflicts with a side that is no statement: {', '.join(not_worthy) or 'none'}")
    if args.half == REPORT:
        result = {
            "data": {"cases": "benchmarks/data/planted/cases.jsonl", "rss": DATA.name},
            "half": args.half,
            "runs": runs,
            "not_checkworthy": not_worthy,
            "candidate_recall": baseline,
            "machine": args.machine,
        }  # fmt: skip
        out = RESULTS / "report_planted.json"
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)


def compare_settings(corpus: Corpus, cases: list[dict], args: argparse.Namespace) -> None:
    """The report at several check-worthiness floors (``--floors``) or bars for conflicts the
    model alone sees (``--model-bars``, ``report.REPORT_MODEL_CONTRADICTION``), on one half:
    how each trades the planted conflicts found against contested clusters that hold no
    planted statement (RSS and seed statements alone: unlabelled, mostly false on the
    hand-read sample). How those two settings were chosen, on the ``tune`` half."""
    planted = {planted_id(c) for c in cases}
    name, values = ("floor", args.floors) if args.floors else ("model bar", args.model_bars)
    print(f"planted, {args.half} half, by {name}")
    print(f"| {name} | statements | recall | cluster precision | contested without planted |")
    print("|---:|---:|---:|---:|---:|")
    bar = reporting.REPORT_MODEL_CONTRADICTION
    for value in values:
        if args.floors:
            report = corpus.report(filters=Filters(min_checkworthy=value))
        else:
            reporting.REPORT_MODEL_CONTRADICTION = value
            report = corpus.report()
            reporting.REPORT_MODEL_CONTRADICTION = bar
        run = evaluate(report, cases, args.half)
        unplanted = sum(
            not any(s.article.id in planted for s in c.statements) for c in report.contested
        )
        print(
            f"| {value:g} | {report.statements:,} | {run['recall']:.0%} "
            f"({run['conflicts_found']}/{run['conflicts_planted']}) | "
            f"{run['cluster_precision']:.0%} ({run['contested_clusters_real']}/"
            f"{run['contested_clusters_judged']}) | {unplanted} |",
            flush=True,
        )


def candidate_recall(corpus: Corpus, report: Report, filters: Filters | None = None) -> dict:
    """Of the pairs the all-pairs baseline calls contradictions, the share the report holds
    as conflicts; the two are related by the same code, so a miss is the candidate search's
    (or a contradiction left out of every cluster)."""
    reported = {frozenset((c.a, c.b)) for cl in report.clusters for c in cl.conflicts}
    found, seconds = {}, {}
    for partners in (False, True):
        started = time.perf_counter()
        found[partners] = contradictions_all_pairs(
            corpus.store,
            corpus.model_name,
            filters=replace(filters or Filters(), min_checkworthy=MIN_CHECKWORTHY, figures=True),
            relation_model=corpus.relation_model,
            embed=corpus.embedder.embed_passages,
            partners=partners,
        )
        seconds[partners] = round(time.perf_counter() - started, 1)
    expected, wider = found[False], found[True]
    held = len(expected & reported)
    missed = {s for pair in expected - reported for s in pair}
    texts = {
        statement_id(article, text_hash): text
        for article, text_hash, text in corpus.store.db.execute(
            "SELECT article_id, hash, text FROM sentences"
        )
        if statement_id(article, text_hash) in missed
    }
    return {
        "baseline_contradictions": len(expected),
        "in_report": held,
        "recall": round(held / max(len(expected), 1), 3),
        "missed": sorted(sorted(texts.get(s, s) for s in pair) for pair in expected - reported),
        # every pair with one check-worthy side (report.PARTNER_MIN_CHECKWORTHY)
        "with_partners": {
            "baseline_contradictions": len(wider),
            "in_report": len(wider & reported),
            "recall": round(len(wider & reported) / max(len(wider), 1), 3),
            "baseline_seconds": seconds[True],
        },
        "baseline_seconds": seconds[False],
        "report_seconds": report.summary()["seconds"],
    }


def run_rss(args: argparse.Namespace) -> None:
    items = articles()
    index = args.index or Path(tempfile.mkdtemp(prefix="factcheck-report-")) / "index"
    ingest_seconds = None if index.exists() else _ingest_rss(index)
    rows = []
    with Corpus.open(index) as corpus:
        corpus.relation_model.judge([("warm", "up")], [1.0])  # load time is not report time
        corpus.embedder.embed_passages(["warm up"])
        for share in SHARES:
            until = items[max(0, int(len(items) * share) - 1)].date
            filters = Filters(until=until)
            fast = corpus.report(filters=filters, rules_only=True)
            full = corpus.report(filters=filters)
            row = {
                "share": share,
                "until": until,
                **full.summary(),
                "rules_only_seconds": fast.summary()["seconds"],
                "rules_only_contested": len(fast.contested),
            }
            if full.statements <= ALL_PAIRS_MAX and share <= args.baseline_share:
                row["candidate_recall"] = candidate_recall(corpus, full, filters)
            rows.append(row)
            print(row, file=sys.stderr)
        info = corpus.info()
    print(
        "| share | until | statements | clusters | contested | conflicts | pairs judged "
        "| report s | rules-only s | candidate recall (all-pairs s) |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        recall = r.get("candidate_recall")
        shown = f"{recall['recall']:.1%} ({recall['baseline_seconds']:,.0f})" if recall else "—"
        print(
            f"| {r['share']:.0%} | {r['until']} | {r['statements']:,} | {r['clusters']:,} | "
            f"{r['contested']:,} | {r['conflicts']:,} | {r['pairs_judged']:,} | "
            f"{r['seconds']:.1f} | {r['rules_only_seconds']:.1f} | {shown} |"
        )
    write_review(full, args.review_out)
    result = {
        "data": DATA.name,
        "items": len(items),
        "sentences": info["sentences"],
        "ingest_seconds": ingest_seconds and round(ingest_seconds, 1),
        "growth": rows,
        "top": [c.id for c in full.contested[:TOP]],
        "machine": args.machine,
    }
    (RESULTS / "report.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS / 'report.json'} and {args.review_out}", file=sys.stderr)


def write_review(report: Report, path: Path) -> None:
    """The top contested clusters, in the report's order, with a verdict line to fill in by
    hand (the judgement table is written from it: ``results/report_rss_review.md``)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"# Top {TOP} contested clusters of the RSS corpus (benchmarks/report.py rss)\n")
        for n, cluster in enumerate(report.contested[:TOP], start=1):
            fh.write(f"\n## {n}. {cluster.id}\n\n")
            for s in cluster.statements:
                fh.write(f"- `{s.id}` {s.date} {s.source} [{s.relation or 'claim'}]: {s.text}\n")
            for c in cluster.conflicts:
                evidence = "; ".join(describe(e) for e in c.evidence)
                fh.write(f"- conflict `{c.a}` × `{c.b}` ({c.score:.3f}): {evidence}\n")
            fh.write("- verdict: \n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machine", default="Linux x86_64, 2 CPUs shared with 5 other jobs")
    sub = parser.add_subparsers(dest="run", required=True)
    planted = sub.add_parser("planted", help="recall and precision on the planted conflicts")
    planted.add_argument("--half", choices=(TUNE, REPORT), default=REPORT)
    planted.add_argument("--rss-index", type=Path, help="an index of the RSS corpus to copy")
    planted.add_argument("--no-baseline", action="store_true", help="skip the all-pairs run")
    planted.add_argument(
        "--floors", type=float, nargs="+", help="only compare these check-worthiness floors"
    )
    planted.add_argument(
        "--model-bars",
        type=float,
        nargs="+",
        help="only compare these bars for conflicts the model alone sees",
    )
    rss = sub.add_parser("rss", help="time, pairs judged and the top clusters on RSS")
    rss.add_argument("--index", type=Path, help="index folder, kept (default: a temporary one)")
    rss.add_argument("--baseline-share", type=float, default=0.5)
    rss.add_argument("--review-out", type=Path, default=RESULTS / "report_rss_top.md")
    args = parser.parse_args()
    run_planted(args) if args.run == "planted" else run_rss(args)


if __name__ == "__main__":
    main()
