"""The lexical channel: terms, the FTS5 word index in the store, and its fusion in ``find``."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from factcheck.filters import Filters
from factcheck.lexical import (
    MAX_POSTINGS,
    bm25,
    document,
    fuse,
    length_factor,
    match,
    query,
    rarest,
    stem,
    terms,
    tokens,
)
from factcheck.models import Article, Sentence
from factcheck.store import Store

if TYPE_CHECKING:
    from factcheck import Corpus


def test_stems_meet_across_inflections_in_french_and_english() -> None:
    assert stem("mobilisations") == stem("mobilisation") == stem("mobiliser")
    assert stem("rassemblees") == stem("rassemble")
    assert stem("talks") == stem("talk")
    assert stem("forces") == stem("force")
    assert stem("12,5") == stem("12.5") == "12.5"
    assert stem("gaz") == "gaz"  # short words stay whole


def test_tokens_fold_accents_and_drop_stop_words() -> None:
    assert tokens("Élysée") == tokens("elysee")
    assert tokens("les et de la the and") == []
    assert tokens("12,5 miles de la frontière") == ["12.5", stem("miles"), stem("frontiere")]
    assert document("Les forces rassemblées") == " ".join(tokens("forces rassemblées"))


def test_a_claim_is_read_as_quoted_terms_never_as_fts5_syntax(tmp_path: Path) -> None:
    assert query("les et de la") == []
    assert query("Poutine, Poutine et Macron") == ["poutin", "macron"]
    terms = query('NEAR(a b) "Poutine" OR * -x AND')
    assert terms == ["near", "poutin"]
    assert [match(t) for t in terms] == ['"near"', '"poutin"']
    store = Store(tmp_path / "meta.sqlite")
    _article(store, "a", ["Poutine parle du traité NEAR AND OR."])
    assert len(store.lexical_search([query('NEAR(Poutine) AND "traité" *')], 5)[0]) == 1
    store.close()


def test_only_the_rarest_terms_are_read_within_the_postings_budget() -> None:
    counts = {"common": MAX_POSTINGS, "rare": 3, "absent": 0, "middle": 40}
    assert rarest(counts) == ["rare", "middle"]
    assert rarest({"everywhere": MAX_POSTINGS + 1}) == []


def test_bm25_weighs_rare_terms_more_and_short_sentences_more() -> None:
    postings = {"rare": np.array([1, 2]), "common": np.array([2, 3, 4])}
    ids, scores = bm25(postings, {"rare": 2, "common": 900}, n_docs=1000)
    assert ids.tolist() == [1, 2, 3, 4]
    by_id = dict(zip(ids.tolist(), scores.tolist(), strict=True))
    assert by_id[2] > by_id[1] > by_id[3] == by_id[4] > 0
    short, long = length_factor(np.array([5.0, 40.0]), mean_length=10.0)
    assert short > long


def test_fuse_adds_the_weighted_bm25_share_to_the_similarity() -> None:
    shares = [(3, 0.5), (2, 0.25)]  # BM25 over the claim's most (``lexical.most``)
    fused = fuse({1: 0.80, 2: 0.78, 3: 0.70}, shares, weight=0.2)
    assert fused == pytest.approx({1: 0.80, 2: 0.83, 3: 0.80})
    of_best = fuse({1: 0.80, 2: 0.78, 3: 0.70}, shares, weight=0.1, of_best=True)
    assert of_best == pytest.approx({1: 0.80, 2: 0.83, 3: 0.80})
    assert fuse({1: 0.5}, [], weight=0.1) == {1: 0.5}


def test_terms_compare_statements_by_prefix() -> None:
    assert terms("70 % des forces rassemblées") == {"70", "force", "rasse"}


def _article(store: Store, article_id: str, texts: list[str], lang: str = "fr") -> list[int]:
    """Store an article of ``texts``; vectors are random (the word index ignores them)."""
    sentences = [Sentence(i, 0, len(t), t, lang) for i, t in enumerate(texts)]
    hashes = [f"{article_id}-{i}" for i in range(len(texts))]
    rng = np.random.default_rng(0)
    vectors = {h: rng.normal(size=4).astype(np.float32) for h in hashes}
    article = Article(id=article_id, text=" ".join(texts), lang=lang)
    return store.replace_article(article, article_id, sentences, hashes, vectors)[1]


def test_store_search_by_words_follows_the_sentences(tmp_path: Path) -> None:
    store = Store(tmp_path / "meta.sqlite")
    ids = _article(
        store,
        "a",
        ["Les bombardiers volaient à 12,5 miles de la frontière.", "Rien à voir ici."],
    )
    hits = store.lexical_search([query("bombardier à 12.5 miles")], 10)[0]
    assert [i for i, _ in hits] == [ids[0]]
    assert hits[0][1] > 0
    _article(store, "a", ["Un autre texte sur la météo."])  # the article replaced
    assert store.lexical_search([query("bombardiers")], 10) == [[]]
    store.close()


def test_store_search_by_words_keeps_to_the_allowed_ids(tmp_path: Path) -> None:
    store = Store(tmp_path / "meta.sqlite")
    first = _article(store, "a", ["Jake Sullivan a parlé de cybersécurité."])
    second = _article(store, "b", ["Jake Sullivan parle encore de cybersécurité."])
    wanted = query("Jake Sullivan")
    assert {i for i, _ in store.lexical_search([wanted], 10)[0]} == {first[0], second[0]}
    kept = store.lexical_search([wanted], 10, np.array(second, dtype=np.int64))[0]
    assert [i for i, _ in kept] == second
    store.close()


def test_term_counts_and_postings_are_those_of_a_match_after_replacements(
    tmp_path: Path,
) -> None:
    path = tmp_path / "meta.sqlite"
    store = Store(path)
    _article(store, "a", ["Kyiv a été bombardée.", "Kyiv reste debout.", "La météo à Kyiv."])
    _article(store, "b", ["Kyiv et Kharkiv ont été bombardées."])
    _article(store, "a", ["Kharkiv a été bombardée."])  # replaced: its Kyiv sentences gone
    store.close()
    reader = Store(path, readonly=True)  # its vocabulary is created before query_only
    terms = query("Kyiv Kharkiv bombardée météo inconnu")
    sql = "SELECT {} FROM lexical WHERE lexical MATCH ?"
    for term in terms:
        count = reader.db.execute(sql.format("count(*)"), (f'"{term}"',)).fetchone()[0]
        rows = [r[0] for r in reader.db.execute(sql.format("rowid"), (f'"{term}"',))]
        assert reader._lexical_counts(terms)[term] == count
        assert reader._postings(term).tolist() == rows
    assert reader._lexical_counts(terms)[query("Kyiv")[0]] == 1
    assert reader._lexical_counts(terms)[query("inconnu")[0]] == 0
    reader.close()


def test_an_old_index_gains_the_word_index_at_its_next_writable_open(tmp_path: Path) -> None:
    path = tmp_path / "meta.sqlite"
    store = Store(path)
    ids = _article(store, "a", ["Macron et Poutine ont parlé cinq heures."])
    store.close()
    old = sqlite3.connect(path)  # as an earlier factcheck left it: no word index at all
    old.executescript(
        "DROP TRIGGER sentences_lexical_insert; DROP TRIGGER sentences_lexical_delete;"
        "DROP TABLE lexical; DROP TABLE clauses; DELETE FROM meta WHERE key = 'lexical_terms';"
    )
    old.close()
    reader = Store(path, readonly=True)
    assert not reader.has_lexical
    reader.close()
    writer = Store(path)
    assert writer.has_lexical
    assert [i for i, _ in writer.lexical_search([query("cinq heures")], 5)[0]] == ids
    writer.close()


@pytest.mark.slow
def test_find_by_words_alone_reaches_a_sentence_by_a_rare_name(seed_corpus: Corpus) -> None:
    matches = seed_corpus.find("Stepanenko", k=3, channels="lexical", rules_only=True)
    assert matches and "Stepanenko" in matches[0].text
    assert -1.0 <= matches[0].similarity <= 1.0


@pytest.mark.slow
def test_filters_apply_to_the_word_channel(seed_corpus: Corpus) -> None:
    matches = seed_corpus.find(
        "Stepanenko", k=3, channels="lexical", rules_only=True, filters=Filters(lang="en")
    )
    assert not any("Stepanenko" in m.text for m in matches)


@pytest.mark.slow
def test_hybrid_ranks_by_the_fused_score(seed_corpus: Corpus) -> None:
    for channels in ("hybrid", "dense", "lexical"):
        matches = seed_corpus.find("Jake Sullivan et la cybersécurité", k=5, channels=channels)
        scores = [m.score for m in matches]
        assert scores == sorted(scores, reverse=True)
        assert any("Jake Sullivan" in m.text for m in matches[:1])


@pytest.mark.slow
def test_an_unknown_channel_is_refused(seed_corpus: Corpus) -> None:
    from factcheck.errors import InputError

    with pytest.raises(InputError, match="hybrid, dense, lexical"):
        seed_corpus.find("Poutine", channels="psychic")


@pytest.mark.slow
def test_find_on_an_old_index_searches_by_meaning_and_says_so(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    from factcheck import Corpus

    seed_corpus.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    old = tmp_path / "old"
    shutil.copytree(seed_corpus.path, old, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    db = sqlite3.connect(old / "meta.sqlite")
    db.executescript(
        "DROP TRIGGER sentences_lexical_insert; DROP TRIGGER sentences_lexical_delete;"
        "DROP TABLE lexical; DROP TABLE clauses; DELETE FROM meta WHERE key = 'lexical_terms';"
    )
    db.close()
    with Corpus.open(old, readonly=True) as corpus:
        matches = corpus.find("Jake Sullivan et la cybersécurité", k=3, rules_only=True)
        assert matches
        assert any("by meaning only" in n for n in corpus.notices)
    Corpus.open(old).close()  # a writer adds the word index
    with Corpus.open(old, readonly=True) as corpus:
        corpus.find("Jake Sullivan et la cybersécurité", k=3, rules_only=True)
        assert not any("by meaning only" in n for n in corpus.notices)


def test_term_counts_kept_between_searches_follow_every_change_of_the_index(
    tmp_path: Path,
) -> None:
    """A reader keeps its word counts between searches (``Store._lexical_counts``) until
    the index changes, whoever changes it."""
    path = tmp_path / "meta.sqlite"
    writer = Store(path)
    _article(writer, "a", ["Kyiv a été bombardée."])
    reader = Store(path, readonly=True)
    kyiv = query("Kyiv")[0]
    assert reader._lexical_counts([kyiv]) == {kyiv: 1}
    _article(writer, "b", ["Kyiv reste debout."])  # another connection's commit
    assert reader._lexical_counts([kyiv]) == {kyiv: 2}
    assert writer._lexical_counts([kyiv]) == {kyiv: 2}
    _article(writer, "b", ["La météo à Kharkiv."])  # replaced
    assert writer._lexical_counts([kyiv]) == {kyiv: 1}
    reader.close()
    writer.close()
