"""Claim features of one sentence, for conflict rules that compare two statements.

Quantities, dates, quotes with their speakers, attributions, negation cues and polarity,
quantifiers and polar adjectives, in French and English. Hand-written tables and
regexes rather than an NLP library: this runs on every sentence at ingest, so it must be
fast (no model, no heavy import), never raise, and stay linear in the input length
(possessive quantifiers, negated classes, bounded windows). The month and weekday
tables are those of ``factcheck.dates``.

Polarity counts every negation cue of the sentence, quotes included: a quote is usually
the statement itself ("« Nous ne voulons pas la guerre », a dit Poutine"). An odd count
is "negative"; idioms that only look negative ("sans doute", "ne … que", "not only",
"il ne fait aucun doute") are not cues.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from dataclasses import MISSING, asdict, dataclass, field, fields

from factcheck.dates import _MONTHS, _WEEKDAYS, parse_date
from factcheck.vocabulary import (
    ALL_FUNCTION_WORDS,
    FALSE_WORDS,
    NUMBER_WORDS,
    QUANTIFIERS,
    TITLES,
    false_verdict,
    wordset,
)


@dataclass
class Quantity:
    """A number as written, with what it measures or counts."""

    text: str
    start: int
    end: int
    value: float
    unit: str | None = None  # "percent", "km", "hour", "eur", "people", ...
    counted: str | None = None  # the noun counted, lowercase: "soldats", "personnel militaire"
    approx: bool = False
    comparator: str = "="  # "=", ">", "<", ">=", "<=", "~"


@dataclass
class DateRef:
    """A date as written; ``date`` is the ISO day when the text and reference resolve it."""

    text: str
    start: int
    end: int
    granularity: str  # "day" | "month" | "year" | "weekday" | "relative"
    date: str | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None  # as written, 0 = Monday; may disagree with ``date``


@dataclass
class Quote:
    """Quoted words (without the quote marks) and who said them, when named."""

    text: str
    start: int
    end: int
    speaker: str | None = None
    verb: str | None = None  # lowercase: "a déclaré", "a-t-il dit", "selon", "said"


@dataclass
class Features:
    """Everything ``extract`` finds in one sentence; JSON-ready through ``to_dict``."""

    quantities: list[Quantity] = field(default_factory=list)
    dates: list[DateRef] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    attributions: list[str] = field(default_factory=list)
    negations: list[str] = field(default_factory=list)
    polarity: str = "positive"
    quantifiers: list[str] = field(default_factory=list)
    antonyms: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Compact dict: empty lists and fields at their default are left out."""
        out: dict = {"polarity": self.polarity}
        for name, kind in _LISTS.items():
            items = getattr(self, name)
            if items:
                out[name] = items if kind is str else [_compact(item) for item in items]
        return out

    @classmethod
    def from_dict(cls, d: dict) -> Features:
        return cls(
            polarity=d.get("polarity", "positive"),
            **{
                name: [item if kind is str else kind(**item) for item in d.get(name, [])]
                for name, kind in _LISTS.items()
            },
        )


_LISTS: dict[str, type] = {
    "quantities": Quantity,
    "dates": DateRef,
    "quotes": Quote,
    "attributions": str,
    "negations": str,
    "quantifiers": str,
    "antonyms": str,
}


def _compact(item: Quantity | DateRef | Quote) -> dict:
    defaults = {f.name: f.default for f in fields(item) if f.default is not MISSING}
    return {
        k: v
        for k, v in asdict(item).items()
        if k not in defaults or not (v == defaults[k] and type(v) is type(defaults[k]))
    }


# Bumped when what ``extract`` finds changes: an index stores each sentence's features, and
# re-extracts them from the text on its next writable open (``Corpus``).
VERSION = 5


def extract(text: str, lang: str | None = None, ref_date: dt.date | None = None) -> Features:
    """Features of the sentence ``text``; ``ref_date`` (the article date) resolves dates
    without a year, weekdays and "hier"; ``lang`` ("fr"/"en"/None) settles "1,200"."""
    text = text.translate(_ZERO_WIDTH)  # same length: every offset still points into text
    tokens = _Tokens(text)
    digits = _DIGIT.search(text) is not None
    dates = _find_dates(text, ref_date, lang) if digits or tokens.mentions(_DATE_WORDS) else []
    cues = _find_cues(text, tokens) if tokens.mentions(_CUE_WORDS) else []
    negations, consumed = _find_negations(tokens)
    quantities = []
    if digits or tokens.mentions(_QUANTITY_WORDS):
        quantities = _find_quantities(text, lang, [(d.start, d.end) for d in dates])
    return Features(
        quantities=quantities,
        dates=dates,
        quotes=_find_quotes(text, cues),
        attributions=list(dict.fromkeys(c.attribution for c in cues if c.attribution)),
        negations=negations,
        polarity="negative" if len(negations) % 2 else "positive",
        quantifiers=_find_quantifiers(tokens, consumed),
        antonyms=_find_antonyms(tokens),
    )


# Zero-width characters of scraped text ('21 "\u200bfiltration" sites') read as spaces, so
# that no pattern stops at them.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), " ")

# --- Words -------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]++(?:-[^\W\d_]++)*+(?:['’]t\b|['’])?")


class _Tokens:
    """The words of a sentence with their offsets; ``words`` are lowercase, ’ as '."""

    __slots__ = ("text", "starts", "ends", "words", "vocabulary")

    def __init__(self, text: str) -> None:
        self.text = text
        matches = list(_TOKEN.finditer(text))
        self.starts = [m.start() for m in matches]
        self.ends = [m.end() for m in matches]
        self.words = [m.group().lower() for m in matches]
        if "’" in text:
            self.words = [w.replace("’", "'") for w in self.words]
        # the words and the heads of hyphenated ones ("dix" of "dix-sept"): a cheap test
        # of whether a sentence can hold a date, a number or a speech verb at all
        self.vocabulary = set(self.words)
        self.vocabulary.update(w.partition("-")[0] for w in self.words if "-" in w)

    def mentions(self, words: frozenset[str]) -> bool:
        return not words.isdisjoint(self.vocabulary)

    def gap(self, i: int) -> str:
        """The text between word ``i - 1`` and word ``i``."""
        return self.text[self.ends[i - 1] if i else 0 : self.starts[i]]

    def raw(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]]

    def next(self, i: int) -> str:
        return self.words[i + 1] if i + 1 < len(self.words) else ""

    def prev(self, i: int) -> str:
        return self.words[i - 1] if i > 0 else ""


