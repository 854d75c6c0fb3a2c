"""One event from all its reports, UCDP style.

- fatalities_low / fatalities_high span every report (each report's own range, or its number);
- fatalities (best) and wounded come from the most credible report that gives them: an exact number
  before a vague one, then the most reliable cited source (monitors, news agencies and officials
  before local sources, before state media and propaganda), then the most recent report (tolls rise
  as bodies are counted), then the report key, so the choice never depends on input order;
- the date comes from the most precise report (then the majority, then the earliest date); the
  place from the most precise report (then the majority, then the key);
- actors by majority among reports that name them (ties: the most credible report);
- sources, outlets, articles, tags and evidence are the union of all reports;
- flags are the chosen reports' own: the place flags of the report whose place is used, and so on;
- confidence is the best report's: more copies of one claim do not make it truer;
- an event joined by a report with no date (linked by its content alone) says so:
  `linked_without_date`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from conflictlens.extraction.assemble import notes
from conflictlens.extraction.sources import SourceDictionary
from conflictlens.models import (
    FLAG_ACTOR_SUSPECTED,
    FLAG_ACTOR_UNKNOWN,
    FLAG_COUNT_VAGUE,
    Event,
)

# Reliability of a cited source by its type in sources.yaml; uncited reports rank as "local".
SOURCE_RELIABILITY = {
    "monitor": 3,
    "news agency": 3,
    "official": 2,
    "local": 1,
    "state media": 0,
    "propaganda": 0,
}
UNCITED_RELIABILITY = 1

PLACE_FIELDS = (
    "country",
    "country_code",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "geonames_id",
)
ACTOR_FIELDS = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "inter1", "inter2")
COUNT_FLAGS = frozenset({FLAG_COUNT_VAGUE})
ACTOR_FLAGS = frozenset({FLAG_ACTOR_SUSPECTED, FLAG_ACTOR_UNKNOWN})
DATE_FLAG_PREFIXES = ("date_", "no_publication_date", "published_")
# One of the event's reports has no date: it joined by place, type, attacker and toll alone.
FLAG_LINKED_WITHOUT_DATE = "linked_without_date"
PLACE_FLAG_PREFIXES = ("place_",)


@dataclass(frozen=True)
class Report:
    """One report of the event: the Event as its article gave it, and when that was published."""

    event: Event
    published: date | None


def reliability(event: Event) -> int:
    """The best reliability among the sources a report cites."""
    ranks = []
    for name in event.sources:
        info = SourceDictionary.default().info(name)
        ranks.append(SOURCE_RELIABILITY.get(info.type, UNCITED_RELIABILITY) if info else 1)
    return max(ranks, default=UNCITED_RELIABILITY)


def credibility(report: Report) -> tuple[Any, ...]:
    """Sort key, most credible first (see the module docstring)."""
    event = report.event
    exact = FLAG_COUNT_VAGUE not in event.flags and event.fatalities is not None
    return (
        not exact,
        -reliability(event),
        -(report.published or date.min).toordinal(),
        event.event_id,
    )


def merge(event_id: str, reports: Sequence[Report]) -> Event:
    """The merged record of one incident; a single report comes back as itself under `event_id`."""
    ranked = sorted(reports, key=credibility)
    best = ranked[0].event
    merged = best.model_copy(deep=True)
    merged.event_id = event_id
    if len(reports) == 1:
        return merged

    events = [r.event for r in ranked]
    date_report = _pick(
        events, key=lambda e: (e.time_precision or 9,), value=lambda e: e.event_date
    )
    place_report = _pick(events, key=lambda e: (e.geo_precision or 9,), value=_place_value)
    actor_report = _pick(events, key=lambda e: (-_named_actors(e),), value=_actor_value)
    count_report = next((e for e in events if e.fatalities is not None), best)
    wounded_report = next((e for e in events if e.wounded is not None), best)

    merged.event_date, merged.time_precision = date_report.event_date, date_report.time_precision
    for name in PLACE_FIELDS:
        setattr(merged, name, getattr(place_report, name))
    for name in ACTOR_FIELDS:
        setattr(merged, name, getattr(actor_report, name))
    merged.civilian_targeting = actor_report.civilian_targeting
    merged.event_type, merged.sub_event_type = actor_report.event_type, actor_report.sub_event_type
    if best.event_type != actor_report.event_type:
        # The most credible report's type wins over the actor majority's.
        merged.event_type, merged.sub_event_type = best.event_type, best.sub_event_type

    merged.fatalities = count_report.fatalities
    merged.fatalities_by_side = dict(count_report.fatalities_by_side)
    lows = [e.fatalities_low if e.fatalities_low is not None else e.fatalities for e in events]
    highs = [e.fatalities_high if e.fatalities_high is not None else e.fatalities for e in events]
    merged.fatalities_low = min((n for n in lows if n is not None), default=None)
    merged.fatalities_high = max((n for n in highs if n is not None), default=None)
    merged.wounded = wounded_report.wounded
    merged.arrested = next((e.arrested for e in events if e.arrested is not None), None)
    merged.abducted = next((e.abducted for e in events if e.abducted is not None), None)
    merged.claimed_by = next((e.claimed_by for e in events if e.claimed_by), None)

    merged.tags = _union(e.tags for e in events)
    merged.sources = _union(e.sources for e in events)
    merged.outlets = _union(e.outlets for e in events)
    merged.articles = _union(e.articles for e in events)
    merged.evidence = [
        item for e in sorted(events, key=lambda e: e.event_id) for item in e.evidence
    ]
    merged.flags = sorted(
        {f for f in date_report.flags if f.startswith(DATE_FLAG_PREFIXES)}
        | {f for f in place_report.flags if f.startswith(PLACE_FLAG_PREFIXES)}
        | (set(count_report.flags) & COUNT_FLAGS)
        | (set(actor_report.flags) & ACTOR_FLAGS)
        | ({FLAG_LINKED_WITHOUT_DATE} if any(e.event_date is None for e in events) else set())
    )
    merged.confidence = best.confidence
    merged.notes = notes(merged)
    return merged


def _pick(
    events: Sequence[Event],
    *,
    key: Callable[[Event], tuple[Any, ...]],
    value: Callable[[Event], Any],
) -> Event:
    """The report with the best `key`; among equals, the value most reports share, then credibility."""
    best_key = min(key(e) for e in events)
    contenders = [e for e in events if key(e) == best_key]
    votes = Counter(_hashable(value(e)) for e in events)
    # `events` is in credibility order and `max` keeps the first of equals.
    return max(contenders, key=lambda e: votes[_hashable(value(e))])


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _place_value(event: Event) -> Any:
    return (event.location, event.admin1, event.country_code)


def _actor_value(event: Event) -> Any:
    return (event.actor1, event.actor2)


def _named_actors(event: Event) -> int:
    return sum(1 for a in (event.actor1, event.actor2) if a and not a.startswith("Unidentified"))


def _union(lists: Any) -> list[str]:
    return sorted({item for items in lists for item in items})


class ReportDifferences(BaseModel):
    """Where an event's reports disagree, so an analyst sees what the merged values hide: the
    tolls each report gave and their range, every place named, every attacker named."""

    toll_low: int | None = Field(None, description="the lowest toll any report gives")
    toll_high: int | None = Field(None, description="the highest toll any report gives")
    tolls: list[int] = Field(default_factory=list, description="each distinct reported toll")
    places: list[str] = Field(
        default_factory=list, description="each distinct place named, as 'location, admin1'"
    )
    attackers: list[str] = Field(
        default_factory=list, description="each distinct attacker (actor1) named"
    )
    dates: list[date] = Field(default_factory=list, description="each distinct date reported")

    @property
    def disagree(self) -> bool:
        """Whether the reports differ on any of toll, place, attacker or date."""
        return any(
            len(values) > 1 for values in (self.tolls, self.places, self.attackers, self.dates)
        ) or (self.toll_low != self.toll_high)


def report_differences(records: Sequence[Event]) -> ReportDifferences:
    """The disagreements among these reports of one event (each report's own record)."""
    incidents = [r for r in records if r.kind == "incident"] or list(records)
    lows = [r.fatalities_low if r.fatalities_low is not None else r.fatalities for r in incidents]
    highs = [
        r.fatalities_high if r.fatalities_high is not None else r.fatalities for r in incidents
    ]
    return ReportDifferences(
        toll_low=min((n for n in lows if n is not None), default=None),
        toll_high=max((n for n in highs if n is not None), default=None),
        tolls=sorted({r.fatalities for r in incidents if r.fatalities is not None}),
        places=sorted({name for r in incidents if (name := _place_name(r))}),
        attackers=sorted({r.actor1 for r in incidents if r.actor1}),
        dates=sorted({r.event_date for r in incidents if r.event_date}),
    )


def _place_name(record: Event) -> str:
    """'location, admin1' as the report gave it; a place named like its province only once."""
    parts = [record.location, record.admin1]
    if record.location and record.admin1 and record.location == record.admin1:
        parts = [record.admin1]
    return ", ".join(p for p in parts if p) or (record.country or "")
