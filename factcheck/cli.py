"""The ``factcheck`` command: a thin Typer layer over ``factcheck.Corpus``.

Results go to stdout (a table, or JSON with ``--json``); progress, summaries and errors go
to stderr, so ``factcheck find --json ... > out.jsonl`` stays clean.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__, match
from .atomic import write_text
from .checkworthy import MIN_CHECKWORTHY, score_texts
from .config import CONFIG_FILE, ConfigError, configured_index, remember_index
from .corpus import Corpus, IngestResult, check_claim, checkworthy_sentences, default_index
from .dates import parse_bound
from .distributed import DEFAULT_CONCURRENCY, RayIngestResult
from .embed import load_embedder
from .errors import FactcheckError, InputError
from .filters import Filters
from .models import Match
from .outlets import outlet_of
from .relation_model import RelationModel
from .relations import SAME_MIN_SIMILARITY, VERDICT_KINDS, describe, evidence_spans
from .report import Report, Statement
from .review import Decision, Reviews, default_file, default_reviewer
from .watchlist import WatchedClaim, read_claims, read_pairs

app = typer.Typer(
    help="Find where a claim appears, in what words, in which article and from which date.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # help text as written: rich markup ate "[ray]" and "[default: …]"
)
out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one message, one line

IndexOpt = Annotated[
    Path | None,
    typer.Option(
        "--index",
        metavar="DIR",
        help="Index folder [default: $FACTCHECK_INDEX, else the index named in ./factcheck.toml "
        "(written by the first ingest --index), else ./index]",
    ),
]
CONTEXT_CHARS = 60  # of each neighbouring sentence shown in the table
SUMMARY_CHARS = 120  # of each statement in the report's summary table
RELATION_STYLE = {"agrees": "green", "contradicts": "bold red", "related": "dim"}
NliOpt = Annotated[
    str | None,
    typer.Option(
        "--nli",
        metavar="MODEL",
        help="An NLI model (CrossEncoder or Hugging Face; name or path) whose verdict joins "
        "the rules, or 'head' for the small packaged head (weak; see docs/relations.md).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
RulesOnlyOpt = Annotated[
    bool,
    typer.Option(
        "--rules-only",
        help="Judge agreement and contradiction with the rules alone, without the packaged "
        "relation model (faster; sees only figures, dates, negations, quantifiers, speakers).",
    ),
]
DecisionsOpt = Annotated[
    Path | None,
    typer.Option(
        "--decisions",
        metavar="FILE",
        help="Decisions file [default: $FACTCHECK_DECISIONS or claims/decisions.jsonl]",
    ),
]
DECISION_KEYS = {"c": "confirmed", "d": "dismissed", "w": "needs-work"}
VERDICT_KEYS = {"f": "false", "m": "misleading", "a": "accurate", "u": "unproven"}
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write the JSONL here [default: stdout]."),
]


def _bound(value: str | None) -> str | None:
    """A ``--since``/``--until`` value checked as the command line is parsed (exit 2)."""
    if value is not None:
        try:
            parse_bound(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


SinceOpt = Annotated[
    str | None,
    typer.Option(
        metavar="DATE", help="Only articles dated on or after (YYYY[-MM[-DD]]).", callback=_bound
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(metavar="DATE", help="Only articles dated on or before.", callback=_bound),
]
LangOpt = Annotated[
    str | None, typer.Option(metavar="LANG", help="Only sentences in this language (fr, en…).")
]
SourceOpt = Annotated[
    str | None,
    typer.Option(metavar="SOURCE", help='Only this outlet ("BBC News") or source, any case.'),
]
InferredOpt = Annotated[
    bool,
    typer.Option(
        "--inferred-dates/--no-inferred-dates",
        help="Date undated articles by the latest full date their text writes (shown ≥).",
    ),
]


class UsageError(ValueError):
    """Options that do not go together: exit status 2, like Typer's own usage errors."""


