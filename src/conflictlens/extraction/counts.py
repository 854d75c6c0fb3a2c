"""Counts of people killed, wounded, arrested and abducted, with their qualifiers and structure.

Handles digits and words ("seven", "twenty-five", "387,000"), qualifiers mapped to best/low/high by the
spec's conventions ("at least", "nearly", "about"), vague words as documented ranges ("several", "dozens"),
subsets that are not added ("15 soldiers, including 5 officers"), lists that are summed and split by side
("eight soldiers, four allied fighters and three civilians"), passive ("seven were killed"), active
("killed seven"), and "left N dead".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

import yaml

from conflictlens.extraction.actors import EXTERNAL_FORCES, STATE_FORCES, ActorDictionary

_UNITS = {
    "zero": 0,
    "no": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORD_NUMBER = (
    r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen))(?:\s+hundred(?:\s+and\s+\w+)?)?(?:\s+thousand)?"
)
_DIGITS = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s*(?:thousand|million))?"
# "15 soldiers, including 5 officers and 10 troops, were killed": the clause after the cue is a subset.
_SUBSET_REGION = re.compile(
    r"\b(?:including|among them|among whom|of whom|of them|among the dead(?: were)?|"
    r"among those killed(?: were)?|most of them|mostly)\b[^,;:]*?"
    # "including a December 31 ambush in which five fighters were killed": the relative clause is not
    # part of the subset.
    r"(?=,|;|\s+(?:were|was|have|had|are|in which|during which|where|which|that|who)\b|$)",
    re.I,
)
_QUOTES = frozenset('"“”')
_BRACKETED_ACRONYM = re.compile(r"\s*\([A-Z][A-Za-z-]{1,9}\)")
# An appositive or a relative clause between the counted people and the verb: "seven members of the
# NDF, a pro-regime militia, were", "the seven men, who had been accused of spying, were".
_APPOSITIVE = r"(?:,?\s*(?:(?:an?|the)\s[^,]{1,50}|(?:who|whom)\s[^,]{1,70}),)?"
# Where the counted people were or came from, between them and the verb: "two Kurdish civilians
# from Sino town were killed", "a man from Ankhel died".
_WHERE_FROM = (
    r"(?:\s+(?:from|in|at|near|inside)\s+[^,;.]{1,40}?"
    r"(?=\s+(?:were|was|have been|has been|had been|died)\b))?"
)
_WHERE_FROM_RE = re.compile(_WHERE_FROM.removesuffix("?"), re.I)
# "seven of them", "four of whom": a part of people named before.
PART_OF = re.compile(r"of (?:them|whom|those|these)\b", re.I)
_ATTRIBUTION = re.compile(r"\s+(?:said|says|told|reported|added|stated)\b", re.I)
_LOST = re.compile(r"((?:[\w'’-]+\s+){1,4}?)(?:has\s+|have\s+|had\s+)?(?:lost|losing)\s+$", re.I)
_OF_BEFORE = re.compile(r"\bof\s+(?:the\s+|these\s+|those\s+|its\s+|their\s+)?$", re.I)
_AUXILIARY_IN = re.compile(r"\b(?:were|was|been|are|is|got|being)\b", re.I)
# The object of an active verb: "... killed a policeman", "... shot dead two soldiers", "... killed the mayor".
_OBJECT = re.compile(
    rf"\s+(?:an?|his|her|their|its|\d+|{_WORD_NUMBER}|the(?!\s+(?:day|night|week|month|morning|evening|"
    r"afternoon|previous|following|same|next|last|other)\b))\s",
    re.I,
)
_REVISED = re.compile(
    r"\b(?:toll|number|tally|fatalities|deaths|dead)\b.{0,60}?\b(?:rose|risen|rises|climbed|climbs|"
    r"increased|jumped|reached|soared|mounted)\s+(?:to\s+|at\s+)?$",
    re.I,
)
# "and the driver", "and their commander": one person, named by a singular noun.
_DEFINITE_ONE = re.compile(r"\s+and\s+(?:the|his|her|their|its)\s+(?:[\w-]+\s+)?([\w-]+)\s*$", re.I)
_IN_ADDITION = re.compile(
    rf"\b(?:in addition to|besides|apart from|as well as)\s+(?:the\s+)?(?P<n>{_WORD_NUMBER}|\d+)?\s*"
    r"(?P<who>(?:suicide\s+)?(?:bombers?|assailants?|attackers?|gunm[ae]n|perpetrators?))\s*,\s*$",
    re.I,
)
# What befell one person named by a noun, a title or a name: "the sniper was also killed",
# "Captain al-Bayati died", "executed the mayor".
_ONE_VERB_PASSIVE = (
    r"(?:(?:was|has been|had been)\s+(?:(?:also|later|reportedly|then|subsequently|allegedly)\s+)*"
    r"(?:killed|shot dead|shot and killed|slain|executed|beheaded|assassinated|murdered|found dead|"
    r"stabbed to death|burned alive)|died)"
)
_ONE_VERB_ACTIVE = (
    r"(?:killed|killing|kills|shot dead|shooting dead|shot and killed|executed|executing|executes|"
    r"beheaded|beheading|assassinated|assassinating|murdered|murdering|stabbed to death)"
)
# The dead named only as people told of before: "executed them", "the captives were beheaded",
# "they were found dead"; "both of them" are two.
_CAPTIVES = r"(?:victims|captives|hostages|abductees|detainees|prisoners|kidnapped|abducted)"
_THEM_KILLED = (
    re.compile(
        rf"\b(?:{_ONE_VERB_ACTIVE}|torturing and killing)\s+(?P<who>(?:all|both)\s+of\s+them|them|"
        rf"the\s+{_CAPTIVES})\b|\b(?:burned|burnt|burning)\s+(?P<who2>them)\s+alive\b",
        re.I,
    ),
    re.compile(
        rf"\b(?P<who>they|the\s+{_CAPTIVES}|(?:all|both)\s+of\s+them)\s+(?:were|had been|have been)\s+"
        r"(?:(?:later|subsequently|all|then|also|reportedly|eventually)\s+)*(?:killed|executed|beheaded|"
        r"shot dead|found dead|murdered|slain|burned alive|found killed)\b",
        re.I,
    ),
)
# A part of a person's name: "Ahmed", "al-Lafi", "Abd-Hamad", "Al Badrani"; "al"/"bin" join parts.
_NAME = (
    r"(?:(?:al|el|as|ash|ad|ar|az)-)?[A-Z][\w'’]*(?:-[A-Z]?[\w'’]*)*"
    r"(?:\s+(?:(?:al|el|bin|ibn|bint|abu|de|da|van|von)\s+)?(?:(?:al|el)-)?[A-Z][\w'’]*(?:-[A-Z]?[\w'’]*)*){0,4}"
)
_ONE_MORE = re.compile(r"another|an?\s+(?:second|third|fourth|fifth)", re.I)
# "wounded in the ambush outside Mayadin died": a name after a preposition is a place, not the dead.
_PLACE_PREPOSITION_BEFORE = re.compile(
    r"\b(?i:in|at|near|outside|inside|from|of|to|into|around|towards?)\s+$"
)
# ", a former parliamentarian," / ", the head of the council,": who the person named was.
_APPOSITION = r",\s+(?:an?|the|his|her)\s[^,;]{1,80},"
# A toll over several attacks, of which the incident is one: "across all four assaults", "across
# both blasts", "across three of the assaults", "in the three villages", "the first of two attacks,
# across which ...".
_ATTACKS = (
    r"(?:attacks|assaults|blasts|bombings|explosions|incidents|events|raids|strikes|ambushes|"
    r"shootings|executions|abductions|kidnappings|clashes|towns|villages|neighbou?rhoods|cities)"
)
_HOW_MANY = rf"(?:both|all|{_WORD_NUMBER}|\d+)"
_SHARED = re.compile(
    rf"\bacross\s+(?:(?:all|each)\s+(?:of\s+)?)?(?:the\s+|these\s+)?(?:(?P<n>{_HOW_MANY})\s+)?"
    rf"(?:of\s+the\s+)?(?:[\w-]+\s+)?{_ATTACKS}\b"
    rf"|\b(?:in|during)\s+(?:all\s+|the\s+)?(?P<m>both|all|(?<=the\s)(?:{_WORD_NUMBER}|\d+))\s+"
    rf"(?:[\w-]+\s+)?{_ATTACKS}\b"
    rf"|\b(?:one|the first|the second|the third|the last) of (?P<k>{_HOW_MANY})\s+(?:[\w-]+\s+){{0,2}}?"
    rf"{_ATTACKS}\b[^.;]*?\b(?:across|in|during) which\b",
    re.I,
)
# "casualties on both sides": the evidence keeps the words that say the toll covers both sides.
_BOTH_SIDES = re.compile(r"\s+(?:on|among|from|for) (?:both|each|the two) sides\b", re.I)
_RANGE = re.compile(rf"\bbetween\s+(?P<low>{_DIGITS}|{_WORD_NUMBER})\s+and\s+$", re.I)
_CONJUNCT_WORD = re.compile(r"[\w'’\"“”-]+")
_CONJUNCT = re.compile(r"\s+(?:and|or)\s+((?:[\w'’\"“”-]+\s+){0,4}[\w'’\"“”-]+)", re.I)
_NOUN_STOP = re.compile(
    r"^(?:in|on|at|near|during|after|when|while|as|by|from|since|following|before|and|or|but|were|was|"
    r"have|has|had|are|is|who|which|that|with|to|for|over|across|inside|outside|amid|according|said|"
    r"says|told|tells|added)$",
    re.I,
)


_ARMED_INTERS = frozenset(("Rebel group", "Political militia", "Identity militia"))
# A record whose toll is its share of a toll told over several attacks.
FLAG_TOLL_SHARED = "toll_shared"
# The category of dead and hurt counted together ("ten killed and injured"), read as a vague toll.
COMBINED = "casualties"


@dataclass(frozen=True)
class CountMember:
    n: int | None
    low: int | None
    high: int | None
    noun: str
    side: str  # "civilians" | "state_forces" | "armed_group" | "unknown"
    start: int
    end: int
    actor: str | None = None  # the named group the people belong to ("seven Taliban fighters")


@dataclass
class CountMention:
    """One count of people in a clause; offsets are into the clause text."""

    category: str  # killed | wounded | arrested | abducted
    best: int | None
    low: int | None
    high: int | None
    vague: bool
    start: int
    end: int
    text: str
    victims: str  # the words naming who was counted, for actor resolution
    members: list[CountMember] = field(default_factory=list)
    revised: bool = False  # "the death toll rose to 19": a later figure that replaces the earlier
    # "14 killed across all four assaults": this incident's even share of a toll over that many
    # attacks (0: over several, how many not said; None: the count is this incident's own).
    shared_by: int | None = None
    # "executed them", "the captives were beheaded": the dead are people counted before (the
    # abducted), how many said there.
    of_earlier: bool = False

    def by_side(self) -> dict[str, int]:
        sides: dict[str, int] = {}
        for m in self.members:
            if m.n is not None:
                sides[m.side] = sides.get(m.side, 0) + m.n
        return sides


@dataclass(frozen=True)
class _Lexicon:
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
def _lexicon() -> _Lexicon:
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
            rf"^{_APPOSITIVE}{_WHERE_FROM}[\s,\"“”]*(?:(?:were|was|have been|has been|had been|are|is|got|being)\s+)?"
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
        rf"(?<!\bno\s)\b(?:(?P<qual>{qual})\s+)?(?:(?P<vague>{vague_alt})|(?P<num>{_DIGITS}|{_WORD_NUMBER})"
        rf"|(?P<article>an?\s+(?:second|third|fourth|fifth)\b(?!\s+of\b)|an?|another))\b(?!\s*%)",
        re.I,
    )
    return _Lexicon(
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


# The largest number read as a count of people.
MAX_COUNT = 10_000_000


def parse_number(text: str) -> int | None:
    """'387,000' -> 387000, 'twenty-five' -> 25, 'two hundred' -> 200, '3 thousand' -> 3000."""
    t = text.lower().replace(",", "").strip()
    multiplier = 1
    for word, factor in (("thousand", 1000), ("million", 1_000_000)):
        if t.endswith(word):
            multiplier, t = factor, t[: -len(word)].strip()
    try:
        number = float(t) * multiplier
    except ValueError:
        pass
    else:
        # No report counts more people than this; 1e100 or 1e308 is noise (and overflows a column).
        return int(number) if 0 <= number <= MAX_COUNT else None
    total, current = 0, 0
    for word in re.split(r"[\s-]+", t):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current *= 100
        elif word == "and":
            continue
        else:
            return None
    number = (total + current) * multiplier
    return number if number <= MAX_COUNT else None


def _noun_window(text: str, start: int) -> tuple[str, int]:
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
        stop = words and not token.isupper() and _NOUN_STOP.match(token)
        if token.lower() in _lexicon().outcome_words or stop:
            break
        if len(words) >= 9:
            break
        words.append(token)
        end = start + m.end()
    return " ".join(words), end


def _side_of(noun: str) -> str:
    """The side of the people a noun phrase names; allegiance words ("pro-regime") beat role nouns."""
    sides = _lexicon().sides
    found = {sides.get(w) or sides.get(f"{w}s") for w in re.findall(r"[\w-]+", noun.lower())}
    for side in ("state_forces", "civilians", "armed_group"):
        if side in found:
            return side
    return _named_side(noun)


def _member(
    n: int | None, low: int | None, high: int | None, noun: str, start: int, end: int
) -> CountMember:
    return CountMember(n, low, high, noun, _side_of(noun), start, end, _named_group(noun))


@lru_cache(maxsize=4096)
def _named_group(noun: str) -> str | None:
    """The named group a noun phrase counts people of ("members of the Islamic State group")."""
    mention = next((m for m in ActorDictionary.default().find(noun) if not m.generic), None)
    return mention.name if mention is not None else None


def _named_side(noun: str) -> str:
    """The side of a named group ("12 members of the Islamic State group", "ISIS members"): state
    forces, and militias that fight alongside them, are one side; other armed groups the other."""
    dictionary = ActorDictionary.default()
    name = _named_group(noun)
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


def _names_things(noun: str) -> bool:
    things = _lexicon().things
    return any(w in things for w in re.findall(r"[\w'’-]+", noun.lower()))


def _is_one(word: str) -> bool:
    """A noun for one person ("driver", "policeman", "colonel"), not a group ("police", "army")."""
    w = word.lower()
    lex = _lexicon()
    return w in lex.one_person or f"{w}s" in lex.person_nouns


def _is_person_count(noun: str) -> bool:
    nouns = _lexicon().person_nouns
    return any(w in nouns or f"{w}s" in nouns for w in re.findall(r"[\w'’-]+", noun.lower()))


def _value(match: re.Match[str]) -> tuple[int | None, int | None, int | None, bool] | None:
    """(best, low, high, vague) for a matched number phrase, per the spec's conventions."""
    lex = _lexicon()
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


