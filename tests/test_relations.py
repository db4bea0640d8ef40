"""Agrees, contradicts or related: hand-written French and English pairs for every kind of
evidence, both ways round and across the two languages, near misses that must not be
contradictions, and pairs built on real sentences of the seed articles. The similarity is
always the packaged e5's, as at search time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from factcheck.embed import Embedder, load_embedder
from factcheck.features import extract
from factcheck.relations import AGREES, CONTRADICTS, RELATED, Relation, relate, side
from factcheck.sentences import split_sentences

ARTICLE_DATE = dt.date(2022, 2, 9)  # seed 004: Putin and Macron met on Monday 7 February


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return load_embedder(None)


def similarity(embedder: Embedder, claim: str, match: str) -> float:
    """Cosine of the claim as a query and the match as a passage."""
    return float(embedder.embed_queries([claim])[0] @ embedder.embed_passages([match])[0])


def both_ways(
    embedder: Embedder,
    a: str,
    b: str,
    date_a: dt.date | None = None,
    date_b: dt.date | None = None,
) -> tuple[Relation, Relation]:
    """``relate(a, b)`` and ``relate(b, a)``, each with its own similarity (the claim is
    the query); one call per role keeps the model calls down."""
    queries, passages = embedder.embed_queries([a, b]), embedder.embed_passages([a, b])
    ab_sim, ba_sim = float(queries[0] @ passages[1]), float(queries[1] @ passages[0])
    ab = relate(a, b, similarity=ab_sim, claim_date=date_a, match_date=date_b)
    ba = relate(b, a, similarity=ba_sim, claim_date=date_b, match_date=date_a)
    return ab, ba


def conflicts(relation: Relation, kind: str) -> list[dict]:
    return [e for e in relation.evidence if e["kind"] == kind and not e.get("agrees")]


def opposed(relation: Relation, kind: str) -> list[tuple[str, str]]:
    """The (claim, match) words of each conflicting finding of ``kind``."""
    return [(e["claim"], e["match"]) for e in conflicts(relation, kind)]


def assert_shown_in_both_comparisons(
    a: str, b: str, kind: str, shown: tuple[str, str], similarity: float
) -> None:
    """A claim against its match and two statements of a corpus (``strict``) alike: a
    contradiction whose finding of ``kind`` shows the words ``shown``."""
    for strict in (False, True):
        found = relate(a, b, similarity=similarity, strict=strict)
        assert found.relation == CONTRADICTS, (strict, found)
        assert opposed(found, kind) == [shown]


def agreeing(relation: Relation, kind: str) -> list[dict]:
    return [e for e in relation.evidence if e["kind"] == kind and e.get("agrees")]


def assert_contradiction(
    embedder: Embedder,
    a: str,
    b: str,
    kind: str,
    date_a: dt.date | None = None,
    date_b: dt.date | None = None,
) -> tuple[dict, dict]:
    """Both ways: contradicts, with evidence of ``kind``; the evidence of a then b."""
    ab, ba = both_ways(embedder, a, b, date_a, date_b)
    assert ab.relation == ba.relation == CONTRADICTS, (ab, ba)
    forward, backward = conflicts(ab, kind), conflicts(ba, kind)
    assert forward and backward, (ab, ba)
    assert (forward[0]["claim"], forward[0]["match"]) == (
        backward[0]["match"],
        backward[0]["claim"],
    )
    return forward[0], backward[0]


def assert_no_contradiction(embedder: Embedder, a: str, b: str) -> tuple[Relation, Relation]:
    """Both ways: agrees or related, without any conflicting evidence."""
    ab, ba = both_ways(embedder, a, b)
    for r in (ab, ba):
        assert r.relation in {AGREES, RELATED}, r
        assert not [e for e in r.evidence if not e.get("agrees")], r
    return ab, ba


def seed_sentence(seeds_dir: Path, prefix: str, fragment: str) -> str:
    """The sentence of seed article ``prefix*`` holding ``fragment``, split as at ingest."""
    text = next(seeds_dir.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    found = [text[a:b] for a, b in split_sentences(text, lang="fr") if fragment in text[a:b]]
    assert found, f"{fragment!r} is not in seed {prefix}"
    return found[0]


@pytest.fixture(scope="session")
def seed_70(seeds_dir: Path) -> str:
    return seed_sentence(seeds_dir, "004", "70 % du personnel")


@pytest.fixture(scope="session")
def seed_meeting(seeds_dir: Path) -> str:
    return seed_sentence(seeds_dir, "004", "ce lundi 8 février")


# --- Numbers -------------------------------------------------------------------------


def test_seed_percentage_changed_is_a_contradiction(embedder: Embedder, seed_70: str) -> None:
    variant = seed_70.replace("70 %", "60 %")
    assert variant != seed_70
    evidence, _ = assert_contradiction(embedder, variant, seed_70, "number")
    assert (evidence["claim"], evidence["match"]) == ("60 %", "70 %")


def test_english_count_changed_is_a_contradiction(embedder: Embedder) -> None:
    evidence, _ = assert_contradiction(
        embedder,
        "Russia has moved 100,000 troops to the Ukrainian border, US officials said.",
        "Russia has moved 130,000 troops to the Ukrainian border, US officials said.",
        "number",
    )
    assert "100,000" in evidence["claim"] and "130,000" in evidence["match"]


def test_english_percentage_against_french_seed(embedder: Embedder, seed_70: str) -> None:
    claim = "Putin has gathered 60 percent of the military personnel and weapons he needs."
    evidence, _ = assert_contradiction(embedder, claim, seed_70, "number")
    assert (evidence["claim"], evidence["match"]) == ("60 percent", "70 %")


def test_same_percentage_across_languages_agrees(embedder: Embedder, seed_70: str) -> None:
    claim = "Putin has gathered 70 percent of the military personnel and weapons he needs."
    for r in both_ways(embedder, claim, seed_70):
        assert r.relation != CONTRADICTS, r
        assert agreeing(r, "number"), r


def test_two_counts_of_different_things_are_no_contradiction(embedder: Embedder) -> None:
    assert_no_contradiction(
        embedder,
        "La Russie a déployé 100 000 soldats à la frontière.",
        "L'Ukraine a mobilisé 200 000 soldats dans le Donbass.",
    )


def test_more_than_five_hours_is_not_five_hours_wrong(embedder: Embedder, seeds_dir: Path) -> None:
    seed = seed_sentence(seeds_dir, "004", "plus de cinq heures")
    variant = seed.replace("plus de cinq heures", "cinq heures")
    ab, _ = assert_no_contradiction(embedder, variant, seed)
    assert agreeing(ab, "number")  # five hours fits "more than five hours"


def test_kilometres_and_miles_are_converted(embedder: Embedder) -> None:
    ab, _ = assert_no_contradiction(
        embedder,
        "Des bombardiers occidentaux volaient à moins de 20 km de la frontière russe.",
        "Des bombardiers occidentaux volaient à moins de 12,5 miles de la frontière russe.",
    )
    assert agreeing(ab, "number")


def test_miles_that_differ_from_the_kilometres_conflict(embedder: Embedder) -> None:
    evidence, _ = assert_contradiction(
        embedder,
        "Des bombardiers occidentaux volaient à 20 km de la frontière russe.",
        "Des bombardiers occidentaux volaient à 40 miles de la frontière russe.",
        "number",
    )
    assert (evidence["claim"], evidence["match"]) == ("20 km", "40 miles")


def test_same_number_in_another_currency_is_no_conflict(embedder: Embedder) -> None:
    ab, ba = assert_no_contradiction(
        embedder,
        "La Russie a consacré 60 milliards d'euros à son armée en 2021.",
        "La Russie a consacré 60 milliards de dollars à son armée en 2021.",
    )
    assert not agreeing(ab, "number") and not agreeing(ba, "number")


def test_une_quarantaine_fits_42(embedder: Embedder) -> None:
    assert_no_contradiction(
        embedder,
        "Une quarantaine de soldats ont été tués lors du bombardement de Kharkiv.",
        "42 soldats ont été tués lors du bombardement de Kharkiv.",
    )


# --- Dates ---------------------------------------------------------------------------


def test_seed_meeting_date_against_english_claim(embedder: Embedder, seed_meeting: str) -> None:
    evidence, _ = assert_contradiction(
        embedder, "Putin met Macron on 7 February 2022.", seed_meeting, "date", None, ARTICLE_DATE
    )
    assert evidence["claim"] == "7 February 2022"
    assert "lundi 8 février" in evidence["match"]


def test_french_dates_that_differ(embedder: Embedder) -> None:
    evidence, _ = assert_contradiction(
        embedder,
        "Vladimir Poutine a reconnu l'indépendance du Donbass le 21 février 2022.",
        "Vladimir Poutine a reconnu l'indépendance du Donbass le 24 février 2022.",
        "date",
    )
    assert (evidence["claim"], evidence["match"]) == ("21 février 2022", "24 février 2022")


def test_wrong_weekday_beside_the_right_date_is_no_conflict(
    embedder: Embedder, seed_meeting: str
) -> None:
    """8 February 2022 was a Tuesday: the seed's "lundi" alone must not make a conflict."""
    claim = "Putin met Macron on 8 February 2022."
    for r in both_ways(embedder, claim, seed_meeting, None, ARTICLE_DATE):
        assert r.relation != CONTRADICTS, r
        assert agreeing(r, "date"), r


