"""Pairs about different things, as ``find`` puts them in front of the relation step.

A search returns the statements nearest in meaning to a claim, and most of them are about
something else: a neighbouring topic, another event told in the same words. No labelled
data set pairs such sentences (an NLI hypothesis is written for its premise), so they are
made here from labelled sets by pairing across rows, each claim against the nearest
statement that is not its own:

- XNLI French: a row's hypothesis against the nearest premise of another row;
- PAWS-X French/English: a second sentence against the nearest first sentence of another
  pair;
- CheckThat! 2020: a tweet against the nearest verified claims other than its own;
- the RSS items of 2022 (``rss_2022_russia_ukraine.jsonl``): a headline against the nearest
  headlines and summaries of other items. One news stream on one war: most of these are
  about other events, but not all (two outlets may disagree on one event), so the share of
  them called ``contradicts`` bounds the false contradictions from above.

A pair that shares a third of its words or more is passed over for the next nearest
(PAWS-X holds one sentence in several pairs, retouched: those are paraphrases or word
swaps). Each split is used once: ``train_relation_model.py --unrelated`` trains on the
XNLI ``train`` part and PAWS-X as neutral; ``tune_relations.py`` bounds how many of the
XNLI ``tune`` part, of the CheckThat! training tweets and of the RSS items of the ``tune``
part are called ``contradicts``; ``relations.py`` reports it on the XNLI ``eval`` part, the
CheckThat! dev tweets and the RSS items of the ``eval`` part (``splits.part``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from splits import part as split_of
from splits import read_jsonl, xnli_part

if TYPE_CHECKING:
    from factcheck.embed import Embedder

MAX_SHARED_WORDS = 1 / 3  # Jaccard of the two sentences' words, below which a pair is kept


def nearest_others(
    embedder: Embedder,
    claims: Sequence[str],
    matches: Sequence[str],
    own: Sequence[set[int]],
    k: int = 1,
) -> list[list[int]]:
    """For each claim, the ``k`` matches nearest in meaning (claim as query, match as
    passage) that are not among its ``own`` and share less than ``MAX_SHARED_WORDS`` of
    their words with it."""
    scores = embedder.embed_queries(list(claims)) @ embedder.embed_passages(list(matches)).T
    words = [set(m.lower().split()) for m in matches]
    found = []
    for claim, row, mine in zip(claims, scores, own, strict=True):
        claim_words = set(claim.lower().split())
        kept = []
        for j in np.argsort(-row):
            shared = claim_words & words[j]
            if j not in mine and len(shared) < MAX_SHARED_WORDS * len(claim_words | words[j]):
                kept.append(int(j))
                if len(kept) == k:
                    break
        found.append(kept)
    return found


def xnli(data: Path, part: str, embedder: Embedder) -> list[tuple[str, str, str, str]]:
    """(id, claim, match, pairing) for the rows of one XNLI part: the French hypothesis
    against the nearest other French premise (``fr/fr``), and its English translation
    against that premise (``en/fr``) and against the premise's translation (``en/en``)."""
    rows = [r for r in read_jsonl(data / "xnli_fr_dev.jsonl") if xnli_part(r) == part]
    premises = sorted({r["premise"] for r in rows})
    english = {r["premise"]: r["premise_en"] for r in rows}
    position = {premise: n for n, premise in enumerate(premises)}
    own = [{position[r["premise"]]} for r in rows]
    nearest = nearest_others(embedder, [r["hypothesis"] for r in rows], premises, own)
    out = []
    for r, [j] in zip(rows, nearest, strict=True):
        out.append((r["id"], r["hypothesis"], premises[j], "fr/fr"))
        out.append((r["id"], r["hypothesis_en"], premises[j], "en/fr"))
        out.append((r["id"], r["hypothesis_en"], english[premises[j]], "en/en"))
    return out


def pawsx(data: Path, embedder: Embedder) -> list[tuple[str, str, str, str]]:
    """(id, claim, match, pairing) for PAWS-X (all of it is training data): each second
    sentence, in French or, every other row, in English, against the nearest first sentence
    of another pair."""
    rows = [
        r
        for r in read_jsonl(data / "pawsx_fr_en_dev.jsonl")
        if "NS" not in (r["sentence1"], r["sentence2"])
    ]
    firsts = sorted({r["sentence1"] for r in rows})
    position = {first: n for n, first in enumerate(firsts)}
    own = [{position[r["sentence1"]]} for r in rows]
    nearest = nearest_others(embedder, [r["sentence2"] for r in rows], firsts, own)
    out = []
    for n, (r, [j]) in enumerate(zip(rows, nearest, strict=True)):
        claim, pairing = (r["sentence2_en"], "en/fr") if n % 2 else (r["sentence2"], "fr/fr")
        out.append((str(r["id"]), claim, firsts[j], pairing))
    return out


def checkthat(
    data: Path, split: str, embedder: Embedder, k: int = 3
) -> list[tuple[str, str, str, str]]:
    """(id, claim, match, pairing) for the tweets of one CheckThat! 2020 split (``train`` or
    ``dev``): each against the ``k`` nearest verified claims (title and claim, as the
    retrieval benchmark indexes them) other than its own."""
    folder = data / "checkthat2020_en"
    claims = read_jsonl(folder / "verified_claims.jsonl")
    texts = [f"{c['title']}\n\n{c['vclaim']}" for c in claims]
    position = {c["vclaim_id"]: n for n, c in enumerate(claims)}
    tweets = read_jsonl(folder / f"tweets_{split}.jsonl")
    own = [{position[i] for i in t["relevant_vclaim_ids"] if i in position} for t in tweets]
    nearest = nearest_others(embedder, [t["tweet"] for t in tweets], texts, own, k)
    return [
        (f"{t['tweet_id']}-{claims[j]['vclaim_id']}", t["tweet"], texts[j], "en/en")
        for t, found in zip(tweets, nearest, strict=True)
        for j in found
    ]


def rss(data: Path, part: str, embedder: Embedder, k: int = 3) -> list[tuple[str, str, str, str]]:
    """(id, claim, match, pairing) for the RSS items of one part (``splits.part`` of
    ``rss:<id>``): each headline against the ``k`` nearest headlines and summaries of the
    other items of the whole stream, as a search of that corpus would meet them."""
    items = read_jsonl(data / "rss_2022_russia_ukraine.jsonl")
    passages: list[str] = []
    of_item: list[set[int]] = [set() for _ in items]  # each item's passages
    for n, item in enumerate(items):
        for text in (item.get("title"), item.get("description")):
            if text and text.strip():
                of_item[n].add(len(passages))
                passages.append(text.strip())
    claims = [(n, item) for n, item in enumerate(items) if split_of("rss:" + item["id"]) == part]
    own = [of_item[n] for n, _ in claims]
    nearest = nearest_others(embedder, [item["title"] for _, item in claims], passages, own, k)
    return [
        (f"{item['id']}-{j}", item["title"], passages[j], str(item.get("language") or "en"))
        for (_, item), found in zip(claims, nearest, strict=True)
        for j in found
    ]
