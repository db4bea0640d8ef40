"""The ``factcheck`` command: a thin Typer layer over ``factcheck.Corpus``.

Results go to stdout (a table, or JSON with ``--json``); progress, summaries and errors go
to stderr, so ``factcheck find --json ... > out.jsonl`` stays clean.
"""

from __future__ import annotations

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

from . import match
from .checkworthy import MIN_CHECKWORTHY
from .corpus import Corpus, IngestResult
from .embed import load_embedder
from .errors import FactcheckError
from .models import Match
from .relations import SAME_MIN_SIMILARITY
from .report import Report, Statement
from .watchlist import read_claims, read_pairs

app = typer.Typer(
    help="Find where a claim appears, in what words, in which article and from which date.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one message, one line

IndexOpt = Annotated[
    Path | None,
    typer.Option("--index", help="Index folder [default: $FACTCHECK_INDEX or ./index]"),
]
CONTEXT_CHARS = 60  # of each neighbouring sentence shown in the table
SUMMARY_CHARS = 120  # of each statement in the report's summary table
RELATION_STYLE = {"agrees": "green", "contradicts": "bold red", "related": "dim"}
NliOpt = Annotated[
    str | None,
    typer.Option(
        "--nli",
        help="An NLI model (CrossEncoder or Hugging Face; name or path) whose verdict joins "
        "the rules, or 'head' for the small packaged head (weak; see README).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
SinceOpt = Annotated[
    str | None, typer.Option(help="Only articles dated on or after (YYYY[-MM[-DD]]).")
]
UntilOpt = Annotated[str | None, typer.Option(help="Only articles dated on or before.")]
LangOpt = Annotated[str | None, typer.Option(help="Only sentences in this language (fr, en…).")]


@contextmanager
def _errors() -> Iterator[None]:
    """Turn errors a user can act on into one line on stderr and exit status 1."""
    try:
        yield
    except (FactcheckError, ValueError) as exc:
        err.print(f"[red]Error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None


def _print_notices(corpus: Corpus) -> None:
    for notice in corpus.notices:
        err.print(f"[yellow]note:[/yellow] {escape(notice)}")


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt .md .html .jsonl)")],
    index: IndexOpt = None,
    model: Annotated[
        str | None,
        typer.Option(help="sentence-transformers model name or path, for a new index"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add articles to the index; unchanged ones are skipped, changed ones replaced.

    Exits with status 1 when any file or line was skipped (each is named on stderr).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with _errors(), Corpus.open(index, model=model) as corpus:
        columns = (
            TextColumn("[bold]ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[articles]} articles · {task.fields[sentences]} sent."),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("ingest", total=None, articles=0, sentences=0)

            def on_progress(done: int, total: int, result: IngestResult) -> None:
                changed = result.added + result.updated
                progress.update(
                    task, completed=done, total=total, articles=changed, sentences=result.sentences
                )

            result = corpus.ingest(paths, on_progress=on_progress)
        _print_notices(corpus)
    for problem in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(str(problem))}")
    for problem in result.skipped:
        err.print(f"[red]skipped:[/red] {escape(str(problem))}")
    if as_json:
        _print_json(result.to_dict())
    err.print(
        f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
        f"{len(result.skipped)} skipped; {result.sentences} sentences, "
        f"{result.embedded} embedded"
    )
    if result.skipped:
        raise typer.Exit(1)


@app.command()
def find(
    claim: Annotated[str | None, typer.Argument(help="The claim to look for.")] = None,
    index: IndexOpt = None,
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=1000, help="Matches per claim.")] = 5,
    since: SinceOpt = None,
    until: UntilOpt = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    lang: LangOpt = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Watch-list: .txt (a claim a line) or .jsonl ('claim')."),
    ] = None,
    contradicts: Annotated[
        bool, typer.Option("--contradicts", help="Only statements that contradict the claim.")
    ] = False,
    nli: NliOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find the sentences that state a claim, and whether each agrees or contradicts.

    Best first; each match is marked agrees, contradicts or related, with the evidence.
    With --file, prints one JSON line per claim.
    """
    with _errors():
        if (claim is None) == (file is None):
            raise ValueError("give either a CLAIM or --file, not both")
        claims = read_claims(file) if file else [claim]
        relation = "contradicts" if contradicts else None
        with Corpus.open(index, readonly=True) as corpus:
            verdicts = match.load_nli(nli, corpus.embedder) if nli else None
            results = corpus.find_many(
                claims, k=k, since=since, until=until, source=source, lang=lang,
                relation=relation, nli=verdicts,
            )  # fmt: skip
            _print_notices(corpus)
    for text, matches in zip(claims, results, strict=True):
        if as_json or file:
            _print_json({"claim": text, "matches": [m.to_dict() for m in matches]})
        else:
            _print_table(text, matches)


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
                f"[bold]{escape(m.text)}[/bold]",
                f" [dim]{escape(after[:CONTEXT_CHARS])}…[/dim]" if after else "",
            ]
        )
        where = escape(m.article.source or "") + ("\n" if m.article.source else "")
        where += f"[cyan]{escape(m.article.title or m.article.id)}[/cyan]"
        table.add_row(
            f"{m.score:.3f}",
            _relation(m.relation, m.evidence),
            m.article.date or "—",
            where,
            sentence,
        )
    out.print(table)


def _relation(relation: str, evidence: list[dict]) -> str:
    """The relation in its colour, with the evidence that decided it."""
    return "\n".join([f"[{RELATION_STYLE.get(relation, '')}]{relation}[/]", *_evidence(evidence)])


def _evidence(evidence: list[dict]) -> list[str]:
    """One line per finding: ``kind: claim ≠ match`` (``=`` when they agree)."""
    lines = []
    for item in evidence:
        if item.get("kind") == "nli":
            lines.append(f"[dim]nli: {escape(str(item.get('label')))} {item.get('score')}[/dim]")
        else:
            sign = "=" if item.get("agrees") else "≠"
            claim, match = escape(str(item.get("claim"))), escape(str(item.get("match")))
            lines.append(f"[dim]{item.get('kind')}: {claim} {sign} {match}[/dim]")
    return lines


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
    as_json: JsonOpt = False,
) -> None:
    """Does statement B agree with claim A, contradict it, or only relate to it — and why.

    With --file, prints one JSON line per pair.
    """
    with _errors():
        if file is not None and (a is not None or b is not None):
            raise ValueError("give either A and B or --file, not both")
        if file is None and (a is None or b is None):
            raise ValueError("give two statements A and B, or --file pairs.jsonl")
        pairs = read_pairs(file) if file else [(a, b)]
        embedder = load_embedder(model)
        verdicts = match.load_nli(nli, embedder) if nli else None
        relations = match.compare(pairs, embedder, verdicts)
    for (first, second), found in zip(pairs, relations, strict=True):
        if as_json or file:
            _print_json({"a": first, "b": second, **found.to_dict()})
        else:
            out.print(_relation(found.relation, found.evidence))


@app.command()
def report(
    index: IndexOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the JSONL here [default: stdout]."),
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    lang: LangOpt = None,
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
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="Search from only the N most check-worthy statements."),
    ] = None,
    top: Annotated[int, typer.Option(min=0, help="Contested claims shown in the summary.")] = 5,
) -> None:
    """Claims that other articles contradict: one JSON line per contested cluster.

    The JSONL (schema factcheck.report/1) goes to stdout or --output; a summary with the top
    contested claims goes to stderr.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with _errors(), Corpus.open(index, create=False) as corpus:
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
                since=since, until=until, lang=lang, min_score=min_score,
                min_checkworthy=min_checkworthy, limit=limit,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            )  # fmt: skip
        _print_notices(corpus)
        if output is None:
            found.write_jsonl(sys.stdout)
        else:
            _write_atomic(output, found)
    _print_summary(found, top, output)


def _write_atomic(path: Path, found: Report) -> None:
    """Write next to ``path`` and rename into place: an old report is never half-overwritten."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            found.write_jsonl(fh)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ValueError(f"cannot write {path}: {exc.strerror or exc}") from None


def _statement_cell(statement: Statement) -> str:
    """A statement, clipped, over its source (or article) and date."""
    text = statement.text
    if len(text) > SUMMARY_CHARS:
        text = text[: SUMMARY_CHARS - 1] + "…"
    where = f"{statement.source or statement.article.id} {statement.date or ''}"
    return f"{escape(text)}\n[dim]{escape(where)}[/dim]"


def _print_summary(found: Report, top: int, output: Path | None) -> None:
    s = found.summary()
    where = f" → {output}" if output else ""
    err.print(
        f"{s['statements']:,} check-worthy statements, {s['clusters']:,} clusters, "
        f"[bold]{s['contested']:,} contested[/bold] ({s['conflicts']:,} conflicts) "
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
def info(
    index: IndexOpt = None,
    check: Annotated[
        bool, typer.Option("--check", help="Verify checksums and that FAISS matches SQLite.")
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
