"""Word lists that both the claim features (``features``) and the relation rules
(``relations``) read, and the one accent folding of the package: one place each, so the two
steps can never disagree about what a quantifier is or how "Élysée" compares to "elysee"."""

from __future__ import annotations

import unicodedata

# Quantifier words and what they quantify. Some are quantifiers only in context, which
# ``features`` checks: "tout le", "l'ensemble des", "peu de", "lots of", "personne ne".
QUANTIFIERS = {
    **dict.fromkeys(
        ["tous", "toutes", "toute", "tout", "chaque", "chacun", "chacune", "totalité", "ensemble"],
        "all",
    ),
    **dict.fromkeys(["all", "every", "each", "everyone", "everybody", "everything"], "all"),
    **dict.fromkeys(["plupart", "majorité", "most", "majority"], "most"),
    **dict.fromkeys(["plusieurs", "certains", "certaines", "quelques", "some", "several"], "some"),
    **dict.fromkeys(
        ["aucun", "aucune", "nul", "nulle", "personne", "rien", "none", "nobody", "nothing", "no"],
        "none",
    ),
    **dict.fromkeys(
        ["beaucoup", "nombreux", "nombreuses", "many", "numerous", "lots", "lot"], "many"
    ),
    **dict.fromkeys(["peu", "few"], "few"),
}
CONTEXTUAL_QUANTIFIERS = frozenset(["tout", "ensemble", "peu", "lots", "lot", "personne", "rien"])
# "C'est faux", "false": a verdict word that flips what it qualifies.
FALSE_WORDS = {"faux": "-vrai", "fausse": "-vrai", "fausses": "-vrai", "false": "-true"}


def fold(text: str) -> str:
    """Case and accents folded: "Élysée" and "elysee", "Straße" and "strasse" alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