def test_year_changed_in_english(embedder: Embedder) -> None:
    assert_contradiction(
        embedder,
        "Russia annexed Crimea in 2014 after a disputed referendum.",
        "Russia annexed Crimea in 2015 after a disputed referendum.",
        "date",
    )


# --- Negation ------------------------------------------------------------------------


def test_seed_meeting_negated_in_french(embedder: Embedder, seed_meeting: str) -> None:
    claim = "Le Président russe Vladimir Poutine n'a pas rencontré Emmanuel Macron ce lundi."
    evidence, _ = assert_contradiction(
        embedder, claim, seed_meeting, "negation", ARTICLE_DATE, ARTICLE_DATE
    )
    assert evidence["claim"] == "n'a pas rencontré"
    assert evidence["match"] == "a rencontré"


def test_negation_in_english(embedder: Embedder) -> None:
    evidence, _ = assert_contradiction(
        embedder,
        "Russia has recognised the independence of the separatist regions of Donetsk and Luhansk.",
        "Russia has not recognised the independence of the separatist regions of Donetsk and "
        "Luhansk.",
        "negation",
    )
    assert evidence["match"] == "has not recognised"


def test_english_negation_against_french_statement(embedder: Embedder) -> None:
    assert_contradiction(
        embedder,
        "Vladimir Putin did not recognise the independence of Donetsk and Luhansk.",
        "Vladimir Poutine a reconnu l'indépendance de Donetsk et de Louhansk.",
        "negation",
    )


