"""Dates: find the time expressions of a clause and resolve them against the publication date.

Relative expressions ("on Monday", "two days ago", "in October") resolve only when the publication date
is known; otherwise they come back with `value` None and a flag. Absolute dates with a year always
resolve. `precision` follows the spec: 1 day, 2 within a week, 3 month, 4 year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from conflictlens.clean import month_number
from conflictlens.extraction.numbers import parse_number
from conflictlens.models import FLAG_DATE_UNRESOLVED, FLAG_NO_PUBLICATION_DATE

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# Quantities of days that are not number words: "a few days ago" is about three.
_LOOSE_QUANTITIES = {"a couple of": 2, "a few": 3, "several": 3}
# Days counted from the day the text told last ("On February 11, ... . A day earlier, ..."): the
# shift in days of each wording.
_CHAINED = re.compile(
    r"\b(?:(?P<n>a|one|two|three) days? (?P<way>earlier|later|(?:before|after)(?=\s*[,.;:]|\s*$))"
    r"|the (?P<prev>previous|preceding) (?:day|night|evening)"
    r"|the (?P<next>next|following) (?:day|night|evening)"
    r"|(?:on )?the (?P<same>same) (?:day|night|evening))\b",
    re.I,
)


@dataclass(frozen=True)
class DateMention:
    start: int  # offsets into the clause text given to find_dates
    end: int
    text: str
    value: date | None
    precision: int
    relative: bool
    flags: tuple[str, ...] = ()


def _month_before(published: date, month: int, *, inclusive: bool = True) -> int:
    """The year of the latest `month` not after the publication month (a past event)."""
    if month < published.month or (inclusive and month == published.month):
        return published.year
    return published.year - 1


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 9 January 2021, 9 Jan. 2021
    (
        "dmy",
        re.compile(
            rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH}),?\s+(?P<y>(?:19|20)\d\d)\b",
            re.I,
        ),
    ),
    # January 9, 2021
    (
        "mdy",
        re.compile(
            rf"\b(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b",
            re.I,
        ),
    ),
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b")),
    # in March 2017, in October last year, early February 2022
    (
        "month_year",
        re.compile(
            rf"\b(?:(?:early|late|mid|mid-|the end of|the beginning of)\s*)?(?P<m>{_MONTH})\s+"
            rf"(?:of\s+)?(?P<y>(?:19|20)\d\d|last year|this year)\b",
            re.I,
        ),
    ),
    # on April 9, a December 30 ambush, (Jan 9)
    (
        "md",
        re.compile(
            rf"\b(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:,\s*)?(?:19|20)\d\d)",
            re.I,
        ),
    ),
    # 9 April
    (
        "dm",
        re.compile(
            rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH})\b(?!\s*,?\s*(?:19|20)\d\d)",
            re.I,
        ),
    ),
    ("yesterday", re.compile(r"\b(?:yesterday|last night|overnight)\b", re.I)),
    ("today", re.compile(r"\b(?:today|this morning|this afternoon|earlier today|tonight)\b", re.I)),
    (
        "ago",
        re.compile(
            r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|a couple of|a few|several)\s+"
            r"(?P<unit>days?|weeks?|months?)\s+ago\b",
            re.I,
        ),
    ),
    (
        "past_hours",
        re.compile(r"\b(?:over|in|during|within) the (?:past|last)\s+(?P<n>\d+)\s+hours\b", re.I),
    ),
    (
        "weekday",
        re.compile(
            r"\b(?:(?P<part1>early|late)\s+)?(?P<last>last\s+|this\s+|this past\s+|past\s+)?(?:on\s+)?"
            r"(?:(?P<part2>early|late)\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:['’]s)?\b",
            re.I,
        ),
    ),
    ("last_week", re.compile(r"\b(?:last|this past) week(?:end)?\b|\bearlier this week\b", re.I)),
    ("last_month", re.compile(r"\blast month\b", re.I)),
    ("this_month", re.compile(r"\b(?:earlier )?this month\b", re.I)),
    ("last_year", re.compile(r"\blast year\b", re.I)),
    # in October, earlier in January, in early February, late last month
    (
        "month",
        re.compile(
            rf"\b(?:(?:earlier|later)\s+)?(?:in|during|since|by|of)\s+(?:(?:early|late|mid|mid-)\s*)?"
            rf"(?P<m>{_MONTH})\b",
            re.I,
        ),
    ),
    ("year", re.compile(r"\b(?:in|during|of)\s+(?P<y>(?:19|20)\d\d)\b", re.I)),
]


def find_dates(
    text: str,
    published: date | None,
    anchor: date | None = None,
    *,
    published_precision: int = 1,
) -> list[DateMention]:
    """Time expressions in `text`, most specific first where they overlap, in text order. Days
    counted from another ("a day earlier", "on the same day") count from `anchor`, the day the text
    told last, or else from the publication date. A publication date known only to its month
    (`published_precision` 3, `published` its first day) dates "on Saturday" or "yesterday" to
    that month alone, at precision 3; a day the text spells out ("on August 19") keeps its day."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    month_only = published is not None and published_precision >= 3
    reference = _month_end(published) if month_only and published is not None else published
    base = anchor or reference
    if base is not None:
        for match in _CHAINED.finditer(text):
            mention = _chained(match, base)
            found.append(
                _in_month_of(mention, published) if month_only and anchor is None else mention
            )
            taken.append(match.span())
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < e and s < span[1] for s, e in taken):
                continue
            mention = _as_period_since(_resolve(kind, match, reference), text)
            if mention is not None:
                if month_only and kind not in ("md", "dm"):
                    mention = _in_month_of(mention, published)
                found.append(mention)
                taken.append(span)
    return sorted(found, key=lambda m: m.start)


