"""Lists of counted people summed into one count: "eight soldiers, four allied fighters and three
civilians", "a general and four soldiers", "nine militiamen and a shepherd", and what belongs to a
list without a number of its own (the bomber besides, "and the driver", "ISIS lost 11 members")."""

from __future__ import annotations

import re
from dataclasses import replace

from conflictlens.extraction.count_words import (
    NOUN_STOP,
    CountMember,
    is_one,
    is_person_count,
    lexicon,
    member,
    named_group,
    named_side,
    noun_window,
    number_value,
    side_of,
)
from conflictlens.extraction.numbers import WORD_NUMBER, parse_number

# "seven of them", "four of whom": a part of people named before.
PART_OF = re.compile(r"of (?:them|whom|those|these)\b", re.I)
_ATTRIBUTION = re.compile(r"\s+(?:said|says|told|reported|added|stated)\b", re.I)
_LOST = re.compile(r"((?:[\w'’-]+\s+){1,4}?)(?:has\s+|have\s+|had\s+)?(?:lost|losing)\s+$", re.I)
_OF_BEFORE = re.compile(r"\bof\s+(?:the\s+|these\s+|those\s+|its\s+|their\s+)?$", re.I)
# "and the driver", "and their commander": one person, named by a singular noun.
_DEFINITE_ONE = re.compile(r"\s+and\s+(?:the|his|her|their|its)\s+(?:[\w-]+\s+)?([\w-]+)\s*$", re.I)
_IN_ADDITION = re.compile(
    rf"\b(?:in addition to|besides|apart from|as well as)\s+(?:the\s+)?(?P<n>{WORD_NUMBER}|\d+)?\s*"
    r"(?P<who>(?:suicide\s+)?(?:bombers?|assailants?|attackers?|gunm[ae]n|perpetrators?))\s*,\s*$",
    re.I,
)
_ONE_MORE = re.compile(r"another|an?\s+(?:second|third|fourth|fifth)", re.I)
_CONJUNCT_WORD = re.compile(r"[\w'’\"“”-]+")
_CONJUNCT = re.compile(r"\s+(?:and|or)\s+((?:[\w'’\"“”-]+\s+){0,4}[\w'’\"“”-]+)", re.I)


def collect_list(
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
    if lead and (is_person_count(lead.group(2)) if lead.group("one") else is_one(lead.group(2))):
        s = numbers[i].start() - len(lead.group(0))
        members.append(member(1, 1, 1, lead.group(2), s, s + len(lead.group(0))))
    end = numbers[i].start()
    while j < len(numbers):
        match = numbers[j]
        if j > i and not re.fullmatch(r"\s*(?:,\s*(?:and\s+)?|and\s+)", text[end : match.start()]):
            break
        value = number_value(match)
        if value is None:
            break
        noun, noun_end = noun_window(text, match.end())
        # "a" counts one person only before a person noun ("killed a soldier", not "a bomb killed"),
        # and "one of Idlib's largest towns" is no count of people.
        one_of = (match.group("num") or "").lower() == "one" and noun.lower().startswith("of ")
        # "killing two fighters and wounding a third / another": one more of the people just
        # counted, the noun left out ("a member of HTS and another of Hurras al-Din").
        one_more = bool(_ONE_MORE.fullmatch(match.group("article") or "")) and (
            not noun.strip() or noun.lower().startswith("of ")
        )
        if (members or match.group("article") or one_of) and not (
            is_person_count(noun) or one_more
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
        members.append(member(best, low, high, noun, match.start(), noun_end))
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
            and is_person_count(tail.group(1))
            and (j >= len(numbers) or numbers[j].start() > end + tail.end())
        ):
            members.append(member(1, 1, 1, tail.group(1), end, end + tail.end()))
            end += tail.end()
    return members, max(j, i + 1), end


def breakdown(members: list[CountMember], text: str) -> list[CountMember]:
    """ "Six people, two militiamen and four policemen, were killed": a list after a comma that adds
    up to the first count says who they were; it is the count, not more people."""
    first, rest = members[0], members[1:]
    if (
        len(rest) > 1
        and first.noun.lower() in lexicon().generic_people
        and first.n is not None
        and all(m.n is not None for m in rest)
        and sum(m.n or 0 for m in rest) == first.n
        and re.fullmatch(r"\s*,\s*", text[first.end : rest[0].start])
    ):
        return rest
    return members


def with_perpetrators(
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
    return [member(n, n, n, besides.group("who"), start, start + len(besides.group())), *members]


def owned_by_subject(members: list[CountMember], before: str) -> list[CountMember]:
    """ "ISIS lost 11 members": the people lost are the subject's own."""
    owner = _LOST.search(before)
    if owner is None:
        return members
    side, actor = side_of(owner.group(1)), named_group(owner.group(1))
    return [replace(m, side=side, actor=actor) if m.side == "unknown" else m for m in members]


def conjunct_length(after: str) -> int:
    """ "19 members of regime forces and loyalists were killed", "eight soldiers and "Al-Quds
    Brigade" dead": people joined to the count without a number of their own belong to it; their
    length, so that the verb after them is read."""
    conjunct = _CONJUNCT.match(after)
    if conjunct is None:
        return 0
    lex = lexicon()
    end = None
    for word in _CONJUNCT_WORD.finditer(after, conjunct.start(1), conjunct.end(1)):
        bare = word.group().strip('"“”').lower()
        if bare in lex.outcome_words or (NOUN_STOP.match(bare) and not word.group().isupper()):
            break
        end = word.end()
    if end is None:
        return 0
    people = after[conjunct.start(1) : end]
    # "abducted five men and shot them": a pronoun is the people counted, not more of them.
    if re.search(r"\b(?:them|whom)\b", people, re.I):
        return 0
    if not is_person_count(people) and named_side(people) == "unknown":
        return 0
    return end


def with_conjunct(members: list[CountMember], text: str, start: int, end: int) -> list[CountMember]:
    """ "eight soldiers and the driver were killed": one more person; "over ten regime soldiers
    and ISIS members killed": one number over two sides is no side's."""
    conjunct = text[start:end]
    if not conjunct:
        return members
    one = _DEFINITE_ONE.match(conjunct)
    if one and is_one(one.group(1)):
        return [*members, member(1, 1, 1, conjunct.strip(), start, end)]
    last, side = members[-1], side_of(conjunct)
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


def sum_members(members: list[CountMember]) -> tuple[int | None, int | None, int | None, bool]:
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