@contextmanager
def _errors() -> Iterator[None]:
    """Turn errors a user can act on into one line on stderr and exit status 1 (2 for a
    command line that does not fit together)."""
    try:
        yield
    except UsageError as exc:
        err.print(f"[red]Error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    except FactcheckError as exc:
        err.print(f"[red]Error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None


def _print_notices(corpus: Corpus) -> None:
    for notice in corpus.notices:
        err.print(f"[yellow]note:[/yellow] {escape(notice)}")


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


def _count(number: int, noun: str) -> str:
    """``1 cluster``, ``2 clusters``, ``1,234 statements``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"factcheck {__version__}\n")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """The options of ``factcheck`` itself, before any command."""


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATH...", help="Files or folders (.txt .md .html .jsonl)"),
    ],
    index: IndexOpt = None,
    model: Annotated[
        str | None,
        typer.Option(
            metavar="NAME_OR_PATH",
            help="sentence-transformers model name or path, for a new index",
        ),
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="ADDRESS",
            help="Embed on a Ray cluster: 'auto' (the one on this machine), 'HOST:PORT', "
            "'ray://HOST:PORT', or 'local' (start one here). Needs the [ray] extra.",
        ),
    ] = None,
    ray_workers: Annotated[
        int,
        typer.Option(
            min=1, metavar="N", help="With --ray: embedding actors, each loading the model."
        ),
    ] = DEFAULT_CONCURRENCY,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Also print the counts, skipped files and warnings as JSON on stdout."
        ),
    ] = False,
) -> None:
    """Add articles to the index; unchanged ones are skipped, changed ones replaced.

    The first ingest --index DIR in a folder writes ./factcheck.toml naming DIR, which the
    other commands run there then use. Exits with status 1 when any file or line was skipped
    (each is named on stderr).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with _errors(), Corpus.open(index, model=model) as corpus:
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("ingest", total=None, detail="files")

            def on_progress(done: int, total: int, result: IngestResult) -> None:
                changed = result.added + result.updated
                detail = f"files · {changed} articles · {result.sentences} sent."
                progress.update(task, completed=done, total=total, detail=detail)

            if ray:
                from .distributed import ingest_with_ray

                def on_stage(stage: str, done: int, total: int) -> None:
                    detail = "sentences embedded on Ray" if stage == "embed" else "files"
                    progress.update(
                        task, description=stage, completed=done, total=total, detail=detail
                    )

                result = ingest_with_ray(
                    corpus, paths, ray, concurrency=ray_workers, on_progress=on_stage
                )
            else:
                result = corpus.ingest(paths, on_progress=on_progress)
        _print_notices(corpus)
    for problem in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(str(problem))}")
    for problem in result.skipped:
        err.print(f"[red]skipped:[/red] {escape(str(problem))}")
    if as_json:
        _print_json(result.to_dict())
    err.print(
        f"{result.added:,} added, {result.updated:,} updated, {result.unchanged:,} unchanged, "
        f"{len(result.skipped):,} skipped; {_count(result.sentences, 'sentence')}, "
        f"{result.embedded:,} embedded"
        + (
            f" here, {result.embedded_on_ray:,} on Ray"
            if isinstance(result, RayIngestResult)
            else ""
        )
    )
    if index is not None:
        _remember(index)
    if result.skipped:
        raise typer.Exit(1)


def _remember(index: Path) -> None:
    """Name ``index`` in ./factcheck.toml, or say which index that file names instead."""
    try:
        written = remember_index(index)
        named = None if written else configured_index()
    except ConfigError as exc:
        err.print(f"[yellow]warning:[/yellow] {escape(str(exc))}")
        return
    if written is not None:
        err.print(f"{escape(str(written))} written: commands run here use this index by default")
    elif named is not None and named.resolve() != index.resolve():
        err.print(
            f"[yellow]note:[/yellow] {CONFIG_FILE} names the index {escape(str(named))}: "
            "commands run here without --index use that one"
        )


@app.command()
def find(
    claim: Annotated[
        str | None, typer.Argument(metavar="CLAIM", help="The claim to look for.")
    ] = None,
    index: IndexOpt = None,
    k: Annotated[
        int, typer.Option("-k", metavar="N", min=1, max=1000, help="Matches per claim.")
    ] = 5,
    since: SinceOpt = None,
    until: UntilOpt = None,
    source: SourceOpt = None,
    lang: LangOpt = None,
    inferred_dates: InferredOpt = True,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Watch-list: .txt (a claim a line) or .jsonl ('claim')."),
    ] = None,
    contradicts: Annotated[
        bool, typer.Option("--contradicts", help="Only statements that contradict the claim.")
    ] = False,
    nli: NliOpt = None,
    rules_only: RulesOnlyOpt = False,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="HOW",
            help="hybrid: meaning and words fused; dense: meaning only; lexical: words only.",
        ),
    ] = "hybrid",
    clauses: Annotated[
        bool,
        typer.Option("--clauses/--no-clauses", help="Match long sentences by their clauses too."),
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Find the sentences that state a claim, and whether each agrees or contradicts.

    Best first; each match is marked agrees, contradicts or related, with the evidence.
    With --file, prints one JSON line per claim; a bad claim is named on stderr with its line
    instead, and the exit status is then 1.
    """
    with _errors():
        if (claim is None) == (file is None):
            raise UsageError("give either a CLAIM or --file, not both")
        claims, bad = _checked(read_claims(file)) if file else ([claim], 0)
        relation = "contradicts" if contradicts else None
        with Corpus.open(index, readonly=True) as corpus:
            verdicts = match.load_nli(nli, corpus.embedder) if nli else None
            results = corpus.find_many(
                claims, k=k, filters=Filters(since, until, source, lang, None, inferred_dates),
                relation=relation, nli=verdicts, rules_only=rules_only, channels=by,
                clauses=clauses,
            )  # fmt: skip
            _print_notices(corpus)
    for text, matches in zip(claims, results, strict=True):
        if as_json or file:
            _print_json({"claim": text, "matches": [m.to_dict() for m in matches]})
        else:
            _print_table(text, matches)
    if bad:
        raise typer.Exit(1)


def _checked(watched: list[WatchedClaim]) -> tuple[list[str], int]:
    """The claims of a watch-list fit to search, and how many were not: each of those is
    named on stderr with its file and line, and costs only itself."""
    claims = []
    for claim in watched:
        try:
            if claim.error:
                raise InputError(claim.error)
            claims.append(check_claim(claim.text))
        except ValueError as exc:
            err.print(f"[red]error:[/red] {escape(f'{claim.path}:{claim.line}: {exc}')}")
    return claims, len(watched) - len(claims)


def _print_table(claim: str, matches: list[Match]) -> None:
    if not matches:
        err.print(f"No match for {escape(claim)!s}")
        return
    table = Table(title=f"“{escape(claim)}”", show_lines=True, title_justify="left")
    table.add_column("score", justify="right")
    table.add_column("relation", max_width=24)
    table.add_column("date", no_wrap=True)
    table.add_column("source / article", max_width=30)
    table.add_column("sentence (in context)", ratio=1)
    for m in matches:
        before = m.context.get("before")
        after = m.context.get("after")
        sentence = "".join(
            [
                f"[dim]…{escape(before[-CONTEXT_CHARS:])}[/dim] " if before else "",
                f"[bold]{_marked_clause(m)}[/bold]",
                f" [dim]{escape(after[:CONTEXT_CHARS])}…[/dim]" if after else "",
            ]
        )
        outlet = outlet_of(m.article.source, m.article.url)
        where = escape(outlet or "") + ("\n" if outlet else "")
        where += f"[cyan]{escape(m.article.title or m.article.id)}[/cyan]"
        table.add_row(
            f"{m.score:.3f}",
            _relation(m.relation, m.evidence),
            m.article.shown_date or "—",
            where,
            sentence,
        )
    out.print(table)


def _marked_clause(m: Match) -> str:
    """The sentence, escaped, with the clause that matched (``Match.clause``) underlined."""
    if not m.clause:
        return escape(m.text)
    a, b = m.clause["start"], m.clause["end"]
    return f"{escape(m.text[:a])}[underline]{escape(m.text[a:b])}[/underline]{escape(m.text[b:])}"


def _relation(relation: str, evidence: list[dict]) -> str:
    """The relation in its colour, with the evidence that decided it."""
    return "\n".join([f"[{RELATION_STYLE.get(relation, '')}]{relation}[/]", *_evidence(evidence)])


def _evidence(evidence: list[dict]) -> list[str]:
    """One line per finding: ``kind: claim ≠ match`` (``=`` when they agree)."""
    return [f"[dim]{escape(describe(item))}[/dim]" for item in evidence]


@app.command()
def compare(
    a: Annotated[str | None, typer.Argument(help="The claim.")] = None,
    b: Annotated[str | None, typer.Argument(help="The statement to compare with it.")] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Pairs to compare: .jsonl with fields 'a' and 'b'."),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Embedding model [default: the packaged e5 model]")
    ] = None,
    nli: NliOpt = None,
    rules_only: RulesOnlyOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Does statement B agree with claim A, contradict it, or only relate to it — and why.

    With --file, prints one JSON line per pair.
    """
    with _errors():
        if file is not None and (a is not None or b is not None):
            raise UsageError("give either A and B or --file, not both")
        if file is None and (a is None or b is None):
            raise UsageError("give two statements A and B, or --file pairs.jsonl")
        pairs = read_pairs(file) if file else [(a, b)]
        embedder = load_embedder(model)
        verdicts = match.load_nli(nli, embedder) if nli else None
        judge = None if rules_only else RelationModel()
        relations = match.compare(pairs, embedder, verdicts, judge)
    for (first, second), found in zip(pairs, relations, strict=True):
        if as_json or file:
            _print_json({"a": first, "b": second, **found.to_dict()})
        else:
            out.print(_relation(found.relation, found.evidence))


@app.command()
def claims(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Article files or folders, read as ingest does.")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Sentences to score: .jsonl with a 'text' field."),
    ] = None,
    min_checkworthy: Annotated[
        float | None,
        typer.Option(
            "--min-checkworthy",
            min=0.0,
            max=1.0,
            help=f"Check-worthy from this score on [default: {MIN_CHECKWORTHY}].",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The check-worthy sentences of articles, most check-worthy first, without an index.

    With --file, prints one JSON line per good input line, in order, with its check-worthiness
    (0-1) and label; a bad line is named on stderr, and the exit status is then 1.
    """
    threshold = MIN_CHECKWORTHY if min_checkworthy is None else min_checkworthy
    with _errors():
        if bool(paths) == (file is not None):
            raise UsageError("give either article PATHs or --file, not both")
        if file is not None:
            good, bad = [], 0
            for line in read_claims(file, field="text"):
                try:
                    if line.error:
                        raise InputError(line.error)
                    good.append((line.line, check_claim(line.text)))
                except ValueError as exc:
                    bad += 1
                    err.print(f"[red]error:[/red] {escape(f'{line.path}:{line.line}: {exc}')}")
            for (number, text), worth in zip(good, score_texts([t for _, t in good]), strict=True):
                _print_json(
                    {"line": number, "text": text, "checkworthy": worth,
                     "checkworthy_label": worth >= threshold}
                )  # fmt: skip
            if bad:
                raise typer.Exit(1)
            return
        found, problems = checkworthy_sentences(paths or [])
    kept = sorted(
        (pair for pair in found if pair[1].checkworthy >= threshold),
        key=lambda pair: (-pair[1].checkworthy, pair[0].id, pair[1].index),
    )
    if as_json:
        for article, s in kept:
            _print_json(
                {"article": article.id, "title": article.title, "path": article.path,
                 "index": s.index, "start": s.start, "end": s.end, "text": s.text,
                 "checkworthy": s.checkworthy}
            )  # fmt: skip
    else:
        table = Table(show_lines=True)
        table.add_column("score", justify="right")
        table.add_column("article", max_width=30)
        table.add_column("offsets", no_wrap=True)
        table.add_column("sentence", ratio=1)
        for article, s in kept:
            where = escape(article.title or article.id)
            table.add_row(f"{s.checkworthy:.3f}", where, f"{s.start}-{s.end}", escape(s.text))
        out.print(table)
    for problem in problems:
        kind = "[red]error:[/red]" if problem.skipped else "[yellow]warning:[/yellow]"
        err.print(f"{kind} {escape(str(problem))}")
    if any(p.skipped for p in problems):
        raise typer.Exit(1)


@app.command()
def report(
    index: IndexOpt = None,
    output: OutputOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    source: SourceOpt = None,
    lang: LangOpt = None,
    inferred_dates: InferredOpt = True,
    min_score: Annotated[
        float,
        typer.Option(
            min=0.0, max=1.0, help="Similarity two statements need to be compared (as in find)."
        ),
    ] = SAME_MIN_SIMILARITY,
    min_checkworthy: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Check-worthiness a sentence needs to be a claim."),
    ] = MIN_CHECKWORTHY,
    figures: Annotated[
        bool,
        typer.Option(
            help="Also compare sentences below --min-checkworthy that hold a figure or a date."
        ),
    ] = True,
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="Search from only the N most check-worthy statements."),
    ] = None,
    top: Annotated[int, typer.Option(min=0, help="Contested claims shown in the summary.")] = 5,
    decisions: DecisionsOpt = None,
    rules_only: RulesOnlyOpt = False,
) -> None:
    """Claims that other articles contradict: one JSON line per contested cluster.

    The JSONL (schema factcheck.report/3) goes to stdout or --output; a summary with the top
    contested claims goes to stderr.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with _errors(), Corpus.open(index, create=False) as corpus:
        # Brings the index up to date with the decisions file first.
        skipped = Reviews(corpus.store, decisions).skipped
        columns = (
            TextColumn("[bold]report"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("statements searched"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("report", total=None)
            found = corpus.report(
                filters=Filters(since, until, source, lang, min_checkworthy, inferred_dates),
                min_score=min_score, limit=limit, rules_only=rules_only, figures=figures,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            )  # fmt: skip
        _print_notices(corpus)
        if output is None:
            found.write_jsonl(sys.stdout)
        else:
            buffer = io.StringIO()
            found.write_jsonl(buffer)
            _write_atomic(output, buffer.getvalue())
    _print_summary(found, top, output)
    if skipped:
        _print_skipped(skipped)
        raise typer.Exit(1)


def _print_skipped(skipped: list[str]) -> None:
    """The lines of the decisions file that no decision was read from, each with why."""
    for line in skipped:
        err.print(f"[red]skipped:[/red] {escape(line)}")


def _write_atomic(path: Path, text: str) -> None:
    """``factcheck.atomic.write_text``, its failure said as an error a user can act on."""
    try:
        write_text(path, text)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _statement_cell(statement: Statement) -> str:
    """A statement, clipped, over its source (or article) and date."""
    text = statement.text
    if len(text) > SUMMARY_CHARS:
        text = text[: SUMMARY_CHARS - 1] + "…"
    where = f"{statement.source or statement.article.id} {statement.article.shown_date or ''}"
    return f"{escape(text)}\n[dim]{escape(where)}[/dim]"


def _print_summary(found: Report, top: int, output: Path | None) -> None:
    s = found.summary()
    where = f" → {output}" if output else ""
    err.print(
        f"{_count(s['statements'], 'statement')}, {_count(s['clusters'], 'cluster')}, "
        f"[bold]{s['contested']:,} contested[/bold] ({_count(s['conflicts'], 'conflict')}) "
        f"in {s['seconds']:.1f} s{escape(where)}"
    )
    shown = found.contested[:top]
    if not shown:
        return
    table = Table(show_lines=True, title="Top contested claims", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("claim", ratio=2)
    table.add_column("contradicted by", ratio=2)
    table.add_column("evidence", max_width=28)
    table.add_column("dates", no_wrap=True)
    for cluster in shown:
        conflict = cluster.conflicts[0]
        by_id = {st.id: st for st in cluster.statements}
        a, b = by_id[conflict.a], by_id[conflict.b]
        dates = [d for d in (cluster.dates[:1] + cluster.dates[-1:]) if d]
        table.add_row(
            cluster.id,
            _statement_cell(a),
            _statement_cell(b),
            "\n".join(_evidence(conflict.evidence)),
            " → ".join(dict.fromkeys(dates)) or "—",
        )
    err.print(table)


@app.command()
def review(
    cluster: Annotated[
        str | None,
        typer.Argument(
            metavar="CLUSTER", help="A cluster id of the last report (scriptable form)."
        ),
    ] = None,
    confirm: Annotated[bool, typer.Option("--confirm", help="A real contradiction.")] = False,
    dismiss: Annotated[
        bool, typer.Option("--dismiss", help="Not a contradiction, or a wrong match.")
    ] = False,
    needs_work: Annotated[bool, typer.Option("--needs-work", help="To look at again.")] = False,
    conflict: Annotated[
        str | None,
        typer.Option(
            metavar="A:B", help="The statement ids of one conflict [default: the whole cluster]"
        ),
    ] = None,
    verdict: Annotated[
        str | None,
        typer.Option(
            metavar="VERDICT", help="For publication: false, misleading, accurate, unproven."
        ),
    ] = None,
    note: Annotated[str | None, typer.Option(metavar="TEXT", help="Why.")] = None,
    reviewer: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Who [default: $FACTCHECK_REVIEWER or the login name]"),
    ] = None,
    import_: Annotated[
        bool, typer.Option("--import", help="Rebuild the index's decisions from the file.")
    ] = False,
    stats: Annotated[
        bool, typer.Option("--stats", help="Agreement of reviewers with the tool, by language.")
    ] = False,
    index: IndexOpt = None,
    decisions: DecisionsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Confirm or dismiss what the report found, one cluster at a time.

    Without a cluster id: the clusters no one has decided on yet, in the terminal (resumable).
    With one: record a decision and exit. Decisions go to claims/decisions.jsonl and the index.
    """

    with _errors(), Corpus.open(index, create=False) as corpus:
        reviews = Reviews(corpus.store, decisions)
        if import_:
            count = reviews.import_file(reviews.path)
            err.print(f"{_count(count, 'decision')} imported from {escape(str(reviews.path))}")
        elif stats:
            _print_stats(reviews.stats(), as_json)
        elif cluster is not None:
            chosen = [k for k, on in (("confirmed", confirm), ("dismissed", dismiss),
                                      ("needs-work", needs_work)) if on]  # fmt: skip
            if len(chosen) > 1:
                raise UsageError("give one of --confirm, --dismiss, --needs-work")
            pair = tuple(conflict.split(":")) if conflict else None
            if pair is not None and len(pair) != 2:
                raise UsageError("--conflict takes two statement ids, A:B")
            done = reviews.record(
                Decision(
                    cluster, chosen[0] if chosen else None, conflict=pair, verdict=verdict,
                    note=note, reviewer=reviewer or default_reviewer(),
                )
            )  # fmt: skip
            if as_json:
                _print_json(done.to_dict())
            err.print(f"recorded in {escape(str(reviews.path))}")
        else:
            _review_interactively(reviews, reviewer or default_reviewer())
        skipped = reviews.skipped
    if skipped:
        _print_skipped(skipped)
        raise typer.Exit(1)


def _review_interactively(reviews: Reviews, reviewer: str) -> None:
    """One cluster at a time: each conflict side by side, then a verdict if one was confirmed."""

    pending = reviews.pending()
    total = len(reviews.clusters())
    err.print(f"{_count(len(pending), 'cluster')} to review ({total} in the last report)")
    for number, line in enumerate(pending, start=1):
        out.rule(f"{number}/{len(pending)} · cluster {line['id']}")
        out.print(f"[bold]Claim:[/bold] {escape(line['claim']['text'])}")
        by_id = {s["id"]: s for s in line["statements"]}
        confirmed = False
        for c in line["conflicts"]:
            _print_conflict(by_id[c["a"]], by_id[c["b"]], c["evidence"])
            key = _ask("[c]onfirm  [d]ismiss  [w] needs work  [s]kip  [q]uit", "cdwsq")
            if key == "q":
                return
            if key == "s":
                continue
            note = typer.prompt("note (optional)", default="", show_default=False) or None
            reviews.record(
                Decision(line["id"], DECISION_KEYS[key], conflict=(c["a"], c["b"]), note=note,
                         reviewer=reviewer)
            )  # fmt: skip
            confirmed |= key == "c"
        if confirmed:
            key = _ask("verdict: [f]alse  [m]isleading  [a]ccurate  [u]nproven  [s]kip", "fmaus")
            if key != "s":
                reviews.record(
                    Decision(line["id"], "confirmed", verdict=VERDICT_KEYS[key], reviewer=reviewer)
                )
    err.print("[green]nothing left to review[/green]")


def _ask(question: str, keys: str) -> str:
    """One key among ``keys``; end of input quits."""
    while True:
        try:
            answer = typer.prompt(question, default="s" if "s" in keys else keys[0])
        except typer.Abort:
            return "q"
        if answer[:1].lower() in keys:
            return answer[:1].lower()
        err.print(f"one of: {', '.join(keys)}")


def _print_conflict(a: dict, b: dict, evidence: list[dict]) -> None:
    """Two statements side by side, dates and sources above, the evidence highlighted."""
    table = Table(show_lines=True, expand=True)
    for side in (a, b):
        article = side["article"]
        where = article.get("source") or article.get("title") or article["id"]
        table.add_column(f"{article.get('date') or 'undated'} · {escape(where)}", ratio=1)
    conflicts = [e for e in evidence if not e.get("agrees") and e.get("kind") not in VERDICT_KINDS]
    table.add_row(
        _highlight(a["text"], [str(e.get("claim", "")) for e in conflicts]),
        _highlight(b["text"], [str(e.get("match", "")) for e in conflicts]),
    )
    out.print(table)
    out.print("\n".join(_evidence(evidence)))


def _highlight(text: str, snippets: list[str]) -> str:
    """``text`` escaped for rich, with each snippet found in it in bold red."""
    parts, last = [], 0
    for start, end, _ in evidence_spans(text, [(snippet, False) for snippet in snippets]):
        parts += [escape(text[last:start]), f"[bold red]{escape(text[start:end])}[/bold red]"]
        last = end
    return "".join([*parts, escape(text[last:])])


def _print_stats(stats: dict, as_json: bool) -> None:
    if as_json:
        _print_json(stats)
        return
    table = Table(title="Reviewers' decisions on the tool's conflicts", title_justify="left")
    for column in ("languages", "confirmed", "dismissed", "needs work", "agreement"):
        table.add_column(column, justify="left" if column == "languages" else "right")
    for lang, row in stats.items():
        agreement = row["agreement"]
        table.add_row(
            escape(lang), str(row["confirmed"]), str(row["dismissed"]), str(row["needs-work"]),
            "—" if agreement is None else f"{agreement:.0%}",
        )  # fmt: skip
    out.print(table)


@app.command()
def publish(
    output: OutputOpt = None,
    claimreview: Annotated[
        Path | None,
        typer.Option(help="Also write schema.org ClaimReview JSON-LD (a JSON array) here."),
    ] = None,
    author: Annotated[
        str | None, typer.Option(help="The organisation publishing the reviews (ClaimReview).")
    ] = None,
    url_base: Annotated[
        str | None, typer.Option(help="Each review's URL is this plus the cluster id.")
    ] = None,
    index: IndexOpt = None,
    decisions: DecisionsOpt = None,
) -> None:
    """Only confirmed clusters with a verdict, as JSONL and as ClaimReview JSON-LD."""
    from .publish import claim_review, publish_lines

    with _errors(), Corpus.open(index, create=False) as corpus:
        if claimreview is not None and not author:
            raise UsageError("give --author, the organisation publishing the ClaimReview")
        reviews = Reviews(corpus.store, decisions)
        if reviews.skipped:
            _print_skipped(reviews.skipped)
            raise InputError(
                f"nothing published: fix the lines of {reviews.path} named above first "
                "(a decision left out could be the one that dismissed a claim)"
            )
        lines = publish_lines(reviews)
        if not lines:
            raise InputError(
                f"nothing to publish: no cluster of the last report of {corpus.path} is confirmed "
                f"with a verdict in {reviews.path} (factcheck review ID --confirm --verdict false)"
            )
        text = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)
        if output is None:
            sys.stdout.write(text)
        else:
            _write_atomic(output, text)
        if claimreview is not None:
            reviews = [claim_review(x, author, url_base) for x in lines]
            _write_atomic(claimreview, json.dumps(reviews, ensure_ascii=False, indent=2) + "\n")
    err.print(f"{_count(len(lines), 'reviewed claim')} published")


@app.command()
def serve(
    index: IndexOpt = None,
    decisions: DecisionsOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port.")] = 8765,
    allow_remote: Annotated[
        bool,
        typer.Option("--allow-remote", help="Allow an address other than this machine's own."),
    ] = False,
) -> None:
    """A local web page: search claims, browse the report, confirm or dismiss matches."""
    from .serve import serve as run

    with _errors():
        run(
            index if index is not None else default_index(),
            decisions if decisions is not None else default_file(),
            host=host, port=port, allow_remote=allow_remote,
            on_start=lambda url: err.print(f"serving on {url} (Ctrl+C to stop)"),
        )  # fmt: skip


@app.command()
def info(
    index: IndexOpt = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Verify checksums, that FAISS matches SQLite, and that the vectors are the "
            "manifest's model's and size (loads the model).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """What the index holds: articles, sentences, languages, dates, model, size.

    With --check, exits with status 1 when anything is inconsistent, saying what.
    """
    with _errors(), Corpus.open(index, readonly=True) as corpus:
        data = corpus.info()
        if check:
            data["problems"] = corpus.check()
    if as_json:
        _print_json(data)
    else:
        _print_info(data)
    for problem in data.get("problems", []):
        err.print(f"[red]problem:[/red] {escape(problem)}")
    if data.get("problems"):
        raise typer.Exit(1)
    if check:
        err.print("[green]index checked: consistent[/green]")


def _print_info(data: dict) -> None:
    dates = data["dates"]
    rows = [
        ("index", data["index"]),
        ("model", f"{data['model']} ({data['dim']} dims)"),
        ("vector index", json.dumps(data["vector_index"])),
        ("articles", f"{data['articles']:,} ({data['undated_articles']:,} undated)"),
        ("sentences", f"{data['sentences']:,} ({data['distinct_vectors']:,} distinct vectors)"),
        ("languages", ", ".join(f"{k} {v:,}" for k, v in data["languages"].items())),
        ("dates", f"{dates['first'] or '—'} → {dates['last'] or '—'}"),
        ("size on disk", f"{data['size_bytes'] / 1e6:.1f} MB"),
        ("updated", data["updated"] or "—"),
    ]
    table = Table(show_header=False, box=None)
    for key, value in rows:
        table.add_row(f"[bold]{key}[/bold]", escape(str(value)))
    out.print(table)


if __name__ == "__main__":
    app()
