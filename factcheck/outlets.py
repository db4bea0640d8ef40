"""Outlet names for feed and site hosts, so that reports say "BBC News", not a feed URL.

One table, matched on the host and its parent domains (``edition.cnn.com`` is CNN); a host
not in it is named by itself, without the ``www.``/``feeds.``/``rss.`` of feed servers.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Host (or parent domain) -> outlet. The first rows are the outlets of the RSS data set
# (../shared/data/rss_2022_russia_ukraine.jsonl): its ``source_feed`` hosts.
OUTLETS = {
    "bbc.co.uk": "BBC News",
    "bbci.co.uk": "BBC News",
    "bbc.com": "BBC News",
    "cnn.com": "CNN",
    "theguardian.com": "The Guardian",
    "nytimes.com": "The New York Times",
    "tvn24.pl": "TVN24",
    "polsatnews.pl": "Polsat News",
    "chip.pl": "CHIP",
    "ithardware.pl": "ITHardware",
    "reuters.com": "Reuters",
    "dailymail.co.uk": "Daily Mail",
    "news.sky.com": "Sky News",
    "skynews.com": "Sky News",
    "cnbc.com": "CNBC",
    "theatlantic.com": "The Atlantic",
}
FEED_PREFIXES = ("www.", "feeds.", "rss.")  # server names that say nothing of the outlet


def outlet_of(source: str | None, url: str | None = None) -> str | None:
    """An article's outlet: its source when that is a name, else the outlet of the host of
    its source (a feed URL) or of its URL."""
    if source and "://" not in source:
        return source
    host = _host(source) or _host(url)
    if not host:
        return source or None
    labels = host.split(".")
    for i in range(len(labels) - 1):
        if name := OUTLETS.get(".".join(labels[i:])):
            return name
    for prefix in FEED_PREFIXES:
        host = host.removeprefix(prefix)
    return host


def _host(url: str | None) -> str | None:
    try:
        return urlsplit(url).hostname if url and "://" in url else None
    except ValueError:  # "http://[::1" and other broken URLs
        return None
