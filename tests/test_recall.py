"""Acceptance: French paraphrases and English translations of seed sentences find their source.

Every case is a claim written for this test (never copied from an article), the article it comes
from, and a distinctive substring of the source sentence. A match is a hit when its text holds the
substring and its article is one whose text holds it too (a sentence repeated in two articles is
found in either).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from factcheck.lexical import LEXICAL_WEIGHT

if TYPE_CHECKING:
    from factcheck import Corpus
    from factcheck.models import Match

pytestmark = pytest.mark.slow
REFORMULATIONS = (
    Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "reformulations_fr.jsonl"
)

K = 5
A0 = "000_e8f6682a8ad448a1"  # Poutine ouvert au dialogue, 23 février 2022
A1 = "001_b3811b4e88b18aaf"  # lignes rouges, discours de politique étrangère
A2 = "002_d1409d0cbd35c96d"  # sommet de la CEI au Kazakhstan
A3 = "003_96939cb5e7818f12"  # appel au dialogue avec l'OTAN, 21 juin 2024
A4 = "004_028413897af3ab6e"  # rencontre Macron-Poutine


@dataclass(frozen=True)
class Case:
    lang: str
    claim: str
    article: str
    expected: str  # a substring of the source sentence


FR = [
    Case(
        "fr",
        "Les Occidentaux ont sanctionné économiquement Moscou après que le chef du Kremlin a "
        "reconnu, le 21 février, l'indépendance des territoires séparatistes de l'Est ukrainien.",
        A0,
        "reconnu lundi 21 février",
    ),
    Case(
        "fr",
        "Selon Poutine, la Russie reste disposée à un échange franc et direct afin de régler par "
        "la voie diplomatique les questions les plus épineuses.",
        A0,
        "dialogue direct et honnête",
    ),
    Case(
        "fr",
        "Poutine a tenu à rappeler que la protection de la population russe et ses intérêts ne se "
        "négocient pas.",
        A0,
        "pour nous non négociables",
    ),
    Case(
        "fr",
        "Le président russe craint depuis longtemps de voir un État de l'Alliance atlantique "
        "s'installer dans sa zone d'influence.",
        A0,
        "crainte récurrente",
    ),
    Case(
        "fr",
        "Pour Poutine, celui qui maîtrisera le mieux l'IA sera le maître de la planète.",
        A0,
        "dominera le monde",
    ),
    Case(
        "fr",
        "Le chef du Kremlin a évoqué les travaux de recherche de l'armée sur les technologies "
        "numériques de pointe.",
        A0,
        "technologies numériques avancées",
    ),
    Case(
        "fr",
        "D'après Poutine, l'Occident ne prend pas au sérieux les mises en garde russes sur les "
        "lignes rouges, si bien que Moscou doit exiger de solides garanties pour sa sécurité.",
        A1,
        "prenaient à la légère",
    ),
    Case(
        "fr",
        "Poutine a dénoncé des vols de bombardiers stratégiques de l'Ouest, chargés d'armes "
        "très dangereuses, à moins de vingt kilomètres du territoire russe.",
        A1,
        "moins de 20 km",
    ),
    Case(
        "fr",
        "Dès septembre, Moscou avait averti qu'étendre l'infrastructure militaire de l'Alliance "
        "atlantique en Ukraine reviendrait à franchir une ligne rouge.",
        A1,
        "déclaré en septembre",
    ),
    Case(
        "fr",
        "L'OTAN, qui a rompu ses relations avec Moscou le mois précédent, a anéanti l'ensemble "
        "du dispositif de dialogue, selon le président russe.",
        A1,
        "détruit tout le mécanisme",
    ),
    Case(
        "fr",
        "Interrogé par RIA, Dmitri Peskov a indiqué que Poutine et Biden pourraient se parler "
        "par visioconférence d'ici la fin de l'année.",
        A1,
        "réunion virtuelle",
    ),
    Case(
        "fr",
        "Mercredi, au téléphone, Nikolaï Patrouchev et Jake Sullivan ont abordé la cybersécurité, "
        "l'Ukraine et la crise migratoire à la frontière avec la Biélorussie.",
        A1,
        "Jake Sullivan",
    ),
    Case(
        "fr",
        "Après leur premier face-à-face à Genève au mois de juin, le Kremlin a évoqué à "
        "plusieurs reprises un éventuel sommet entre Poutine et Biden.",
        A1,
        "Genève en juin",
    ),
    Case(
        "fr",
        "Le chef du Kremlin juge insatisfaisants les rapports entre Moscou et Washington, tout "
        "en se disant prêt à discuter.",
        A1,
        "insatisfaisantes",
    ),
    Case(
        "fr",
        "Poutine estime que Moscou doit obtenir de l'Occident des garanties durables pour sa "
        "sécurité, même s'il admet que ce sera compliqué.",
        A1,
        "garanties de sécurité à long terme",
    ),
    Case(
        "fr",
        "« Sur bien des dossiers bilatéraux et internationaux, nos positions et nos intérêts "
        "divergent réellement, et parfois profondément », a reconnu le président russe.",
        A1,
        "parfois radicalement",
    ),
    Case(
        "fr",
        "La convocation des réservistes s'achèvera d'ici quinze jours et aucune nouvelle "
        "mobilisation n'est prévue, a assuré Poutine.",
        A2,
        "deux semaines",
    ),
    Case(
        "fr",
        "« Anéantir l'Ukraine ne fait pas partie de nos objectifs », a affirmé le président russe.",
        A2,
        "pour mission de",
    ),
    Case(
        "fr",
        "Selon Poutine, de nouveaux bombardements de grande ampleur sont inutiles pour l'instant, "
        "l'essentiel des objectifs ayant déjà été touché.",
        A2,
        "frappes massives",
    ),
    Case(
        "fr",
        "Un chercheur de la Henry Jackson Society juge que Poutine a compris que l'Asie est "
        "désormais son unique appui, les Occidentaux, hormis Minsk, l'ayant lâché.",
        A2,
        "Henry Jackson Society",
    ),
    Case(
        "fr",
        "Moscou tentera aussi de signer de nouveaux contrats pour écouler son gaz et son pétrole "
        "auprès des acheteurs asiatiques.",
        A2,
        "vendre son pétrole et son gaz",
    ),
    Case(
        "fr",
        "Kiev et d'autres villes d'Ukraine ont subi les plus lourdes salves de missiles russes "
        "depuis l'invasion lancée le 24 février.",
        A2,
        "plus importantes attaques de missiles",
    ),
    Case(
        "fr",
        "Le Kremlin se dit disposé à négocier, à condition qu'une médiation internationale soit "
        "organisée si Kiev accepte d'y participer.",
        A2,
        "médiation internationale",
    ),
    Case(
        "fr",
        "Minsk livre des chars et d'autres armements à une armée russe en difficulté.",
        A2,
        "fourniture par la Biélorussie",
    ),
    Case(
        "fr",
        "À Moscou, le 21 juin 2024, Poutine a reçu les nouveaux diplômés des écoles militaires et "
        "des forces de l'ordre.",
        A3,
        "21 Juin 2024",
    ),
    Case(
        "fr",
        "Le chef de l'État russe s'est engagé à accroître l'arsenal nucléaire du pays et à doter "
        "ses troupes d'armements modernes.",
        A3,
        "capacités nucléaires",
    ),
    Case(
        "fr",
        "« Nous sommes ouverts à un vaste débat international sur ces sujets cruciaux, avec l'OCS, "
        "la CEI, les BRICS, les pays européens et l'OTAN », a déclaré Poutine.",
        A3,
        "large discussion internationale",
    ),
    Case(
        "fr",
        "Selon Afikactus, un rapprochement entre Moscou et l'Alliance atlantique pourrait relancer "
        "la coopération, aussi bien à l'échelle régionale que mondiale.",
        A3,
        "nouvelle dynamique",
    ),
    Case(
        "fr",
        "Selon le renseignement des États-Unis, Poutine a déjà réuni 70 % des soldats et des armes "
        "nécessaires pour envahir toute l'Ukraine.",
        A4,
        "rassemblé 70",
    ),
    Case(
        "fr",
        "Avant de s'adresser aux journalistes, Macron et Poutine ont discuté seuls pendant plus "
        "de cinq heures.",
        A4,
        "cinq heures",
    ),
    Case(
        "fr",
        "Poutine a prévenu que si Kiev adhérait à l'Alliance atlantique et s'en prenait à la "
        "Crimée, toute l'Europe se retrouverait en guerre contre la Russie.",
        A4,
        "attaquer la Crimée",
    ),
    Case(
        "fr",
        "« Nous pouvons toujours sauver la paix », a affirmé le président français.",
        A4,
        "préserver la paix",
    ),
    Case(
        "fr",
        "Poutine reproche à Kiev de bafouer les droits des habitants russophones.",
        A4,
        "violer les droits",
    ),
    Case(
        "fr",
        "C'est le lundi 8 février que Macron et Poutine se sont vus.",
        A4,
        "8 février",
    ),
    Case(
        "fr",
        "Moscou dément régulièrement préparer une incursion, mais juge que l'appui de l'Alliance "
        "atlantique à Kiev menace de plus en plus la Russie.",
        A4,
        "nié à plusieurs reprises",
    ),
    Case(
        "fr",
        "Washington envoie des troupes dans l'est de l'Europe pour épauler ses alliés, tandis "
        "que Moscou masse des soldats près de la frontière ukrainienne.",
        A4,
        "déplacent des forces armées",
    ),
]

EN = [
    Case(
        "en",
        "On Monday 21 February the Kremlin leader recognised the independence of the pro-Russian "
        "separatist regions of eastern Ukraine, de facto triggering Western economic sanctions "
        "against Russia.",
        A0,
        "reconnu lundi 21 février",
    ),
    Case(
        "en",
        "Putin once said that the leader in artificial intelligence will rule the world.",
        A0,
        "dominera le monde",
    ),
    Case(
        "en",
        "It is a recurring fear of Putin, who does not want a NATO member country in his sphere "
        "of influence.",
        A0,
        "crainte récurrente",
    ),
    Case(
        "en",
        "In a televised speech, Putin complained that Western strategic bombers carrying very "
        "serious weapons were flying within 20 km of the Russian border.",
        A1,
        "moins de 20 km",
    ),
    Case(
        "en",
        "Putin added that NATO, which cut ties with Russia last month, had destroyed the whole "
        "mechanism for dialogue.",
        A1,
        "détruit tout le mécanisme",
    ),
    Case(
        "en",
        "Kremlin spokesman Dmitry Peskov, quoted by the RIA news agency, said the two presidents "
        "could hold a virtual meeting before the end of the year.",
        A1,
        "réunion virtuelle",
    ),
    Case(
        "en",
        "Nikolai Patrushev and Jake Sullivan discussed cybersecurity, Ukraine and the migrant "
        "crisis on the Belarusian border in a phone call on Wednesday.",
        A1,
        "Jake Sullivan",
    ),
    Case(
        "en",
        "Putin said the call-up of Russian reservists would be over within two weeks and that "
        "there were no plans for further mobilisation.",
        A2,
        "deux semaines",
    ),
    Case(
        "en",
        '"We do not set ourselves the task of destroying Ukraine. No, of course not," Putin said.',
        A2,
        "pour mission de",
    ),
    Case(
        "en",
        "Russia will also strive to strike new deals to sell its oil and gas on the Asian market.",
        A2,
        "vendre son pétrole et son gaz",
    ),
    Case(
        "en",
        "On Friday 21 June 2024, the Russian head of state received graduates of military and "
        "law-enforcement schools in Moscow.",
        A3,
        "21 Juin 2024",
    ),
    Case(
        "en",
        "He promised to strengthen Russia's nuclear capabilities and to give its armed forces new "
        "modern weapons.",
        A3,
        "capacités nucléaires",
    ),
    Case(
        "en",
        "According to the latest US intelligence estimates, Putin has assembled 70% of the "
        "military personnel and weapons he would need for a full-scale invasion of Ukraine.",
        A4,
        "rassemblé 70",
    ),
    Case(
        "en",
        '"There is still time to preserve peace," said the French head of state.',
        A4,
        "préserver la paix",
    ),
    Case(
        "en",
        "The two men gave a press conference after spending more than five hours in one-on-one "
        "talks.",
        A4,
        "cinq heures",
    ),
]

CASES = FR + EN


def _rank(case: Case, matches: list[Match], accepted: set[str]) -> int | None:
    """1-based rank of the first hit among the matches, None when there is none."""
    for rank, match in enumerate(matches, 1):
        if case.expected in match.text and match.article.id in accepted:
            return rank
    return None


def _summary(ranks: list[int | None]) -> dict[str, float]:
    return {
        "recall@1": sum(r == 1 for r in ranks) / len(ranks),
        f"recall@{K}": sum(r is not None for r in ranks) / len(ranks),
        f"mrr@{K}": sum(1 / r for r in ranks if r is not None) / len(ranks),
    }


def test_cases_are_valid(seeds_dir: Path) -> None:
    assert len(FR) >= 24 and len(EN) >= 12
    assert {c.article for c in FR} == {c.article for c in EN} == {A0, A1, A2, A3, A4}
    texts = {p.stem: p.read_text(encoding="utf-8") for p in seeds_dir.glob("*.txt")}
    for case in CASES:
        assert case.expected in texts[case.article], case


def test_claims_find_their_source_sentence(seed_corpus: Corpus, seeds_dir: Path) -> None:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in seeds_dir.glob("*.txt")}
    ranks: dict[Case, int | None] = {}
    failures = []
    for case in CASES:
        accepted = {stem for stem, text in texts.items() if case.expected in text}
        matches = seed_corpus.find(case.claim, k=K)
        ranks[case] = _rank(case, matches, accepted)
        if ranks[case] != 1:
            top = "; ".join(
                f"{m.score:.3f} {m.article.id[:3]} {m.text[:70]!r}" for m in matches[:3]
            )
            failures.append(
                f"[{case.lang}] rank={ranks[case]} want {case.expected!r} ({case.article[:3]}) "
                f"for {case.claim[:70]!r} -> {top}"
            )
    report = {
        lang: _summary([r for c, r in ranks.items() if lang in (c.lang, "all")])
        for lang in ("fr", "en", "all")
    }
    lines = [
        f"{lang}: " + ", ".join(f"{m}={v:.3f}" for m, v in s.items()) for lang, s in report.items()
    ]
    message = "\n".join(lines + failures)
    print(message)
    assert report["all"][f"recall@{K}"] >= 0.95, message
    assert report["all"]["recall@1"] >= 0.8, message


def test_find_respects_k_and_sorts_scores(seed_corpus: Corpus) -> None:
    for k in (1, 3, 7):
        matches = seed_corpus.find("Poutine se dit ouvert au dialogue avec l'OTAN", k=k)
        assert len(matches) == k
        scores = [m.score for m in matches]
        assert scores == sorted(scores, reverse=True)
        assert all(-1.0 <= s <= 1.0 + LEXICAL_WEIGHT + 1e-5 for s in scores)


@pytest.mark.xfail(
    strict=True,
    reason="issue 15 acceptance not met yet: r62 (an English claim; by meaning alone it ranks "
    "2nd) falls out of the top 5 when sentences sharing 'Macron' gain their BM25 share",
)
def test_every_reformulation_of_the_figures_half_is_in_the_top_5(
    seed_corpus: Corpus, seeds_dir: Path
) -> None:
    """Acceptance of issue 15 on the reformulations never tuned on (``half: figures`` of
    benchmarks/data/reformulations_fr.jsonl, written before any tuning), French and English."""
    lines = REFORMULATIONS.read_text(encoding="utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
    figures = [c for c in cases if c["half"] == "figures"]
    assert len(cases) >= 60 and {c["lang"] for c in figures} == {"fr", "en"}
    texts = {p.stem: p.read_text(encoding="utf-8") for p in seeds_dir.glob("*.txt")}
    missed = []
    for case in figures:
        accepted = {stem for stem, text in texts.items() if case["expected"] in text}
        assert case["article"] in accepted, case
        matches = seed_corpus.find(case["claim"], k=K, rules_only=True)
        hit = Case(case["lang"], case["claim"], case["article"], case["expected"])
        if _rank(hit, matches, accepted) is None:
            missed.append(f"{case['id']} {case['claim']!r}: {[m.text[:60] for m in matches]}")
    assert not missed, "\n".join(missed)
