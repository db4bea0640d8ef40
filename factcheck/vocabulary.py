"""Word lists that both the claim features (``features``) and the relation rules
(``relations``) read, and the one accent folding of the package: one place each, so the two
steps can never disagree about what a quantifier is or how "Élysée" compares to "elysee"."""

from __future__ import annotations

import re
import unicodedata


def wordset(words: str) -> frozenset[str]:
    """The words of a space-separated list: long lists read as prose, not as literals."""
    return frozenset(words.split())


# Quantifier words and what they quantify. Some are quantifiers only in context, which
# ``features`` checks: "tout le", "l'ensemble des", "peu de", "lots of", "personne ne".
QUANTIFIERS = {
    **dict.fromkeys(
        ["tous", "toutes", "toute", "tout", "chaque", "chacun", "chacune", "totalité", "ensemble"],
        "all",
    ),
    **dict.fromkeys(["all", "every", "each", "everyone", "everybody", "everything"], "all"),
    **dict.fromkeys(["plupart", "majorité", "most", "majority"], "most"),
    **dict.fromkeys(
        [
            "plusieurs",
            "certains",
            "certaines",
            "quelques",
            "quelques-uns",
            "quelques-unes",
            "some",
            "several",
        ],
        "some",
    ),
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
# Nouns that make a fixed expression of a verdict word before them: "false flag operations",
# "une fausse alerte", "a false start" name a thing; they do not say that something is false.
FALSE_COMPOUNDS = wordset(
    "flag flags alarm alarms start starts positive positives negative negatives drapeau "
    "drapeaux alerte alertes départ départs pas positif positifs négatif négatifs note notes"
)


def false_verdict(words: list[str], i: int) -> bool:
    """Whether ``words[i]`` (lowercase) is a verdict word that judges ("c'est faux", "false
    claims"), not one of ``FALSE_COMPOUNDS`` ("false flag")."""
    return words[i] in FALSE_WORDS and (i + 1 == len(words) or words[i + 1] not in FALSE_COMPOUNDS)


# Headline kickers: a label before ":" that says which story or section a headline belongs
# to, not what it claims ("Live: …", "Analysis: …"). The report strips them before it compares
# statements (``factcheck.report``), with the kickers it learns from each source's repeats.
KICKERS = frozenset(
    [
        "live", "latest", "breaking", "analysis", "opinion", "explainer", "watch", "video",
        "in pictures", "the papers", "newspaper headlines", "reality check", "fact check",
        "war in ukraine", "ukraine war", "ukraine war latest", "russia-ukraine war",
        "russia-ukraine war latest", "ukraine conflict", "ukraine crisis", "guerre en ukraine",
        "en direct", "direct", "analyse", "tribune",
    ]
)  # fmt: skip


# Function words of each language: what carries no topic (a name's neighbours in
# ``features``), and what tells French from English when no stored language is known
# (``relations``).
FUNCTION_WORDS = {
    "fr": wordset(
        """
        le la les l' un une des du de d' et ou à au aux en dans par pour sur avec sans sous
        entre vers chez que qu' qui dont où ce cette ces cet son sa ses leur leurs notre nos
        votre vos mon ma mes il elle ils elles on nous vous je j' se s' est sont a ont était
        étaient sera seront avait avaient été plus moins très mais donc car ni ne n' pas si
        comme lors après avant depuis pendant selon cependant pourtant toutefois ainsi alors
        enfin puis ensuite aussi encore déjà désormais même y tous toutes tout toute plusieurs
        certains certaines quelques chaque
        """
    ),
    "en": wordset(
        """
        the a an of and or to in on at for with from by as that this these those is are was
        were be been has have had will would it its he she they we his her their our but so
        yet however also then than more less after before since during when if while there
        here not no about over under up out into per each every all some most many few
        several which
        """
    ),
}
ALL_FUNCTION_WORDS = FUNCTION_WORDS["fr"] | FUNCTION_WORDS["en"]
# Auxiliaries, modals and adverbs beyond the function words: what a negation passes over to
# reach the word it denies ("n'était pas ouverte", "did not meet", "ne peut pas venir", "no
# longer supply", "not even mention", "n'a toujours pas signé").
AUXILIARIES = wordset(
    """
    être etre étais était etait étaient etaient serait seraient fut soit soient avoir avais
    avait ai as avons avez aurait auraient eu peut peuvent pouvait pourra pourrait pu doit
    doivent devait devrait dû va vont allait toujours vraiment
    am do does did doing done being can could should may might must shall longer even ever
    always really just
    """
)

# Words that say what ought to be, not what is ("should be allowed to compete", "devrait
# démissionner"): an opinion, which a statement of fact does not contradict. "must" and
# "doit" are left out: they also tell what is planned ("le sommet doit avoir lieu lundi").
PRESCRIPTIVE = wordset("should shouldn't ought devrait devraient faudrait")

# Words of opposite meaning, as pairs of poles ("a augmenté" / "fell"): what the relation
# rules read as a conflict between two statements about the same thing, in either language.
# Written as they are spelled (not folded: "fermé" closes, "ferme" is a farm); words with a
# common other sense are left out ("declined to comment", "close to", "une ferme", "a work
# permit", "l'opposition", "military support").
OPPOSITES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "rise": (
        wordset(
            """
            rise rises rising rose risen increase increases increased increasing surge surges
            surged surging soar soars soared soaring climb climbs climbed climbing hausse
            hausses augmente augmentent augmenté augmentée augmentés augmentées augmenter
            augmentation augmentations grimpe grimpent grimpé envolé envolée envolés envolées
            """
        ),
        wordset(
            """
            fall falls fell fallen falling decrease decreases decreased decreasing drop drops
            dropped dropping sink sinks sank sunk sinking plunge plunges plunged plunging slump
            slumps slumped slumping tumble tumbles tumbled tumbling shrink shrinks shrank
            shrunk shrinking reduce reduces reduced reducing reduction baisse baisses baissé
            baissée baissés baissées baisser baissent diminue diminuent diminué diminuée
            diminués diminuées diminuer diminution chute chutent chuté plonge plongent plongé
            effondré effondrée recule reculent réduit réduite réduits réduites réduire
            réduction
            """
        ),
    ),
    "open": (
        wordset(
            """
            open opens opened reopen reopens reopened ouvert ouverte ouverts ouvertes ouvre
            ouvrent ouvrir ouverture rouvert rouverte rouverts rouvertes rouvre rouvrent
            réouverture
            """
        ),
        wordset(
            """
            closed closes shut shuts fermé fermée fermés fermées fermer ferment fermeture
            """
        ),
    ),
    "win": (
        wordset(
            """
            win wins won winning winner victory victorious gagné gagnée gagne gagnent
            remporté remportée remporte remportent victoire vainqueur
            """
        ),
        wordset(
            """
            lose loses lost losing loser defeat defeated perdu perdue perd perdent défaite
            vaincu vaincue
            """
        ),
    ),
    "allow": (
        wordset(
            """
            allow allows allowed allowing permitted authorise authorises authorised
            authorize authorizes authorized legalise legalised legalize legalized autorise
            autorisent autorisé autorisée autorisés autorisées autoriser autorisation
            """
        ),
        wordset(
            """
            ban bans banned banning prohibit prohibits prohibited forbid forbids forbidden
            forbade outlaw outlaws outlawed interdit interdite interdits interdites
            interdisent interdire interdiction
            """
        ),
    ),
    "support": (
        wordset("supports supported backed soutient soutiennent soutenu soutenue soutenus"),
        wordset("oppose opposes opposed opposent opposé opposée opposés"),
    ),
    "strengthen": (
        wordset(
            """
            strengthen strengthens strengthened strengthening renforce renforcent renforcé
            renforcée renforcés renforcées renforcer renforcement
            """
        ),
        wordset(
            """
            weaken weakens weakened weakening affaibli affaiblie affaiblis affaiblit
            affaiblissent affaiblir affaiblissement
            """
        ),
    ),
    "succeed": (
        wordset("succeeded succeeds success réussi réussie réussit succès"),
        wordset("failed fails failure échoué échoue échouent échec"),
    ),
    "healthy": (
        wordset("healthy"),
        wordset("ill sick unwell ailing malade malades"),
    ),
    "alive": (
        wordset("alive vivant vivante vivants vivantes"),
        wordset("dead décédé décédée"),
    ),
    "guilty": (
        wordset("guilty coupable coupables"),
        wordset("innocent innocente innocents innocentes"),
    ),
    "excellent": (
        wordset("excellent excellente excellents excellentes"),
        wordset(
            """
            bad unsatisfactory terrible dreadful disastrous catastrophic mauvais mauvaise
            mauvaises insatisfaisant insatisfaisante insatisfaisants insatisfaisantes
            désastreux désastreuse désastreuses catastrophique catastrophiques exécrable
            exécrables
            """
        ),
    ),
    "higher": (
        wordset("higher supérieur supérieure supérieurs supérieures"),
        wordset("lower inférieur inférieure inférieurs inférieures"),
    ),
}

