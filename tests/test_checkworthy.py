"""Check-worthiness: the packaged model on real vectors of the packaged e5 model, the rules
it falls back to, the score an index stores (and re-scores), and ``factcheck claims``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from factcheck import Corpus, checkworthy
from factcheck.checkworthy import MIN_CHECKWORTHY, explain, rules_score, score_texts
from factcheck.cli import app
from factcheck.corpus import CHECKWORTHY_META, FEATURES_META, METADATA
from factcheck.embed import FAST_MODEL, load_embedder
from factcheck.features import VERSION as features_version
from factcheck.features import extract

# Written for the rules before the model existed; the model never saw them.
WORTH_CHECKING = [
    "Selon les dernières estimations des services de renseignement américains, Poutine a "
    "rassemblé 70 % du personnel militaire et des armes dont il aurait besoin.",
    "Le maitre du Kremlin a reconnu lundi 21 février l’indépendance des régions séparatistes.",
    "Moscou a depuis accusé l’Ukraine et l’OTAN de comportement déstabilisateur, y compris en "
    "mer Noire.",
    "Western bombers flew within 20 km of the Russian border on Thursday, officials said.",
    "Le porte-parole du gouvernement a annoncé une hausse de 3 milliards d'euros du budget.",
]
NOT_WORTH_CHECKING = [
    "L’armée Russe mobilisée pour une future attaque ?",  # a question
    "Vous pouvez le voir dans la vidéo disponible ci-dessous !",  # furniture
    "Vers un développement de l’arsenal militaire russe",  # a subhead
    "Click here to subscribe to our newsletter for 5 dollars a month.",  # an instruction
    "Je pense que c'est une bonne idée.",  # an opinion without facts
    "CNN's Melissa Bell reports from Kyiv.",  # a credit line
    "Reportage de notre envoyée spéciale à Lviv.",  # a credit line
]
ARTICLE = (
    "La guerre en chiffres\n\n"
    "Selon l'ONU, 7,1 millions de personnes ont quitté l'Ukraine depuis le 24 février. "
    "Que faut-il en penser ? Abonnez-vous à notre lettre d'information.\n"
)
runner = CliRunner()


def test_statements_of_fact_reach_the_threshold() -> None:
    assert min(score_texts(WORTH_CHECKING)) >= MIN_CHECKWORTHY


def test_noise_stays_below_the_threshold() -> None:
    assert max(score_texts(NOT_WORTH_CHECKING)) < MIN_CHECKWORTHY


def test_a_credit_line_is_damped_and_a_reported_fact_is_not() -> None:
    credits = ["CNN's Nic Robertson reports from Moscow.", "Tim Marshall explains why."]
    facts = ["Russia reports 500 soldiers killed.", "Putin explains why he invaded Ukraine."]
    assert [checkworthy.credit_factor(t) for t in credits] == [checkworthy.CREDIT_FACTOR] * 2
    assert [checkworthy.credit_factor(t) for t in facts] == [1.0, 1.0]


def test_scores_are_probabilities_and_the_threshold_is_one() -> None:
    scores = score_texts(WORTH_CHECKING + NOT_WORTH_CHECKING)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert 0.0 < MIN_CHECKWORTHY < 1.0
    assert checkworthy.model().threshold == MIN_CHECKWORTHY


def test_every_build_of_the_packaged_model_gives_the_same_scores() -> None:
    """int8 ONNX vectors score like the default 4-bit ones: an index of either is scored
    by the one model."""
    default = np.array(score_texts(WORTH_CHECKING + NOT_WORTH_CHECKING))
    int8 = np.array(score_texts(WORTH_CHECKING + NOT_WORTH_CHECKING, load_embedder(FAST_MODEL)))
    assert np.abs(default - int8).max() < 0.1
    assert ((default >= MIN_CHECKWORTHY) == (int8 >= MIN_CHECKWORTHY)).all()


def test_vectors_of_another_model_fall_back_to_the_rules() -> None:
    texts = WORTH_CHECKING[:2]
    features = [extract(t).to_dict() for t in texts]
    found = checkworthy.scores(texts, features, np.ones((2, 8), np.float32), "other/model")
    assert found == [rules_score(t, f) for t, f in zip(texts, features, strict=True)]
    assert checkworthy.version("other/model").startswith("rules+")
    assert checkworthy.version(FAST_MODEL).startswith(checkworthy.model().version + "+")


def test_the_rules_explain_their_parts() -> None:
    text = "Selon Dmitri Peskov, 100 000 soldats russes étaient massés à la frontière en janvier."
    parts = explain(text, extract(text).to_dict())
    assert {"number", "date", "quote", "actor", "full_sentence"} <= set(parts)
    assert rules_score(text, extract(text).to_dict()) == pytest.approx(
        min(1.0, sum(parts.values()))
    )


def _stored(index: Path) -> list[tuple[str, float]]:
    db = sqlite3.connect(index / METADATA)
    rows = db.execute("SELECT text, checkworthy FROM sentences ORDER BY id").fetchall()
    db.close()
    return rows


def test_the_index_stores_the_score_claims_gives(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    with Corpus.open(tmp_path / "index") as corpus:
        corpus.ingest([tmp_path / "a.txt"])
    stored = _stored(tmp_path / "index")
    loose = score_texts([text for text, _ in stored])
    assert [w for _, w in stored] == pytest.approx(loose, abs=0.02)
    assert stored[1][1] >= MIN_CHECKWORTHY > max(w for t, w in stored if t.startswith("Abonnez"))


def test_an_index_scored_by_an_older_model_is_rescored_on_its_next_writable_open(
    tmp_path: Path,
) -> None:
    """Neither a reader nor the column's migration needs the model; the next writer re-scores
    from the stored vectors, without embedding anything."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    index = tmp_path / "index"
    with Corpus.open(index) as corpus:
        corpus.ingest([tmp_path / "a.txt"])
    fresh = _stored(index)
    db = sqlite3.connect(index / METADATA)
    with db:
        db.execute("ALTER TABLE sentences DROP COLUMN checkworthy")
        db.execute("UPDATE meta SET value = 'older' WHERE key = ?", (CHECKWORTHY_META,))
    db.close()
    with Corpus.open(index, readonly=True):
        pass
    assert "checkworthy" not in {r[1] for r in sqlite3.connect(index / METADATA).execute(
        "PRAGMA table_info(sentences)")}  # fmt: skip
    with Corpus.open(index, create=False) as corpus:
        assert corpus.store.get_meta(CHECKWORTHY_META) == checkworthy.version(corpus.model_name)
        assert corpus._embedder is None  # the stored vectors were enough
    assert _stored(index) == fresh