def test_denial_bears_on_its_whole_clause(embedder: Embedder) -> None:
    """A verb of denial negates the clause after it, however many words in."""
    evidence, _ = assert_contradiction(
        embedder,
        "Le Kremlin a reconnu planifier une incursion en Ukraine.",
        "Le Kremlin a nié à plusieurs reprises qu'il planifiait une incursion en Ukraine.",
        "negation",
    )
    assert evidence["match"].startswith("nié")


def test_negation_about_something_else_is_no_contradiction(
    embedder: Embedder, seed_meeting: str
) -> None:
    claim = "Macron a rencontré Poutine, qui n'a pas souhaité parler de la Crimée."
    ab, ba = both_ways(embedder, claim, seed_meeting, ARTICLE_DATE, ARTICLE_DATE)
    assert extract(claim).polarity != extract(seed_meeting).polarity  # a flip is there...
    for r in (ab, ba):
        assert r.relation != CONTRADICTS, r  # ...but about the Crimea, not the meeting
        assert not conflicts(r, "negation")


# --- Quantifiers ---------------------------------------------------------------------


def test_toutes_against_la_plupart(embedder: Embedder) -> None:
    evidence, _ = assert_contradiction(
        embedder,
        "Toutes les sanctions contre la Russie ont été levées.",
        "La plupart des sanctions contre la Russie ont été levées.",
        "quantifier",
    )
    assert (evidence["claim"].lower(), evidence["match"].lower()) == ("toutes", "la plupart")


def test_all_against_most(embedder: Embedder) -> None:
    evidence, _ = assert_contradiction(
        embedder,
        "All European countries have imposed sanctions on Russia.",
        "Most countries in Europe have imposed sanctions on Russia.",
        "quantifier",
    )
    assert (evidence["claim"], evidence["match"]) == ("All", "Most")


def test_some_and_many_are_compatible(embedder: Embedder) -> None:
    assert_no_contradiction(
        embedder,
        "Several Western countries have imposed sanctions on Russia.",
        "Many Western countries have imposed sanctions on Russia.",
    )


# --- Speakers ------------------------------------------------------------------------


def test_same_quote_from_another_speaker_in_french(embedder: Embedder) -> None:
    evidence, _ = assert_contradiction(
        embedder,
        "« Nous ne voulons pas la guerre », a déclaré le porte-parole Dmitri Peskov.",
        "« Nous ne voulons pas la guerre », a déclaré le ministre Sergueï Lavrov.",
        "speaker",
    )
    assert "Peskov" in evidence["claim"] and "Lavrov" in evidence["match"]


def test_same_quote_from_another_speaker_in_english(embedder: Embedder) -> None:
    assert_contradiction(
        embedder,
        '"Russia does not want a war in Europe," Kremlin spokesman Dmitry Peskov said.',
        '"Russia does not want a war in Europe," Foreign Minister Sergei Lavrov said.',
        "speaker",
    )


def test_same_speaker_named_two_ways_is_no_conflict(embedder: Embedder) -> None:
    assert_no_contradiction(
        embedder,
        "« Il est encore temps de préserver la paix », a déclaré le président Emmanuel Macron.",
        "« Il est encore temps de préserver la paix », a déclaré M. Macron.",
    )


# --- Polar adjectives ----------------------------------------------------------------


def test_seed_unsatisfactory_relations(embedder: Embedder, seeds_dir: Path) -> None:
    seed = seed_sentence(seeds_dir, "001", "insatisfaisantes")
    variant = seed.replace("insatisfaisantes", "satisfaisantes")
    evidence, _ = assert_contradiction(embedder, variant, seed, "antonym")
    assert (evidence["claim"], evidence["match"]) == ("satisfaisantes", "insatisfaisantes")


def test_polar_adjective_in_english(embedder: Embedder) -> None:
    assert_contradiction(
        embedder,
        "Putin described relations with the United States as satisfactory.",
        "Putin described relations with the United States as unsatisfactory.",
        "antonym",
    )


