"""The command's help text says what the options are, as written: bracketed text survives,
flags carry no type, and the defaults name where they come from."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from factcheck import __version__
from factcheck.cli import _count, app

runner = CliRunner()


def _help(*command: str) -> str:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())  # the text, whatever the line breaks


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"factcheck {__version__}\n"


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("ingest", "Needs the [ray] extra."),
        ("report", "Write the JSONL here [default: stdout]."),
        ("find", "[default: $FACTCHECK_INDEX, else the index named in ./factcheck.toml"),
        ("review", "[default: $FACTCHECK_DECISIONS or claims/decisions.jsonl]"),
        ("ingest", "as JSON on stdout"),
    ],
)
def test_bracketed_text_is_shown_as_written(command: str, shown: str) -> None:
    assert shown in _help(command)


@pytest.mark.parametrize("command", ["ingest", "find", "report", "review", "publish", "info"])
def test_flags_show_no_type_and_k_is_one_option(command: str) -> None:
    text = _help(command)
    assert "<bool>" not in text
    assert "--k" not in text


def test_counts_are_singular_for_one() -> None:
    assert [_count(n, "cluster") for n in (0, 1, 2, 1234)] == [
        "0 clusters", "1 cluster", "2 clusters", "1,234 clusters"
    ]  # fmt: skip
