"""The report of contested claims, on the seeds plus articles written here to contradict them.

Real model, real FAISS, real SQLite. The planted articles each contradict one seed sentence
in one way (a date, a share, a negation, an English article with another date) and also
carry sentences that agree with the seeds or are unrelated: the report must hold exactly
the four planted conflicts.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from factcheck import Corpus, Filters
from factcheck.cli import app
from factcheck.report import SCHEMA, Report

PLANTED = {
    "macron.txt": """Poutine et Macron au Kremlin
10 février 2022
Le président russe Vladimir Poutine a rencontré Emmanuel Macron le lundi 7 février 2022 à Moscou.
Les deux dirigeants ont parlé de la crise ukrainienne pendant plusieurs heures.
""",
    "forces.txt": """Title: Renseignement américain : l'armée russe est-elle prête ?
Date: 2022-02-06
Selon les estimations des services de renseignement américains, Poutine a rassemblé 60 % du \
personnel militaire et des armes nécessaires à une invasion à grande échelle de l'Ukraine.
Le Kremlin dément toute intention d'envahir son voisin.
""",
    "dialogue.txt": """Title: Moscou ferme la porte à Washington
Date: 2021-11-20
Dans un discours de politique étrangère, le chef du Kremlin a déclaré que la Russie n'était \
pas ouverte au dialogue avec Washington.
""",
    "separatists.txt": """Title: Putin recognises the separatist regions
Date: 2022-02-23
The Kremlin leader recognised the independence of the pro-Russian separatist regions of \
eastern Ukraine on Tuesday 22 February.
Western countries answered with economic sanctions against Russia.
""",
    # Agrees with a seed sentence and contradicts nothing: a cluster, never a report line.
    "agrees.txt": """Title: Le sommet de Moscou
Date: 2022-02-09
Emmanuel Macron a déclaré que Poutine et lui avaient pu trouver des « points de convergence » \
sur la crise ukrainienne.
La recette du jour : ajoutez 200 g de farine et 3 œufs, puis mélangez.
""",
}
# (planted file, what the seed sentence says, what the planted one says, evidence kind)
EXPECTED = {
    "macron": ("ce lundi 8 février", "le lundi 7 février 2022", "date"),
    "forces": ("70 %", "60 %", "number"),
    "dialogue": ("restait ouverte au dialogue", "n'était pas ouverte", "negation"),
    "separatists": ("lundi 21 février", "Tuesday 22 February", "date"),
}
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads(files("factcheck").joinpath("data/report.schema.json").read_text("utf-8"))
)


def _write_planted(folder: Path, names: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in PLANTED.items():
        if names is None or name in names:
            (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def planted_index(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Seeds plus the planted articles, ingested once; tests copy it before they write."""
    root = tmp_path_factory.mktemp("report")
    with Corpus.open(root / "index") as corpus:
        corpus.ingest([seeds_dir, _write_planted(root / "planted")])
    yield root / "index"