# Titles, roles, honorifics and nationality adjectives: the words around a name that are
# not the name ("le président russe Vladimir Poutine"), for speakers in ``features`` and
# the names a speaker conflict compares in ``relations``.
TITLES = wordset(
    """
    président présidente présidents premier première ministre ministres porte-parole chef
    cheffe chancelier chancelière secrétaire général générale directeur directrice dirigeant
    dirigeante dirigeants maître maitre ambassadeur ambassadrice conseiller conseillère
    responsable responsables représentant représentante représentants diplomate diplomates
    officiel officiels source sources services renseignement agence presse gouvernement
    ministère armée état-major commandant gouverneur maire sénateur député députée analyste
    analystes expert experts chercheur chercheuse professeur docteur roi reine pape patron
    autorités médias journal affaires défense sécurité adjoint adjointe russe russes
    américain américaine américains américaines français française ukrainien ukrainienne
    ukrainiens britannique britanniques allemand allemande chinois chinoise européen
    européenne européens occidental occidentaux biélorusse polonais turc israélien iranien
    monsieur madame
    president presidents prime minister spokesman spokeswoman spokesperson chief chancellor
    secretary general director leader leaders ambassador adviser advisor official officials
    representative diplomat diplomats intelligence agency government ministry army military
    commander governor mayor senator analyst analysts expert experts researcher professor
    press foreign defence defense state national security deputy russian american french
    ukrainian british german chinese european western mister
    """
)