_FUNCTION = ALL_FUNCTION_WORDS
_PRONOUNS = wordset(
    "il elle ils elles on je j' nous vous tu lui eux moi toi he she they we i you it "
    "celui-ci celle-ci"
)
_WEEKDAY_INDEX = {name: i % 7 for i, name in enumerate(_WEEKDAYS.split()[:14])}

# --- Quotes, speakers and attributions --------------------------------------------------

_QUOTE = re.compile(r"«([^«»]*+)»|“([^“”]*+)”|„([^„“”]*+)[“”]|\"([^\"]*+)\"")
_LETTER = re.compile(r"[^\W\d_]")

_FR_PARTICIPLES = (
    "déclaré dit affirmé ajouté expliqué indiqué souligné estimé assuré précisé annoncé "
    "répondu confié martelé insisté averti prévenu rappelé lancé écrit tweeté confirmé "
    "reconnu admis jugé poursuivi conclu démenti nié répété réitéré signalé noté raconté "
    "déploré dénoncé rapporté qualifié"
)
_FR_PRESENT = (
    "déclare déclarent dit disent affirme affirment ajoute ajoutent explique expliquent "
    "indique indiquent souligne soulignent estime estiment assure assurent précise "
    "précisent répond répondent confie martèle insiste avertit prévient rappelle "
    "rappellent écrit écrivent confirme confirment reconnaît reconnait dément démentent "
    "nie nient poursuit conclut qualifie déclarant affirmant ajoutant estimant précisant "
    "expliquant soulignant assurant"
)
_FR_ADVERBS = (
    r"également|aussi|encore|notamment|ensuite|pourtant|cependant|toutefois|déjà|alors|"
    r"enfin|récemment|publiquement|clairement|même|d['’]ailleurs|par\s+ailleurs|en\s+outre"
)
_EN_VERBS = (
    "said says say told tells stated states added adds declared announced claimed claims "
    "insisted warned noted explained wrote tweeted denied denies confirmed argued described "
    "saying adding"
)


def _alternation(words: str) -> str:
    return "|".join(sorted(set(words.split()), key=len, reverse=True))


_CUE_WORDS = wordset(
    f"{_FR_PARTICIPLES} {_FR_PRESENT} {_EN_VERBS} selon après according cité citing"
)
_CUE = re.compile(
    r"\b(?:(?P<src>selon|d['’]après|according\s+to|cité\s+par|citing)"
    r"|(?P<fr>(?:(?:a|ont|avait|avaient|aurait|auraient)"
    r"(?P<inv1>-t-(?:il|elle|on)|-(?:ils|elles))?"
    rf"\s+(?:(?:{_FR_ADVERBS})\s+)?(?:{_alternation(_FR_PARTICIPLES)}))"
    rf"|(?:{_alternation(_FR_PRESENT)})(?P<inv2>-t-(?:il|elle|on)|-(?:il|elle|ils|elles))?)"
    rf"|(?P<en>(?:(?:has|have|had)\s+)?(?:also\s+)?(?:{_alternation(_EN_VERBS)})))\b",
    re.IGNORECASE,
)
_THAT = re.compile(r"\s*(que\b|qu['’]|that\b)", re.IGNORECASE)

_GLUE = {"de", "du", "des", "d'", "of", "le", "la", "les", "l'", "the"}
_DETERMINERS = {"le", "la", "les", "l'", "the", "un", "une", "a", "an"}
_ABBREVIATIONS = {"m", "mm", "mme", "mr", "mrs", "ms", "dr", "st", "gen", "pr", "prof"}
_NAME_BREAK = re.compile(r"[,;:.!?()\[\]«»“”\"„—–]|\s-\s")
_MAX_NAME = 8


@dataclass
class _Cue:
    """A speech verb or "selon"-like cue, with its named speaker when there is one."""

    end: int
    verb: str
    speaker: str | None
    span_start: int  # where the cue and its speaker begin
    attribution: str | None


def _find_cues(text: str, tokens: _Tokens) -> list[_Cue]:
    cues = []
    for m in _CUE.finditer(text):
        first = bisect_left(tokens.starts, m.start())
        last = bisect_left(tokens.starts, m.end()) - 1
        verb = " ".join(m.group().lower().split())
        if m["src"]:
            cues.append(_source_cue(m, verb, tokens, last))
        elif m["inv1"] or m["inv2"]:
            cues.append(_Cue(m.end(), verb, None, m.start(), None))
        else:
            cues.append(_verb_cue(m, verb, tokens, first, last))
    return cues


def _source_cue(m: re.Match, verb: str, tokens: _Tokens, last: int) -> _Cue:
    """ "Selon X" / "according to X": the speaker follows, the attribution runs to a comma."""
    speaker = _name(tokens, last + 1, 1) if last + 1 < len(tokens.words) else None
    end = last
    while end + 1 < len(tokens.words) and end - last < 12:
        if _NAME_BREAK.search(tokens.gap(end + 1)):
            break
        end += 1
    attribution = None
    if end > last and tokens.words[last + 1] not in _NOT_SOURCES:
        attribution = tokens.text[m.start() : tokens.ends[end]]
    return _Cue(m.end(), verb, speaker, m.start(), attribution)


# "selon laquelle" (whereby) and "selon lui" name no source
_NOT_SOURCES = _PRONOUNS | {"laquelle", "lequel", "lesquels", "lesquelles", "which", "whom"}


def _verb_cue(m: re.Match, verb: str, tokens: _Tokens, first: int, last: int) -> _Cue:
    """ "Peskov a déclaré", "», a déclaré Poutine", "X, cité par Y, a déclaré"."""
    nameless = _Cue(m.end(), verb, None, m.start(), None)
    gap = tokens.gap(first) if first else ","
    if first and not _NAME_BREAK.search(gap):
        if tokens.words[first - 1] in _PRONOUNS:
            return nameless
        before = _name(tokens, first - 1, -1)
    else:  # after a quote or a comma the speaker follows, or is an apposition before
        if last + 1 < len(tokens.words) and not _breaks(tokens, last + 1):
            after = _name(tokens, last + 1, 1)
            if after:
                return _Cue(m.end(), verb, after, m.start(), f"{verb} {after}")
        before = _apposition(tokens, first) if first and "," in gap else None
    if before is None:
        return nameless
    that = _THAT.match(tokens.text, m.end())
    tail = " que" if that and that.group(1)[0] in "qQ" else " that" if that else ""
    start = tokens.text.rfind(before, 0, m.start())
    return _Cue(m.end(), verb, before, start, f"{before} {verb}{tail}")


