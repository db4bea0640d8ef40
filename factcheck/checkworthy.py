"""Check-worthiness: how much a sentence states a checkable fact, from 0 to 1.

A fact-checker checks statements that carry numbers, dates, quotes and named actors; not
questions, opinions, subheads, instructions (recipes, "cliquez ici") or site furniture. The
score is a sum of readable parts so a person can see why a sentence was kept or skipped
(``explain``); ``factcheck report`` only takes sentences from ``MIN_CHECKWORTHY`` on.
"""

from __future__ import annotations

import re

# What each kind of checkable content adds; the sum is capped at 1.
WEIGHTS = {
    "number": 0.3,  # "70 %", "20 km", "cinq heures"
    "date": 0.2,  # "lundi 8 février", "en septembre"
    "quote": 0.2,  # « … », a déclaré X, selon X
    "actor": 0.2,  # a named person, country or organisation after the first word, or a role
    "full_sentence": 0.2,  # 8 to 80 words, ending like a sentence
}
# On the seeds, 0.4 keeps a full sentence with an actor ("Moscou a depuis accusé l'Ukraine et
# l'OTAN de comportement déstabilisateur, y compris en mer Noire.") and drops subheads,
# questions and furniture ("Vous pouvez le voir dans la vidéo disponible ci-dessous !").
MIN_CHECKWORTHY = 0.4
QUESTION_FACTOR = 0.3  # "L'armée russe mobilisée pour une future attaque ?"
OPINION_FACTOR = 0.5  # "je pense que", "à mon avis", "I believe"
INSTRUCTION_FACTOR = 0.3  # "Ajoutez 200 g de farine.", "Click here to subscribe."
LISTICLE_FACTOR = 0.3  # "Five ways the Ukraine war could push up prices": a headline, no claim
MIN_WORDS = 6  # below: a subhead or a fragment
SHORT_FACTOR = 0.3

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_NAME = re.compile(r"(?<=\s)[A-ZÀ-Ý][^\W\d_]{2,}")
_ROLE = re.compile(
    r"\b(?:présidente?|premier ministre|ministre|gouvernement|armée|porte-parole|chef|"
    r"dirigeante?s?|responsables?|police|tribunal|parlement|president|prime minister|"
    r"minister|government|army|spokes(?:man|woman|person)|officials?|court|parliament)\b",
    re.IGNORECASE,
)
# A sentence that opens on an order: French imperative ("Ajoutez", "Cliquez", "Abonnez-vous")
# or an English instruction verb.
_INSTRUCTION = re.compile(
    r"^\W*(?:[A-ZÀ-Ý][a-zà-ÿ]+ez\b|(?:add|mix|stir|bake|preheat|cook|pour|click|subscribe|"
    r"sign up|share|follow|download|read more)\b)",
    re.IGNORECASE,
)
_LISTICLE = re.compile(
    r"^\W*(?:[^:\d]{1,40}:\s*)?(?:\d+|two|three|four|five|six|seven|eight|nine|ten|deux|trois|"
    r"quatre|cinq|six|sept|huit|neuf|dix)\s+(?:\w+\s+)?(?:ways|reasons|things|questions|charts|"
    r"maps|lessons|takeaways|facts|moments|tips|raisons|choses|façons|leçons|clés|points)\b",
    re.IGNORECASE,
)
_OPINION = re.compile(
    r"\b(?:je pense|je crois|à mon avis|selon moi|il me semble|nous pensons|j'estime|"
    r"i think|i believe|in my view|in my opinion|we believe|i feel)\b",
    re.IGNORECASE,
)


def explain(text: str, features: dict) -> dict[str, float]:
    """The parts of the score of ``text`` with its stored claim ``features``."""
    words = _WORD.findall(text)
    parts: dict[str, float] = {}
    if features.get("quantities"):
        parts["number"] = WEIGHTS["number"]
    if features.get("dates"):
        parts["date"] = WEIGHTS["date"]
    if features.get("quotes") or features.get("attributions"):
        parts["quote"] = WEIGHTS["quote"]
    if _NAME.search(text) or _ROLE.search(text):
        parts["actor"] = WEIGHTS["actor"]
    if 8 <= len(words) <= 80 and text.rstrip()[-1:] in '.!»”"':
        parts["full_sentence"] = WEIGHTS["full_sentence"]
    return parts


def score(text: str, features: dict) -> float:
    """Check-worthiness in [0, 1]: the parts of ``explain``, damped for questions, opinions
    and fragments."""
    value = min(1.0, sum(explain(text, features).values()))
    stripped = text.rstrip()
    if stripped.endswith("?"):
        value *= QUESTION_FACTOR
    if _OPINION.search(text):
        value *= OPINION_FACTOR
    if _INSTRUCTION.search(text):
        value *= INSTRUCTION_FACTOR
    if _LISTICLE.search(text):
        value *= LISTICLE_FACTOR
    if len(_WORD.findall(text)) < MIN_WORDS:
        value *= SHORT_FACTOR
    return round(value, 3)
