"""Name keys that survive transliteration: one fuzzy key for lookup, one light key for exactness.

`normalise_name` folds the spelling variation of Arabic (and Persian, French, Spanish) place names
written in Latin script onto one key: "Deir ez-Zor", "Dayr az Zawr" and "Deir Azzour" all give
"dor zor". Keys are for matching only; never show them. All vowels fold to "o" so that no folded
word can look like an Arabic article, which keeps the function idempotent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import lru_cache
from operator import itemgetter

# Letters NFKD does not decompose into an ASCII base letter; apostrophes and the Arabic ayn/hamza
# marks vanish (Dar'a = Dara); dashes and odd spaces separate words.
_LIGHT_MAP = str.maketrans(
    {
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "ŀ": "l",
        "ħ": "h",
        **dict.fromkeys("'’‘ʿʾʼʻ`´′", ""),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\u00a0\u2009\u202f", " "),
    }
)
_LIGHT_MAP_KEEP_MARKS = {k: v for k, v in _LIGHT_MAP.items() if v != ""}
_AYN_MARKS = re.compile(r"['’‘ʿʾʼʻ`´′]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# "AlRaqqa", "ElFasher": a glued article is only safe to split where a capital marks it.
_GLUED_CAPITAL_ARTICLE = re.compile(r"\b([AE]l)(?=[A-Z][a-z])")

# Arabic articles (assimilated forms included), then with the Persian ezafe connectors.
_ARABIC_ARTICLES = frozenset(
    "al el il ul ad ar as az ash at an ath adh ed er es ez esh et en".split()
)
_ARTICLES = _ARABIC_ARTICLES | {"e", "i"}
# A non-initial word that begins with an assimilated article: Azzour, Ezzor, Arraqqa, Ashshaddadi.
_GLUED_SUN_ARTICLE = re.compile(r"^[ae](sh|th|dh|[tdrzsnl])\1(?=[a-z]{2})")
_VOWELS = re.compile(r"[aeiou]+")
_DOUBLED = re.compile(r"(.)\1+")
_first_letter = itemgetter(1)  # a callable replacement is faster than a template for rare matches


@lru_cache(maxsize=200_000)
def light_key(name: str) -> str:
    """Casefolded, accent-free, apostrophe-free, with words separated by single spaces."""
    text = name.translate(_LIGHT_MAP).casefold()
    if not text.isascii():
        # Letters without an ASCII base letter (other scripts) drop out.
        text = unicodedata.normalize("NFKD", text.translate(_LIGHT_MAP))
        text = text.encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", text).strip()


def ascii_name(name: str) -> str:
    """A display form in plain ASCII: accents stripped, ayn/hamza marks as an apostrophe."""
    text = _AYN_MARKS.sub("'", name)
    if text.isascii():
        return text.strip()
    text = unicodedata.normalize("NFKD", text.translate(_LIGHT_MAP_KEEP_MARKS))
    return text.encode("ascii", "ignore").decode("ascii").strip()


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    word = _DOUBLED.sub(_first_letter, word)  # first, so "cck" and "ddh" fold like "ck", "dh"
    word = word.replace("dj", "j").replace("dh", "z").replace("ch", "sh")
    word = word.replace("q", "k").replace("ck", "k")
    # Iraqi and Gulf Arabic say qaf as g: Garma is Karma, Gayyara Qayyarah (not gh, a ghayn).
    if word.startswith("g") and not word.startswith("gh"):
        word = "k" + word[1:]
    # w and y are vowels inside a word (Dayr/Deir, Zawr/Zour, Suwayda/Sweida), consonants first.
    head, tail = word[:1], word[1:].replace("w", "u").replace("y", "i")
    word = _DOUBLED.sub(_first_letter, head + tail)
    if len(word) > 2 and word.endswith("h") and word[-2] in "aeiou":
        word = word[:-1]  # Raqqah = Raqqa, Hasakeh = Hasaka
    # Vowel runs become one "o", so no new doubled letter can appear.
    return _VOWELS.sub("o", word)


def normalise_name(name: str) -> str:
    """The lookup key of a place name: equal keys mean "probably the same name"."""
    if "l" in name and _GLUED_CAPITAL_ARTICLE.search(name):
        name = _GLUED_CAPITAL_ARTICLE.sub(r"\1 ", name)
    return key_of_light(light_key(name))


@lru_cache(maxsize=200_000)
def key_of_light(light: str) -> str:
    """The lookup key of a name's light key (`light_key`): what an index that stored only the
    light key recomputes when the folding rules change."""
    words = light.split()
    kept = [w for w in words if w not in _ARTICLES] or words
    folded = []
    for position, word in enumerate(kept):
        glued = _GLUED_SUN_ARTICLE.match(word) if position else None
        if glued:
            word = word[1 + len(glued.group(1)) :]
        folded.append(_fold_word(word))
    return " ".join(folded)


@lru_cache(maxsize=100_000)
def bare_spelling(name: str) -> str:
    """The light key without Arabic articles: "al-Hasakeh" and "Hasakeh" are spelled alike."""
    words = light_key(name).split()
    return " ".join(w for w in words if w not in _ARTICLES) or " ".join(words)


def has_arabic_article(name: str) -> bool:
    """Whether a name is written with an Arabic article ("Al Baghdadi", "Ras al Ain")."""
    return any(word in _ARABIC_ARTICLES for word in light_key(name).split())


def spelling_similarity(a: str, b: str) -> float:
    """How alike two spellings are (0..1), ignoring case, accents and Arabic articles, and
    transliteration variants (`transliteration_similarity`).

    Equal keys only say two names may be the same; this tells "Idleb"/"Idlib" (0.8) from
    "Shola"/"Shilla" (0.73), which fold to one key too.
    """
    return max(spelling_similarities(a, (b,))[b], transliteration_similarity(a, b))


def spelling_similarities(name: str, others: Iterable[str]) -> dict[str, float]:
    """The spelling similarity of `name` to each of `others`, with `name` indexed once: a common
    key is shared by dozens of names, and many places share their alternate names."""
    matcher = SequenceMatcher(None, b=bare_spelling(name))
    similarities: dict[str, float] = {}
    for other in others:
        if other not in similarities:
            matcher.set_seq1(bare_spelling(other))
            similarities[other] = matcher.ratio()
    return similarities


def transliteration_similarity(a: str, b: str) -> float:
    """How alike two spellings are once written alike (`transliteration`): "al-Kendeh" and
    "Kindah" differ in three letters of six, but only in how the same Arabic was written. Below
    WRITTEN_ALIKE it is 0: folded endings make short names partly agree ("Quriyeh", "Qarah")."""
    ratio = SequenceMatcher(None, transliteration(a), transliteration(b)).ratio()
    return ratio if ratio >= WRITTEN_ALIKE else 0.0


# Two spellings this alike once transliteration variants are folded are one name written two ways.
WRITTEN_ALIKE = 0.8
# Latin spellings of one Arabic (or Kurdish, Turkish) sound, each to one form: long vowels
# written doubled or as digraphs, diphthongs, and the vowel e, which Arabic lacks (Idleb, Idlib).
_SOFT_DIGRAPHS = (("ou", "u"), ("oo", "u"), ("ee", "i"), ("ey", "ai"), ("ei", "ai"), ("ay", "ai"))
# The feminine ending: -ah, -eh, -a, -e and -ih are one letter (Raqqah, Hasakeh, Kindah).
_FEMININE_ENDING = re.compile(r"(?:[aei]h|e)\b")


@lru_cache(maxsize=100_000)
def transliteration(name: str) -> str:
    """The bare spelling with transliteration variants folded, more finely than the lookup
    key: ou/u, ee/i, ei/ay, e/i, and the feminine ending. Doubled letters stay: a shadda
    tells names apart ("Shola", "Shilla")."""
    text = bare_spelling(name)
    for written, sound in _SOFT_DIGRAPHS:
        text = text.replace(written, sound)
    text = _FEMININE_ENDING.sub("a", text)
    return text.replace("e", "i")


# Word-initial consonant pairs that English and transliteration digraphs begin words with
# ("Street", "Shaykh"): a word beginning with any other pair lost a vowel ("Ftireh", "Kfar").
_SPELLED_ONSETS = frozenset(
    "bl br ch cl cr dh dr dw fl fr gh gl gn gr kh kn kr ph pl pr ps sc sh sk sl sm sn sp sq st"
    " sw th tr ts tw wh wr zh".split()
)
_INITIAL_CLUSTER = re.compile(r"^[b-df-hj-np-tv-z]{2}")


def elided_vowel_form(name: str) -> str | None:
    """The name with the short vowel that French-style and colloquial spellings drop after a
    word's first consonant put back ("Ftireh" is Fatirah, "Hbeit" Hubayt; vowels fold alike in
    keys, so "a" stands for any); None when no word begins with such a pair of consonants."""
    words = name.split()
    for position, word in enumerate(words):
        cluster = _INITIAL_CLUSTER.match(light_key(word))
        if cluster and cluster.group(0) not in _SPELLED_ONSETS and word[0].isalpha():
            return " ".join([*words[:position], f"{word[0]}a{word[1:]}", *words[position + 1 :]])
    return None


_INITIAL_TH = re.compile(r"\b(t)(?=h)", re.IGNORECASE)


def dhal_form(name: str) -> str | None:
    """The name with a word's leading "th" read as a dhal ("Thiban" is Dhiban, "Thi Qar" Dhi
    Qar): English spellings write th for both tha and dhal, and keys keep the two apart. Inside
    a word th is mostly a tha ("Ethraya", Ithriya). None without a word beginning with th."""
    if not _INITIAL_TH.search(name):
        return None
    return _INITIAL_TH.sub(lambda letter: "D" if letter.group(1).isupper() else "d", name)


# A word of one syllable closed by an English silent e: a vowel, one consonant, then "e".
_SILENT_E = re.compile(
    r"(?<![a-z])[bcdfghjklmnpqrstvwxz]{0,2}[aeiou][bcdfgjklmnpqrstvxz]e$", re.IGNORECASE
)


def silent_e_form(name: str) -> str | None:
    """The name with the silent e English spellings close a one-syllable word with dropped
    ("Hole camp" is al-Hol, listed as Al Hawl): vowels fold to one key letter, so the e reads as a
    second syllable. None when the name ends in no such word (a doubled consonant before the e,
    as in "Fakke", is the Arabic feminine ending, which keys already fold)."""
    name = name.strip()
    return name[:-1] if _SILENT_E.search(name) else None
