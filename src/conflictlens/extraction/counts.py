"""Counts of people killed, wounded, arrested and abducted, with their qualifiers and structure.

Handles digits and words ("seven", "twenty-five", "387,000"), qualifiers mapped to best/low/high by the
spec's conventions ("at least", "nearly", "about"), vague words as documented ranges ("several", "dozens"),
subsets that are not added ("15 soldiers, including 5 officers"), lists that are summed and split by side
("eight soldiers, four allied fighters and three civilians"), passive ("seven were killed"), active
("killed seven"), and "left N dead".

This module finds the counts in a clause and what happened to the people counted; numbers.py reads
numbers, count_words.py the words around them (who, which side) and count_lists.py lists of people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from conflictlens.extraction.actors import ActorDictionary
from conflictlens.extraction.count_lists import (
    PART_OF,
    breakdown,
    collect_list,
    conjunct_length,
    owned_by_subject,
    sum_members,
    with_conjunct,
    with_perpetrators,
)
from conflictlens.extraction.count_words import (
    WHERE_FROM,
    CountMember,
    is_one,
    is_person_count,
    lexicon,
    member,
    names_things,
)
from conflictlens.extraction.numbers import DIGITS, WORD_NUMBER, parse_number

__all__ = ["COMBINED", "FLAG_TOLL_SHARED", "PART_OF", "CountMember", "CountMention", "find_counts"]

# "15 soldiers, including 5 officers and 10 troops, were killed": the clause after the cue is a subset.
_SUBSET_REGION = re.compile(
    r"\b(?:including|among them|among whom|of whom|of them|among the dead(?: were)?|"
    r"among those killed(?: were)?|most of them|mostly)\b[^,;:]*?"
    # "including a December 31 ambush in which five fighters were killed": the relative clause is not
    # part of the subset.
    r"(?=,|;|\s+(?:were|was|have|had|are|in which|during which|where|which|that|who)\b|$)",
    re.I,
)
# "nine among the dead were policemen", "four of those killed came from Mamash Khel": a part of a
# toll told elsewhere, never a count of its own. Not "four of the victims" (of a kidnapping, say)
# nor "two of the wounded", who may be counted dying.
_PART_OF_TOLL = re.compile(
    r"\s+(?:of|among)\s+(?:the|those)\s+(?:dead|killed|slain|deceased|fatalities)\b", re.I
)
_BRACKETED_ACRONYM = re.compile(r"\s*\([A-Z][A-Za-z-]{1,9}\)")
_WHERE_FROM_RE = re.compile(WHERE_FROM.removesuffix("?"), re.I)
_AUXILIARY_IN = re.compile(r"\b(?:were|was|been|are|is|got|being)\b", re.I)
# The object of an active verb: "... killed a policeman", "... shot dead two soldiers", "... killed the mayor".
# "A suicide bomber killed more than 40 people": an approximate number is an object too.
_OBJECT = re.compile(
    r"\s+(?:(?:more than|at least|over|nearly|almost|about|around|some|up to|as many as)\s+"
    rf"(?=\d|{WORD_NUMBER}))?"
    rf"(?:an?|his|her|their|its|\d+|{WORD_NUMBER}|the(?!\s+(?:day|night|week|month|morning|evening|"
    r"afternoon|previous|following|same|next|last|other)\b))\s",
    re.I,
)
_REVISED = re.compile(
    r"\b(?:toll|number|tally|fatalities|deaths|dead)\b.{0,60}?\b(?:rose|risen|rises|climbed|climbs|"
    r"increased|jumped|reached|soared|mounted)\s+(?:to\s+|at\s+)?$",
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
_HOW_MANY = rf"(?:both|all|{WORD_NUMBER}|\d+)"
_SHARED = re.compile(
    rf"\bacross\s+(?:(?:all|each)\s+(?:of\s+)?)?(?:the\s+|these\s+)?(?:(?P<n>{_HOW_MANY})\s+)?"
    rf"(?:of\s+the\s+)?(?:[\w-]+\s+)?{_ATTACKS}\b"
    rf"|\b(?:in|during)\s+(?:all\s+|the\s+)?(?P<m>both|all|(?<=the\s)(?:{WORD_NUMBER}|\d+))\s+"
    rf"(?:[\w-]+\s+)?{_ATTACKS}\b"
    rf"|\b(?:one|the first|the second|the third|the last) of (?P<k>{_HOW_MANY})\s+(?:[\w-]+\s+){{0,2}}?"
    rf"{_ATTACKS}\b[^.;]*?\b(?:across|in|during) which\b",
    re.I,
)
# "casualties on both sides": the evidence keeps the words that say the toll covers both sides.
_BOTH_SIDES = re.compile(r"\s+(?:on|among|from|for) (?:both|each|the two) sides\b", re.I)
_RANGE = re.compile(rf"\bbetween\s+(?P<low>{DIGITS}|{WORD_NUMBER})\s+and\s+$", re.I)


# A record whose toll is its share of a toll told over several attacks.
FLAG_TOLL_SHARED = "toll_shared"
# The category of dead and hurt counted together ("ten killed and injured"), read as a vague toll.
COMBINED = "casualties"


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


def find_counts(original: str) -> list[CountMention]:
    """Counts of people in one clause or sentence, in text order."""
    # "13 Syrian Armed Forces (SAF) soldiers and four workers": an acronym in brackets is read as
    # blank space (same length, so every offset still points into the original text).
    text = _BRACKETED_ACRONYM.sub(lambda m: " " * len(m.group()), original)
    lex = lexicon()
    subsets = [m.span() for m in _SUBSET_REGION.finditer(text)]
    numbers = [m for m in lex.number.finditer(text) if not _not_a_count(text, m)]
    subsets += [n.span() for n in numbers if _PART_OF_TOLL.match(text, n.end())]

    def in_subset(match: re.Match[str]) -> bool:
        return any(s <= match.start() < e for s, e in subsets)

    mentions: list[CountMention] = _zero_counts(text)
    i = 0
    while i < len(numbers):
        first = numbers[i]
        if in_subset(first):
            i += 1
            continue
        members, j, group_end = collect_list(text, numbers, i)
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
        conjunct = conjunct_length(text[group_end:next_start])
        members = with_conjunct(members, text, group_end, group_end + conjunct)
        group_end += conjunct
        # "A soldier, Private Ali Hassan, was killed": the verb follows the people's names.
        verb_from = _named_apposition_end(text, group_end, next_start)
        after = _SUBSET_REGION.sub("", text[verb_from:next_start], count=1)
        group_start = members[0].start
        before = text[max(0, group_start - 60, mentions[-1].end if mentions else 0) : group_start]
        category, passive = _category(after, before)
        if passive and _is_agent(text, verb_from, lex.after.get(category)):
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
        people = is_person_count(nouns)
        # "over 130 airstrikes executed": a verb after things counts no one.
        things = not people and names_things(nouns)
        if category is None or things or not (passive or elided or people):
            i = j
            continue
        if not passive:
            members = owned_by_subject(members, before)
        members = with_perpetrators(breakdown(members, text), before, group_start, category)
        best, low, high, vague = sum_members(members)
        # "between one and two civilians": the lower figure, as coders take it, within the range.
        if (span := _RANGE.search(before)) and len(members) == 1 and best is not None:
            best = low = min(parse_number(span.group("low")) or best, best)
            members = [replace(members[0], n=best, low=low)]
            group_start -= len(before) - span.start()
        # The evidence span runs to the verb when the verb follows the people directly.
        verb = lex.after[category].match(text[verb_from:next_start])
        end = verb_from + verb.end() if verb else group_end
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
    titles = rf"(?:(?:{lexicon().titles})\.?\s+)"
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
            person = member(1, 1, 1, text[start:end], start, end)
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
                    [person],
                )
            )
    return mentions


def _named_apposition_end(text: str, start: int, stop: int) -> int:
    """Where the words after counted people go on: past ", Major Zana Khalil," or ", Ali Hassan
    and Omar Saleh," (the people's names, between commas), else `start`."""
    match = _named_apposition().match(text, start, stop)
    return match.end() if match else start