def test_not_satisfactory_means_unsatisfactory(embedder: Embedder) -> None:
    assert_no_contradiction(
        embedder,
        "Poutine a jugé les relations avec les États-Unis insatisfaisantes.",
        "Poutine a jugé que les relations avec les États-Unis n'étaient pas satisfaisantes.",
    )


# --- Words of opposite meaning ------------------------------------------------------


def test_words_of_opposite_meaning_contradict_in_french(embedder: Embedder) -> None:
    evidence, _ = assert_contradiction(
        embedder,
        "Le prix du blé a fortement augmenté en Égypte depuis le début de la guerre.",
        "Le prix du blé a fortement baissé en Égypte depuis le début de la guerre.",
        "antonym",
    )
    assert (evidence["claim"], evidence["match"]) == ("augmenté", "baissé")


def test_words_of_opposite_meaning_contradict_in_english(embedder: Embedder) -> None:
    evidence, _ = assert_contradiction(
        embedder,
        "The border crossing at Medyka was closed to refugees on Sunday.",
        "The border crossing at Medyka was reopened to refugees on Sunday.",
        "antonym",
    )
    assert (evidence["claim"], evidence["match"]) == ("closed", "reopened")


def test_words_of_opposite_meaning_contradict_across_languages() -> None:
    found = relate(
        "Les exportations de blé ukrainien ont augmenté en mai.",
        "Ukrainian wheat exports fell in May.",
        similarity=0.9,
    )
    assert found.relation == CONTRADICTS
    assert opposed(found, "antonym") == [("augmenté", "fell")]


def test_an_excellent_relation_is_not_an_unsatisfactory_one() -> None:
    """A judgement and its opposite ("excellentes" / "insatisfaisantes", "excellent" /
    "disastrous"), between two statements of the corpus too."""
    for a, b, shown in (
        (
            "Poutine a qualifié les relations avec les États-Unis d'excellentes.",
            "Poutine a qualifié les relations avec les États-Unis d'« insatisfaisantes ».",
            ("excellentes", "insatisfaisantes"),
        ),
        (
            "The harvest in Ukraine was excellent this year, the ministry said.",
            "The harvest in Ukraine was disastrous this year, the ministry said.",
            ("excellent", "disastrous"),
        ),
    ):
        assert_shown_in_both_comparisons(a, b, "antonym", shown, similarity=0.92)


def test_denying_the_opposite_word_is_no_contradiction() -> None:
    """ "n'ont pas baissé" does not oppose "ont augmenté", and a statement that says both
    words ("rose, then fell") opposes neither."""
    for a, b in (
        ("Les prix du gaz n'ont pas baissé en mars.", "Les prix du gaz ont augmenté en mars."),
        ("Gas prices did not fall in March.", "Gas prices rose in March."),
        ("Gas prices rose in March and fell in April.", "Gas prices rose in March."),
    ):
        for strict in (False, True):
            found = relate(a, b, similarity=0.92, strict=strict)
            assert found.relation != CONTRADICTS, (a, b, found)


def test_only_the_opposite_words_a_statement_holds_leave_the_overlap() -> None:
    """ "interdit" is left out of the same-thing overlap, "internet" (the same five-letter
    stem) is not."""
    assert "inter" in side("La Russie a coupé l'accès à internet en Crimée.").terms
    assert "inter" not in side("La Russie a interdit l'accès en Crimée.").terms


# A negation meets what it denies in both comparisons, even where the gate wants the negated
# word itself in the other statement: (negated, affirmed, words shown).
_DENIED = {
    # another form of the word: "did not fall" is denied by "fell"
    "another form of its word": (
        "Gas prices did not fall in March in Germany.",
        "Gas prices fell in March in Germany.",
        ("did not fall", "prices fell"),
    ),
    # over an adverb ("no longer supply"); a third cue in another clause ("refused", "did
    # not sign"): the evidence shows the cue that bears on it, not every word between cues
    "over an adverb": (
        "Russia will no longer supply gas to Poland after Warsaw refused to pay in roubles "
        "and did not sign the deal.",
        "Russia will supply gas to Poland, Gazprom said.",
        ("no longer supply", "will supply"),
    ),
}


@pytest.mark.parametrize("case", sorted(_DENIED))
def test_a_negation_meets_the_word_it_denies(case: str) -> None:
    negated, affirmed, shown = _DENIED[case]
    assert_shown_in_both_comparisons(negated, affirmed, "negation", shown, similarity=0.92)


@pytest.mark.parametrize(
    ("negated", "affirmed", "shown"),
    [
        (
            "Russia will not supply gas to Poland this winter, and Gazprom has not said why.",
            "Russia will supply gas to Poland this winter.",
            ("will not supply", "will supply"),
        ),
        (
            "La Russie ne livrera pas de gaz à la Pologne cet hiver, et Gazprom n'a pas "
            "expliqué pourquoi.",
            "La Russie livrera du gaz à la Pologne cet hiver.",
            ("ne livrera pas de", "Russie livrera"),
        ),
    ],
)
def test_two_negations_in_two_clauses_do_not_cancel(
    negated: str, affirmed: str, shown: tuple[str, str]
) -> None:
    """An even number of cues far apart negates two things: the first still denies what
    the other statement affirms, in both comparisons."""
    assert_shown_in_both_comparisons(negated, affirmed, "negation", shown, similarity=0.9)


