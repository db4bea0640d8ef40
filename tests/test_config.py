"""Which index a command uses: ``--index``, then ``$FACTCHECK_INDEX``, then the working
folder's ``factcheck.toml`` (written by the first ``ingest --index``), then ``./index``.
Real CLI, real index of a two-sentence article; each test runs in an empty folder of its
own (conftest)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.config import ConfigError, configured_index, default_index, remember_index

runner = CliRunner()


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "articles" / "macron.txt"
    path.parent.mkdir()
    path.write_text(
        "Poutine et Macron au Kremlin\n\nLe président russe Vladimir Poutine a rencontré "
        "Emmanuel Macron le lundi 7 février 2022 à Moscou. Les deux dirigeants ont parlé de "
        "la crise ukrainienne pendant plus de cinq heures.\n",
        encoding="utf-8",
    )
    return path


def _index_of(*args: str) -> Path:
    """The index ``factcheck info`` reports, run with ``args``."""
    result = runner.invoke(app, ["info", "--json", *args])
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.stdout)["index"]).resolve()


def test_the_first_ingest_with_an_index_names_it_for_the_next_commands(article: Path) -> None:
    first = runner.invoke(app, ["ingest", str(article), "--index", "desk"])
    assert first.exit_code == 0, first.output
    assert "factcheck.toml written" in first.stderr
    assert configured_index() == Path("desk")
    assert _index_of() == Path("desk").resolve()  # no --index: the file's
    # Another index, given on the command line, wins for that command and leaves the file.
    other = runner.invoke(app, ["ingest", str(article), "--index", "other"])
    assert other.exit_code == 0, other.output
    assert "factcheck.toml names the index desk" in other.stderr
    assert configured_index() == Path("desk")
    assert _index_of("--index", "other") == Path("other").resolve()


def test_publish_says_when_there_is_nothing_to_publish(article: Path) -> None:
    assert runner.invoke(app, ["ingest", str(article), "--index", "desk"]).exit_code == 0
    assert runner.invoke(app, ["report", "-o", "contested.jsonl"]).exit_code == 0
    published = runner.invoke(app, ["publish", "-o", "published.jsonl"])
    assert published.exit_code == 1
    assert "nothing to publish" in published.stderr and "desk" in published.stderr
    assert not Path("published.jsonl").exists()


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_index(tmp_path) == Path("index")
    (tmp_path / "factcheck.toml").write_text('index = "from-file"\n', encoding="utf-8")
    assert default_index(tmp_path) == tmp_path / "from-file"  # relative to the file's folder
    monkeypatch.setenv("FACTCHECK_INDEX", "from-env")
    assert default_index(tmp_path) == Path("from-env")
    monkeypatch.delenv("FACTCHECK_INDEX")
    (tmp_path / "factcheck.toml").write_text('index = "/srv/desk"\n', encoding="utf-8")
    assert default_index(tmp_path) == Path("/srv/desk")


def test_the_file_is_written_once_and_never_overwritten(tmp_path: Path) -> None:
    assert remember_index(Path("first"), tmp_path) == tmp_path / "factcheck.toml"
    assert remember_index(Path("second"), tmp_path) is None
    assert configured_index(tmp_path) == tmp_path / "first"
    quoted = tmp_path / "quoted"
    quoted.mkdir()
    remember_index(Path('a "desk" \\ index'), quoted)
    assert configured_index(quoted) == quoted / 'a "desk" \\ index'


@pytest.mark.parametrize(
    ("text", "why"),
    [("index = \n", "line 1"), ("index = 3\n", "must be a folder name"), ("[index\n", "line 1")],
)
def test_a_broken_file_is_named_with_what_is_wrong(text: str, why: str) -> None:
    Path("factcheck.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=why):
        configured_index()
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 1
    assert "factcheck.toml" in result.stderr and why in result.stderr


def test_an_index_the_file_cannot_name_or_hold_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot name"):
        remember_index(Path("desk\x7f"), tmp_path)
    with pytest.raises(ConfigError, match="cannot write"):
        remember_index(Path("desk"), tmp_path / "missing")
    assert not (tmp_path / "factcheck.toml").exists()


def test_each_test_runs_in_an_empty_folder_without_index_settings() -> None:
    """What conftest guarantees, so that a README walk-through done in the clone (its
    ``claims/decisions.jsonl``, its ``factcheck.toml``) cannot change any test's result."""
    assert list(Path().iterdir()) == []
    assert Path().resolve() != Path(__file__).resolve().parents[1]
    assert "FACTCHECK_INDEX" not in os.environ and "FACTCHECK_DECISIONS" not in os.environ
