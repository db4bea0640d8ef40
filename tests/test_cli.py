"""The command line on the seed articles: ingest, find (table, JSON, watch-lists), info, errors."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.embed import DEFAULT_MODEL
from factcheck.models import shown_date

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def index(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "index"
    result = runner.invoke(app, ["ingest", str(seeds_dir), "--index", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["added"] == 5 and summary["skipped"] == []
    return path


def test_reingest_is_a_no_op(index: Path, seeds_dir: Path) -> None:
    result = runner.invoke(app, ["ingest", str(seeds_dir), "--index", str(index), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["unchanged"] == 5
    assert "5 unchanged" in result.stderr


def test_find_json_schema(index: Path) -> None:
    result = runner.invoke(
        app,
        ["find", "Poutine a vu Macron le 8 février", "--index", str(index), "-k", "3", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["claim"] == "Poutine a vu Macron le 8 février"
    assert len(data["matches"]) == 3
    top = data["matches"][0]
    assert set(top) >= {"text", "score", "relation", "evidence", "article", "sentence"}
    assert set(top["article"]) >= {"id", "title", "date", "source", "url", "path"}
    assert set(top["sentence"]) == {"index", "start", "end"}
    assert top["relation"] in {"agrees", "contradicts", "related"}
    assert isinstance(top["evidence"], list) and 0 < top["similarity"] <= top["score"]
    assert top["article"]["id"] == "004_028413897af3ab6e"
    source = Path(top["article"]["path"]).read_text(encoding="utf-8")
    assert source[top["sentence"]["start"] : top["sentence"]["end"]] == top["text"]


def test_find_table_shows_score_date_and_context(index: Path) -> None:
    """Each row: the score, the date ("—" when undated), and the sentence between the end of
    the one before and the start of the one after, as the JSON gives them."""
    args = ["find", "70 % des forces rassemblées", "--index", str(index), "-k", "2"]
    matches = json.loads(runner.invoke(app, [*args, "--json"]).stdout)["matches"]
    result = runner.invoke(app, args, env={"COLUMNS": "1000"})  # no cell wraps
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("│ 0.")]
    assert len(rows) == len(matches) == 2
    dates = [m["article"]["date"] for m in matches]
    assert None in dates and any(dates)  # an undated row and a dated one
    for row, m in zip(rows, matches, strict=True):
        score, _, day, _, sentence = (cell.strip() for cell in row.strip("│").split("│"))
        assert float(score) == pytest.approx(m["score"], abs=6e-4)
        article = m["article"]
        assert day == (shown_date(article["date"], article["date_inferred"]) or "—")
        before, after = m["context"]["before"], m["context"]["after"]
        assert before and after
        assert sentence == f"…{before[-60:]} {m['text']} {after[:60]}…"


def test_find_watch_list_prints_one_json_line_per_claim(index: Path, tmp_path: Path) -> None:
    txt = tmp_path / "claims.txt"
    txt.write_text("# veille\nPoutine prêt à discuter avec l'OTAN\n\nMacron à Moscou\n")
    jsonl = tmp_path / "claims.jsonl"
    jsonl.write_text(json.dumps({"claim": "les réservistes russes"}) + "\n")
    for path, expected in ((txt, 2), (jsonl, 1)):
        result = runner.invoke(app, ["find", "--file", str(path), "--index", str(index), "-k", "2"])
        assert result.exit_code == 0, result.output
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert len(lines) == expected and all(len(x["matches"]) == 2 for x in lines)


def test_find_watch_list_names_each_bad_claim_and_answers_the_others(
    index: Path, tmp_path: Path
) -> None:
    jsonl = tmp_path / "claims.jsonl"
    lines = [
        json.dumps({"claim": "Poutine prêt à discuter avec l'OTAN"}),
        json.dumps({"claim": ""}),
        json.dumps({"claim": "x" * 10_001}),
        '{"claim": "\\ud83d"}',
        "{oops",
        json.dumps({"claim": "Macron à Moscou"}),
    ]
    jsonl.write_text("\n".join(lines) + "\n")
    txt = tmp_path / "claims.txt"
    txt.write_text("# veille\n" + "y" * 10_001 + "\nMacron à Moscou\n")
    result = runner.invoke(app, ["find", "--file", str(jsonl), "--index", str(index), "-k", "2"])
    assert result.exit_code == 1
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert [x["claim"] for x in found] == ["Poutine prêt à discuter avec l'OTAN", "Macron à Moscou"]
    assert all(len(x["matches"]) == 2 for x in found)
    errors = result.stderr.splitlines()
    assert len(errors) == 4
    assert f"{jsonl}:2: missing or empty 'claim' field" in errors[0]
    assert f"{jsonl}:3: the claim is 10,001 characters long" in errors[1]
    assert f"{jsonl}:4: the claim holds \\ud83d" in errors[2]
    assert f"{jsonl}:5: invalid JSON" in errors[3]
    plain = runner.invoke(app, ["find", "--file", str(txt), "--index", str(index), "-k", "1"])
    assert plain.exit_code == 1 and f"{txt}:2: the claim is 10,001" in plain.stderr
    assert [json.loads(line)["claim"] for line in plain.stdout.splitlines()] == ["Macron à Moscou"]


def test_find_filters(index: Path) -> None:
    result = runner.invoke(
        app,
        [
            "find",
            "Poutine et l'OTAN",
            "--index",
            str(index),
            "-k",
            "5",
            "--json",
            "--since",
            "2022",
            "--until",
            "2022-02",
        ],
    )
    assert result.exit_code == 0, result.output
    dates = {m["article"]["date"] for m in json.loads(result.stdout)["matches"]}
    assert dates and all("2022-01-01" <= d <= "2022-02-28" for d in dates)


def test_info_json(index: Path) -> None:
    result = runner.invoke(app, ["info", "--index", str(index), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["articles"] == 5 and data["sentences"] > 50
    assert data["model"] == DEFAULT_MODEL and data["dim"] == 384
    assert data["languages"].get("fr", 0) > 0.9 * data["sentences"]
    assert data["size_bytes"] > 0 and data["in_sync"] is True


def test_errors_are_one_clear_line(index: Path, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["find", "x", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "no index at" in missing.stderr
    # A bad option value, or options that do not go together: a usage error, status 2.
    bad_date = runner.invoke(app, ["find", "x", "--index", str(index), "--since", "demain"])
    assert bad_date.exit_code == 2 and "invalid date 'demain'" in bad_date.stderr
    neither = runner.invoke(app, ["find", "--index", str(index)])
    assert neither.exit_code == 2 and "CLAIM or --file" in neither.stderr
    pairs = runner.invoke(app, ["compare", "A seul"])
    assert pairs.exit_code == 2 and "two statements A and B" in pairs.stderr


def test_ingest_reports_skipped_files_and_exits_1(seeds_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(next(seeds_dir.glob("000_*.txt")), folder)
    (folder / "broken.jsonl").write_text('{"text": "Une phrase valable ici."}\n{oops\n')
    result = runner.invoke(app, ["ingest", str(folder), "--index", str(tmp_path / "idx")])
    assert result.exit_code == 1
    assert f"{folder / 'broken.jsonl'}:2: invalid JSON" in result.stderr
    assert "2 added" in result.stderr and "1 skipped" in result.stderr


def test_ingest_names_what_cannot_be_read_and_exits_1(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unreadable folder among readable files, and a path argument that is no file
    (a FIFO: reading it would wait forever), are named and skipped; the rest goes in."""
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(next(seeds_dir.glob("000_*.txt")), folder / "locked")
    shutil.copy(next(seeds_dir.glob("001_*.txt")), folder)
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    scandir = os.scandir

    def refusing(path: str | Path = ".") -> object:
        if Path(path) == folder / "locked":  # as chmod 000 would for any user but root
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    index = str(tmp_path / "idx")
    result = runner.invoke(app, ["ingest", str(folder), str(fifo), "--index", index])
    assert result.exit_code == 1
    assert f"{folder / 'locked'}: cannot read folder: Permission denied" in result.stderr
    assert f"{fifo}: not a regular file" in result.stderr
    assert "1 added" in result.stderr and "2 skipped" in result.stderr


