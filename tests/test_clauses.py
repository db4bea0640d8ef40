"""Clauses of long sentences: where they are cut, and how ``find`` uses them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from factcheck.clauses import MIN_CLAUSE_CHARS, MIN_SENTENCE_CHARS, separates, split

if TYPE_CHECKING:
    from factcheck import Corpus

MOBILISATION = (
    "Poutine a déclaré lors d’une conférence de presse à l’issue d’un sommet au Kazakhstan que "
    "sa convocation des réservistes russes serait terminée dans les deux semaines et qu’il n’y "
    "avait aucun projet de mobilisation supplémentaire."
)


def test_a_long_sentence_is_cut_where_a_clause_starts() -> None:
    spans = split(MOBILISATION)
    assert [MOBILISATION[a:b] for a, b in spans] == [
        MOBILISATION[: MOBILISATION.index(" et qu’il")],
        "et qu’il n’y avait aucun projet de mobilisation supplémentaire.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "The ministry said the figures were final; the opposition, which had asked for a "
        "recount in three regions, said it would challenge them before the constitutional court.",
        "Le gouvernement a confirmé la hausse des tarifs de l’électricité au premier janvier, "
        "mais les associations demandent un gel des prix pour les ménages modestes.",
        "Officials confirmed that the bridge would reopen to light traffic next week while "
        "engineers keep inspecting the damaged pillars on the northern side of the river crossing.",
    ],
)
def test_each_clause_is_a_slice_of_the_sentence_in_order(sentence: str) -> None:
    spans = split(sentence)
    assert len(spans) >= 2
    assert spans[0][0] == 0 and spans[-1][1] == len(sentence.rstrip())
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start and not sentence[end:start].strip()
    assert all(b - a >= MIN_CLAUSE_CHARS for a, b in spans)


def test_short_or_single_clause_sentences_have_no_clauses() -> None:
    assert split("Poutine a rencontré Macron, mais sans résultat.") == []
    single = "Le président " + "très " * 40 + "fatigué a parlé."
    assert len(single) >= MIN_SENTENCE_CHARS and split(single) == []


def test_a_short_tail_stays_with_its_clause() -> None:
    sentence = (
        "Les ministres des Finances de la zone euro ont approuvé le nouveau programme d’aide "
        "après une longue nuit de négociations à Bruxelles avec les créanciers, mais pas tous."
    )
    assert len(sentence) >= MIN_SENTENCE_CHARS
    assert split(sentence) == []


@pytest.mark.slow
def test_a_claim_in_the_second_clause_finds_the_whole_sentence(seed_corpus: Corpus) -> None:
    matches = seed_corpus.find("Il n'est pas prévu de nouvelle mobilisation en Russie", k=5)
    hit = next(m for m in matches if "mobilisation supplémentaire" in m.text)
    assert hit.text == MOBILISATION
    assert hit.clause is not None
    assert hit.text[hit.clause["start"] : hit.clause["end"]] == hit.clause["text"]
    assert "aucun projet de mobilisation" in hit.clause["text"]
    assert hit.to_dict()["clause"] == hit.clause


@pytest.mark.slow
def test_clauses_are_never_statements(seed_corpus: Corpus) -> None:
    """Clause ids live apart: every match, with or without clauses, is a stored sentence,
    each at most once, and the counts hold sentences only."""
    store = seed_corpus.store
    sentences = store.db.execute("SELECT count(*) FROM sentences").fetchone()[0]
    clauses = store.db.execute("SELECT count(*) FROM clauses").fetchone()[0]
    assert clauses > 0
    assert seed_corpus.info()["sentences"] == sentences
    matches = seed_corpus.find("La Russie est prête à négocier avec une médiation", k=20)
    keys = [(m.article.id, m.sentence["index"]) for m in matches]
    assert len(keys) == len(set(keys))
    stored = store.db.execute("SELECT article_id, idx, text FROM sentences").fetchall()
    assert {(m.article.id, m.sentence["index"], m.text) for m in matches} <= set(stored)


@pytest.mark.slow
def test_the_relation_reads_the_clause_that_matched(
    seed_corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rest of a long sentence states other things: the relation step is given the
    clause that matched, and the whole sentence when no clause did."""
    from factcheck import match as matching

    claim = "Il n'est pas prévu de nouvelle mobilisation en Russie"
    found = seed_corpus.find(claim, k=5, rules_only=True)
    by_clause = next(m for m in found if m.clause is not None)
    whole = next(m for m in found if m.clause is None)
    read: list[str] = []
    relate = matching.relate

    def spy(claim_side: object, text: str, **kwargs: object) -> object:
        read.append(text)
        return relate(claim_side, text, **kwargs)

    monkeypatch.setattr(matching, "relate", spy)
    matching.annotate(claim, [by_clause, whole])
    assert read == [by_clause.clause["text"], whole.text]


@pytest.mark.slow
def test_find_prints_the_clause_that_matched(seed_corpus: Corpus) -> None:
    import json

    from typer.testing import CliRunner

    from factcheck.cli import app

    claim = "Il n'est pas prévu de nouvelle mobilisation en Russie"
    args = ["find", claim, "--index", str(seed_corpus.path), "--rules-only", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    matches = json.loads(result.stdout)["matches"]
    hit = next(m for m in matches if "mobilisation supplémentaire" in m["text"])
    assert hit["text"][hit["clause"]["start"] : hit["clause"]["end"]] == hit["clause"]["text"]
    whole = CliRunner().invoke(app, [*args, "--no-clauses"])
    assert all(m["clause"] is None for m in json.loads(whole.stdout)["matches"])


@pytest.mark.parametrize(
    ("between", "expected"),
    [(" satisfaisantes, et Moscou ", True), (" rich and ", True), (" ", False), (" sont ", False)],
)
def test_separates_tells_a_clause_boundary_or_a_coordination(between: str, expected: bool) -> None:
    assert separates(between) is expected