# Number words and their values (scales such as "million" live with the quantities, in
# ``features``).
NUMBER_WORDS = {
    "fr": {
        "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
        "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
        "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30,
        "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100,
        "mille": 1000,
    },
    "en": {
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
        "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
        "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
        "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    },
}  # fmt: skip


def fold(text: str) -> str:
    """Case and accents folded: "Élysée" and "elysee", "Straße" and "strasse" alike."""
    if text.isascii():  # nothing to decompose: most words of a corpus, and the report's hot path
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_LIST_MARKER = re.compile(r"^\(?[a-z]\)\s+")  # "(a) ", "b) " heading an item of a list
_WORD = re.compile(r"\w+")


def surface(text: str) -> str:
    """A sentence as its words, folded, without punctuation or a leading list marker: two
    sentences with one ``surface`` are one sentence retyped (wire copy, a feed's
    punctuation), so the report takes them as agreeing and judges each pair of them once."""
    return " ".join(_WORD.findall(_LIST_MARKER.sub("", fold(text).strip())))


def asks(text: str) -> bool:
    """Whether a sentence is a question, which states nothing ("Does This Photograph Show a
    7-Headed Snake?"): the check-worthiness dampers and the relation of a match found by a
    search both ask it."""
    return text.rstrip().endswith("?")