@pytest.mark.parametrize(
    ("negated", "affirmed", "shown"),
    [
        (
            "Les relations ne sont pas satisfaisantes, et Moscou ne souhaite pas les améliorer.",
            "Les relations sont satisfaisantes, selon Moscou.",
            ("ne sont pas satisfaisantes", "satisfaisantes"),
        ),
        (
            "Russian athletes will no longer be able to compete at the Games after several "
            "teams threatened not to take part.",
            "Russian athletes will be able to compete at the Games.",
            ("no longer be able", "able"),
        ),
    ],
)
def test_a_polar_adjective_negated_in_one_of_two_clauses_is_its_antonym(
    negated: str, affirmed: str, shown: tuple[str, str]
) -> None:
    """The negation of the other clause does not turn the adjective back (and a cue said
    twice, "ne … pas" and "ne … pas", flips it once), in both comparisons."""
    assert_shown_in_both_comparisons(negated, affirmed, "antonym", shown, similarity=0.9)


def test_negation_evidence_runs_on_to_the_word_the_cue_bears_on() -> None:
    """ "will not be allowed", not "will not be": the reader sees what is denied."""
    found = relate(
        "Athletes from Russia and Belarus will compete at the 2022 Winter Paralympics.",
        "Athletes from Russia and Belarus will not be allowed to compete at the 2022 Winter "
        "Paralympics.",
        similarity=0.9,
    )
    assert opposed(found, "negation") == [("will compete", "will not be allowed")]


def test_two_negations_side_by_side_still_cancel() -> None:
    """ "not without conditions" affirms conditions: no negation conflict."""
    found = relate(
        "Russia will supply gas to Poland this winter, but not without conditions.",
        "Russia will supply gas to Poland this winter.",
        similarity=0.9,
    )
    assert not conflicts(found, "negation"), found


# --- Agreement, unrelated statements, NLI --------------------------------------------


def test_paraphrase_agrees(embedder: Embedder, seed_70: str) -> None:
    claim = (
        "Poutine a rassemblé 70 % du personnel militaire nécessaire à une invasion de l'Ukraine."
    )
    for r in both_ways(embedder, claim, seed_70):
        assert r.relation == AGREES, r


def test_unrelated_sentence_is_related_without_evidence(embedder: Embedder, seed_70: str) -> None:
    other = "Le prix du blé a augmenté de 60 % en un an sur les marchés européens."
    for r in both_ways(embedder, other, seed_70):
        assert r.relation == RELATED and not r.evidence, r


def test_nli_contradiction_joins_when_the_gate_passes(embedder: Embedder) -> None:
    claim = "Macron s'est rendu à Kiev après Moscou."
    match = "Macron s'est rendu à Kiev avant Moscou."
    sim = similarity(embedder, claim, match)
    assert relate(claim, match, similarity=sim).relation != CONTRADICTS  # no rule sees it
    verdict = {"label": "contradiction", "scores": {"contradiction": 0.95, "neutral": 0.05}}
    r = relate(claim, match, similarity=sim, nli=verdict)
    assert r.relation == CONTRADICTS
    assert {"kind": "nli", "label": "contradiction", "score": 0.95} in r.evidence


def test_nli_contradiction_alone_does_not_cross_the_gate(embedder: Embedder, seed_70: str) -> None:
    other = "Le prix du blé a augmenté de 60 % en un an sur les marchés européens."
    verdict = {"label": "contradiction", "scores": {"contradiction": 0.99}}
    r = relate(other, seed_70, similarity=similarity(embedder, other, seed_70), nli=verdict)
    assert r.relation == RELATED
    assert r.evidence == [{"kind": "nli", "label": "contradiction", "score": 0.99}]


def test_nli_entailment_against_a_rule_conflict_gives_related(
    embedder: Embedder, seed_70: str
) -> None:
    variant = seed_70.replace("70 %", "60 %")
    sim = similarity(embedder, variant, seed_70)
    verdict = {"label": "entailment", "scores": {"entailment": 0.9}}
    r = relate(variant, seed_70, similarity=sim, nli=verdict)
    assert r.relation == RELATED
    assert conflicts(r, "number"), r  # the rules' evidence is kept


def test_to_dict_is_json_ready(embedder: Embedder, seed_70: str) -> None:
    variant = seed_70.replace("70 %", "60 %")
    r = relate(variant, seed_70, similarity=similarity(embedder, variant, seed_70))
    d = r.to_dict()
    assert d["relation"] == CONTRADICTS
    assert d["evidence"] == r.evidence and d["evidence"] is not r.evidence