@lru_cache(maxsize=1)
def _named_apposition() -> re.Pattern[str]:
    person = rf"(?:(?:{lexicon().titles})\.?\s+){{0,3}}{_NAME}"
    return re.compile(rf",\s+{person}(?:(?:,\s+|\s+and\s+|,\s+and\s+){person})*,")


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
                    [member(both, both, both, text[start:end], start, end)],
                    of_earlier=both is None,
                )
            )
    return mentions


def _names_one(match: re.Match[str], who: str) -> bool:
    """Whether the words name one person: a singular person noun, or a name that is no group's
    and no sentence's opening word ("The", "He"), described (if at all) as a person."""
    if "noun" in match.re.groupindex and match.group("noun") is not None:
        return is_one(match.group("noun"))
    words = match.group(who)
    if words.lower() in ("him", "her", "his"):
        return True
    first = re.match(r"[\w'’-]+", words)
    if first is None or first.group().lower() in lexicon().not_names:
        return False
    # "Hadi, a local official," names a person; "Sulaimaniyah, an area outside the city," a place.
    name, _, apposition = words.partition(",")
    if apposition and not any(is_one(w) for w in re.findall(r"[\w-]+", apposition)):
        return False
    return not any(not m.generic for m in ActorDictionary.default().find(name))


def _zero_counts(text: str) -> list[CountMention]:
    """ "No casualties were reported" is a count: 0 killed and 0 wounded."""
    found: dict[str, CountMention] = {}
    for pattern, categories in lexicon().zero:
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
    lex = lexicon()
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


def _active_category(before: str) -> str | None:
    """The category of an active verb right before a count ("killing 6"), "left" aside."""
    for category, pattern in lexicon().before.items():
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
    lex = lexicon()
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