@pytest.fixture
def index(planted_index: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(planted_index, copy)
    return copy


def _conflict_articles(report: Report) -> dict[str, tuple[str, str, list[dict]]]:
    """Each conflict as planted article id -> (seed side text, planted side text, evidence)."""
    found = {}
    for cluster in report.contested:
        by_id = {s.id: s for s in cluster.statements}
        for conflict in cluster.conflicts:
            a, b = by_id[conflict.a], by_id[conflict.b]
            planted = [s for s in (a, b) if s.article.id in EXPECTED]
            assert len(planted) == 1, (a.text, b.text)  # one seed side, one planted side
            seed = b if planted[0] is a else a
            found[planted[0].article.id] = (seed.text, planted[0].text, conflict.evidence)
    return found


@pytest.mark.slow
def test_report_holds_exactly_the_planted_conflicts(index: Path) -> None:
    with Corpus.open(index) as corpus:
        report = corpus.report()
    conflicts = _conflict_articles(report)
    assert sorted(conflicts) == sorted(EXPECTED)
    assert sum(len(c.conflicts) for c in report.contested) == len(EXPECTED)
    for article_id, (seed_says, planted_says, kind) in EXPECTED.items():
        seed_text, planted_text, evidence = conflicts[article_id]
        assert seed_says in seed_text
        assert planted_says in planted_text
        assert kind in {e["kind"] for e in evidence if not e.get("agrees")}


@pytest.mark.slow
def test_agreeing_statements_cluster_but_are_not_reported(index: Path) -> None:
    with Corpus.open(index) as corpus:
        report = corpus.report()
    agreeing = [c for c in report.clusters if any(s.article.id == "agrees" for s in c.statements)]
    assert agreeing, "the restated seed sentence should form a cluster"
    assert all(not c.contested for c in agreeing)
    assert {s.relation for c in agreeing for s in c.statements[1:]} == {"agrees"}
    assert all(c not in report.contested for c in agreeing)
    recipe = "ajoutez 200 g de farine"
    assert not any(recipe in s.text for c in report.clusters for s in c.statements)


@pytest.mark.slow
def test_report_lines_follow_the_schema_and_point_into_the_articles(index: Path) -> None:
    with Corpus.open(index) as corpus:
        report = corpus.report()
        lines = [c.to_dict() for c in report.contested]
        texts = dict(corpus.store.db.execute("SELECT id, text FROM articles"))
    assert len(lines) == len(EXPECTED)
    for line in lines:
        VALIDATOR.validate(line)
        assert line["schema"] == SCHEMA
        ids = {s["id"] for s in line["statements"]}
        assert line["claim"]["id"] in ids
        assert {c["a"] for c in line["conflicts"]} | {c["b"] for c in line["conflicts"]} <= ids
        assert [t["statement"] for t in line["timeline"]] != [] and {
            t["statement"] for t in line["timeline"]
        } == ids
        dated = [t["date"] for t in line["timeline"] if t["date"]]
        assert dated == sorted(dated)
        assert line["first_seen"] == (dated[0] if dated else None)
        assert line["last_seen"] == (dated[-1] if dated else None)
        for s in line["statements"]:
            start, end = s["sentence"]["start"], s["sentence"]["end"]
            assert texts[s["article"]["id"]][start:end] == s["text"]


@pytest.mark.slow
def test_ids_are_stable_when_the_corpus_grows(index: Path, tmp_path: Path) -> None:
    with Corpus.open(index) as corpus:
        before = {
            aid: cluster.id
            for cluster in corpus.report().contested
            for aid in {s.article.id for s in cluster.statements} & set(EXPECTED)
        }
        # Two more sources repeat the 60 % figure: that side of the cluster now has the most
        # links, so the cluster's centre changes; its id must not.
        grown = tmp_path / "grown"
        grown.mkdir()
        for n in (1, 2):
            (grown / f"forces{n}.txt").write_text(
                PLANTED["forces.txt"].replace("Date: 2022-02-06", f"Date: 2022-02-0{6 + n}"),
                encoding="utf-8",
            )
        (grown / "other.txt").write_text(
            "La Banque centrale européenne a relevé ses taux de 0,5 point le 21 juillet 2022.\n",
            encoding="utf-8",
        )
        corpus.ingest([grown])
        after = corpus.report()
    by_article = {
        aid: cluster
        for cluster in after.contested
        for aid in {s.article.id for s in cluster.statements} & set(EXPECTED)
    }
    assert {aid: c.id for aid, c in by_article.items()} == before
    forces = by_article["forces"]
    assert {"forces1", "forces2"} <= {s.article.id for s in forces.statements}
    assert len(forces.conflicts) == 3  # each 60 % article against the 70 % seed


@pytest.mark.slow
def test_ids_do_not_depend_on_the_order_of_ingest(
    index: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    with Corpus.open(index) as corpus:
        first = sorted(c.id for c in corpus.report().contested)
    with Corpus.open(tmp_path / "other") as corpus:  # planted first, then the seeds
        corpus.ingest([_write_planted(tmp_path / "planted")])
        corpus.ingest([seeds_dir])
        second = sorted(c.id for c in corpus.report().contested)
    assert first == second


@pytest.mark.slow
def test_filters_and_limit(index: Path) -> None:
    with Corpus.open(index) as corpus:
        # Dates the seeds only imply (inferred lower bounds) left out: the seeds read undated.
        # Up to 2021: only the dialogue article (2021-11-20); the seed it contradicts is undated.
        early = corpus.report(filters=Filters(until="2021", inferred_dates=False))
        # From February 2022: both sides of the separatists conflict are dated then; the seeds
        # the other planted articles contradict are undated, so those conflicts are out.
        february = corpus.report(filters=Filters(since="2022-02", inferred_dates=False))
        english = corpus.report(filters=Filters(lang="en"))
        full = corpus.report()
        quick = corpus.report(limit=3)
    assert early.contested == []
    assert early.summary()["statements"] == 1
    assert set(_conflict_articles(february)) == {"separatists"}
    assert english.contested == []  # one English article: nothing to compare it with
    # --limit searches from fewer statements, among all of them: it finds fewer clusters.
    assert quick.summary()["statements"] == full.summary()["statements"]
    assert quick.summary()["clusters"] < full.summary()["clusters"]
    assert len(quick.contested) <= 3


@pytest.mark.slow
def test_cli_report_writes_jsonl_and_a_summary(index: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "report.jsonl"
    result = runner.invoke(app, ["report", "--index", str(index), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(EXPECTED)
    for line in lines:
        VALIDATOR.validate(line)
    assert "4 contested" in result.stderr
    assert "Top contested claims" in result.stderr
    assert result.stdout == ""

    to_stdout = runner.invoke(app, ["report", "--index", str(index), "--top", "0"])
    assert to_stdout.exit_code == 0
    assert [json.loads(x)["id"] for x in to_stdout.stdout.splitlines()] == [x["id"] for x in lines]


def test_cli_report_on_a_missing_index_says_so_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(app, ["report", "--index", str(missing)])
    assert result.exit_code == 1
    assert "no index at" in result.stderr
    assert not missing.exists()


@pytest.mark.slow
def test_cli_report_to_a_pipe_writes_through_it(index: Path, tmp_path: Path) -> None:
    """``-o /dev/stdout`` or a named pipe is written to, never replaced by a file."""
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    result = CliRunner().invoke(app, ["report", "--index", str(index), "-o", str(fifo)])
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert len(received[0].splitlines()) == len(EXPECTED)
    assert not fifo.is_file() and fifo.exists()