def test_given_features_are_used(embedder: Embedder) -> None:
    """Features stored at ingest are not extracted again: a ref date only they know counts."""
    claim, match = "Poutine a parlé avec Macron lundi.", "Poutine a parlé avec Macron mercredi."
    sim = similarity(embedder, claim, match)
    features = extract(match, ref_date=ARTICLE_DATE)
    with_date = relate(
        claim, match, similarity=sim, claim_date=ARTICLE_DATE, match_features=features
    )
    assert with_date.relation == CONTRADICTS and conflicts(with_date, "date")


# --- Statement against statement (strict, as the report compares) ------------------------

STRICT_PAIRS = [
    # A restatement with a changed figure: both gates let it through.
    (
        "Selon les estimations des services de renseignement américains, Poutine a rassemblé "
        "60 % du personnel militaire nécessaire à une invasion de l'Ukraine.",
        "Selon les dernières estimations des services de renseignement américains, Poutine a "
        "rassemblé 70 % du personnel militaire dont il aurait besoin pour une invasion.",
        True,
    ),
    # Two seed sentences that only share "Vladimir Poutine" and "pays": the loose gate lets
    # "ne souhaite pas un pays membre" flip against "les pays occidentaux".
    (
        "C’est une crainte récurrente de Vladimir Poutine qui ne souhaite pas un pays membre de "
        "l’OTAN dans sa sphère d’influence.",
        "Le président russe Vladimir Poutine a déclaré jeudi que les pays occidentaux prenaient "
        "à la légère les avertissements de la ligne rouge de la Russie.",
        False,
    ),
    # Both negated where they share "remain": a second negation elsewhere does not flip it.
    (
        "The US secretary of state spoke after President Biden said Vladimir Putin should not "
        "remain in power.",
        "President Joe Biden said that he was not announcing a change in US policy when he said "
        'that Russian President Vladimir Putin "cannot remain in power."',
        False,
    ),
    # The "no" of "a no-fly zone" ten words before "expected" does not negate it.
    (
        "Ukraine's president is expected to plead for more arms and repeat his call for a "
        "no-fly zone over Ukraine, even though Nato has rejected it.",
        "Zelenskiy will address UK MPs on Tuesday and is expected to plead for more arms and a "
        "no-fly zone over Ukraine to be enforced by Nato.",
        False,
    ),
    # Across languages, sharing only "Putin": the topic of the corpus, not of the statement.
    (
        "Poutine a déclaré lors d’une conférence de presse au Kazakhstan que la mobilisation "
        "serait terminée dans deux semaines.",
        "Emmanuel Macron and Vladimir Putin held a press conference after less than two hours "
        "of talks.",
        False,
    ),
]


@pytest.mark.parametrize(("a", "b", "same"), STRICT_PAIRS)
def test_strict_gate_keeps_restatements_and_drops_loose_pairs(
    embedder: Embedder, a: str, b: str, same: bool
) -> None:
    passages = embedder.embed_passages([a, b])
    sim = 0.78 * float(passages[0] @ passages[1]) + 0.17  # the report's scale
    loose = relate(a, b, similarity=sim)
    strict = relate(a, b, similarity=sim, strict=True)
    assert (strict.relation == CONTRADICTS) is same
    if not same:
        assert loose.relation == CONTRADICTS  # what the strict gate is there to stop


def test_a_polar_adjective_negated_next_to_it_is_its_antonym_in_both_comparisons() -> None:
    """ "ne sont pas satisfaisantes" is "insatisfaisantes": one cue ("ne … pas") flips once,
    in the report's strict comparison too, and the evidence shows the negation."""
    assert_shown_in_both_comparisons(
        "Poutine a jugé les relations avec les États-Unis satisfaisantes.",
        "Poutine a jugé que les relations avec les États-Unis ne sont pas satisfaisantes.",
        "antonym",
        ("satisfaisantes", "ne sont pas satisfaisantes"),
        similarity=0.93,
    )


# No polar adjective is read: (claim, match, strict comparisons to check).
_NO_ANTONYM = {
    # in the report's strict comparison a "n'empêchaient pas" in the clause after "connu"
    # does not negate it (a claim against its match still reads any negation of the
    # sentence: ``_signed_bases``)
    "a negation far from the adjective": (
        "Il était déjà connu que les vaccins n'empêchaient pas la transmission du virus.",
        "Il était déjà connu que les vaccins réduisaient peu la transmission du virus.",
        (True,),
    ),
    # "false flag" names an operation: "never involved in false flag operations" does not say
    # that something is true against a "false flag plot" (a report's evidence on news)
    "a false flag is no verdict": (
        "Russian official: Moscow 'never involved' in false flag operations.",
        "The papers: Russia's 'false flag' plot and a whiff of Munich.",
        (False, True),
    ),
    "a capitalised polar word inside a sentence is a name": (
        "Le tribunal de Namur a suspendu le Covid Safe Ticket en Wallonie.",
        "Le tribunal de Namur n'a pas suspendu le Covid Safe Ticket en Wallonie.",
        (False,),
    ),
}