def find_counts(original: str) -> list[CountMention]:
    """Counts of people in one clause or sentence, in text order."""
    # "13 Syrian Armed Forces (SAF) soldiers and four workers": an acronym in brackets is read as
    # blank space (same length, so every offset still points into the original text).
    text = _BRACKETED_ACRONYM.sub(lambda m: " " * len(m.group()), original)
    lex = _lexicon()
    subsets = [m.span() for m in _SUBSET_REGION.finditer(text)]

    def in_subset(match: re.Match[str]) -> bool:
        return any(s <= match.start() < e for s, e in subsets)

    numbers = [m for m in lex.number.finditer(text) if not _not_a_count(text, m)]
    mentions: list[CountMention] = _zero_counts(text)
    i = 0
    while i < len(numbers):
        first = numbers[i]
        if in_subset(first):
            i += 1
            continue
        members, j, group_end = _collect_list(text, numbers, i)
        if not members:
            i += 1
            continue
        # Words after the group up to the next counted number say what happened (passive form);
        # "a" in "two shepherds from a village ... were killed" counts no one.
        where = _WHERE_FROM_RE.match(text, group_end)
        while where and j < len(numbers) and numbers[j].start() < where.end():
            j += 1
        next_start = len(text)
        for later in numbers[j:]:
            if not in_subset(later):
                next_start = later.start()
                break
        conjunct = _conjunct_length(text[group_end:next_start])
        members = _with_conjunct(members, text, group_end, group_end + conjunct)
        group_end += conjunct
        after = _SUBSET_REGION.sub("", text[group_end:next_start], count=1)
        group_start = members[0].start
        before = text[max(0, group_start - 60, mentions[-1].end if mentions else 0) : group_start]
        category, passive = _category(after, before)
        if passive and _is_agent(text, group_end, lex.after.get(category)):
            i = j
            continue
        active = _active_category(before)
        if passive and active not in (None, category) and len(members) > 1 and j - i > 1:
            # "killing six of the attackers, and one soldier was wounded": the verb before the list
            # and the verb after its last member tell two counts apart; the last is read again.
            members, j = members[:-1], j - 1
            group_end = members[-1].end
            category, passive = active, False
        nouns = " ".join(m.noun for m in members)
        # An active verb before a number ("killed 15 ...") counts people only when people are named;
        # a verb right after the people ("15 were killed", "9 bodies", "toll rose to 23") always does.
        # "killed three civilians and wounded 11": a bare number after a count of people counts them.
        elided = not nouns.strip() and bool(mentions and mentions[-1].members)
        people = _is_person_count(nouns)
        # "over 130 airstrikes executed": a verb after things counts no one.
        things = not people and _names_things(nouns)
        if category is None or things or not (passive or elided or people):
            i = j
            continue
        if not passive:
            members = _owned_by_subject(members, before)
        members = _with_perpetrators(_breakdown(members, text), before, group_start, category)
        best, low, high, vague = _sum(members)
        # "between one and two civilians": the lower figure, as coders take it, within the range.
        if (span := _RANGE.search(before)) and len(members) == 1 and best is not None:
            best = low = min(parse_number(span.group("low")) or best, best)
            members = [replace(members[0], n=best, low=low)]
            group_start -= len(before) - span.start()
        # The evidence span runs to the verb when the verb follows the people directly.
        verb = lex.after[category].match(text[group_end:next_start])
        end = group_end + verb.end() if verb else group_end
        if both_sides := _BOTH_SIDES.match(text, end):
            end = both_sides.end()
        if category == COMBINED:
            # Dead and hurt together: at most that many dead, never a number of dead.
            category, best, low, high, vague = "killed", None, None, high, True
        mentions.append(
            CountMention(
                category=category,
                best=best,
                low=low,
                high=high,
                vague=vague,
                start=group_start,
                end=end,
                text=original[group_start:end],
                victims=original[group_start:group_end],
                members=members,
                revised=bool(_REVISED.search(before)),
            )
        )
        i = j
    mentions.extend(_one_named(original, text, mentions))
    mentions.extend(_them_killed(original, text, mentions))
    return sorted(_shares(mentions, text), key=lambda m: m.start)


