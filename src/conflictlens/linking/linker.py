"""Which reports describe the same incident: pairwise rules, then clustering that keeps doubt apart.

Two mentions (one incident as one article reported it) may join only if nothing contradicts it: other
articles, same country and admin1, dates within what their precision allows, places close, event
types compatible, named actors shared, fatality counts consistent. Among compatible pairs, those with
enough positive agreement (`similarity`) become links; links are taken strongest first and two
clusters merge only if every pair across them is compatible (complete linkage), so a chain of
near-matches never glues two distinct ambushes together.

The result depends only on the set of mentions, never on their order: pairs are sorted by score and
then by key before merging, and cluster ids come from the earliest report (see `cluster_id`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from conflictlens.geo import distance_km
from conflictlens.geo.names import normalise_name
from conflictlens.models import Event

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

    @classmethod
    def of(cls, event: Event, article_id: str, published: date | None) -> Mention:
        named = {
            a
            for a in (event.actor1, event.actor2, *event.assoc_actor_1, *event.assoc_actor_2)
            if a and not a.startswith(GENERIC_ACTOR_PREFIXES)
        }
        return cls(
            key=event.event_id,
            article_id=article_id,
            published=published,
            kind=event.kind,
            event_date=event.event_date,
            time_precision=event.time_precision,
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
    def block(self) -> tuple[str, str]:
        """(country, admin1); admin1 is "" for a report placed only in its country."""
        return (self.country_code or "", self.admin1 or "")

    @property
    def country_only(self) -> bool:
        return self.admin1 is None


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
    if _day_gap(a, b) > DAY_TOLERANCE[coarser]:
        return False
    return coarser != 3 or a.event_date.month == b.event_date.month  # type: ignore[union-attr]


def _places_close(a: Mention, b: Mention) -> bool:
    """Two places named below the region level are at most MAX_DISTANCE_KM apart."""
    if a.regional or b.regional:
        return True
    km = _distance_km(a, b)
    return km is None or km <= MAX_DISTANCE_KM


def _actors_compatible(a: Mention, b: Mention) -> bool:
    """Named actors in common when both name one; or, for a strike from afar, the actors they do
    not share are all state forces (outlets disagree on whose aircraft or artillery fired)."""
    if not (a.actors and b.actors) or a.actors & b.actors:
        return True
    if a.sub_event_type not in REMOTE_STRIKES or b.sub_event_type not in REMOTE_STRIKES:
        return False
    return all(name.startswith(STATE_FORCE_PREFIXES) for name in a.actors | b.actors)


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
    km = _distance_km(a, b)
    both_local = not (a.regional or b.regional)
    if both_local and km is not None:
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


def candidate_pairs(mentions: Sequence[Mention]) -> Iterable[tuple[int, int]]:
    """Index pairs worth comparing: same country and admin1, dates within their pair's tolerance.

    Within a block, mentions are split by time precision; a pair of precisions is searched only
    over the window the coarser of the two allows, so day-precision reports compare over days.
    A report placed only in its country is compared with every block of that country.
    """
    blocks: dict[tuple[str, str], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, m in enumerate(mentions):
        if m.linkable:
            blocks[m.block][m.time_precision or 1].append(i)
    ordinals: dict[tuple[tuple[str, str], int], list[int]] = {}
    for block, by_precision in blocks.items():
        for precision, members in by_precision.items():
            members.sort(key=lambda i: (mentions[i].event_date, mentions[i].key))
            ordinals[block, precision] = [mentions[i].event_date.toordinal() for i in members]  # type: ignore[union-attr]
    for block, by_precision in blocks.items():
        yield from _pairs_within(by_precision, {p: ordinals[block, p] for p in by_precision})
    for (country, admin1), by_precision in blocks.items():
        if admin1:
            continue
        for other, others in blocks.items():
            if other[0] == country and other[1]:
                yield from _pairs_across(
                    (by_precision, {p: ordinals[(country, admin1), p] for p in by_precision}),
                    (others, {p: ordinals[other, p] for p in others}),
                )


def _pairs_within(
    by_precision: dict[int, list[int]], ordinals: dict[int, list[int]]
) -> Iterable[tuple[int, int]]:
    """Pairs inside one block, each once."""
    for p, members in by_precision.items():
        for pos, i in enumerate(members):
            day = ordinals[p][pos]
            for q, others in by_precision.items():
                if q < p:
                    continue  # paired when the finer class was visited
                tolerance = DAY_TOLERANCE[max(p, q)]
                start = bisect_left(ordinals[q], day - tolerance)
                end = bisect_right(ordinals[q], day + tolerance)
                if q == p:
                    start = max(start, pos + 1)
                for j in others[start:end]:
                    yield i, j


def _pairs_across(
    first: tuple[dict[int, list[int]], dict[int, list[int]]],
    second: tuple[dict[int, list[int]], dict[int, list[int]]],
) -> Iterable[tuple[int, int]]:
    """Pairs of one member of the `first` block and one of the `second` within their tolerance;
    each block is (members by time precision, their date ordinals by time precision)."""
    first_members, first_ordinals = first
    second_members, second_ordinals = second
    for p, members in first_members.items():
        for pos, i in enumerate(members):
            day = first_ordinals[p][pos]
            for q, others in second_members.items():
                tolerance = DAY_TOLERANCE[max(p, q)]
                start = bisect_left(second_ordinals[q], day - tolerance)
                end = bisect_right(second_ordinals[q], day + tolerance)
                for j in others[start:end]:
                    yield i, j


def cluster(mentions: Sequence[Mention]) -> list[list[Mention]]:
    """Mentions grouped into incidents; every mention is in exactly one group.

    Groups are sorted by their id (`cluster_id`) and their members by key, so equal input sets give
    equal output whatever their order.
    """
    ordered = sorted(mentions, key=lambda m: m.key)
    links: list[tuple[float, str, str, int, int]] = []
    for i, j in candidate_pairs(ordered):
        a, b = ordered[i], ordered[j]
        if _compatible_linkable(a, b):
            score = similarity(a, b)
            if score >= LINK_THRESHOLD:
                links.append((-score, a.key, b.key, i, j))
    links.sort()
    group_of = list(range(len(ordered)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(ordered))}
    for _score, _ka, _kb, i, j in links:
        gi, gj = group_of[i], group_of[j]
        if gi == gj:
            continue
        if not all(
            _compatible_linkable(ordered[x], ordered[y]) for x in members[gi] for y in members[gj]
        ):
            continue
        keep, gone = (gi, gj) if len(members[gi]) >= len(members[gj]) else (gj, gi)
        for x in members[gone]:
            group_of[x] = keep
        members[keep].extend(members.pop(gone))
    groups = [sorted((ordered[i] for i in idx), key=lambda m: m.key) for idx in members.values()]
    return sorted(groups, key=cluster_id)


def cluster_id(group: Sequence[Mention]) -> str:
    """The key of the group's earliest report (publication date, then key): new reports published
    later never rename an event; only an earlier report arriving late does."""
    first = min(group, key=lambda m: (m.published or date.max, m.key))
    return first.key
