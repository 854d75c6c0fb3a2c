"""The count lexicon (data/counts.yaml) and the words around a number: how many a number phrase
says (best, low, high, vague), who was counted, and on which side they were."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from conflictlens.extraction.actors import EXTERNAL_FORCES, STATE_FORCES, ActorDictionary
from conflictlens.extraction.numbers import DIGITS, WORD_NUMBER, parse_number

_QUOTES = frozenset('"“”')
# An appositive or a relative clause between the counted people and the verb: "seven members of the
# NDF, a pro-regime militia, were", "the seven men, who had been accused of spying, were".
_APPOSITIVE = r"(?:,?\s*(?:(?:an?|the)\s[^,]{1,50}|(?:who|whom)\s[^,]{1,70}),)?"
# Where the counted people were or came from, between them and the verb: "two Kurdish civilians
# from Sino town were killed", "a man from Ankhel died".
WHERE_FROM = (
    r"(?:\s+(?:from|in|at|near|inside)\s+[^,;.]{1,40}?"
    r"(?=\s+(?:were|was|have been|has been|had been|died)\b))?"
)
NOUN_STOP = re.compile(
    r"^(?:in|on|at|near|during|after|when|while|as|by|from|since|following|before|and|or|but|were|was|"
    r"have|has|had|are|is|who|which|that|with|to|for|over|across|inside|outside|amid|according|said|"
    r"says|told|tells|added)$",
    re.I,
)
_ARMED_INTERS = frozenset(("Rebel group", "Political militia", "Identity militia"))


@dataclass(frozen=True)
class CountMember:
    """One part of a count: how many people, the words naming them, their side, where they stand."""

    n: int | None
    low: int | None
    high: int | None
    noun: str
    side: str  # "civilians" | "state_forces" | "armed_group" | "unknown"
    start: int
    end: int
    actor: str | None = None  # the named group the people belong to ("seven Taliban fighters")


@dataclass(frozen=True)
class CountLexicon:
    """The words of data/counts.yaml, compiled once into the patterns the count readers use."""

    vague: dict[str, tuple[int, int]]
    qualifiers: dict[str, str]
    after: dict[str, re.Pattern[str]]
    before: dict[str, re.Pattern[str]]
    after_left: dict[str, re.Pattern[str]]
    person_nouns: frozenset[str]
    sides: dict[str, str]
    outcome_words: frozenset[str]
    number: re.Pattern[str]
    zero: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]
    not_count_after: re.Pattern[str]
    things: frozenset[str]
    generic_people: frozenset[str]
    not_count_before: re.Pattern[str]
    one_person: frozenset[str]
    titles: str
    not_names: frozenset[str]


@lru_cache(maxsize=1)
def lexicon() -> CountLexicon:
    raw = yaml.safe_load(
        resources.files("conflictlens.data").joinpath("counts.yaml").read_text("utf-8")
    )
    vague = {k: (int(v[0]), int(v[1])) for k, v in raw["vague"].items()}
    qualifiers = dict(raw["qualifiers"])

    def alternation(words: list[str]) -> str:
        return "|".join(sorted(words, key=len, reverse=True))

    after, before, after_left = {}, {}, {}
    for category, forms in raw["categories"].items():
        after[category] = re.compile(
            rf"^{_APPOSITIVE}{WHERE_FROM}[\s,\"“”]*(?:(?:were|was|have been|has been|had been|are|is|got|being)\s+)?"
            r"(?:(?:also|reportedly|allegedly|later|all|subsequently|confirmed)\s+)*"
            rf"[\"“”‘']?(?:{alternation(forms['after'])})\b",
            re.I,
        )
        before[category] = re.compile(rf"\b(?:{alternation(forms['before'])})\s*$", re.I)
        if forms.get("after_left"):
            after_left[category] = re.compile(
                rf"^\s*(?:{alternation(forms['after_left'])})\b", re.I
            )
    sides = {noun.lower(): side for side, nouns in raw["sides"].items() for noun in nouns}
    outcome_words = frozenset(
        w.lower()
        for forms in raw["categories"].values()
        for phrase in forms["after"]
        for w in phrase.split()[:1]
    )
    qual = alternation([re.escape(q) for q in qualifiers])
    vague_alt = alternation([re.escape(v) for v in vague if v not in ("some", "many")])
    number = re.compile(
        # "no one was killed" is a zero count (see `zero`), not one person.
        rf"(?<!\bno\s)\b(?:(?P<qual>{qual})\s+)?(?:(?P<vague>{vague_alt})|(?P<num>{DIGITS}|{WORD_NUMBER})"
        rf"|(?P<article>an?\s+(?:second|third|fourth|fifth)\b(?!\s+of\b)|an?|another))\b(?!\s*%)",
        re.I,
    )
    return CountLexicon(
        vague,
        qualifiers,
        after,
        before,
        after_left,
        frozenset(w.lower() for w in raw["person_nouns"]),
        sides,
        outcome_words,
        number,
        tuple(
            (
                re.compile(pattern, re.I),
                ("killed", "wounded") if key == "killed_and_wounded" else (key,),
            )
            for key, patterns in raw["zero"].items()
            for pattern in patterns
        ),
        re.compile("|".join(raw["not_counts"]["after"]), re.I),
        frozenset(w.lower() for w in raw["things"]),
        frozenset(w.lower() for w in raw["generic_people"]),
        # Names are capitalised ("Route 5"); the other words before a number are read in any case.
        re.compile(
            rf"(?:(?i:{'|'.join(raw['not_counts']['before'])})"
            rf"|\b(?:{alternation(raw['not_counts']['names'])})\.?)\s*$"
        ),
        frozenset(w.lower() for w in raw["one_person"]),
        alternation(raw["titles"]),
        frozenset(w.lower() for w in raw["not_names"]),
    )


def noun_window(text: str, start: int) -> tuple[str, int]:
    """The words naming who was counted, after a number: up to a stop word or clause punctuation."""
    words: list[str] = []
    end = start
    for m in re.finditer(r"[\w'’-]+|[^\w\s]", text[start:]):
        token = m.group()
        if token in _QUOTES:
            continue  # "seventeen \"terrorists\" were killed": quoted words are still the noun
        if not re.match(r"[\w'’-]", token):
            break
        # A word in capitals is a name ("IS members"), never the stop word it spells.
        stop = words and not token.isupper() and NOUN_STOP.match(token)
        if token.lower() in lexicon().outcome_words or stop:
            break
        if len(words) >= 9:
            break
        words.append(token)
        end = start + m.end()
    return " ".join(words), end


def side_of(noun: str) -> str:
    """The side of the people a noun phrase names; allegiance words ("pro-regime") beat role nouns."""
    sides = lexicon().sides
    found = {sides.get(w) or sides.get(f"{w}s") for w in re.findall(r"[\w-]+", noun.lower())}
    for side in ("state_forces", "civilians", "armed_group"):
        if side in found:
            return side
    return named_side(noun)


def member(
    n: int | None, low: int | None, high: int | None, noun: str, start: int, end: int
) -> CountMember:
    return CountMember(n, low, high, noun, side_of(noun), start, end, named_group(noun))


@lru_cache(maxsize=4096)
def named_group(noun: str) -> str | None:
    """The named group a noun phrase counts people of ("members of the Islamic State group")."""
    mention = next((m for m in ActorDictionary.default().find(noun) if not m.generic), None)
    return mention.name if mention is not None else None


def named_side(noun: str) -> str:
    """The side of a named group ("12 members of the Islamic State group", "ISIS members"): state
    forces, and militias that fight alongside them, are one side; other armed groups the other."""
    dictionary = ActorDictionary.default()
    name = named_group(noun)
    info = dictionary.info(name) if name else None
    if info is None:
        return "unknown"
    if info.inter in (STATE_FORCES, EXTERNAL_FORCES) or any(
        (ally := dictionary.info(a)) is not None and ally.inter == STATE_FORCES for a in info.assoc
    ):
        return "state_forces"
    if info.inter == "Civilians":
        return "civilians"
    return "armed_group" if info.inter in _ARMED_INTERS else "unknown"


def names_things(noun: str) -> bool:
    things = lexicon().things
    return any(w in things for w in re.findall(r"[\w'’-]+", noun.lower()))


def is_one(word: str) -> bool:
    """A noun for one person ("driver", "policeman", "colonel"), not a group ("police", "army")."""
    w = word.lower()
    lex = lexicon()
    return w in lex.one_person or f"{w}s" in lex.person_nouns


def is_person_count(noun: str) -> bool:
    nouns = lexicon().person_nouns
    return any(w in nouns or f"{w}s" in nouns for w in re.findall(r"[\w'’-]+", noun.lower()))


def number_value(match: re.Match[str]) -> tuple[int | None, int | None, int | None, bool] | None:
    """(best, low, high, vague) for a matched number phrase, per the spec's conventions."""
    lex = lexicon()
    qual = (match.group("qual") or "").lower()
    if match.group("vague"):
        low, high = lex.vague[match.group("vague").lower()]
        if low == high:
            return low, low, high, False
        return None, low, high, True
    if match.group("article"):
        return 1, 1, 1, False
    n = parse_number(match.group("num"))
    if n is None:
        return None
    bound = lex.qualifiers.get(qual)
    if bound == "low":
        return n, n, None, False
    if bound == "high":
        return n, None, n, False
    return n, n, n, False