def _name(tokens: _Tokens, first: int, step: int) -> str | None:
    """The speaker phrase that starts at word ``first`` going ``step`` (+1 on, -1 back):
    titles, capitalised names and the glue between them ("le porte-parole du Kremlin")."""
    taken: list[int] = []
    i = first
    while 0 <= i < len(tokens.words) and len(taken) < _MAX_NAME:
        if taken and _breaks(tokens, max(i, taken[-1])):
            break
        if not _name_word(tokens, i, allow_glue=True):
            break
        taken.append(i)
        i += step
    taken.sort()
    while taken and tokens.words[taken[-1]] in _GLUE:
        taken.pop()
    while taken and tokens.words[taken[0]] in _GLUE - _DETERMINERS:
        taken.pop(0)
    if not any(_name_word(tokens, i, allow_glue=False) for i in taken):
        return None
    return tokens.text[tokens.starts[taken[0]] : tokens.ends[taken[-1]]]


def _apposition(tokens: _Tokens, first: int) -> str | None:
    """A comma piece before word ``first`` that is all name: "Dmitri Peskov" in
    "le porte-parole, Dmitri Peskov, cité par RIA, a déclaré"."""
    end = first
    for _ in range(3):
        start = end - 1
        while start > 0 and not _breaks(tokens, start):
            start -= 1
        piece = range(start, end)
        if (
            len(piece) <= _MAX_NAME
            and all(_name_word(tokens, i, allow_glue=True) for i in piece)
            and any(_name_word(tokens, i, allow_glue=False) for i in piece)
        ):
            return tokens.text[tokens.starts[start] : tokens.ends[end - 1]]
        if start == 0 or tokens.gap(start).strip() != ",":
            return None
        end = start
    return None


def _breaks(tokens: _Tokens, i: int) -> bool:
    """Whether punctuation between words ``i - 1`` and ``i`` ends a name phrase."""
    gap = tokens.gap(i)
    if not _NAME_BREAK.search(gap):
        return False
    before = tokens.words[i - 1]
    abbreviation = before in _ABBREVIATIONS or (len(before) == 1 and before.isalpha())
    return not (abbreviation and gap.strip() == ".")


def _name_word(tokens: _Tokens, i: int, allow_glue: bool) -> bool:
    word = tokens.words[i]
    if word in _GLUE or word in _DETERMINERS:
        return allow_glue
    if word in TITLES:
        return True
    raw = tokens.raw(i)
    return (
        raw[0].isupper()
        and word not in _FUNCTION
        and word not in _PRONOUNS
        and word not in _WEEKDAY_INDEX
    )


def _find_quotes(text: str, cues: list[_Cue]) -> list[Quote]:
    quotes = []
    for m in _QUOTE.finditer(text):
        group = m.lastindex or 0
        start, end = m.span(group)
        while start < end and text[start].isspace():
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
            end -= 1
        if not _LETTER.search(text, start, end):
            continue
        cue = _quote_cue(text, m.start(), m.end(), cues)
        speaker, verb = (cue.speaker, cue.verb) if cue else (None, None)
        quotes.append(Quote(text[start:end], start, end, speaker, verb))
    return quotes


_AFTER_QUOTE = ' \t\n,.;»”"!?…'


def _quote_cue(text: str, start: int, end: int, cues: list[_Cue]) -> _Cue | None:
    """The cue that introduces a quote: right after it ("», a déclaré X"), else the last
    one before it ("X a déclaré : «"), else the first one after it ("», X a dit")."""
    before = [c for c in cues if c.end <= start]
    after = [c for c in cues if c.span_start >= end]
    if after and not text[end : after[0].span_start].strip(_AFTER_QUOTE):
        return after[0]
    if before:
        return before[-1]
    return after[0] if after else None


# --- Negation and quantifiers --------------------------------------------------------

_NE = {"ne", "n'"}
_NE_SECOND = wordset("pas plus jamais rien guère aucun aucune personne point nullement ni")
_BEFORE_NE = {"aucun", "aucune", "rien", "personne", "jamais", "nul", "nulle"}
_DETERMINER_NE = {"aucun", "aucune", "nul", "nulle"}  # "aucun soldat n'a", "nul pays ne"
# Verbs of denial: their negation bears on a whole clause ("a nié qu'il planifiait …").
DENIAL_VERBS = wordset(
    "nier nie nient nié niée niés niées niant démentir dément démentent démenti démentie "
    "démentis démenties démentant rejeter rejette rejettent rejeté rejetée rejetés rejetées "
    "rejetant refuser refuse refusent refusé refusée refusés refusées refusant deny denies "
    "denied denying refuses refused refusing reject rejects rejected rejecting"
)
# Cues that deny by counting none of what follows ("neither video shows", "aucun pays n'a"):
# what is denied is said after the noun they count.
NEGATING_DETERMINERS = wordset("aucun aucune no neither")
_STANDALONE = (
    DENIAL_VERBS
    | NEGATING_DETERMINERS
    | wordset("sans non jamais not never none nobody nothing nor without cannot")
)
# Pairs that only look negative: "sans doute" (probably), "non seulement" (not only)...
_IDIOMS = {
    ("sans", "doute"),
    ("sans", "cesse"),
    ("sans", "aucun"),
    ("aucun", "doute"),
    ("nul", "doute"),
    ("non", "seulement"),
    ("non", "plus"),
    ("non", "loin"),
    ("not", "only"),
    ("no", "doubt"),
    ("pas", "mal"),
    ("que", "jamais"),
    ("than", "ever"),
    # a hedge, not a denial: "whether or not", "qu'ils viennent ou pas"
    ("or", "not"),
    ("ou", "pas"),
    ("ou", "non"),
}
_PAS_NOUN = _DETERMINERS | wordset(
    "des ce ces ses son mes nos vos leurs premier premiers grand grands petit petits quelques "
    "deux à"
)
_STRONG_BREAK = re.compile(r"[.;:!?]")
_NE_WINDOW = 6


def _find_negations(tokens: _Tokens) -> tuple[list[str], set[int]]:
    """Negation cues in order, and the words used as the other half of a "ne"."""
    found: list[tuple[int, str]] = []
    used: set[int] = set()
    for i, word in enumerate(tokens.words):
        if word in _NE and (cue := _pair_ne(tokens, i, used)):
            found.append((i, cue))
    for i, word in enumerate(tokens.words):
        if i in used or word in _NE:
            continue
        if word.endswith("n't"):
            if not _hedged(tokens, i):
                found.append((i, "n't"))
        elif _standalone(tokens, i):
            found.append((i, word))
    found.sort()
    return [cue for _, cue in found], used


def _hedged(tokens: _Tokens, i: int) -> bool:
    """A contraction after its own positive form, "are (and aren't)", "did or didn't": both
    said at once, which denies nothing."""
    words = tokens.words
    return i >= 2 and words[i - 1] in ("and", "or") and words[i - 2] == words[i][:-3]


