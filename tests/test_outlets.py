"""Outlet names for feed and site hosts, and the ``--source`` filter that matches them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from factcheck.filters import Filters
from factcheck.models import Article, Sentence
from factcheck.outlets import outlet_of
from factcheck.store import Store

RSS = Path(__file__).resolve().parents[2] / "shared" / "data" / "rss_2022_russia_ukraine.jsonl"


def test_the_feeds_of_the_rss_data_set_are_named_by_outlet() -> None:
    if not RSS.exists():
        pytest.skip(f"no {RSS}")
    with RSS.open(encoding="utf-8") as fh:
        feeds = {json.loads(line)["source_feed"] for line in fh}
    named = {feed: outlet_of(feed) for feed in feeds}
    assert named["http://feeds.bbci.co.uk/news/rss.xml"] == "BBC News"
    assert named["http://rss.cnn.com/rss/edition.rss"] == "CNN"
    assert named["https://www.theguardian.com/rss"] == "The Guardian"
    assert named["https://rss.nytimes.com/services/xml/rss/nyt/World.xml"] == "The New York Times"
    assert named["https://tvn24.pl/najwazniejsze.xml"] == "TVN24"
    assert named["https://www.polsatnews.pl/rss/swiat.xml"] == "Polsat News"
    assert not any("://" in name for name in named.values())


def test_a_host_not_in_the_table_is_named_by_itself_without_feed_prefixes() -> None:
    assert outlet_of("https://feeds.example.org/world.rss") == "example.org"
    assert outlet_of(None, "https://www.lemonde.fr/international/article.html") == "lemonde.fr"
    assert outlet_of("Le Monde", "https://www.lemonde.fr/x") == "Le Monde"  # a name stays
    assert outlet_of(None, None) is None and outlet_of("http://[::1") == "http://[::1"


def test_source_filter_matches_the_outlet_name_in_any_case(tmp_path: Path) -> None:
    store = Store(tmp_path / "meta.sqlite")
    for i, (source, url) in enumerate(
        [
            ("http://feeds.bbci.co.uk/news/rss.xml", None),
            (None, "https://www.bbc.co.uk/news/world-60000000"),
            ("http://rss.cnn.com/rss/edition.rss", None),
            ("Daily Wire Service", None),
        ]
    ):
        text = f"Sentence number {i}."
        store.replace_article(
            Article(id=f"a{i}", text=text, source=source, url=url),
            "c",
            [Sentence(0, 0, len(text), text)],
            [f"h{i}"],
            {f"h{i}": np.ones(4, dtype=np.float32)},
        )
    articles = dict(store.db.execute("SELECT s.id, s.article_id FROM sentences s"))

    def found(source: str) -> set[str]:
        return {articles[i] for i in store.filtered_ids(Filters(source=source)).tolist()}

    assert found("BBC News") == found("bbc news") == {"a0", "a1"}
    assert found("CNN") == {"a2"}
    assert found("daily wire service") == {"a3"}  # a stored name, any case
    assert found("http://rss.cnn.com/rss/edition.rss") == {"a2"}  # the stored source itself
    store.close()