def _shares(mentions: list[CountMention], text: str) -> list[CountMention]:
    """A toll told over several attacks ("at least 14 killed across all four assaults") is not
    this incident's: like ACLED's and GTD's coders, take its even share (each side's dead apart,
    halves rounded up), with the total as the upper bound; when the number of attacks is not
    said, the share is unknown."""
    shared = _SHARED.search(text)
    if shared is None:
        return mentions
    word = next(w for w in shared.groups() if w is not None) if any(shared.groups()) else "all"
    attacks = {"both": 2, "all": None}.get(word.lower(), parse_number(word))
    return [
        _share(m, attacks) if m.category in ("killed", "wounded") and m.best != 0 else m
        for m in mentions
    ]


def _share(mention: CountMention, attacks: int | None) -> CountMention:
    """One attack's even share of a toll over `attacks` attacks."""
    if not attacks or attacks < 2 or mention.best is None:
        unknown = [replace(m, n=None, low=0) for m in mention.members]
        return replace(
            mention, best=None, low=0, vague=True, members=unknown, shared_by=attacks or 0
        )
    members = [replace(m, n=_even_share(m.n, attacks), low=0) for m in mention.members]
    best = sum(m.n or 0 for m in members) if members else _even_share(mention.best, attacks)
    return replace(mention, best=best, low=0, members=members, shared_by=attacks)