def _pair_ne(tokens: _Tokens, i: int, used: set[int]) -> str | None:
    """ "ne … pas" (a cue), "ne … que" (restrictive: none), else "rien ne", "aucun X ne";
    a "ne" alone is expletive ("avant qu'il ne parte")."""
    words = tokens.words
    for j in range(i + 1, min(len(words), i + 1 + _NE_WINDOW)):
        if _STRONG_BREAK.search(tokens.gap(j)) or words[j] == "que":
            break
        if words[j] in _NE_SECOND and j not in used:
            used.add(j)
            if (words[j], tokens.next(j)) in _IDIOMS:
                return None  # "il ne fait aucun doute"
            return ("ne " if words[i] == "ne" else "n'") + f"… {words[j]}"
    for k in range(i - 1, max(-1, i - 3), -1):
        if _STRONG_BREAK.search(tokens.gap(k + 1)):
            break
        if words[k] in _BEFORE_NE and k not in used and (k == i - 1 or words[k] in _DETERMINER_NE):
            used.add(k)
            return f"{words[k]} … ne"
    return None


def _standalone(tokens: _Tokens, i: int) -> bool:
    word = tokens.words[i]
    if word not in _STANDALONE and word != "pas":
        return False
    pair = (word, tokens.next(i))
    if pair in _IDIOMS or (tokens.prev(i), word) in _IDIOMS:
        return False
    if word == "pas":  # "pas nécessaire" without "ne", not the noun "un pas"
        return tokens.prev(i) not in _PAS_NOUN
    if word == "no":  # "No. 5" is a number sign
        return not tokens.text.startswith(".", tokens.ends[i])
    return True


_QUANTIFIER_WORDS = frozenset(QUANTIFIERS)
_NOT_QUANTIFIER = {
    ("at", "all"),
    ("the", "most"),
    ("a", "most"),
    ("aucun", "doute"),
    ("nul", "doute"),
    ("no", "longer"),
    ("no", "doubt"),
}
_NUMERAL_AFTER = re.compile(r"\s*[0-9]")


def _find_quantifiers(tokens: _Tokens, consumed: set[int]) -> list[str]:
    """Normalised quantifiers in order of first appearance."""
    found: dict[str, None] = {}
    words = tokens.words
    for i, word in enumerate(words):
        if word not in _QUANTIFIER_WORDS:
            continue
        label = _quantifier(tokens, i, word)
        if label is None and word in {"personne", "rien"} and i in consumed:
            label = "none"
        if label:
            found[label] = None
    return list(found)


def _counts_most(following: str) -> bool:
    """ "most of", "most countries", "most people" quantify; "most dangerous" does not."""
    plural = following.endswith("s") and not following.endswith(("ous", "ss"))
    return following == "of" or plural or following in _PEOPLE


def _quantifier(tokens: _Tokens, i: int, word: str) -> str | None:
    following, previous = tokens.next(i), tokens.prev(i)
    if word == "tout":
        return "all" if following in {"le", "la", "les", "l'"} else None
    if word == "ensemble":  # "l'ensemble des", not "ensemble" (together)
        return "all" if previous == "l'" and following in {"de", "des", "du", "d'"} else None
    if word == "peu":
        return "few" if following in {"de", "d'"} else None
    if word in {"lots", "lot"}:
        return "many" if following == "of" else None
    if word in {"personne", "rien"}:  # quantifiers only with "ne" (``_find_quantifiers``)
        return None
    label = QUANTIFIERS.get(word)
    if label is None or {(previous, word), (word, following)} & _NOT_QUANTIFIER:
        return None
    if word == "most" and not _counts_most(following):
        return None  # "the most important", "most likely": a superlative
    if word == "few" and previous == "a":
        return "some"
    if word == "some" and _NUMERAL_AFTER.match(tokens.text, tokens.ends[i]):
        return None  # "some 40 people" is an approximation
    if word == "no" and (not following or _NAME_BREAK.search(tokens.gap(i + 1))):
        return None  # "No, ..." answers, it does not count
    return label


# --- Polar adjectives ----------------------------------------------------------------

# Bases that take a negative prefix; a word is negated only when prefix + base is here,
# so "important" (im + portant) and "intérêt" (in + térêt) are left alone.
_POLAR_BASES = wordset(
    "possible probable acceptable satisfaisant satisfait légal légitime stable efficace "
    "capable exact complet correct cohérent responsable connu croyable raisonnable "
    "prévisible évitable vraisemblable compatible constitutionnel suffisant négociable "
    "réaliste rationnel valide utile nécessaire sensé fondé justifié attendu "
    "supportable tolérable admissible amical provoqué populaire heureux honnête loyal "
    "favorable précis équitable intéressant démocratique "
    "satisfactory satisfied legal legitimate fair effective efficient able accurate "
    "consistent responsible known likely clear lawful sufficient adequate constitutional "
    "credible reasonable predictable avoidable realistic rational valid "
    "successful popular safe armed democratic important justified founded fortunate happy "
    "willing expected negotiable friendly loyal honest sustainable provoked necessary "
    "tolerable bearable"
)  # fmt: skip
_NEGATIVE_PREFIXES = ("non-", "non", "in", "im", "il", "ir", "un", "dis", "dés", "dé", "mé", "mal")
_TRUE = {"vrai": "+vrai", "vraie": "+vrai", "vrais": "+vrai", "vraies": "+vrai", "true": "+true"}


def _inflections(base: str) -> set[str]:
    """French gender and number forms of an adjective; an English one is its base."""
    forms = {base, base + "s", base + "e", base + "es"}
    if base.endswith("al"):
        forms.add(base[:-2] + "aux")
    if base.endswith("f"):
        forms.update((base[:-1] + "ve", base[:-1] + "ves"))
    if base.endswith("x"):
        forms.update((base[:-1] + "se", base[:-1] + "ses"))
    if base.endswith(("el", "en")):
        forms.update((base + base[-1] + "e", base + base[-1] + "es"))
    if base.endswith("et"):
        forms.update((base[:-2] + "ète", base[:-2] + "ètes"))
    return forms


def _signed_forms() -> dict[str, str]:
    """Every form of every base, bare ("+base") or with a negative prefix ("-base")."""
    signed = {
        prefix + form: "-" + base
        for base in _POLAR_BASES
        for form in _inflections(base)
        for prefix in _NEGATIVE_PREFIXES
    }
    signed.update((form, "+" + base) for base in _POLAR_BASES for form in _inflections(base))
    return signed | _TRUE | FALSE_WORDS


_SIGNED = _signed_forms()