@pytest.mark.parametrize("case", sorted(_NO_ANTONYM))
def test_no_polar_adjective_is_read_where_none_is_judged(case: str) -> None:
    claim, match, stricts = _NO_ANTONYM[case]
    for strict in stricts:
        found = relate(claim, match, similarity=0.9, strict=strict)
        assert not conflicts(found, "antonym"), found


def test_other_figure_for_another_noun_is_not_agreement(embedder: Embedder, seed_70: str) -> None:
    """ "des forces" and "du personnel militaire" are counted apart, so 60 % against 70 % is
    no rule conflict; but a statement with another figure never agrees."""
    other = "Poutine a rassemblé 60 % des forces"
    same = "Poutine a rassemblé 70 % des forces"
    assert (
        relate(other, seed_70, similarity=similarity(embedder, other, seed_70)).relation != AGREES
    )
    assert relate(same, seed_70, similarity=similarity(embedder, same, seed_70)).relation == AGREES


def test_evidence_spans_find_every_phrase_even_when_cut() -> None:
    from factcheck.relations import evidence_spans

    text = "Poutine a rassemblé 70 % des forces, puis 70 % des armes dont il aurait besoin."
    spans = evidence_spans(text, [("70 %", True), ("des forces, puis 70 % des arm…", False)])
    assert [(text[a:b], flag) for a, b, flag in spans] == [
        ("70 %", True),  # the cut phrase overlaps the second "70 %", which is dropped
        ("des forces, puis 70 % des arm", False),
    ]


def _kinds(claim: str, match: str, **kw) -> list[str]:
    found = relate(claim, match, similarity=0.93, strict=True, **kw)
    return [e["kind"] for e in found.evidence if not e.get("agrees")]


def test_another_actor_in_the_same_statement_contradicts() -> None:
    koons = "A Jeff Koons sculpture worth up to £10 million will go on sale this month for Ukraine."
    hirst = koons.replace("Jeff Koons", "Damien Hirst")
    found = relate(koons, hirst, similarity=0.93, strict=True)
    assert found.relation == CONTRADICTS
    assert opposed(found, "actor") == [("Jeff Koons", "Damien Hirst")]


def test_places_speakers_swaps_and_other_changes_are_not_another_actor() -> None:
    strike = "Russian rockets hit a school in Kharkiv on Thursday, killing two people."
    assert "actor" not in _kinds(strike, strike.replace("Kharkiv", "Odesa"))
    said = "Russia says 15 people were killed in the strike on the station."
    assert "actor" not in _kinds(said, said.replace("Russia", "Ukraine"))
    met = "Vladimir Putin met Emmanuel Macron at the Kremlin on Monday afternoon."
    swapped = "Emmanuel Macron met Vladimir Putin at the Kremlin on Monday afternoon."
    assert "actor" not in _kinds(met, swapped)
    first = "Chute du pétrole dans le commerce asiatique ce lundi matin."
    assert "actor" not in _kinds(first, first.replace("Chute", "Baisse des prix"))
    sworn = "Mohamed Morsi a prêté serment en tant que président de l'Egypte ce samedi."
    assert "actor" not in _kinds(sworn, sworn.replace("Egypte", "Eygptian"))
    other = "Emmanuel Macron flew to Kyiv with his ministers on Monday afternoon."
    assert "actor" not in _kinds(met, other)
    assert "actor" not in _kinds(
        met, met.replace("on Monday", "on Tuesday").replace("Emmanuel Macron", "Olaf Scholz")
    )


def test_names_counted_on_the_other_side_are_not_another_actor() -> None:
    """ "two Nordic nations" describes "Sweden and Finland", not "Sweden" alone."""
    counted = (
        "Russia warns two Nordic nations against Nato membership, and the Austrian "
        "chancellor meets Putin in Moscow."
    )
    named = "Russia warns Sweden and Finland against Nato membership"
    assert "actor" not in _kinds(counted, named)
    assert "actor" in _kinds(counted, named.replace(" and Finland", ""))


def test_people_counted_by_nation_are_compared_between_two_statements() -> None:
    fewer = "About 10,000 Russians have left for Armenia, many of them fearing arrest at home."
    more = fewer.replace("About 10,000", "More than 100,000")
    assert _kinds(fewer, more) == ["number"]


def test_a_quantifier_over_a_name_is_compared_between_two_statements() -> None:
    assert _kinds(
        "Putin still wants to take all of Ukraine, US officials say",
        "Putin still wants to take most of Ukraine, US officials say",
    ) == ["quantifier"]


def test_the_model_overrules_a_negation_but_not_a_quantifier_or_an_antonym() -> None:
    sure = {
        "label": "entailment",
        "scores": {"entailment": 0.95, "neutral": 0.03, "contradiction": 0.02},
    }
    model = {**sure, "reverse": sure}
    quantifier = relate(
        "Cette reconnaissance a entraîné des sanctions de tous les pays occidentaux.",
        "Cette reconnaissance a entraîné des sanctions de la plupart des pays occidentaux.",
        similarity=0.93, model=model,
    )  # fmt: skip
    assert quantifier.relation == CONTRADICTS
    antonym = relate(
        "Les livraisons de gaz russe à l'Allemagne ont augmenté en juillet.",
        "Les livraisons de gaz russe à l'Allemagne ont baissé en juillet.",
        similarity=0.93, model=model,
    )  # fmt: skip
    assert antonym.relation == CONTRADICTS
    negation = relate(
        "Le président a déclaré que les Occidentaux prenaient à la légère ses mises en garde.",
        "Le président a déclaré que l'Occident ne prenait pas au sérieux ses mises en garde.",
        similarity=0.93, model=model,
    )  # fmt: skip
    assert negation.relation != CONTRADICTS