def test_find_marks_relations_and_keeps_only_contradictions(index: Path) -> None:
    claim = "Putin met Macron on 7 February 2022"
    every = runner.invoke(app, ["find", claim, "--index", str(index), "--json", "-k", "5"])
    assert every.exit_code == 0, every.output
    relations = [m["relation"] for m in json.loads(every.stdout)["matches"]]
    assert set(relations) <= {"agrees", "contradicts", "related"}
    only = runner.invoke(
        app, ["find", claim, "--index", str(index), "--json", "-k", "3", "--contradicts"]
    )
    assert only.exit_code == 0, only.output
    matches = json.loads(only.stdout)["matches"]
    assert matches and all(m["relation"] == "contradicts" for m in matches)
    meeting = [m for m in matches if "rencontré Emmanuel Macron" in m["text"]]
    assert meeting, "the seed sentence dating the meeting to Monday 8 February"
    assert {"kind": "date", "claim": "7 February 2022", "match": "lundi 8 février"} in (
        meeting[0]["evidence"]
    )
    table = runner.invoke(
        app,
        ["find", claim, "--index", str(index), "--contradicts", "-k", "1"],
        env={"COLUMNS": "200"},
    )
    assert "contradicts" in table.stdout and "lundi 8 février" in table.stdout


def test_compare_pairs_and_errors(tmp_path: Path) -> None:
    one = runner.invoke(
        app, ["compare", "Poutine a rassemblé 70 % des forces", "Putin gathered 60% of his forces"]
    )
    assert one.exit_code == 0 and "contradicts" in one.stdout and "70 %" in one.stdout
    pairs = tmp_path / "pairs.jsonl"
    rows = [
        {
            "a": "Le Kremlin a nié planifier une invasion",
            "b": "The Kremlin denied planning an invasion",
        },
        {"a": "Le sommet a eu lieu à Genève en juin", "b": "Le sommet a eu lieu à Genève en juin"},
    ]
    pairs.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = runner.invoke(app, ["compare", "--file", str(pairs)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(x["a"], x["b"]) for x in lines] == [(r["a"], r["b"]) for r in rows]
    assert lines[1]["relation"] == "agrees"
    pairs.write_text(json.dumps(rows[0]) + '\n{"a": "seul"}\n')
    bad = runner.invoke(app, ["compare", "--file", str(pairs)])
    assert bad.exit_code == 1 and f"{pairs}:2: missing or empty 'b' field" in bad.stderr


def test_find_with_the_default_model_never_imports_torch(index: Path) -> None:
    """Start-up stays light: torch is only for sentence-transformers models and NLI models."""
    code = (
        "import sys; from factcheck.cli import app; "
        f"app(['find', 'Poutine et Macron', '--index', {str(index)!r}, '--json'], "
        "standalone_mode=False); "
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["matches"]
    assert result.stderr.strip().splitlines()[-1] == "False False"


def test_digits_that_are_no_figure_neither_stop_ingest_nor_find(tmp_path: Path) -> None:
    """Coordinates ("52.376552,5.198303") and lists ("1.5,2.5") once made the feature
    extraction raise: the whole batch was lost, and find or compare on such text failed."""
    folder = tmp_path / "in"
    folder.mkdir()
    coordinates = "Le navire a été localisé au point 52.376552,5.198303 près d'Utrecht."
    (folder / "gps.txt").write_text(
        f"{coordinates}\n\nEntre 1.5,2.5 millions de personnes ont fui la région.\n"
    )
    (folder / "gaz.txt").write_text("Le prix du gaz a doublé en Europe depuis janvier.\n")
    (folder / "ble.txt").write_text("Les exportations de blé ukrainien ont chuté en mars.\n")
    index = tmp_path / "index"
    ingested = runner.invoke(app, ["ingest", str(folder), "--index", str(index), "--json"])
    assert ingested.exit_code == 0, ingested.output
    assert json.loads(ingested.stdout)["added"] == 3
    found = runner.invoke(app, ["find", coordinates, "--index", str(index), "--json", "-k", "3"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["matches"][0]["text"] == coordinates
    wheat = runner.invoke(app, ["find", "exportations de blé", "--index", str(index), "--json"])
    assert json.loads(wheat.stdout)["matches"][0]["article"]["id"] == "ble"
    compared = runner.invoke(app, ["compare", "--json", "1.5,2.5 millions", coordinates])
    assert compared.exit_code == 0, compared.output
    assert json.loads(compared.stdout)["relation"] in {"agrees", "contradicts", "related"}


def test_an_internal_value_error_is_not_passed_off_as_a_user_error(
    index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug surfaces as the exception it is; only input a user can correct reads "Error: …"."""
    from factcheck import Corpus

    def broken(*args, **kwargs):
        raise ValueError("an internal bug")

    monkeypatch.setattr(Corpus, "find_many", broken)
    result = runner.invoke(app, ["find", "Poutine", "--index", str(index)])
    assert isinstance(result.exception, ValueError)
    assert "Error:" not in result.stderr
    monkeypatch.undo()
    user = runner.invoke(app, ["find", "   ", "--index", str(index)])
    assert user.exit_code == 1 and "Error:" in user.stderr