def _find_antonyms(tokens: _Tokens) -> list[str]:
    """Signed bases of polar adjectives: "insatisfaisantes" -> "-satisfaisant"."""
    found: dict[str, None] = {}
    for i, word in enumerate(tokens.words):
        signed = _SIGNED.get(word)
        if signed and (word not in FALSE_WORDS or false_verdict(tokens.words, i)):
            if signed[0] == "+" and tokens.prev(i) == "non":
                signed = "-" + signed[1:]  # "non négociables"
            found[signed] = None
    return list(found)


# --- Quantities ----------------------------------------------------------------------

_FR_NUMBERS = NUMBER_WORDS["fr"]
_EN_NUMBERS = NUMBER_WORDS["en"]
_SCALES = {
    "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9, "billion": 1e9,
    "billions": 1e9, "trillion": 1e12, "trillions": 1e12, "bn": 1e9, "mn": 1e6, "md": 1e9,
    "mds": 1e9, "k": 1e3, "m": 1e6, "mille": 1e3, "thousand": 1e3, "hundred": 1e2,
}  # fmt: skip
_NUMBER_WORDS = _FR_NUMBERS | _EN_NUMBERS | {w: v for w, v in _SCALES.items() if len(w) > 4}
_APPROX_WORDS = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
    "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100,
    "millier": 1000, "dozen": 12, "hundreds": 100, "thousands": 1000, "millions": 1e6,
    "milliards": 1e9, "billions": 1e9, "tens": 10,
}  # fmt: skip
_APPROX_SCALES = {"milliers": 1e3, "thousands": 1e3, "millions": 1e6, "milliards": 1e9,
                  "billions": 1e9}  # fmt: skip
_UNITS = {
    "%": "percent", "pour cent": "percent", "pourcent": "percent", "percent": "percent",
    "per cent": "percent", "pct": "percent", "€": "eur", "euro": "eur", "euros": "eur",
    "eur": "eur", "$": "usd", "dollar": "usd", "dollars": "usd", "usd": "usd", "£": "gbp",
    "livres sterling": "gbp", "pound": "gbp", "pounds": "gbp", "gbp": "gbp", "rouble": "rub",
    "roubles": "rub", "ruble": "rub", "rubles": "rub", "hryvnia": "uah", "hryvnias": "uah",
    "yuan": "cny", "yuans": "cny", "km": "km", "kilomètre": "km", "kilomètres": "km",
    "kilometre": "km", "kilometres": "km", "kilometer": "km", "kilometers": "km",
    "mile": "mile", "miles": "mile", "m": "m", "mètre": "m", "mètres": "m", "metre": "m",
    "metres": "m", "meter": "m", "meters": "m", "kg": "kg", "kilo": "kg", "kilos": "kg",
    "kilogramme": "kg", "kilogrammes": "kg", "kilogram": "kg", "kilograms": "kg",
    "tonne": "t", "tonnes": "t", "ton": "t", "tons": "t",
    "heure": "hour", "heures": "hour", "hour": "hour", "hours": "hour",
    "minute": "minute", "minutes": "minute", "jour": "day", "jours": "day",
    "journée": "day", "journées": "day", "day": "day", "days": "day",
    "semaine": "week", "semaines": "week", "week": "week", "weeks": "week",
    "mois": "month", "month": "month", "months": "month", "an": "year", "ans": "year",
    "année": "year", "années": "year", "year": "year", "years": "year",
}  # fmt: skip
_PEOPLE = wordset(
    "personne personnes people persons habitants individus gens soldat soldats militaires "
    "troupes civils morts blessés victimes réfugiés hommes femmes enfants manifestants "
    "soldier soldiers troops civilians dead wounded victims refugees casualties men women "
    "children servicemen protesters"
)
_CURRENCIES = {"us$": "usd", "$": "usd", "€": "eur", "£": "gbp"}
_COUNTING_UNITS = {"hour", "minute", "day", "week", "month", "year", "people"}
_COMPARATORS = {
    "plus de": ">", "plus d'": ">", "au-delà de": ">", "supérieur à": ">", "more than": ">",
    "over": ">", "above": ">", "upwards of": ">", "in excess of": ">",
    "moins de": "<", "moins d'": "<", "inférieur à": "<", "less than": "<",
    "fewer than": "<", "under": "<", "below": "<",
    "au moins": ">=", "pas moins de": ">=", "pas moins d'": ">=", "at least": ">=",
    "no fewer than": ">=", "no less than": ">=",
    "au plus": "<=", "au maximum": "<=", "pas plus de": "<=", "pas plus d'": "<=",
    "jusqu'à": "<=", "at most": "<=", "up to": "<=", "no more than": "<=",
    "environ": "~", "près de": "~", "près d'": "~", "presque": "~", "quasiment": "~",
    "approximativement": "~", "à peu près": "~", "autour de": "~", "aux alentours de": "~",
    "quelque": "~", "about": "~", "around": "~", "approximately": "~", "roughly": "~",
    "nearly": "~", "almost": "~", "some": "~", "an estimated": "~", "close to": "~",
    "circa": "~",
}  # fmt: skip


def _phrase_pattern(phrases: object) -> str:
    """Alternation of phrases, longest first, spaces as ``\\s+`` and ' as either apostrophe."""
    ordered = sorted(phrases, key=len, reverse=True)  # type: ignore[arg-type]
    return "|".join(re.escape(p).replace(r"\ ", r"\s+").replace("'", "['’]") for p in ordered)


