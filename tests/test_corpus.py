"""The index with the packaged model, real FAISS and SQLite: ingest, update, filters, safety."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from factcheck import Corpus, IndexBusy, ModelError
from factcheck.embed import DEFAULT_MODEL
from factcheck.filters import Filters
from factcheck.lock import write_lock
from factcheck.vectors import VectorIndex

ARTICLES = [
    {
        "id": "kyiv-fr",
        "source": "Le Quotidien",
        "date": "2022-02-08",
        "text": "Emmanuel Macron s'est rendu à Kiev mardi. Il a rencontré le président ukrainien "
        "pendant trois heures. Les deux dirigeants ont parlé de la sécurité de l'Europe.",
    },
    {
        "id": "kyiv-en",
        "source": "Daily Wire Service",
        "date": "2022-02-09",
        "lang": "en",
        "text": "Emmanuel Macron travelled to Kyiv on Tuesday. He met the Ukrainian president for "
        "three hours. Grain exports through the Black Sea fell sharply in January.",
    },
    {
        "id": "gaz-fr",
        "source": "Le Quotidien",
        "date": "2022-06-01",
        "text": "Le prix du gaz a doublé en Europe depuis le début de l'année. Les ménages "
        "allemands paient leur chauffage deux fois plus cher.",
    },
]


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    return path


def _faiss_ids(index_dir: Path) -> set[int]:
    """The ids the saved FAISS copy holds: its base file with the delta file applied."""
    delta = json.loads((index_dir / "manifest.json").read_text()).get("delta")
    saved = VectorIndex.load(index_dir / "vectors.faiss", index_dir / delta if delta else None)
    return set(saved.ids().tolist())


def _sqlite_ids(index_dir: Path) -> set[int]:
    with sqlite3.connect(index_dir / "meta.sqlite") as db:
        return {r[0] for r in db.execute("SELECT id FROM sentences")}


@pytest.fixture()
def corpus(tmp_path: Path):
    feed = _write_jsonl(tmp_path / "feed.jsonl", ARTICLES)
    with Corpus.open(tmp_path / "index") as corpus:
        result = corpus.ingest([feed])
        assert (result.added, result.updated, result.skipped) == (3, 0, [])
        yield corpus


def test_ingest_writes_manifest_offsets_and_consistent_ids(corpus: Corpus) -> None:
    manifest = json.loads((corpus.path / "manifest.json").read_text())
    assert manifest["model"] == DEFAULT_MODEL
    assert manifest["dim"] == 384
    assert manifest["index"]["kind"] == "flat"
    assert manifest["articles"] == 3 and manifest["sentences"] == 8
    assert _faiss_ids(corpus.path) == _sqlite_ids(corpus.path)
    for match in corpus.find("Macron à Kiev", k=8):
        start, end = match.sentence["start"], match.sentence["end"]
        text = corpus.store.db.execute(
            "SELECT text FROM articles WHERE id = ?", (match.article.id,)
        ).fetchone()[0]
        assert text[start:end] == match.text


def test_reingest_unchanged_does_nothing_and_changed_replaces(corpus: Corpus, tmp_path: Path):
    feed = tmp_path / "feed.jsonl"
    again = corpus.ingest([feed])
    assert (again.added, again.updated, again.unchanged, again.embedded) == (0, 0, 3, 0)

    changed = [dict(a) for a in ARTICLES]
    changed[2]["text"] = "Le prix du gaz a triplé en Europe depuis janvier."
    result = corpus.ingest([_write_jsonl(feed, changed)])
    assert (result.added, result.updated, result.unchanged, result.embedded) == (0, 1, 2, 1)
    assert _faiss_ids(corpus.path) == _sqlite_ids(corpus.path)
    texts = [m.text for m in corpus.find("le chauffage des ménages allemands", k=10)]
    assert not any("chauffage" in t for t in texts), "old sentences must be gone"
    assert "Le prix du gaz a triplé en Europe depuis janvier." in texts


def test_files_of_one_name_are_distinct_articles_and_reingest_unchanged(tmp_path: Path) -> None:
    site = tmp_path / "site" / "2022" / "02"
    for day, event in (("07", "a reçu Macron"), ("08", "a parlé à Scholz"), ("09", "a vu Biden")):
        (site / day).mkdir(parents=True)
        (site / day / "index.txt").write_text(f"Le {day} février, Poutine {event} au Kremlin.\n")
    for folder, town in (("a", "Kharkiv"), ("b", "Odessa")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text(f"Des sirènes ont retenti à {town} cette nuit.\n")
    files = [tmp_path / "site", tmp_path / "a" / "x.txt", tmp_path / "b" / "x.txt"]
    with Corpus.open(tmp_path / "index") as corpus:
        first = corpus.ingest(files)
        assert (first.added, first.updated, first.skipped) == (5, 0, [])
        again = corpus.ingest(files)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 5)
        ids = {r[0] for r in corpus.store.db.execute("SELECT id FROM articles")}
    assert ids == {"2022/02/07/index", "2022/02/08/index", "2022/02/09/index", "x", "b/x"}


def test_a_jsonl_id_used_twice_in_a_batch_keeps_the_first_and_names_the_other(
    tmp_path: Path,
) -> None:
    feed = _write_jsonl(tmp_path / "feed.jsonl", ARTICLES[:2])
    other = _write_jsonl(
        tmp_path / "other.jsonl",
        [{"id": "gaz-fr", "text": "Le gaz."}, {**ARTICLES[2], "id": "kyiv-fr"}, ARTICLES[2]],
    )
    with Corpus.open(tmp_path / "index") as corpus:
        result = corpus.ingest([feed, other])
        assert (result.added, result.updated) == (3, 0)
        assert [str(p) for p in result.skipped] == [
            f"{other}:2: id 'kyiv-fr' is already used in this batch by {feed}:1: skipped "
            "(give each article its own id)",
            f"{other}:3: id 'gaz-fr' is already used in this batch by {other}:1: skipped "
            "(give each article its own id)",
        ]
        assert corpus.find("Macron à Kiev", k=1)[0].article.date == ARTICLES[0]["date"]
        again = corpus.ingest([feed, other])
        assert (again.added, again.updated, again.unchanged) == (0, 0, 3)


def test_translated_claim_finds_both_languages(corpus: Corpus) -> None:
    matches = corpus.find("Macron a passé trois heures avec le président ukrainien", k=3)
    assert matches[0].text == "Il a rencontré le président ukrainien pendant trois heures."
    assert "He met the Ukrainian president for three hours." in [m.text for m in matches]
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert matches[0].context["before"] is not None  # neighbours for context


def test_filters_keep_the_k_best_of_what_passes(corpus: Corpus) -> None:
    claim = "Macron est allé à Kiev"
    unfiltered = corpus.find(claim, k=1)
    assert unfiltered[0].article.id in {"kyiv-fr", "kyiv-en"}
    # The best overall matches are filtered out: k results must still come back.
    only_gas = corpus.find(claim, k=2, filters=Filters(since="2022-03-01"))
    assert [m.article.id for m in only_gas] == ["gaz-fr", "gaz-fr"]
    english = corpus.find(claim, k=3, filters=Filters(lang="en"))
    assert {m.article.id for m in english} == {"kyiv-en"} and len(english) == 3
    wire = corpus.find(
        claim, k=10, filters=Filters(source="daily wire service", until="2022-02-09")
    )
    assert {m.article.id for m in wire} == {"kyiv-en"} and len(wire) == 3
    assert corpus.find(claim, k=3, filters=Filters(until="2021-12-31")) == []

    # Exactness: the filtered ranking equals a brute-force ranking over the allowed sentences.
    rows = corpus.store.db.execute(
        "SELECT s.id, v.vector FROM sentences s JOIN vectors v ON v.hash = s.hash "
        "JOIN articles a ON a.id = s.article_id WHERE a.date >= '2022-02-09'"
    ).fetchall()
    query = corpus.embedder.embed_queries([claim])[0]
    scores = sorted((float(np.frombuffer(v, np.float32) @ query) for _, v in rows), reverse=True)
    february = corpus.find(claim, k=len(rows), filters=Filters(since="2022-02-09"))
    found = sorted((m.similarity for m in february), reverse=True)
    assert np.allclose(found, scores, atol=1e-5)


def test_stale_vectors_are_rebuilt_from_sqlite(corpus: Corpus, tmp_path: Path) -> None:
    """A crash between the SQLite commit and the FAISS save loses nothing."""
    (corpus.path / "vectors.faiss").unlink()
    with Corpus.open(corpus.path, readonly=True) as reader:
        assert reader.find("prix du gaz", k=1)[0].article.id == "gaz-fr"
    extra = _write_jsonl(
        tmp_path / "extra.jsonl",
        [
            {
                "id": "oil",
                "text": "Le baril de pétrole a dépassé cent dollars.",
                "date": "2022-03-08",
            }
        ],
    )
    with Corpus.open(corpus.path) as writer:
        writer.ingest([extra])
    assert _faiss_ids(corpus.path) == _sqlite_ids(corpus.path)
    assert len(_sqlite_ids(corpus.path)) == 9


def test_check_reports_a_manifest_whose_dimension_or_model_disagrees_with_the_vectors(
    corpus: Corpus,
) -> None:
    manifest_path = corpus.path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    with Corpus.open(corpus.path, readonly=True) as reader:
        assert reader.check() == []
    manifest_path.write_text(json.dumps(manifest | {"dim": 768}))
    with Corpus.open(corpus.path, readonly=True) as reader:
        assert reader.check() == [
            "the manifest says 768-dim vectors but the FAISS file holds 384-dim ones",
            "the manifest says 768-dim vectors but SQLite holds 384-dim ones",
        ]
    manifest_path.write_text(json.dumps(manifest))
    # Vectors of another model of the same size: a direction unrelated to this model's.
    other = np.random.default_rng(0).standard_normal(384).astype(np.float32)
    other /= np.linalg.norm(other)
    with sqlite3.connect(corpus.path / "meta.sqlite") as db:
        db.execute(
            "UPDATE vectors SET vector = ? WHERE hash = (SELECT hash FROM sentences ORDER BY id "
            "LIMIT 1)",
            (other.tobytes(),),
        )
    with Corpus.open(corpus.path, readonly=True) as reader:
        [problem] = reader.check()
    assert problem.startswith(
        f"the vectors were not made by {DEFAULT_MODEL!r}, the model the manifest names"
    )


def test_another_model_is_refused(corpus: Corpus) -> None:
    with pytest.raises(ModelError, match=f"built with model {DEFAULT_MODEL!r}"):
        Corpus.open(corpus.path, model="sentence-transformers/all-MiniLM-L6-v2")


def test_second_writer_fails_clearly(corpus: Corpus) -> None:
    with (
        write_lock(corpus.path),
        pytest.raises(IndexBusy, match="another factcheck process"),
        write_lock(corpus.path, timeout=0.3),
    ):
        pass


def test_missing_index_and_bad_claims(tmp_path: Path, corpus: Corpus) -> None:
    with pytest.raises(Exception, match="no index at"):
        Corpus.open(tmp_path / "nowhere", readonly=True)
    with pytest.raises(ValueError, match="empty"):
        corpus.find("   ")
    with pytest.raises(ValueError, match="100,000 characters"):
        corpus.find("x" * 100_000)
    with pytest.raises(ValueError, match=r"\\ud83d at character 8, half of a character"):
        corpus.find("Macron \ud83d")
    with pytest.raises(ValueError, match="only links"):
        corpus.find("https://t.co/CsHG8R9cHp pic.twitter.com/0eJtwJyS1J")


def test_a_claim_pasted_from_a_social_post_is_searched_by_its_words(corpus: Corpus) -> None:
    post = "#MacronAKiev : il a passé trois heures avec le président ukrainien https://t.co/x1Y2"
    words = "Macron A Kiev : il a passé trois heures avec le président ukrainien"
    found, plain = corpus.find(post, k=3), corpus.find(words, k=3)
    assert [(m.text, m.score) for m in found] == [(m.text, m.score) for m in plain]


def test_add_articles_from_python(corpus: Corpus) -> None:
    from factcheck import Article

    article = Article(
        id="scraped-1",
        text="Le cosmonaute russe a atterri au Kazakhstan après six mois dans la station.",
        date="2022-05-02",
        source="Scraper",
    )
    result = corpus.add([article, Article(id="blank", text="  ")])
    assert (result.added, [p.reason for p in result.skipped]) == (
        1,
        ["no article text left after cleaning"],
    )
    top = corpus.find("A Russian cosmonaut landed in Kazakhstan", k=1)[0]
    assert (top.article.id, top.article.source) == ("scraped-1", "Scraper")
    assert corpus.add([article]).unchanged == 1


def test_add_skips_an_article_whose_date_is_not_iso_and_keeps_the_batch(corpus: Corpus) -> None:
    from factcheck import Article

    articles = [
        Article(id="ble", text="Les exportations de blé ont chuté en mars.", date="2022-04-01"),
        Article(id="us-date", text="Le sommet de Genève a été reporté.", date="07/02/2022"),
        Article(
            id="stamped", text="Le rouble a perdu 30 % face au dollar.", date="2022-03-01T09:30"
        ),
    ]
    result = corpus.add(articles)
    assert (result.added, len(result.skipped)) == (2, 1)
    [problem] = result.skipped
    assert problem.path == "us-date"
    assert (
        problem.reason
        == "article 'us-date': date '07/02/2022' is not an ISO 8601 date (YYYY-MM-DD)"
    )
    assert corpus.find("Le blé ukrainien", k=1)[0].article.date == "2022-04-01"
    assert corpus.find("The rouble fell against the dollar", k=1)[0].article.date == "2022-03-01"
    assert "us-date" not in {m.article.id for m in corpus.find("sommet de Genève", k=20)}


def test_a_long_running_reader_sees_what_another_process_adds(tmp_path: Path) -> None:
    """A reader kept open (as ``factcheck serve`` keeps one) finds sentences ingested by
    another writer after its first search, without reopening."""
    from factcheck import Article

    path = tmp_path / "index"
    with Corpus.open(path) as writer:
        writer.add([Article(id="a", text="La Banque centrale a relevé ses taux de 0,5 point.")])
    with Corpus.open(path, readonly=True) as reader:
        claim = "Le parlement a voté la loi sur le climat le 3 mars."
        assert reader.find(claim, k=1)[0].article.id == "a"
        with Corpus.open(path) as writer:
            writer.add(
                [Article(id="b", text="Le parlement a voté la loi sur le climat le 3 mars.")]
            )
        assert reader.find(claim, k=1)[0].article.id == "b"