def _even_share(n: int | None, attacks: int) -> int | None:
    """n over `attacks`, a half rounded up (14 over four attacks is 4 each); a toll that has dead
    gives each attack at least one, as a coder puts "one killed across three attacks" on one."""
    if n is None:
        return None
    return max(min(n, 1), (2 * n + attacks) // (2 * attacks))


@lru_cache(maxsize=1)
def _one_patterns() -> tuple[re.Pattern[str], ...]:
    """Ways of telling that one person was killed, each with the group `who` naming the person:
    a noun or a title and name before a singular passive ("the colonel was killed", "Captain
    al-Bayati died", "Hadi, a local official, was shot dead"), a title and name or a noun after
    an active verb ("killed Lieutenant Colonel X", "executed the mayor"), and "killing him"."""
    titles = rf"(?:(?:{_lexicon().titles})\.?\s+)"
    return (
        re.compile(
            rf"(?<![\w,])(?P<who>(?:(?i:the|his|her|their)\s+(?:[\w-]+\s+){{0,2}}(?P<noun>[\w-]+)|"
            rf"{titles}{{0,3}}{_NAME})(?:{_APPOSITION})?)\s+(?P<verb>(?i:{_ONE_VERB_PASSIVE}))\b"
        ),
        re.compile(
            rf"\b(?i:{_ONE_VERB_ACTIVE})\s+(?P<who>{titles}{{1,3}}{_NAME}|{_NAME}(?={_APPOSITION})|"
            rf"(?i:the|an?)\s+(?:[\w-]+\s+){{0,2}}?(?P<noun>[\w-]+)\b(?!\s+(?:and|of them|of whom)\b))"
        ),
        re.compile(
            rf"\b(?i:{_ONE_VERB_ACTIVE}|shot(?=\s+\w+\s+dead)|shooting(?=\s+\w+\s+dead))\s+"
            r"(?P<who>(?i:him|her))\b"
            r"|\b(?i:causing|caused|resulting in|resulted in|leading to|led to)\s+"
            r"(?P<who2>(?i:his|her))\s+(?i:(?:immediate|instant)\s+)?(?i:death)\b"
        ),
    )


def _one_named(original: str, text: str, found: list[CountMention]) -> list[CountMention]:
    """ "The sniper was also killed", "Colonel X was killed", "executed the mayor", "killing
    him": one person, named by a singular noun, a title or a name, or a pronoun."""
    mentions: list[CountMention] = []
    for pattern in _one_patterns():
        for match in pattern.finditer(text):
            who = "who" if match.group("who") is not None else "who2"
            if (
                not _names_one(match, who)
                or _overlaps(match, [*found, *mentions])
                or _PLACE_PREPOSITION_BEFORE.search(text, 0, match.start(who))
            ):
                continue
            start, end = match.start(who), match.end(who)
            member = _member(1, 1, 1, text[start:end], start, end)
            mentions.append(
                CountMention(
                    "killed",
                    1,
                    1,
                    1,
                    False,
                    match.start(),
                    match.end(),
                    original[match.start() : match.end()],
                    original[start:end],
                    [member],
                )
            )
    return mentions


def _overlaps(match: re.Match[str], mentions: list[CountMention]) -> bool:
    """Whether the words are part of a count already read."""
    return any(m.start < match.end() and match.start() < m.end for m in mentions)


def _them_killed(original: str, text: str, found: list[CountMention]) -> list[CountMention]:
    """ "Gunmen abducted five farmers and executed them": dead told as people counted before; how
    many is the earlier count's (assemble resolves it), except "both of them"."""
    mentions: list[CountMention] = []
    for pattern in _THEM_KILLED:
        for match in pattern.finditer(text):
            if _overlaps(match, [*found, *mentions]):
                continue
            who = "who" if match.group("who") is not None else "who2"
            start, end = match.start(who), match.end(who)
            both = 2 if match.group(who).lower().startswith("both") else None
            mentions.append(
                CountMention(
                    "killed",
                    both,
                    both,
                    both,
                    both is None,
                    match.start(),
                    match.end(),
                    original[match.start() : match.end()],
                    original[start:end],
                    [_member(both, both, both, text[start:end], start, end)],
                    of_earlier=both is None,
                )
            )
    return mentions


def _names_one(match: re.Match[str], who: str) -> bool:
    """Whether the words name one person: a singular person noun, or a name that is no group's
    and no sentence's opening word ("The", "He"), described (if at all) as a person."""
    if "noun" in match.re.groupindex and match.group("noun") is not None:
        return _is_one(match.group("noun"))
    words = match.group(who)
    if words.lower() in ("him", "her", "his"):
        return True
    first = re.match(r"[\w'’-]+", words)
    if first is None or first.group().lower() in _lexicon().not_names:
        return False
    # "Hadi, a local official," names a person; "Sulaimaniyah, an area outside the city," a place.
    name, _, apposition = words.partition(",")
    if apposition and not any(_is_one(w) for w in re.findall(r"[\w-]+", apposition)):
        return False
    return not any(not m.generic for m in ActorDictionary.default().find(name))


def _zero_counts(text: str) -> list[CountMention]:
    """ "No casualties were reported" is a count: 0 killed and 0 wounded."""
    found: dict[str, CountMention] = {}
    for pattern, categories in _lexicon().zero:
        for match in pattern.finditer(text):
            for category in categories:
                found.setdefault(
                    category,
                    CountMention(
                        category, 0, 0, 0, False, match.start(), match.end(), match.group(), ""
                    ),
                )
    return list(found.values())


def _not_a_count(text: str, match: re.Match[str]) -> bool:
    """A number that counts no one: a year, a time, a distance, an age ("a 15-year-old boy"),
    a family size ("a father of five") or part of a name ("Route 5", "Brigade 313")."""
    raw = match.group("num") or ""
    following = text[match.end() : match.end() + 12].lower()
    if re.fullmatch(r"(?:19|20)\d\d", raw) and not match.group("qual"):
        return True
    lex = _lexicon()
    if raw and (
        lex.not_count_after.match(text, match.end())
        or lex.not_count_before.search(text, max(0, match.start() - 30), match.start())
    ):
        return True
    if re.match(
        r"\s*(?:hours?|days?|weeks?|months?|years?|km|kilometers|kilometres|miles|meters|metres|am|pm|a\.m|p\.m|percent|per cent)\b",
        following,
    ):
        return True
    # Part of a date ("April 9", "9 January"), a clock time or a name ("Division 25").
    preceding = text[max(0, match.start() - 10) : match.start()].lower()
    months = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*$"
    if raw.isdigit() and (
        re.search(months, preceding)
        or re.match(r"\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", following)
    ):
        return True
    return bool(re.search(r"[:/]$", preceding) or re.match(r"[:/]\d", following))


def _collect_list(
    text: str, numbers: list[re.Match[str]], i: int
) -> tuple[list[CountMember], int, int]:
    """A count and the counts joined to it by commas/'and' into one summed list."""
    members: list[CountMember] = []
    j = i
    # "a general and four soldiers", "the officer and three relatives": a lone person before the
    # first number.
    lead = re.search(
        r"\b(?:(?P<one>an?|one)|the|his|her|their)\s+([\w-]+)\s+and\s+$",
        text[max(0, numbers[i].start() - 40) : numbers[i].start()],
        re.I,
    )
    if lead and (_is_person_count(lead.group(2)) if lead.group("one") else _is_one(lead.group(2))):
        s = numbers[i].start() - len(lead.group(0))
        members.append(_member(1, 1, 1, lead.group(2), s, s + len(lead.group(0))))
    end = numbers[i].start()
    while j < len(numbers):
        match = numbers[j]
        if j > i and not re.fullmatch(r"\s*(?:,\s*(?:and\s+)?|and\s+)", text[end : match.start()]):
            break
        value = _value(match)
        if value is None:
            break
        noun, noun_end = _noun_window(text, match.end())
        # "a" counts one person only before a person noun ("killed a soldier", not "a bomb killed"),
        # and "one of Idlib's largest towns" is no count of people.
        one_of = (match.group("num") or "").lower() == "one" and noun.lower().startswith("of ")
        # "killing two fighters and wounding a third / another": one more of the people just
        # counted, the noun left out ("a member of HTS and another of Hurras al-Din").
        one_more = bool(_ONE_MORE.fullmatch(match.group("article") or "")) and (
            not noun.strip() or noun.lower().startswith("of ")
        )
        if (members or match.group("article") or one_of) and not (
            _is_person_count(noun) or one_more
        ):
            break
        # "killing five civilians, a local aid worker said": the person named last is the source;
        # "11 soldiers, four of whom died later" names a part of the list, not more people.
        if members and (_ATTRIBUTION.match(text, noun_end) or PART_OF.match(noun)):
            break
        if members and _is_appositive(text, match, noun_end, numbers[j + 1 : j + 2]):
            # Read over, so that the verb after it still tells what happened to the people.
            j += 1
            while j < len(numbers) and numbers[j].start() < noun_end:
                j += 1
            break
        best, low, high, _vague = value
        members.append(_member(best, low, high, noun, match.start(), noun_end))
        end = noun_end
        j += 1
        # "nine members of a militia", "four people of the two tribes": "of" a number inside the
        # noun is part of it, not a count.
        while (
            j < len(numbers)
            and numbers[j].start() < end
            and _OF_BEFORE.search(text, max(0, numbers[j].start() - 20), numbers[j].start())
        ):
            j += 1
        # "nine militiamen and a shepherd": a lone person closing the list.
        tail = re.match(r"\s*,?\s*and\s+(?:an?|one)\s+([\w-]+)\b", text[end:], re.I)
        if (
            tail
            and _is_person_count(tail.group(1))
            and (j >= len(numbers) or numbers[j].start() > end + tail.end())
        ):
            members.append(_member(1, 1, 1, tail.group(1), end, end + tail.end()))
            end += tail.end()
    return members, max(j, i + 1), end


def _breakdown(members: list[CountMember], text: str) -> list[CountMember]:
    """ "Six people, two militiamen and four policemen, were killed": a list after a comma that adds
    up to the first count says who they were; it is the count, not more people."""
    first, rest = members[0], members[1:]
    if (
        len(rest) > 1
        and first.noun.lower() in _lexicon().generic_people
        and first.n is not None
        and all(m.n is not None for m in rest)
        and sum(m.n or 0 for m in rest) == first.n
        and re.fullmatch(r"\s*,\s*", text[first.end : rest[0].start])
    ):
        return rest
    return members


def _with_perpetrators(
    members: list[CountMember], before: str, group_start: int, category: str | None
) -> list[CountMember]:
    """ "In addition to the bomber, two police officers were killed": the bomber died too."""
    besides = _IN_ADDITION.search(before) if category == "killed" else None
    if besides is None:
        return members
    n = parse_number(besides.group("n")) if besides.group("n") else 1
    if n is None or (n == 1 and besides.group("who").lower().endswith(("s", "men"))):
        return members  # "in addition to the assailants": how many is not said
    start = group_start - (len(before) - besides.start())
    return [_member(n, n, n, besides.group("who"), start, start + len(besides.group())), *members]


def _owned_by_subject(members: list[CountMember], before: str) -> list[CountMember]:
    """ "ISIS lost 11 members": the people lost are the subject's own."""
    owner = _LOST.search(before)
    if owner is None:
        return members
    side, actor = _side_of(owner.group(1)), _named_group(owner.group(1))
    return [replace(m, side=side, actor=actor) if m.side == "unknown" else m for m in members]


def _conjunct_length(after: str) -> int:
    """ "19 members of regime forces and loyalists were killed", "eight soldiers and "Al-Quds
    Brigade" dead": people joined to the count without a number of their own belong to it; their
    length, so that the verb after them is read."""
    conjunct = _CONJUNCT.match(after)
    if conjunct is None:
        return 0
    lex = _lexicon()
    end = None
    for word in _CONJUNCT_WORD.finditer(after, conjunct.start(1), conjunct.end(1)):
        bare = word.group().strip('"“”').lower()
        if bare in lex.outcome_words or (_NOUN_STOP.match(bare) and not word.group().isupper()):
            break
        end = word.end()
    if end is None:
        return 0
    people = after[conjunct.start(1) : end]
    # "abducted five men and shot them": a pronoun is the people counted, not more of them.
    if re.search(r"\b(?:them|whom)\b", people, re.I):
        return 0
    if not _is_person_count(people) and _named_side(people) == "unknown":
        return 0
    return end


def _with_conjunct(
    members: list[CountMember], text: str, start: int, end: int
) -> list[CountMember]:
    """ "eight soldiers and the driver were killed": one more person; "over ten regime soldiers
    and ISIS members killed": one number over two sides is no side's."""
    conjunct = text[start:end]
    if not conjunct:
        return members
    one = _DEFINITE_ONE.match(conjunct)
    if one and _is_one(one.group(1)):
        return [*members, _member(1, 1, 1, conjunct.strip(), start, end)]
    last, side = members[-1], _side_of(conjunct)
    if "unknown" in (last.side, side) or side == last.side:
        return members
    return [*members[:-1], replace(last, side="unknown", actor=None)]


def _is_appositive(
    text: str, match: re.Match[str], noun_end: int, following: list[re.Match[str]]
) -> bool:
    """ "seven members of the NDF, a pro-regime militia, were killed", "one civilian, a child,
    was killed": "a ..." set off by commas describes the people before it; in a list ("a soldier,
    a policeman, and two civilians") another member follows the closing comma."""
    if not match.group("article") or not re.search(r",\s*$", text[: match.start()]):
        return False
    closing = re.match(r"\s*,\s*(?:(?:and|or)\s+)?", text[noun_end:])
    if closing is None:
        return False
    return not (following and following[0].start() == noun_end + closing.end())


def _sum(members: list[CountMember]) -> tuple[int | None, int | None, int | None, bool]:
    if len(members) == 1:
        m = members[0]
        return m.n, m.low, m.high, m.n is None
    if any(m.n is None for m in members):
        lows = [m.low or 0 for m in members]
        return None, sum(lows), None, True
    best = sum(m.n or 0 for m in members)
    low = sum(m.low for m in members) if all(m.low is not None for m in members) else best
    high = sum(m.high for m in members) if all(m.high is not None for m in members) else None
    return best, low, high, False


def _active_category(before: str) -> str | None:
    """The category of an active verb right before a count ("killing 6"), "left" aside."""
    for category, pattern in _lexicon().before.items():
        match = pattern.search(before)
        if match and match.group().strip().lower() not in ("left", "leaving"):
            return category
    return None


def _is_agent(text: str, group_end: int, verb_pattern: re.Pattern[str] | None) -> bool:
    """ "Two gunmen shot dead a policeman": a verb with no auxiliary and an object after it makes
    the counted people the ones who acted."""
    verb = verb_pattern.match(text[group_end:]) if verb_pattern else None
    if verb is None or _AUXILIARY_IN.search(verb.group()):
        return False
    return bool(_OBJECT.match(text, group_end + verb.end()))


def _category(after: str, before: str) -> tuple[str | None, bool]:
    """What happened to the counted people, and whether the wording fixes the count as people."""
    lex = _lexicon()
    for category, pattern in lex.after.items():
        if pattern.match(after):
            return category, True
    for category, pattern in lex.before.items():
        match = pattern.search(before)
        if match and match.group().strip().lower() in ("left", "leaving"):
            left = lex.after_left.get(category)
            if left and left.match(after):
                return category, True
            continue
        if match:
            return category, "toll" in match.group().lower()
    return None, False