def test_claims_ranks_the_check_worthy_sentences_of_articles(seeds_dir: Path) -> None:
    result = runner.invoke(app, ["claims", str(seeds_dir), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) >= 10
    scores = [r["checkworthy"] for r in rows]
    assert scores == sorted(scores, reverse=True) and min(scores) >= MIN_CHECKWORTHY
    for row in rows[:5]:
        text = (seeds_dir / f"{row['article']}.txt").read_text(encoding="utf-8")
        assert text[row["start"] : row["end"]] == row["text"]
    everything = runner.invoke(app, ["claims", str(seeds_dir), "--json", "--min-checkworthy", "0"])
    assert len(everything.stdout.splitlines()) > len(rows)


def test_claims_file_answers_each_good_line_in_order_and_names_the_bad_ones(
    tmp_path: Path,
) -> None:
    texts = [WORTH_CHECKING[0], NOT_WORTH_CHECKING[0], WORTH_CHECKING[3]]
    lines = [json.dumps({"text": texts[0]}), "{not json", json.dumps({"id": 3}),
             json.dumps({"text": texts[1]}), json.dumps({"text": texts[2]})]  # fmt: skip
    (tmp_path / "s.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["claims", "--file", str(tmp_path / "s.jsonl")])
    assert result.exit_code == 1
    assert "s.jsonl:2:" in result.stderr and "s.jsonl:3:" in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["line"], r["text"]) for r in rows] == [(1, texts[0]), (4, texts[1]), (5, texts[2])]
    assert [r["checkworthy_label"] for r in rows] == [True, False, True]
    assert all(r["checkworthy_label"] == (r["checkworthy"] >= MIN_CHECKWORTHY) for r in rows)


def test_claims_wants_paths_or_a_file() -> None:
    assert runner.invoke(app, ["claims"]).exit_code == 2


def test_an_index_whose_features_an_older_factcheck_extracted_gets_them_again(
    tmp_path: Path,
) -> None:
    """Features stored by an older extractor are extracted again, with the article's date,
    on the next writable open, and the sentences re-scored with them."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    index = tmp_path / "index"
    with Corpus.open(index) as corpus:
        corpus.ingest([tmp_path / "a.txt"])
    fresh = sqlite3.connect(index / METADATA).execute(
        "SELECT features, checkworthy FROM sentences ORDER BY id").fetchall()  # fmt: skip
    db = sqlite3.connect(index / METADATA)
    with db:
        db.execute("UPDATE sentences SET features = '{}', checkworthy = 0")
        db.execute("UPDATE meta SET value = '1' WHERE key = ?", (FEATURES_META,))
    db.close()
    with Corpus.open(index, create=False) as corpus:
        assert corpus.store.get_meta(FEATURES_META) == str(features_version)
    again = sqlite3.connect(index / METADATA).execute(
        "SELECT features, checkworthy FROM sentences ORDER BY id").fetchall()  # fmt: skip
    assert again == fresh
    assert any(json.loads(f).get("quantities") for f, _ in again)