_DIGITS = (
    r"[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3}(?![0-9]))++(?:,[0-9]++)?"
    r"|[0-9]++(?:[.,][0-9]++)*+"
)
_WORD_NUMBER = (
    rf"(?:(?:a|an)\s+(?=(?:hundred|thousand|million|billion)\b))?"
    rf"\b(?:{_phrase_pattern(_NUMBER_WORDS)})\b"
    rf"(?:(?:-|\s+)(?:{_phrase_pattern(_NUMBER_WORDS)})\b|\s+et\s+(?:un|une|onze)\b"
    rf"|(?:(?<=hundred)|(?<=thousand))\s+and\s+(?:{_phrase_pattern(_NUMBER_WORDS)})\b)*+"
)
_QUANTITY = re.compile(
    r"(?P<approx>\b(?:(?P<det>une?|des|quelques|plusieurs|a|an|some|several|many)\s+)?"
    rf"(?P<noun>(?:{_phrase_pattern(_APPROX_WORDS)})s?)\b"
    r"(?:\s+(?:de|d['’]|of)\s*(?P<scale>milliers|millions|milliards|thousands|billions)\b)?)"
    r"|(?<![\w.,:/])(?<![^\W\d_]-)(?:(?P<currency>US\$|\$|€|£)\s?)?(?P<digits>" + _DIGITS + ")"
    rf"|(?<!pour )(?<!per )(?P<words>{_WORD_NUMBER})",
    re.IGNORECASE,
)
_SCALE_AFTER = re.compile(
    r"(?P<space>\s*)(?P<scale>milliards?|millions?|billions?|trillions?|mille|thousand|"
    r"hundred|bn|mn|mds?|k|m)(?![^\W\d_'’])\.?",
    re.IGNORECASE,
)
_UNIT_AFTER = re.compile(
    rf"\s*(?:(?:de\s+|d['’]|of\s+)\s*)?(?P<unit>{_phrase_pattern(_UNITS)}|"
    rf"{_phrase_pattern(_PEOPLE)})(?![^\W\d_'’])",
    re.IGNORECASE,
)
_COUNTED = re.compile(
    r"\s*(?:(?P<prep>de\s+la|de\s+l['’]|du|des|de|d['’]|of\s+the|of)\s*)?"
    r"(?:[\"“«‘']\s*)?"  # a noun in quotes: 21 "filtration" sites, 21 « camps »
    r"(?P<w1>[^\W\d_]++(?:-[^\W\d_]++)*+)(?:[ \u00a0](?P<w2>[^\W\d_]++))?",
    re.IGNORECASE,
)
# People counted by their nation, capitalised in both languages ("10,000 Russians", "3 000
# Ukrainiens"): a capitalised plural with a demonym's ending, never a month or a place.
_DEMONYM = re.compile(r"[A-ZÀ-Ý][a-zà-ÿ]+(?:ans|iens|iennes|ais|aises|ois|oises|ese|is|es)")
_ADJECTIVE = re.compile(
    r"(?:aires?|iques?|ales?|aux|elles?|els?|iens?|iennes?|aines?|ains?|aises?|ais|oises?"
    r"|ois|ifs?|ives?|ée?s?|euses?|eux|ary|ic|ical|ian|ese)$"
)
_COMPARATOR = re.compile(rf"\b(?P<c>{_phrase_pattern(_COMPARATORS)})\s*$", re.IGNORECASE)
_TIME_AFTER = re.compile(r"[:h/][0-9]")  # "10:30", "10h30", and "1/10/02", "3/4"
_GLUED = re.compile(r"[^\W\d_]+")
_CONVERSION = re.compile(r"\s*\(\s*")
_MAX_DIGITS = 15
_WORD_SPLIT = re.compile(r"[\s-]+")


def _find_quantities(text: str, lang: str | None, taken: list[tuple[int, int]]) -> list[Quantity]:
    quantities: list[Quantity] = []
    done = 0
    for m in _QUANTITY.finditer(text):
        if m.start() < done or any(a < m.end() and m.start() < b for a, b in taken):
            continue
        quantity = _quantity(text, m, lang)
        if quantity is None:
            continue
        previous = quantities[-1] if quantities else None
        if (
            previous
            and quantity.comparator == "="
            and _CONVERSION.fullmatch(text, previous.end, quantity.start)
        ):  # "à moins de 20 km (12,5 miles)": the conversion shares the comparator
            quantity.comparator, quantity.approx = previous.comparator, previous.approx
        quantities.append(quantity)
        done = quantity.end
    return quantities


def _quantity(text: str, m: re.Match, lang: str | None) -> Quantity | None:
    """Value, unit, counted noun and comparator around one number match."""
    if m["approx"]:
        value, comparator = _approx_value(m)
    elif m["digits"]:
        value, comparator = _digits_value(text, m, lang), "="
    else:
        value, comparator = _words_value(text, m, lang), "="
    if value is None:
        return None
    end = m.end()
    unit = _CURRENCIES[m["currency"].lower()] if m["currency"] else None
    scaled = m["approx"] is not None
    if not m["approx"] and (s := _SCALE_AFTER.match(text, end)) and _scale_ok(s, m):
        value *= _scale(s["scale"], lang)
        end, scaled = s.end(), True
    counted = None
    prep = "allowed" if scaled or unit else "none"
    if unit is None and (u := _UNIT_AFTER.match(text, end)):
        word = u["unit"].lower().replace("’", "'")
        unit = "people" if word in _PEOPLE else _UNITS[" ".join(word.split())]
        counted = word if unit in _COUNTING_UNITS else None
        end, prep = u.end(), "required"
    if counted is None:
        counted = _counted(text, end, prep)
    start = m.start()
    if c := _COMPARATOR.search(text, max(0, start - 30), start):
        comparator = _COMPARATORS[" ".join(c["c"].lower().replace("’", "'").split())]
        start = c.start()
    return Quantity(
        text[start:end], start, end, value, unit, counted, comparator != "=", comparator
    )


def _approx_value(m: re.Match) -> tuple[float, str]:
    """ "une quarantaine" ~40, "des centaines" >100, "des dizaines de milliers" >10,000."""
    noun = m["noun"].lower()
    plural = noun.endswith("s") and noun[:-1] in _APPROX_WORDS
    value = float(_APPROX_WORDS[noun[:-1] if plural else noun])
    if m["scale"]:
        value *= _APPROX_SCALES[m["scale"].lower()]
    many = plural or noun in {"hundreds", "thousands", "millions", "milliards", "billions", "tens"}
    return value, ">" if many else "~"


def _digits_value(text: str, m: re.Match, lang: str | None) -> float | None:
    """ "1 200", "1,200", "12,5", "12.5"; None for times, ordinals and "G7"-like codes."""
    raw = m["digits"]
    end = m.end()
    after = text[end : end + 2]
    if _TIME_AFTER.match(after) or sum(c.isdigit() for c in raw) > _MAX_DIGITS:
        return None
    glued = _GLUED.match(text, end)
    if glued and glued.group().lower() not in _SCALES and glued.group().lower() not in _UNITS:
        return None  # "1er", "21e", "3rd", "10h"
    return _parse_number(raw, lang)


def _parse_number(raw: str, lang: str | None) -> float | None:
    """A lone separator before three digits groups thousands ("1,200"; "1.200" in French),
    else it is the decimal mark ("12,5", "12.5"). None when the digits are no one figure
    ("52.376552,5.198303": coordinates; "1.5,2.5": a list): a figure has at most one decimal
    mark, after its groups of three."""
    digits = raw.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        head, _, tail = digits.rpartition(decimal)
        groups = head.split(thousands)
        if decimal in head or not groups[0] or any(len(g) != 3 for g in groups[1:]):
            return None
        return float("".join(groups) + "." + tail)
    for sep in ",.":
        if sep in digits:
            parts = digits.split(sep)
            grouped = all(len(p) == 3 for p in parts[1:])
            if len(parts) > 2 and not grouped:
                return None  # "1,2,3"
            thousands = len(parts) > 2 or (grouped and sep == ("." if lang == "fr" else ","))
            return float(digits.replace(sep, "") if thousands else digits.replace(sep, "."))
    return float(digits)