def test_across_languages_a_negation_gives_way_to_entailment_one_way() -> None:
    """Across languages the rule cannot check what a negation bears on: the model's entailment
    one way (``MODEL_CROSS_OVERRULE``) is enough there, not within one language."""
    back = {"label": "neutral", "scores": {"entailment": 0.2, "neutral": 0.7, "contradiction": 0.1}}
    one_way = {
        "label": "entailment",
        "scores": {"entailment": 0.7, "neutral": 0.2, "contradiction": 0.1},
        "reverse": back,
    }
    french = "Le porte-parole n'a donné aucun chiffre sur les pertes de l'armée."
    english = "The spokesman did not give any figure on the army's losses."
    across = relate(
        "The spokesman gave a figure on the army's losses.", french, similarity=0.9, model=one_way
    )
    assert across.relation != CONTRADICTS
    assert across.evidence[-1]["overrules"] == ["negation"]
    within = relate(
        "The spokesman gave a figure on the army's losses.", english, similarity=0.9, model=one_way
    )
    assert within.relation == CONTRADICTS


def test_strict_negation_needs_the_negated_word_in_the_other_statement() -> None:
    """What a negation denies is the first word it bears on: sharing only its object is
    another predicate about one topic, not the same statement denied."""
    assert "negation" in _kinds(
        "Russia won't use tactical nuclear weapons in Ukraine, says ambassador to UK",
        "CIA Director William Burns warned Russia may use tactical nuclear weapons in Ukraine.",
    )
    assert "negation" in _kinds(
        "Vladimir Poutine a spécifié qu'il ne souhaitait pas utiliser l'arme nucléaire.",
        "Vladimir Poutine a spécifié qu'il souhaitait utiliser l'arme nucléaire contre l'OTAN.",
    )
    # the object is shared ("gas supplies"), the predicate is not
    assert "negation" not in _kinds(
        "Russia's Gazprom tells European buyers it cannot guarantee gas supplies",
        "Russia's Gazprom says it has stopped gas supplies to Latvia",
    )
    assert "negation" not in _kinds(
        "Why NATO hasn't imposed a no-fly zone in Ukraine",
        "War in Ukraine: Zelensky slams NATO over rejection of no-fly zone",
    )


def test_strict_negation_by_a_determiner_needs_what_it_denies_after_the_noun() -> None:
    """ "Neither video shows": the cue counts the videos; what it denies is what they show."""
    neither = "Neither video shows Russian tanks crossing the border, officials say."
    assert "negation" in _kinds(neither, neither.replace("Neither", "The"))
    assert "negation" not in _kinds(
        "Neither video shows what pro-Russia social media accounts claim.",
        "What social media videos reveal about Russian military buildup",
    )


def test_strict_negation_shows_the_words_it_opposes() -> None:
    found = relate(
        "Russian tennis star Andrey Rublev said that the decision made by Wimbledon organizers "
        "to ban Russian and Belarusian players from competing because of the war in Ukraine is "
        '"illogical" and amounts to "complete discrimination."',
        "Banning Russian and Belarusian tennis players from this year's Wimbledon tournament in "
        "light of the war in Ukraine is not discriminatory, say organizers of the grand slam "
        "tournament.",
        similarity=0.93,
        strict=True,
    )
    assert opposed(found, "negation") == [("complete discrimination", "is not discriminatory")]


def test_negation_evidence_shows_the_negated_word_where_the_other_statement_says_it() -> None:
    found = relate(
        "Moscow did not cancel the summit with Kyiv on Friday",
        "On Friday, Kyiv said the summit with Moscow was cancelled",
        similarity=0.9,
    )
    assert opposed(found, "negation") == [("did not cancel", "was cancelled")]


def test_strict_negation_of_a_quantifier_is_said_in_both_languages() -> None:
    """ "not all" / "pas tous" is what is denied: the other statement's "All" / "Tous" is
    what it opposes, though ``terms`` leaves such words out."""
    for negated, affirmed, shown in (
        (
            "Not all Russians support this war, says a volunteer",
            "All Russians support this war, says a volunteer",
            "All",
        ),
        (
            "Pas tous les pays européens ont signé le traité de paix",
            "Tous les pays européens ont signé le traité de paix",
            "Tous",
        ),
    ):
        found = relate(negated, affirmed, similarity=0.93, strict=True)
        assert found.relation == CONTRADICTS
        assert [e["match"] for e in found.evidence if e["kind"] == "negation"] == [shown]
