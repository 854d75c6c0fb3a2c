"""Which reports describe the same incident: pairwise rules, then clustering that keeps doubt apart.

Two mentions (one incident as one article reported it) may join only if nothing contradicts it: other
articles, same country and admin1, dates within what their precision allows, places close, event
types compatible, named actors shared, fatality counts consistent. Among compatible pairs, those with
enough positive agreement (`similarity`) become links; links are taken strongest first and two
clusters merge only if every pair across them is compatible (complete linkage), so a chain of
near-matches never glues two distinct ambushes together.

A report with no date at all (no publication date, "on Monday" unresolved) joins an event by its
content alone, and only when that leaves no doubt: its place, event type, attacker and toll fit the
dated reports of ONE event of its region, or of several of which one agrees with it on clearly
more (attacker, town, toll, an official both quote by name), and the weekday it names fits that
event's date; an event its own article recalls in another record is not its (`attach_undated`). The merged event is flagged
(`merge.FLAG_LINKED_WITHOUT_DATE`).

The result depends only on the set of mentions, never on their order: pairs are sorted by score and
then by key before merging, and cluster ids come from the earliest report (see `cluster_id`).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from conflictlens.extraction.assemble import (
    FLAG_DATE_FROM_PUBLICATION,
    FLAG_PLACE_CAPITAL_INFERRED,
    FLAG_PUBLISHED_MONTH_FROM_URL,
)
from conflictlens.extraction.people import same_person
from conflictlens.extraction.sources import SourceDictionary
from conflictlens.geo import distance_km
from conflictlens.geo.names import normalise_name
from conflictlens.models import FLAG_PLACE_NEAR_UNNAMED, Event

# Day gap allowed between two reports' dates, by the coarser of their time precisions (1 day, 2 week,
# 3 month). Year-precision mentions are never linked: they could be any incident of the year.
DAY_TOLERANCE = {1: 1, 2: 6, 3: 31}
# The widest gap of all, for the sliding window over dates.
MAX_DAY_GAP = max(DAY_TOLERANCE.values())
# Two places given at village or district level further apart than this are different incidents.
MAX_DISTANCE_KM = 30.0
# Pairs scoring below this are compatible but not evidence of one incident.
LINK_THRESHOLD = 0.62
# How far a toll may rise between two reports of one incident: the larger at most this many times
# the smaller plus the slack (early counts of a bombing are often a quarter of the final one).
TOLL_RISE_FACTOR = 3
TOLL_RISE_SLACK = 5
# Attacks from afar whose perpetrator outlets often name differently among state forces (whose jets
# or guns fired: "Russian" for one outlet, "regime" for another).
REMOTE_STRIKES = frozenset({"Air/drone strike", "Shelling/artillery/missile attack"})
STATE_FORCE_PREFIXES = ("Military Forces of", "Police Forces of")

VIOLENT_TYPES = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
DEMONSTRATION_TYPES = frozenset({"Protests", "Riots"})
# Actors too generic to tell incidents apart (or to tell them the same).
GENERIC_ACTOR_PREFIXES = ("Unidentified", "Civilians", "Protesters", "Rioters")
# A weekday named where an undated record's date was sought ("on Monday", "late on Saturday").
_WEEKDAY = re.compile(
    r"\b(?:(?P<part>early|late)\s+(?:on\s+)?)?"
    r"(?P<day>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.I,
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Mention:
    """What linking needs to know of one incident as one article reported it."""

    key: str
    article_id: str
    published: date | None
    kind: str
    event_date: date | None
    time_precision: int | None
    country_code: str | None
    admin1: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    event_type: str | None
    sub_event_type: str | None
    actors: frozenset[str]
    # Placed only to a region: geo_precision 3, or a place named like its own province (news uses
    # "Deir ez-Zor" or "Kirkuk" for the province as often as for the city).
    regional: bool
    fatalities: int | None
    fatalities_low: int | None
    fatalities_high: int | None
    # For a record with no date, or dated only to a month (a page filed under /2013/09/ that says
    # "on Saturday"): the weekdays (0 Monday) the incident may have fallen on by its text
    # (Saturday, or Saturday and Sunday for "late Saturday"); empty when it names none.
    weekdays: frozenset[int] = frozenset()
    # The named attacker (actor1), if the report names one: what an undated report must share.
    attacker: str | None = None
    # Placed in its country's capital because it says "in the capital": somewhere in a city, so
    # its point agrees with another report's no better than a province would (`similarity`).
    capital_inferred: bool = False
    # At an unnamed town near its point ("a village near Kirkuk", flag place_near_unnamed): no
    # town is its spot (`similarity`, `_same_place`).
    near_unnamed: bool = False
    # The people and bodies it cites by a name the source dictionary does not list ("Tariq Hayat
    # Khan"): two articles quoting one official most likely tell one incident (`_only_group`).
    named_sources: frozenset[str] = frozenset()

    @classmethod
    def of(cls, event: Event, article_id: str, published: date | None) -> Mention:
        named = {
            a
            for a in (event.actor1, event.actor2, *event.assoc_actor_1, *event.assoc_actor_2)
            if a and not a.startswith(GENERIC_ACTOR_PREFIXES)
        }
        dated = not _dated_by_page_month_only(event)
        return cls(
            key=event.event_id,
            article_id=article_id,
            published=published,
            kind=event.kind,
            event_date=event.event_date if dated else None,
            time_precision=event.time_precision if dated else None,
            country_code=event.country_code,
            admin1=event.admin1,
            latitude=event.latitude,
            longitude=event.longitude,
            geo_precision=event.geo_precision,
            event_type=event.event_type,
            sub_event_type=event.sub_event_type,
            actors=frozenset(named),
            regional=(event.geo_precision or 3) == 3
            or bool(
                event.location
                and event.admin1
                and normalise_name(event.location) == normalise_name(event.admin1)
            ),
            fatalities=event.fatalities,
            fatalities_low=event.fatalities_low,
            fatalities_high=event.fatalities_high,
            weekdays=_named_weekdays(event)
            if event.event_date is None or (event.time_precision or 1) >= 3
            else frozenset(),
            attacker=event.actor1 if event.actor1 in named else None,
            capital_inferred=FLAG_PLACE_CAPITAL_INFERRED in event.flags,
            near_unnamed=FLAG_PLACE_NEAR_UNNAMED in event.flags,
            named_sources=frozenset(
                s for s in event.sources if SourceDictionary.default().info(s) is None
            ),
        )

    @property
    def linkable(self) -> bool:
        """Incidents with a country and a date finer than a year; others stand alone."""
        return (
            self.kind == "incident"
            and self.country_code is not None
            and self.event_date is not None
            and (self.time_precision or 1) in DAY_TOLERANCE
        )

    @property
    def background(self) -> bool:
        """An incident the article recalls from long before it was published ("a similar bombing
        in January"): for an undated report, neither evidence for an event nor against one."""
        return (
            self.published is not None
            and self.event_date is not None
            and (self.published - self.event_date).days > 2 * MAX_DAY_GAP
        )

    @property
    def undated(self) -> bool:
        """An incident placed in a region whose report gives no date at all: it may join an event
        only by its content (`attach_undated`)."""
        return (
            self.kind == "incident"
            and self.event_date is None
            and self.country_code is not None
            and self.admin1 is not None
        )

    @property
    def block(self) -> tuple[str, str]:
        """(country, admin1); admin1 is "" for a report placed only in its country."""
        return (self.country_code or "", self.admin1 or "")

    @property
    def country_only(self) -> bool:
        return self.admin1 is None


def _dated_by_page_month_only(event: Event) -> bool:
    """A record whose only date is the month its page's address files it under (no date in its
    text, /2013/09/ in the URL): as undated as a report can be, since the page may recall any
    incident before it; it links by content only (`attach_undated`), like a report with no date."""
    return (
        FLAG_DATE_FROM_PUBLICATION in event.flags and FLAG_PUBLISHED_MONTH_FROM_URL in event.flags
    )


def _named_weekdays(event: Event) -> frozenset[int]:
    """The weekdays an unresolved date's evidence allows, 0 for Monday: "on Monday" is Monday;
    "late Saturday" may be dated Sunday by another outlet, and "early Sunday" Saturday."""
    for item in event.evidence:
        if item.field == "event_date" and (match := _WEEKDAY.search(item.text)):
            day = WEEKDAYS.index(match.group("day").lower())
            part = (match.group("part") or "").lower()
            shift = 1 if part == "late" else -1 if part == "early" else 0
            return frozenset({day, (day + shift) % 7})
    return frozenset()


def _distance_km(a: Mention, b: Mention) -> float | None:
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    return distance_km(a.latitude, a.longitude, b.latitude, b.longitude)


def _day_gap(a: Mention, b: Mention) -> int:
    assert a.event_date is not None and b.event_date is not None
    return abs((a.event_date - b.event_date).days)


def _counts_consistent(a: Mention, b: Mention) -> bool:
    """Reports of one incident differ by a few, and tolls rise as bodies are counted (a first report
    of 4 dead becomes 15 by evening, 43 becomes 'up to 70'), but not tenfold."""
    low_a, high_a = _count_range(a)
    low_b, high_b = _count_range(b)
    if high_a is None or high_b is None or (low_a <= high_b and low_b <= high_a):
        return True
    smaller, larger = (high_a, low_b) if high_a < low_b else (high_b, low_a)
    return larger <= TOLL_RISE_FACTOR * smaller + TOLL_RISE_SLACK


def _count_range(m: Mention) -> tuple[int, int | None]:
    best = m.fatalities
    low = m.fatalities_low if m.fatalities_low is not None else best
    high = m.fatalities_high if m.fatalities_high is not None else best
    if high is None and low is not None:
        high = max(low, best or 0) * 3 + 5  # "at least N": open above, but not without bound
    return (low or 0, high)


def _types_compatible(a: Mention, b: Mention) -> bool:
    if a.event_type is None or b.event_type is None or a.event_type == b.event_type:
        return True
    pair = {a.event_type, b.event_type}
    return pair <= VIOLENT_TYPES or pair <= DEMONSTRATION_TYPES


def _both_linkable(a: Mention, b: Mention) -> bool:
    return a.linkable and b.linkable


def _same_region(a: Mention, b: Mention) -> bool:
    """Same country, and same admin1 unless one report names only the country."""
    if a.country_code != b.country_code:
        return False
    return a.admin1 == b.admin1 or a.country_only or b.country_only


def _country_only_backed(a: Mention, b: Mention) -> bool:
    """A report placed only in its country ("central Mali") links only through a named actor in
    common: the country alone is too wide to say it is the same incident."""
    return not (a.country_only or b.country_only) or bool(a.actors & b.actors)


def _dates_close(a: Mention, b: Mention) -> bool:
    coarser = max(a.time_precision or 1, b.time_precision or 1)
    if _day_gap(a, b) > DAY_TOLERANCE[coarser] or not _weekdays_agree(a, b):
        return False
    return coarser != 3 or a.event_date.month == b.event_date.month  # type: ignore[union-attr]


def _weekdays_agree(a: Mention, b: Mention) -> bool:
    """A report dated only to its month that names the weekday ("on Saturday" on a /2013/09/
    page) tells no incident of another weekday."""
    if not (a.weekdays or b.weekdays):
        return True  # the common case, asked for every candidate pair
    return all(
        not month.weekdays or day.event_date is None or day.event_date.weekday() in month.weekdays
        for month, day in ((a, b), (b, a))
        if day.time_precision == 1
    )


def _places_close(a: Mention, b: Mention) -> bool:
    """Two places named below the region level are at most MAX_DISTANCE_KM apart."""
    if a.regional or b.regional:
        return True
    km = _distance_km(a, b)
    return km is None or km <= MAX_DISTANCE_KM


def _actors_compatible(a: Mention, b: Mention) -> bool:
    """Named actors in common when both name one, unless one names only the attacker and the
    other no attacker ("IS bombed a funeral", "a bomber killed militia commanders": each names
    a side the other leaves unnamed); or, for a strike from afar, the actors they do not share
    are all state forces (outlets disagree on whose aircraft or artillery fired)."""
    if not (a.actors and b.actors) or a.actors & b.actors:
        return True
    if (a.attacker is None or b.attacker is None) and not (_sides_hit(a) and _sides_hit(b)):
        return True
    if a.sub_event_type not in REMOTE_STRIKES or b.sub_event_type not in REMOTE_STRIKES:
        return False
    return all(name.startswith(STATE_FORCE_PREFIXES) for name in a.actors | b.actors)


def _sides_hit(m: Mention) -> frozenset[str]:
    """The named actors other than the attacker: the side hit, or its allies."""
    return m.actors - {m.attacker} if m.attacker else m.actors


# Each rule that can say two reports are different incidents, with the reason it gives.
CHECKS = (
    ("not linkable (no date, region or country)", _both_linkable),
    ("regions apart", _same_region),
    ("country-only report without a named actor in common", _country_only_backed),
    ("dates apart", _dates_close),
    ("places apart", _places_close),
    ("attackers differ", _actors_compatible),
    ("event types differ", _types_compatible),
    ("tolls differ", _counts_consistent),
)


def compatible(a: Mention, b: Mention) -> bool:
    """Nothing in the two reports says they are different incidents (every rule of `CHECKS`)."""
    return _both_linkable(a, b) and _compatible_linkable(a, b)


def _compatible_linkable(a: Mention, b: Mention) -> bool:
    """`compatible` for two mentions already known to be linkable (all that `cluster` compares)."""
    return (
        a.article_id != b.article_id
        and _same_region(a, b)
        and _country_only_backed(a, b)
        and _dates_close(a, b)
        and _places_close(a, b)
        and _actors_compatible(a, b)
        and _types_compatible(a, b)
        and _counts_consistent(a, b)
    )


def disagreements(a: Mention, b: Mention) -> list[str]:
    """Why two reports of different articles are not compatible: the reasons of the failed rules."""
    if not _both_linkable(a, b):
        return [CHECKS[0][0]]
    return [reason for reason, check in CHECKS if not check(a, b)]


def similarity(a: Mention, b: Mention) -> float:
    """How strongly two compatible reports agree, 0..1: date, place, type, actors, counts."""
    gap = _day_gap(a, b)
    date_score = 1.0 if gap == 0 else 0.6 if gap == 1 else 0.3
    both_local = not any(m.regional or m.capital_inferred or m.near_unnamed for m in (a, b))
    if both_local and (km := _distance_km(a, b)) is not None:
        place_score = 1.0 if km <= 5 else 0.7 if km <= 15 else 0.4
    else:
        place_score = 0.4  # same admin1, no finer agreement possible
    if a.sub_event_type and a.sub_event_type == b.sub_event_type:
        type_score = 1.0
    elif a.event_type and a.event_type == b.event_type:
        type_score = 0.7
    else:
        type_score = 0.3
    if a.actors and b.actors:
        actor_score = 1.0  # compatible, so they share a named actor
    elif a.actors or b.actors:
        actor_score = 0.4
    else:
        actor_score = 0.3
    if a.fatalities is not None and b.fatalities is not None:
        count_score = 1.0 if a.fatalities == b.fatalities else 0.7
    else:
        count_score = 0.4
    return (
        0.25 * date_score
        + 0.25 * place_score
        + 0.15 * type_score
        + 0.2 * actor_score
        + 0.15 * count_score
    )


class _Candidates:
    """Which mentions are worth comparing with a mention: same country and admin1, dates within
    their pair's tolerance; a report placed only in its country faces every block of that country.

    Within a block, mentions are split by time precision, each part sorted by date, so a pair of
    precisions is searched only over the window the coarser of the two allows.
    """

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self._mentions = mentions
        self._members: dict[tuple[str, str], dict[int, list[int]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for i, m in enumerate(mentions):
            if m.linkable:
                self._members[m.block][m.time_precision or 1].append(i)
        self._ordinals: dict[tuple[str, str], dict[int, list[int]]] = {}
        self._regions_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for block, by_precision in self._members.items():
            for members in by_precision.values():
                members.sort(key=lambda i: (mentions[i].event_date, mentions[i].key))
            self._ordinals[block] = {
                p: [mentions[i].event_date.toordinal() for i in members]  # type: ignore[union-attr]
                for p, members in by_precision.items()
            }
            if block[1]:
                self._regions_of[block[0]].append(block)

    def _blocks_facing(self, block: tuple[str, str]) -> list[tuple[str, str]]:
        country, admin1 = block
        if not admin1:
            return [block, *self._regions_of[country]]
        country_only = (country, "")
        return [block, country_only] if country_only in self._members else [block]

    def of(self, i: int) -> Iterator[int]:
        """The indices mention `i` is compared with (never `i` itself)."""
        m = self._mentions[i]
        if not m.linkable:
            return
        precision = m.time_precision or 1
        day = m.event_date.toordinal()  # type: ignore[union-attr]
        for block in self._blocks_facing(m.block):
            for q, others in self._members[block].items():
                tolerance = DAY_TOLERANCE[max(precision, q)]
                ordinals = self._ordinals[block][q]
                start = bisect_left(ordinals, day - tolerance)
                end = bisect_right(ordinals, day + tolerance)
                yield from (j for j in others[start:end] if j != i)


def _link_score(a: Mention, b: Mention) -> float | None:
    """The pair's similarity when it is a link: compatible, and similar enough to merge."""
    if not _compatible_linkable(a, b):
        return None
    score = similarity(a, b)
    return score if score >= LINK_THRESHOLD else None


class _Links:
    """The links of one linked set: scores and mention indices in three arrays. A busy province's
    set holds millions of links; as (score, i, j) tuples each took about 150 bytes, here 16."""

    # Links handed out at once in `strongest_first` (as Python ints, 70 bytes a pair: a chunk of
    # 65,536 took 4.6 MB, which a busy province's clustering peaked with).
    CHUNK = 8_192

    def __init__(self) -> None:
        self._scores = array("d")
        self._first = array("i")
        self._second = array("i")

    def add(self, score: float, i: int, j: int) -> None:
        self._scores.append(score)
        self._first.append(min(i, j))
        self._second.append(max(i, j))

    def strongest_first(self) -> Iterator[tuple[int, int]]:
        """The (i, j) pairs, i < j, by score descending, then i, then j."""
        first = np.frombuffer(self._first, dtype=np.int32)
        second = np.frombuffer(self._second, dtype=np.int32)
        # Negated in place and back: a negated copy took 8 bytes a link more.
        scores = np.frombuffer(self._scores, dtype=np.float64)
        np.negative(scores, out=scores)
        order = np.lexsort((second, first, scores))
        np.negative(scores, out=scores)
        for start in range(0, len(order), self.CHUNK):
            chunk = order[start : start + self.CHUNK]
            yield from zip(first[chunk].tolist(), second[chunk].tolist(), strict=True)


def _links_by_component(mentions: Sequence[Mention]) -> Iterator[_Links]:
    """The links of each set of mentions joined by chains of links.

    Clusters merge only along links, so each of these sets clusters alone: the links of one set are
    all that is held at a time (a region with thousands of reports of one day has millions of
    candidate pairs). Each candidate pair is scored once, when the first of the two is explored.
    """
    candidates = _Candidates(mentions)
    explored = [False] * len(mentions)
    for start in range(len(mentions)):
        if explored[start]:
            continue
        links = _Links()
        stack, reached = [start], {start}
        while stack:
            i = stack.pop()
            explored[i] = True
            for j in candidates.of(i):
                if explored[j] or (score := _link_score(mentions[i], mentions[j])) is None:
                    continue
                links.add(score, i, j)
                if j not in reached:
                    reached.add(j)
                    stack.append(j)
        if links:
            yield links


def cluster(mentions: Sequence[Mention]) -> list[list[Mention]]:
    """Mentions grouped into incidents; every mention is in exactly one group.

    Groups are sorted by their id (`cluster_id`) and their members by key, so equal input sets give
    equal output whatever their order.
    """
    ordered = sorted(mentions, key=lambda m: m.key)
    group_of = list(range(len(ordered)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(ordered))}
    for links in _links_by_component(ordered):
        _merge_along(links.strongest_first(), ordered, group_of, members)
    for i, group in attach_undated(ordered, group_of, members).items():
        members[group].append(i)
        del members[group_of[i]]
        group_of[i] = group
    groups = [sorted((ordered[i] for i in idx), key=lambda m: m.key) for idx in members.values()]
    return sorted(groups, key=cluster_id)


def _merge_along(
    links: Iterable[tuple[int, int]],
    mentions: Sequence[Mention],
    group_of: list[int],
    members: dict[int, list[int]],
) -> None:
    """Merge groups along links, given strongest first (ties by the pair's keys: `mentions` are
    sorted by key), when every pair across the two groups is compatible (complete linkage)."""
    # Groups that hold an incompatible pair between them, which merging never removes: a later
    # link between them is refused without comparing every pair across them again.
    apart: dict[int, set[int]] = defaultdict(set)
    for i, j in links:
        gi, gj = group_of[i], group_of[j]
        if gi == gj or gj in apart[gi]:
            continue
        if not all(
            _compatible_linkable(mentions[x], mentions[y]) for x in members[gi] for y in members[gj]
        ):
            apart[gi].add(gj)
            apart[gj].add(gi)
            continue
        keep, gone = (gi, gj) if len(members[gi]) >= len(members[gj]) else (gj, gi)
        for x in members[gone]:
            group_of[x] = keep
        members[keep].extend(members.pop(gone))
        for other in apart.pop(gone, set()):
            apart[other].discard(gone)
            apart[other].add(keep)
            apart[keep].add(other)


def attach_undated(
    mentions: Sequence[Mention], group_of: Sequence[int], members: dict[int, list[int]]
) -> dict[int, int]:
    """Which undated mentions join which group of dated mentions: index -> group.

    An undated mention joins a group when its content matches a dated member (`_content_match`),
    nothing in it contradicts any member (`_undated_fits`), and every other group of its region
    with a member of its kind of attack it could be (one it does not contradict, even without a
    positive match) agrees with it on clearly less (`_only_group`). Groups its article tells in
    its dated records are none of its candidates (`_groups_told_beside`). Of one article's
    undated records only one joins a group: the one agreeing with it on the most, then the one
    stating the largest toll ("76 killed" rather than "16 among the dead"), then the first by
    key. Undated mentions never join each other: with no date on either side, nothing tells a
    second incident apart.
    """
    undated = [
        i for i, m in enumerate(mentions) if m.event_date is None and m.undated and m.sub_event_type
    ]
    if not undated:
        return {}
    dated_by_kind: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for j, m in enumerate(mentions):
        if m.linkable and m.admin1 is not None and m.sub_event_type and not m.background:
            dated_by_kind[(*m.block, m.sub_event_type)].append(j)
    dated_of_article: dict[str, list[int]] = defaultdict(list)
    named_in_article: dict[str, set[str]] = defaultdict(set)
    for j, m in enumerate(mentions):
        if m.linkable:
            dated_of_article[m.article_id].append(j)
        named_in_article[m.article_id] |= m.named_sources
    # (article, group) -> (rank, index) of the article's undated record that joins the group.
    chosen: dict[tuple[str, int], tuple[tuple[int, int], int]] = {}
    for i in undated:
        u = mentions[i]
        fits = [
            j
            for j in dated_by_kind.get((*u.block, u.sub_event_type or ""), [])
            if _undated_fits(u, mentions[j])
        ]
        told = _groups_told_beside(
            dated_of_article[u.article_id], {group_of[j] for j in fits}, mentions, members
        )
        alike = [j for j in fits if group_of[j] not in told]
        found = _only_group(u, alike, mentions, group_of, members, named_in_article)
        if found is None:
            continue
        group, agreed = found
        rank = (agreed, _stated_toll(u) or 0)
        if (u.article_id, group) not in chosen or rank > chosen[(u.article_id, group)][0]:
            chosen[(u.article_id, group)] = (rank, i)
    return {i: group for (_, group), (_, i) in chosen.items()}


def _groups_told_beside(
    siblings: Sequence[int],
    groups: Iterable[int],
    mentions: Sequence[Mention],
    members: dict[int, list[int]],
) -> set[int]:
    """Which of `groups` an article already tells in its dated records (`siblings`): those holding
    one of them or a report one of them is compatible with. An article's records are distinct
    incidents, so its undated record is none of these: a report that recalls "a similar bombing in
    March 2009" at the same mosque is not itself about that bombing."""
    return {
        group
        for group in groups
        if any(
            s == k or compatible(mentions[s], mentions[k]) for s in siblings for k in members[group]
        )
    }


# Two places named below the region level this close are the same place, for a report whose only
# evidence is its content.
SAME_PLACE_KM = 5.0
# An undated report that fits several events joins the one it agrees with on this many more of
# who, where and toll than on any rival (`_agreements`): the same bombing told by another outlet,
# not a look-alike at the same place.
CLEAR_MARGIN = 2


def _only_group(
    undated: Mention,
    alike: Sequence[int],
    mentions: Sequence[Mention],
    group_of: Sequence[int],
    members: dict[int, list[int]],
    named_in_article: dict[str, set[str]],
) -> tuple[int, int] | None:
    """The one group the undated mention can join and how much it agrees with it, or None when it
    fits none or several.

    `alike` are the dated mentions it does not contradict. The group must hold one whose content
    it matches and none it contradicts. Any other group holding an alike mention is a rival,
    unless all that group's reports are reports of the chosen group too (one article's record
    split in two is the same incident told twice, not a look-alike); a rival makes it doubtful
    unless the chosen group agrees with it on clearly more (`_agreements`, CLEAR_MARGIN). A
    person or body the undated article and one of the group's articles both quote by name
    (`named_in_article`) counts as a clear margin on its own: look-alikes share a place and a
    kind of attack, rarely the official who gave the toll.
    """
    matched = {group_of[j] for j in alike if _content_match(undated, mentions[j])}
    if not matched:
        return None

    def articles(group: int) -> set[str]:
        return {mentions[j].article_id for j in members[group]}

    agreements: dict[int, int] = defaultdict(int)
    for j in alike:
        agreements[group_of[j]] = max(agreements[group_of[j]], _agreements(undated, mentions[j]))
    quoted = named_in_article[undated.article_id]
    if quoted:
        for group in list(agreements):
            theirs = {b for article in articles(group) for b in named_in_article[article]}
            if any(same_person(a, b) for a in quoted for b in theirs):
                agreements[group] += CLEAR_MARGIN
    # The group agreeing on the most, then told by the most reports (then the most records, then
    # the first key).
    group = min(
        matched,
        key=lambda g: (
            -agreements[g],
            -len(articles(g)),
            -len(members[g]),
            min(mentions[j].key for j in members[g]),
        ),
    )
    own_articles = articles(group)
    for other in {group_of[j] for j in alike} - {group}:
        rival = any(mentions[j].article_id not in own_articles for j in members[other])
        if rival and agreements[group] - agreements[other] < CLEAR_MARGIN:
            return None
    if not all(_undated_fits(undated, mentions[j]) for j in members[group]):
        return None
    return group, agreements[group]


def _agreements(undated: Mention, dated: Mention) -> int:
    """How many of who, where and toll the undated report states as the dated one does: the same
    named attacker or armed group, the same town, the same toll. A look-alike in the same city
    agrees on the town alone; the report of the same bombing usually on more."""
    who = (
        undated.attacker is not None and undated.attacker == dated.attacker
    ) or _armed_group_in_common(undated, dated)
    where = _same_place(undated, dated)
    toll = _stated_toll(undated) is not None and _stated_toll(undated) == _stated_toll(dated)
    return int(who) + int(where) + int(toll)


def _content_match(undated: Mention, dated: Mention) -> bool:
    """The undated report tells what this dated one tells: the same region and kind of attack, a
    toll stated on both that may have risen from one to the other (an open "at least 3" is no
    agreement with 15), the same named attacker, armed group or town, and nothing
    contradicts (`_undated_fits`). A weekday it names is its only clue to when: without one it is
    never linked to a day."""
    return all(check(undated, dated) for _, check in CONTENT_CHECKS)


def content_disagreements(undated: Mention, dated: Mention) -> list[str]:
    """Why an undated report's content does not match a dated report (`CONTENT_CHECKS`)."""
    return [reason for reason, check in CONTENT_CHECKS if not check(undated, dated)]


def _same_kind_in_region(undated: Mention, dated: Mention) -> bool:
    return dated.block == undated.block and dated.sub_event_type == undated.sub_event_type


def _tolls_agree(undated: Mention, dated: Mention) -> bool:
    tolls = sorted((_stated_toll(undated), _stated_toll(dated)), key=lambda n: n or 0)
    if tolls[0] is None or tolls[1] is None:
        return False
    return tolls[1] <= TOLL_RISE_FACTOR * tolls[0] + TOLL_RISE_SLACK


def _a_day_named(undated: Mention, dated: Mention) -> bool:
    return bool(undated.weekdays) or dated.time_precision != 1


def _who_or_where_in_common(undated: Mention, dated: Mention) -> bool:
    return (
        (undated.attacker is not None and undated.attacker == dated.attacker)
        or _armed_group_in_common(undated, dated)
        or _same_place(undated, dated)
    )


def _same_place(undated: Mention, dated: Mention) -> bool:
    """Both name one town (within SAME_PLACE_KM). A city named like its province ("Kabul") is a
    place here when the gazetteer placed it; "a village near Kirkuk" names no town."""
    if undated.near_unnamed or dated.near_unnamed:
        return False
    km = (
        _distance_km(undated, dated)
        if not (undated.regional or dated.regional)
        or (undated.geo_precision == 1 and dated.geo_precision == 1)
        else None
    )
    return km is not None and km <= SAME_PLACE_KM


def _armed_group_in_common(a: Mention, b: Mention) -> bool:
    """Both name one non-state group, whatever role each gives it (one outlet's attackers are
    another's "clashed with"); the state forces attacked in most incidents tell nothing."""
    return any(not name.startswith(STATE_FORCE_PREFIXES) for name in a.actors & b.actors)


def _stated_toll(m: Mention) -> int | None:
    """The toll a report states: its best count, else the bound it gives ("up to 19")."""
    for value in (m.fatalities, m.fatalities_high, m.fatalities_low):
        if value is not None:
            return value
    return None


def _undated_fits(undated: Mention, dated: Mention) -> bool:
    """Nothing says these are two incidents: another article, same country, places close, the
    attackers, types and tolls compatible, and the weekday the undated report names is the dated
    one's (`_named_weekdays`)."""
    return (
        undated.article_id != dated.article_id
        and undated.country_code == dated.country_code
        and _places_close(undated, dated)
        and _actors_compatible(undated, dated)
        and _types_compatible(undated, dated)
        and _counts_consistent(undated, dated)
        and _weekday_fits(undated, dated)
    )


def _weekday_fits(undated: Mention, dated: Mention) -> bool:
    """The weekday the undated report names is the dated one's day, or one of the weekdays a
    report dated only to its month names ("on Saturday" on a /2013/09/ page)."""
    if not undated.weekdays:
        return True
    if dated.time_precision == 1 and dated.event_date is not None:
        return dated.event_date.weekday() in undated.weekdays
    return not dated.weekdays or bool(dated.weekdays & undated.weekdays)


def cluster_id(group: Sequence[Mention]) -> str:
    """The key of the group's earliest report (publication date, then key): new reports published
    later never rename an event; only an earlier report arriving late does."""
    first = min(group, key=lambda m: (m.published or date.max, m.key))
    return first.key


# What an undated report must share with a dated one to join its event, with the reason given.
CONTENT_CHECKS = (
    ("other region or kind of attack", _same_kind_in_region),
    ("no stated tolls that agree", _tolls_agree),
    ("no day named", _a_day_named),
    ("no attacker, armed group or town in common", _who_or_where_in_common),
    ("contradicted (another article, place, attacker, type, toll or weekday)", _undated_fits),
)