def _words_value(text: str, m: re.Match, lang: str | None) -> float | None:
    """ "douze", "vingt et un", "quatre-vingt-dix", "two hundred and fifty", "trois millions";
    None for a lone "un"/"one", "seize" outside French, "neuf" (new) after its noun."""
    words = [w for w in _WORD_SPLIT.split(m["words"].lower()) if w not in {"et", "and"}]
    if len(words) == 1:
        word = words[0]
        if word in {"un", "une", "one"} or (word == "seize" and lang != "fr"):
            return None
        if word == "neuf" and not _counted(text, m.end(), "none"):
            return None
    total = current = 0.0
    for i, word in enumerate(words):
        value = 1 if word in {"a", "an"} else _NUMBER_WORDS[word]
        if word in _SCALES and value >= 1e6:
            total, current = (total + (current or 1)) * _scale(word, lang), 0.0
        elif value == 1000:
            total, current = total + (current or 1) * 1000, 0.0
        elif value == 100:
            current = (current or 1) * 100
        elif word.startswith("vingt") and i and words[i - 1] == "quatre":
            current += 76  # quatre-vingt: 4 already added, 80 in all
        else:
            current += value
    return total + current


def _scale(word: str, lang: str | None) -> float:
    word = word.lower()
    if lang == "fr" and word.startswith("billion"):
        return 1e12  # French "billion" is a million millions
    return _SCALES[word]


def _scale_ok(s: re.Match, m: re.Match) -> bool:
    """ "m"/"k" are millions/thousands only glued after a currency: "$3m", not "20 m"."""
    word = s["scale"].lower()
    if word == "m":
        return bool(m["currency"]) and not s["space"]
    return word != "k" or not s["space"]


def _counted(text: str, pos: int, prep: str) -> str | None:
    """The noun right after a number ("1 200 soldats", ``prep`` "none"), after "du/of" once
    a unit word is read ("70 % du personnel militaire", "required"), or either after a
    scale word or a currency sign ("3 milliards de barils", "$3bn loan", "allowed")."""
    m = _COUNTED.match(text, pos)
    if not m or (prep == "none" and m["prep"]) or (prep == "required" and not m["prep"]):
        return None
    first = m["w1"]
    lower = first.lower().replace("’", "'")
    if not (first[0].islower() or _DEMONYM.fullmatch(first)):
        return None
    if lower in _FUNCTION or lower in _NUMBER_WORDS or len(first) < 3:
        return None
    second = m["w2"]
    if second and second[0].islower() and second not in _FUNCTION and _ADJECTIVE.search(second):
        return f"{lower} {second.lower()}"
    return lower


# --- Dates ---------------------------------------------------------------------------

_ACCENTS = {"e": "[eéèêë]", "a": "[aàâä]", "u": "[uùûü]", "o": "[oô]", "i": "[iîï]", "c": "[cç]"}
_UNACCENT = str.maketrans("éèêëàâäùûüôîïç", "eeeeaaauuuoiic")
# A key of _MONTHS is an abbreviation when a longer key of the same month starts with it.
_MONTH_ABBREVIATIONS = {
    k
    for k in _MONTHS
    if any(o != k and o.startswith(k) and _MONTHS[o] == _MONTHS[k] for o in _MONTHS)
}
_VERB_MONTHS = {"may", "march"}  # months only when capitalised


def _month_pattern(keys: set[str]) -> str:
    return "|".join(
        "".join(_ACCENTS.get(c, c) for c in k) for k in sorted(keys, key=len, reverse=True)
    )


# Only an abbreviation takes a dot: "févr. 2022", but "le 8 février." ends a sentence.
_MONTH = (
    rf"(?:(?:{_month_pattern(set(_MONTHS) - _MONTH_ABBREVIATIONS)})(?![^\W\d_])"
    rf"|(?:{_month_pattern(_MONTH_ABBREVIATIONS)})(?![^\W\d_])\.?)"
)
_WD = "|".join(_WEEKDAY_INDEX)
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?:er|re|st|nd|rd|th)?"
_YEAR = r"(?:1[89][0-9]{2}|20[0-9]{2})(?![0-9])"
_RANGE_CUES = r"début|fin|mi-|early|late|mid-"
_MONTH_CUES = _RANGE_CUES + r"|en|in|depuis|since|until|by|au\s+mois\s+d['’]|au\s+mois\s+de"
_YEAR_CUES = _MONTH_CUES + r"|de|from|to|of|jusqu['’]en|d['’]ici|avant|après|before|after"
_RELATIVE = {
    "avant-hier": -2, "hier": -1, "aujourd'hui": 0, "demain": 1, "après-demain": 2,
    "yesterday": -1, "today": 0, "tomorrow": 1, "ce matin": 0, "ce soir": 0,
    "cette nuit": 0, "this morning": 0, "tonight": 0, "last night": -1,
    "la semaine dernière": None, "la semaine prochaine": None, "le mois dernier": None,
    "le mois prochain": None, "l'année dernière": None, "l'année prochaine": None,
    "l'an dernier": None, "l'an prochain": None, "cette semaine": None, "cette année": None,
    "ce mois-ci": None, "last week": None, "next week": None, "this week": None,
    "last month": None, "next month": None, "this month": None, "last year": None,
    "next year": None, "this year": None, "ces derniers jours": None,
    "ces dernières semaines": None, "ces derniers mois": None, "in recent days": None,
    "in recent weeks": None, "in recent months": None,
}  # fmt: skip
_DATE = re.compile(
    r"(?P<iso>\b[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\b)"
    r"|(?P<numeric>\b[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}\b)"
    rf"|(?P<dm>\b(?:(?:le|ce|on|the)\s+)?(?:(?P<dm_wd>{_WD}),?\s+(?:the\s+)?)?"
    rf"\b(?P<dm_d>{_DAY})\s+(?:of\s+)?(?P<dm_m>{_MONTH})(?:\s+(?P<dm_y>{_YEAR}))?)"
    rf"|(?P<md>\b(?:(?:on|the)\s+)?(?:(?P<md_wd>{_WD}),?\s+)?(?P<md_m>{_MONTH})\s+"
    rf"(?P<md_d>{_DAY})(?![0-9])(?:,?\s+(?P<md_y>{_YEAR}))?)"
    rf"|(?P<my>\b(?:(?:{_MONTH_CUES})\s*)?(?P<my_m>{_MONTH})\s+(?P<my_y>{_YEAR}))"
    rf"|(?P<mo>\b(?:{_MONTH_CUES})\s*(?P<mo_m>{_MONTH}))"
    rf"|(?P<yr>\b(?:(?:{_YEAR_CUES})\s*)?\b(?P<yr_y>{_YEAR}))"
    rf"|(?P<wd>\b(?:(?P<wd_cue>ce|le|on|last|this|next)\s+)?\b(?P<wd_w>{_WD})\b"
    r"(?:\s+(?P<wd_mod>dernier|prochain))?)"
    rf"|(?P<rel>\b(?:{_phrase_pattern(_RELATIVE)})(?![^\W\d_]))",
    re.IGNORECASE,
)
_FUTURE_DAYS = 31
_DIGIT = re.compile(r"[0-9]")


