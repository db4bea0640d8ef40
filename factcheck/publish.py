"""The publish step: only what people confirmed, with the verdict they chose.

Two forms of the same records: JSON Lines (the report line with its review), and
schema.org ``ClaimReview`` JSON-LD, the markup search engines and fact-check aggregators
read (https://schema.org/ClaimReview).
"""

from __future__ import annotations

from .review import Reviews

# How each verdict is written in ``reviewRating.alternateName``, with its rating on the
# 1 (false) to 5 (accurate) scale of ``ratingValue``; "unproven" has no place on it.
RATINGS = {
    "false": ("False", 1),
    "misleading": ("Misleading", 2),
    "unproven": ("Unproven", None),
    "accurate": ("Accurate", 5),
}
SCHEMA = "factcheck.published/1"


def publish_lines(reviews: Reviews) -> list[dict]:
    """The clusters of the last report that a reviewer confirmed and gave a verdict, each
    as its report line plus the ``review`` that decided it."""
    states = reviews.states()
    published = []
    for line in reviews.clusters():
        state = states.get(line["id"])
        if state is None or not state.publishable:
            continue
        confirmed = [d.to_dict() for d in state.conflicts.values() if d.decision == "confirmed"]
        verdict = state.verdict
        published.append(
            {
                **line,
                "schema": SCHEMA,
                "status": "published",
                "review": {
                    "verdict": verdict.verdict,
                    "note": verdict.note,
                    "reviewer": verdict.reviewer,
                    "at": verdict.at,
                    "decision": state.decision.to_dict() if state.decision else None,
                    "conflicts": confirmed,
                },
            }
        )
    return published


def claim_review(line: dict, author: str, url_base: str | None = None) -> dict:
    """One published line as a schema.org ClaimReview."""
    review = line["review"]
    label, value = RATINGS[review["verdict"]]
    rating: dict = {"@type": "Rating", "alternateName": label}
    if value is not None:
        rating.update(ratingValue=value, bestRating=5, worstRating=1)
    appearances = []
    for statement in line["statements"]:
        article = statement["article"]
        work: dict = {"@type": "CreativeWork", "text": statement["text"]}
        if article.get("url"):
            work["url"] = article["url"]
        if article.get("title"):
            work["headline"] = article["title"]
        if article.get("date"):
            work["datePublished"] = article["date"]
        if article.get("source"):
            work["publisher"] = {"@type": "Organization", "name": article["source"]}
        appearances.append(work)
    item: dict = {"@type": "Claim", "appearance": appearances}
    if line.get("first_seen"):
        item["datePublished"] = line["first_seen"]
    dated = [a for a in appearances if "datePublished" in a]
    if dated:
        item["firstAppearance"] = min(dated, key=lambda a: a["datePublished"])
    out: dict = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": line["claim"]["text"],
        "reviewRating": rating,
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": author},
        "datePublished": review["at"][:10],
    }
    if review.get("note"):
        out["reviewBody"] = review["note"]
    if url_base:
        out["url"] = url_base.rstrip("/") + "/" + line["id"]
    return out
