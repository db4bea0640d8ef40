"""Cleaning scraped articles: header fields, boilerplate, exact spans, speed on huge input."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from factcheck.clean import Cleaned, claim_words, clean_text, is_boilerplate


def _blocks(text: str, cleaned: Cleaned) -> list[str]:
    for start, end in cleaned.blocks:
        assert text[start:end] == text[start:end].strip() != ""
    assert cleaned.blocks == sorted(cleaned.blocks)
    return [text[s:e] for s, e in cleaned.blocks]


def _seed(seeds_dir: Path, prefix: str) -> tuple[str, Cleaned]:
    text = next(seeds_dir.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    return text, clean_text(text)


@pytest.mark.parametrize(
    ("prefix", "title", "date", "author"),
    [
        ("000", "Poutine désormais ouvert aux dialogues avec les Occidentaux", "2022-02-23", None),
        ("001", None, None, None),
        (
            "002",
            "Poutine rencontre l’ancienne alliance soviétique alors qu’il prépare une rupture "
            "avec l’Occident au sujet de l’Ukraine.",
            None,
            "Jessie Neal",
        ),
        ("003", "Vladimir Poutine et l’OTAN pourraient se lancer dans un dialogue", None, None),
        ("004", None, None, None),
    ],
)
def test_seed_headers(
    seeds_dir: Path, prefix: str, title: str | None, date: str | None, author: str | None
) -> None:
    text, cleaned = _seed(seeds_dir, prefix)
    assert cleaned.title == title
    assert (cleaned.date.isoformat() if cleaned.date else None) == date
    assert cleaned.author == author
    blocks = _blocks(text, cleaned)
    if title:
        assert blocks[0] == title, "the headline is its own block"
    assert not any(b in ("23 février 2022", "par Jessie Neal") for b in blocks)


def test_seed_000_date_text(seeds_dir: Path) -> None:
    assert _seed(seeds_dir, "000")[1].date_text == "23 février 2022"


def test_seed_boilerplate_is_dropped_and_content_kept(seeds_dir: Path) -> None:
    text, cleaned = _seed(seeds_dir, "003")
    blocks = _blocks(text, cleaned)
    assert blocks[1].startswith("Alors que la guerre en Ukraine")
    assert blocks[-1].startswith("La réponse de l’OTAN est désormais attendue")
    assert len(blocks) == 5
    text, cleaned = _seed(seeds_dir, "004")
    blocks = _blocks(text, cleaned)
    assert blocks[0].startswith("Le Président Russe Vladimir Poutine a rencontré")
    assert not any(b.startswith("Revoir la vidéo") for b in blocks)
    assert "L’armée Russe mobilisée pour une future attaque ?" in blocks


def test_front_matter_is_metadata() -> None:
    text = (
        '---\ntitle: "Kyiv sous les bombes"\ndate: 2022-03-01\nsource: Le Quotidien\n'
        "url: https://example.org/kyiv\nauthor: Marie Curie\n---\n\n"
        "Les sirènes ont retenti toute la nuit. Les habitants se sont abrités dans le métro.\n"
    )
    cleaned = clean_text(text)
    assert cleaned.title == "Kyiv sous les bombes"
    assert (cleaned.date, cleaned.date_text) == (dt.date(2022, 3, 1), "2022-03-01")
    assert (cleaned.source, cleaned.url, cleaned.author) == (
        "Le Quotidien",
        "https://example.org/kyiv",
        "Marie Curie",
    )
    assert _blocks(text, cleaned) == [
        "Kyiv sous les bombes",
        "Les sirènes ont retenti toute la nuit. Les habitants se sont abrités dans le métro.",
    ]


def test_front_matter_title_repeated_as_heading_is_one_block() -> None:
    text = "---\ntitle: Kyiv sous les bombes\n---\n# Kyiv sous les bombes\n\nLa nuit a été longue."
    cleaned = clean_text(text)
    assert _blocks(text, cleaned) == ["Kyiv sous les bombes", "La nuit a été longue."]
    assert cleaned.blocks[0][0] > text.index("---\n#")


def test_plain_header_lines_fr_and_en() -> None:
    text = (
        "Titre : Le gaz russe coupé\nDate : 7 février 2022\nSource: Wire\n"
        "URL: https://example.org/gaz\nAuteur : Jean Dupont\n\nGazprom a coupé les livraisons.\n"
    )
    cleaned = clean_text(text)
    assert (cleaned.title, cleaned.date, cleaned.source, cleaned.url, cleaned.author) == (
        "Le gaz russe coupé",
        dt.date(2022, 2, 7),
        "Wire",
        "https://example.org/gaz",
        "Jean Dupont",
    )
    assert _blocks(text, cleaned) == ["Le gaz russe coupé", "Gazprom a coupé les livraisons."]


def test_breadcrumb_menu_byline_and_date_in_header() -> None:
    text = (
        "Actualités Monde Europe Économie Sport\n"
        "Accueil › International › Macron à Moscou\n"
        "Macron à Moscou\n"
        "By John Smith | 8 Feb 2022\n"
        "Emmanuel Macron a rencontré Vladimir Poutine lundi.\n"
    )
    cleaned = clean_text(text)
    assert (cleaned.title, cleaned.author, cleaned.date) == (
        "Macron à Moscou",
        "John Smith",
        dt.date(2022, 2, 8),
    )
    assert _blocks(text, cleaned) == [
        "Macron à Moscou",
        "Emmanuel Macron a rencontré Vladimir Poutine lundi.",
    ]


def test_english_title_case_headline_is_kept_as_title() -> None:
    text = "Putin Recognises Breakaway Ukrainian Regions\n\nThe Kremlin said on Monday that it..."
    assert clean_text(text).title == "Putin Recognises Breakaway Ukrainian Regions"


def test_first_line_sentence_means_no_title() -> None:
    cleaned = clean_text("Le Kremlin a démenti lundi. Les troupes restent en place.\nSuite.")
    assert cleaned.title is None and cleaned.date is None


def test_hard_wrapped_lines_are_joined() -> None:
    text = "Le président russe a ouvert la possibilité\nd’un dialogue avec les pays occidentaux.\n"
    assert _blocks(text, clean_text(text)) == [text.strip()]


def test_list_of_related_titles_is_dropped() -> None:
    text = (
        "Le sommet s’est achevé sans accord.\n\nÀ lire aussi\n\nLa Russie masse des troupes\n"
        "Kiev demande des armes\n\nLes discussions reprendront la semaine prochaine à Genève.\n"
    )
    assert _blocks(text, clean_text(text)) == [
        "Le sommet s’est achevé sans accord.",
        "Les discussions reprendront la semaine prochaine à Genève.",
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Lire aussi : Alliance Russie-Corée du Nord : un partenariat ?",
        "À lire aussi",
        "Voir aussi : notre dossier",
        "Read more: Putin's speech",
        "Related Articles",
        "Partager:",
        "Share this:",
        "Partager sur Facebook",
        "Facebook Twitter WhatsApp",
        "Laisser un commentaire",
        "Leave a Reply",
        "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
        "Your email address will not be published.",
        "Voici la section des commentaires :",
        "quatre + 14 =",
        "3 × five =",
        "12 - 3 = ?",
        "This website uses cookies to improve your experience. Accept Read More",
        "Nous utilisons des cookies pour améliorer votre expérience.",
        "Accepter",
        "Accept Read More",
        "Abonnez-vous à notre newsletter",
        "Inscrivez-vous à la newsletter",
        "Home » MONDE » Poutine rencontre l’ancienne alliance soviétique",
        "Accueil > Politique > Article",
        "Monde › Europe › Ukraine",
        "The English and French versions are automatically generated by the AI. So there may be",
        "Revoir la vidéo de la conférence de presse",
        "Regarder la vidéo",
        "© 2022 Le Quotidien",
        "Copyright 2022 Reuters",
        "Le Quotidien – Tous droits réservés",
        "All rights reserved.",
        "Publicité",
        "Tags : Russie, Ukraine",
        "## Lire aussi",
        "**À lire aussi :** Le gaz russe",
    ],
)
def test_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Le Kremlin a déclaré en septembre que l’OTAN franchirait la ligne rouge.",
        "« Les intérêts russes sont non négociables «",
        " » Récemment, j’ai exposé notre vision. Nous sommes prêts. », a-t-il déclaré.",
        "Partager le fardeau de la sécurité européenne est une priorité, selon Paris.",
        "Facebook a annoncé des restrictions pour les médias russes.",
        "Les cookies tiers seront interdits, a annoncé la Commission.",
        "Il faut lire aussi les annexes du traité, a ajouté M. Dupont.",
        "La facture atteindra 2 + 3 = 5 milliards, selon le ministère, qui promet des aides.",
        "Copyright et droits voisins : la directive européenne entre en vigueur.",
        "Lire aussi : " + "x" * 1000,
        "",
    ],
)
def test_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


@pytest.mark.parametrize(
    "text",
    [
        "Le président a parlé. « Oui », a-t-il dit. " * 300_000,
        "." * 10_000_000,
        ". »" * 3_000_000,
        "Home » " * 1_500_000,
        "a" * 10_000_000,
        "Par Jean " * 1_000_000,
    ],
    ids=["article", "dots", "quotes", "breadcrumbs", "letters", "byline"],
)
def test_huge_single_line_is_linear(text: str) -> None:
    start = time.perf_counter()
    cleaned = clean_text(text)
    assert time.perf_counter() - start < 5
    assert all(0 <= s < e <= len(text) for s, e in cleaned.blocks)


def test_front_matter_with_windows_line_ends() -> None:
    text = "---\r\ntitle: Gaz russe\r\ndate: 2022-01-02\r\n---\r\nGazprom a coupé le gaz.\r\n"
    cleaned = clean_text(text)
    assert (cleaned.title, cleaned.date) == ("Gaz russe", dt.date(2022, 1, 2))
    assert _blocks(text, cleaned) == ["Gaz russe", "Gazprom a coupé le gaz."]


def test_claim_words_drop_links_and_split_hashtags_and_handles() -> None:
    post = (
        "How are butterflies surviving the #AustralianFires? pic.twitter.com/0eJtwJyS1J "
        "— Center for Bio Div (@CenterForBioDiv) January 14, 2020"
    )
    assert claim_words(post) == (
        "How are butterflies surviving the Australian Fires? — Center for Bio Div "
        "(Center For Bio Div) January 14, 2020"
    )
    assert claim_words("#DefundTheCBChttps://t.co/CsHG8R9cHp #COVID19 @joe_biden") == (
        "Defund The CBC COVID 19 joe biden"
    )
    assert claim_words("write to desk@example.org, ticket #42") == (
        "write to desk@example.org, ticket 42"
    )
    plain = "70 % des forces rassemblées, lundi 21 février"
    assert claim_words(plain) == plain