def _accented(word: str) -> set[str]:
    """A month key with its accents as written: "fevrier" -> "février", "aout" -> "août"."""
    variants = {""}
    for c in word:
        variants = {v + a for v in variants for a in {"e": "eé", "u": "uû"}.get(c, c)}
    return variants


_DATE_WORDS = frozenset(
    {v for key in _MONTHS for v in _accented(key)}
    | set(_WEEKDAY_INDEX)
    | {_TOKEN.findall(key)[-1] for key in _RELATIVE}
)
# "un"/"one" alone are no quantity: only in "un million", "vingt et un"... with another
_QUANTITY_WORDS = (frozenset(_NUMBER_WORDS) - {"un", "une", "one"}) | {
    w + s for w in _APPROX_WORDS for s in ("", "s")
}
_NEXT_WORD = re.compile(r"[ \u00a0\u202f]*(%|[^\W\d_]+)")


def _find_dates(text: str, ref: dt.date | None, lang: str | None) -> list[DateRef]:
    found = []
    for m in _DATE.finditer(text):
        date = _DATE_BUILDERS[m.lastgroup or ""](m, ref, lang)
        if date is not None:
            found.append(date)
    return found


def _month(m: re.Match, group: str, with_year: bool) -> int | None:
    """The month number of a matched month word, or None for a word that is not one here:
    "may"/"march" in lowercase, an abbreviation without a dot or a year ("mar")."""
    raw = m[group].rstrip(".")
    key = raw.lower().translate(_UNACCENT)
    if key in _VERB_MONTHS and not raw[0].isupper():
        return None
    if key in _MONTH_ABBREVIATIONS and not (m[group].endswith(".") or with_year):
        return None
    return _MONTHS.get(key)


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _shift(ref: dt.date, days: int) -> dt.date | None:
    try:
        return ref + dt.timedelta(days=days)
    except OverflowError:
        return None


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


def _numeric_date(m: re.Match, ref: dt.date | None, lang: str | None) -> DateRef | None:
    date = parse_date(m.group(), lang)
    if date is None:
        return None
    iso = date.isoformat()
    return DateRef(m.group(), m.start(), m.end(), "day", iso, date.year, date.month, date.day)


def _day_date(m: re.Match, ref: dt.date | None, lang: str | None) -> DateRef | None:
    """ "lundi 8 février", "7 February 2022", "Feb. 7": without a year, the latest such day
    up to a month after the reference date (news tells of the past and the near future);
    the weekday as written, even when it disagrees."""
    p = m.lastgroup or ""
    year = int(m[f"{p}_y"]) if m[f"{p}_y"] else None
    month = _month(m, f"{p}_m", year is not None)
    if month is None or (p == "md" and not m[f"{p}_m"][0].isupper()):
        return None
    day = int(re.match(r"[0-9]+", m[f"{p}_d"]).group())  # type: ignore[union-attr]
    weekday = _WEEKDAY_INDEX.get(m[f"{p}_wd"].lower()) if m[f"{p}_wd"] else None
    if year is not None:
        date = _date_or_none(year, month, day)
    elif ref is not None:
        candidates = [_date_or_none(y, month, day) for y in (ref.year - 1, ref.year, ref.year + 1)]
        latest = _shift(ref, _FUTURE_DAYS) or ref
        date = max((d for d in candidates if d and d <= latest), default=None)
    else:
        date = None
    return DateRef(m.group(), m.start(), m.end(), "day", _iso(date), year, month, day, weekday)


def _month_date(m: re.Match, ref: dt.date | None, lang: str | None) -> DateRef | None:
    """ "février 2022", "fin février 2022", "en septembre"."""
    p = m.lastgroup or ""
    year = int(m["my_y"]) if p == "my" else None
    month = _month(m, f"{p}_m", year is not None)
    if month is None:
        return None
    return DateRef(m.group(), m.start(), m.end(), "month", None, year, month)


def _year_date(m: re.Match, ref: dt.date | None, lang: str | None) -> DateRef | None:
    """ "2024", "en 2022", "fin 2022"; not "2000 soldats" nor "2022 %"."""
    after = _NEXT_WORD.match(m.string, m.end())
    word = after.group(1).lower() if after else ""
    if word == "%" or word in _UNITS or word in _PEOPLE:
        return None
    return DateRef(m.group(), m.start(), m.end(), "year", None, int(m["yr_y"]))


def _weekday_date(m: re.Match, ref: dt.date | None, lang: str | None) -> DateRef | None:
    """ "jeudi" is the latest Thursday on or before the reference date; "jeudi dernier" /
    "last Thursday" the one before it, "jeudi prochain" / "next Thursday" the one after."""
    weekday = _WEEKDAY_INDEX[m["wd_w"].lower()]
    date = None
    if ref is not None:
        modifier = (m["wd_mod"] or m["wd_cue"] or "").lower()
        back = (ref.weekday() - weekday) % 7
        if modifier in {"dernier", "last"}:
            date = _shift(ref, -(back or 7))
        elif modifier in {"prochain", "next"}:
            date = _shift(ref, (weekday - ref.weekday()) % 7 or 7)
        else:
            date = _shift(ref, -back)
    return DateRef(m.group(), m.start(), m.end(), "weekday", _iso(date), weekday=weekday)


def _relative_date(m: re.Match, ref: dt.date | None, lang: str | None) -> DateRef | None:
    """ "hier" is the day before the reference date; "le mois dernier" has no day."""
    key = " ".join(m.group().lower().replace("’", "'").split())
    offset = _RELATIVE.get(key)
    date = _shift(ref, offset) if ref is not None and offset is not None else None
    return DateRef(m.group(), m.start(), m.end(), "relative", _iso(date))


_DATE_BUILDERS = {
    "iso": _numeric_date,
    "numeric": _numeric_date,
    "dm": _day_date,
    "md": _day_date,
    "my": _month_date,
    "mo": _month_date,
    "yr": _year_date,
    "wd": _weekday_date,
    "rel": _relative_date,
}
