"""Check-worthiness: statements with facts score high; questions, opinions, subheads,
instructions and site furniture score low. Features come from the real extractor."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from factcheck.checkworthy import MIN_CHECKWORTHY, explain, score
from factcheck.features import extract

WORTH_CHECKING = [
    "Selon les dernières estimations des services de renseignement américains, Poutine a "
    "rassemblé 70 % du personnel militaire et des armes dont il aurait besoin.",
    "Le maitre du Kremlin a reconnu lundi 21 février l’indépendance des régions séparatistes.",
    "« Notre pays est toujours ouvert à un dialogue direct et honnête », a déclaré Vladimir "
    "Poutine.",
    "Moscou a depuis accusé l’Ukraine et l’OTAN de comportement déstabilisateur, y compris en "
    "mer Noire.",
    "Western bombers flew within 20 km of the Russian border on Thursday, officials said.",
    "Le porte-parole du gouvernement a annoncé une hausse de 3 milliards d'euros du budget.",
]
NOT_WORTH_CHECKING = [
    "L’armée Russe mobilisée pour une future attaque ?",  # a question
    "Vous pouvez le voir dans la vidéo disponible ci-dessous !",  # furniture
    "Vers un développement de l’arsenal militaire russe",  # a subhead
    "19 novembre.",  # a dateline
    "Ajoutez 200 g de farine et 3 œufs, puis mélangez pendant 5 minutes.",  # a recipe
    "Click here to subscribe to our newsletter for 5 dollars a month.",  # an instruction
    "Je pense que c'est une bonne idée.",  # an opinion without facts
    "Ukraine crisis: Five reasons why Putin might not invade",  # a listicle headline
    "Trois raisons pour lesquelles la Russie pourrait envahir l'Ukraine en février.",
]


def _score(text: str) -> float:
    return score(text, extract(text).to_dict())


@pytest.mark.parametrize("text", WORTH_CHECKING)
def test_statements_of_fact_reach_the_report_threshold(text: str) -> None:
    assert _score(text) >= MIN_CHECKWORTHY


@pytest.mark.parametrize("text", NOT_WORTH_CHECKING)
def test_noise_stays_below_the_report_threshold(text: str) -> None:
    assert _score(text) < MIN_CHECKWORTHY


def test_more_facts_score_higher() -> None:
    bare = "Le président russe a parlé de la crise avec son homologue français."
    richer = "Le président russe a parlé 5 heures de la crise avec Emmanuel Macron le 7 février."
    assert _score(richer) > _score(bare)


def test_explain_names_the_parts_that_make_the_score() -> None:
    text = "Selon Dmitri Peskov, 100 000 soldats russes étaient massés à la frontière en janvier."
    parts = explain(text, extract(text).to_dict())
    assert {"number", "date", "quote", "actor", "full_sentence"} <= set(parts)
    assert score(text, extract(text).to_dict()) == pytest.approx(min(1.0, sum(parts.values())))


def test_an_index_from_before_the_score_is_migrated(tmp_path: Path) -> None:
    """An index written before check-worthiness was stored gains the column, filled in."""
    from factcheck.store import Store

    path = tmp_path / "meta.sqlite"
    store = Store(path)
    with store.db:
        store.db.execute(
            "INSERT INTO articles(id, text, checksum) VALUES ('a', 'x', 'c')",
        )
        for i, text in enumerate([WORTH_CHECKING[0], NOT_WORTH_CHECKING[0]]):
            store.db.execute(
                "INSERT INTO sentences(article_id, idx, start, end, text, hash, features) "
                "VALUES ('a', ?, 0, 1, ?, ?, ?)",
                (i, text, f"h{i}", json.dumps(extract(text).to_dict())),
            )
        store.db.execute("ALTER TABLE sentences DROP COLUMN checkworthy")
    store.close()
    assert "checkworthy" not in {r[1] for r in sqlite3.connect(path).execute(
        "PRAGMA table_info(sentences)")}  # fmt: skip
    migrated = Store(path)
    scores = [r[0] for r in migrated.db.execute("SELECT checkworthy FROM sentences ORDER BY idx")]
    migrated.close()
    assert scores == [_score(WORTH_CHECKING[0]), _score(NOT_WORTH_CHECKING[0])]
    assert scores[0] >= MIN_CHECKWORTHY > scores[1]