def _month_end(day: date) -> date:
    return _shift_month(day, 1) - timedelta(days=1)


def _in_month_of(mention: DateMention, published: date | None) -> DateMention:
    """A day counted back from a publication date known only to its month: that month, no finer."""
    if published is None or not mention.relative or mention.precision >= 3:
        return mention
    return replace(mention, value=published.replace(day=1), precision=3)


# "since January", "since early June 2019": the period from then to the report.
_SINCE_BEFORE = re.compile(r"\bsince\s+(?:(?:early|mid|late)[- ]?\s*)?(?:the\s+)?$", re.I)
_SINCE_IN = re.compile(r"^since\b", re.I)


def _as_period_since(mention: DateMention | None, text: str) -> DateMention | None:
    """A month after "since" starts a period that runs to the report, not a month of its own:
    its date is the period's first day and its precision 4 (longer than a month), so a tally
    "since January" is never dated, nor summed up, as "In January"."""
    if mention is None or mention.precision != 3:
        return mention
    if _SINCE_IN.match(mention.text) or _SINCE_BEFORE.search(text, 0, mention.start):
        return replace(mention, precision=4)
    return mention


def _chained(match: re.Match[str], base: date) -> DateMention:
    """A day counted from `base`: "a day earlier", "the following day", "on the same day"."""
    groups = match.groupdict()
    if groups["same"]:
        shift = 0
    elif groups["n"]:
        shift = parse_number(groups["n"].lower()) or 1
        shift = -shift if groups["way"].lower() in ("earlier", "before") else shift
    else:
        shift = -1 if groups["prev"] else 1
    return DateMention(
        match.start(), match.end(), match.group(), base + timedelta(days=shift), 1, True
    )


def _unresolved(match: re.Match[str], precision: int) -> DateMention:
    return DateMention(
        match.start(),
        match.end(),
        match.group(),
        None,
        precision,
        True,
        (FLAG_DATE_UNRESOLVED, FLAG_NO_PUBLICATION_DATE),
    )


def _resolve(kind: str, match: re.Match[str], published: date | None) -> DateMention | None:
    s, e, raw = match.start(), match.end(), match.group()
    groups = match.groupdict()
    month = month_number(groups["m"]) if groups.get("m") and not groups["m"].isdigit() else None
    try:
        if kind in ("dmy", "mdy"):
            return DateMention(
                s, e, raw, date(int(groups["y"]), month or 0, int(groups["d"])), 1, False
            )
        if kind == "iso":
            return DateMention(
                s, e, raw, date(int(groups["y"]), int(groups["m"]), int(groups["d"])), 1, False
            )
    except ValueError:
        return None
    if kind == "month_year":
        if groups["y"].lower() in ("last year", "this year"):
            if published is None:
                return _unresolved(match, 3)
            year = published.year - (1 if groups["y"].lower() == "last year" else 0)
        else:
            year = int(groups["y"])
        return DateMention(s, e, raw, date(year, month or 1, 1), 3, groups["y"][0].isalpha())
    if kind in ("md", "dm"):
        if month is None:
            return None
        day = int(groups["d"])
        if published is None:
            return _unresolved(match, 1)
        year = _month_before(published, month)
        try:
            value = date(year, month, day)
            if value > published:  # "a December 30 ambush" reported in January: last year
                value = date(year - 1, month, day)
        except ValueError:
            return None
        return DateMention(s, e, raw, value, 1, True)
    if kind == "year":
        return DateMention(s, e, raw, date(int(groups["y"]), 1, 1), 4, False)
    if published is None:
        precision = {
            "last_week": 2,
            "last_month": 3,
            "this_month": 3,
            "last_year": 4,
            "month": 3,
        }.get(kind, 1)
        return _unresolved(match, precision)
    if kind == "yesterday":
        return DateMention(s, e, raw, published - timedelta(days=1), 1, True)
    if kind == "today":
        return DateMention(s, e, raw, published, 1, True)
    if kind == "ago":
        n_raw = groups["n"].lower()
        n = _LOOSE_QUANTITIES.get(n_raw) or parse_number(n_raw) or 1
        unit = groups["unit"].lower()
        if unit.startswith("day"):
            loose = n_raw in _LOOSE_QUANTITIES  # "a few days ago" is within a week, not a known day
            return DateMention(s, e, raw, published - timedelta(days=n), 2 if loose else 1, True)
        if unit.startswith("week"):
            return DateMention(s, e, raw, published - timedelta(weeks=n), 2, True)
        return DateMention(s, e, raw, _shift_month(published, -n), 3, True)
    if kind == "past_hours":
        days = max(1, int(groups["n"]) // 24)
        return DateMention(s, e, raw, published - timedelta(days=days), 2 if days > 1 else 1, True)
    if kind == "weekday":
        target = WEEKDAYS.index(groups["wd"].lower())
        back = (published.weekday() - target) % 7
        if back == 0 and groups.get("last") and groups["last"].strip().lower() == "last":
            back = 7
        return DateMention(s, e, raw, published - timedelta(days=back), 1, True)
    if kind == "last_week":
        return DateMention(s, e, raw, published - timedelta(days=7), 2, True)
    if kind == "last_month":
        return DateMention(s, e, raw, _shift_month(published, -1), 3, True)
    if kind == "this_month":
        return DateMention(s, e, raw, published.replace(day=1), 3, True)
    if kind == "last_year":
        return DateMention(s, e, raw, date(published.year - 1, 1, 1), 4, True)
    if kind == "month" and month is not None:
        year = _month_before(published, month)
        return DateMention(s, e, raw, date(year, month, 1), 3, True)
    return None
