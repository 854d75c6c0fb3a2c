"""UCDP GED-style CSV: the Event record under the Uppsala Conflict Data Program's conventions.

UCDP counts only deaths it can attribute to a conflict dyad (two organised sides, or an organised
side and civilians). Deaths from ordnance left over from earlier fighting (an old landmine, an
unexploded shell) kill people nobody was fighting at the time: when the dead are civilians or
unknown, GED codes them in the high estimate only (best 0, low 0). The same mine killing soldiers
who sweep the land of the group that laid it is that dyad's war and counts in full.

GED needs a number where a report has none ("several soldiers dead", "amid reports of casualties on
both sides"): it takes the least a plural allows, two dead, for each side the report says was hit.
The Event record keeps such a toll unknown (flag `count_vague`); only this export applies the
minimum, and marks the row's clarity low. `ucdp_deaths` applies both rules; everything else maps
field by field from the Event record.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from conflictlens.models import FLAG_ACTOR_SUSPECTED, FLAG_COUNT_VAGUE, Event

# GED's column names, in GED's order, for the values the Event record carries.
UCDP_COLUMNS: tuple[str, ...] = (
    "id",
    "year",
    "type_of_violence",
    "dyad_name",
    "side_a",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "where_prec",
    "where_coordinates",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "country",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
)

TAG_LEGACY_ORDNANCE = "legacy ordnance"
STATE_BASED, NON_STATE, ONE_SIDED = 1, 2, 3
# GED's where_prec from the Event's geo_precision (1 the place itself, 2 near it, 3 its region).
_WHERE_PREC = {1: 1, 2: 2, 3: 4}
# GED's date_prec from the Event's time_precision (1 the day, 2 the week, 3 the month).
_DATE_PREC = {1: 1, 2: 3, 3: 4}
# GED's reading of an unquantified plural of dead: the least a plural allows.
PLURAL_MINIMUM = 2
_BOTH_SIDES = re.compile(r"\b(?:both|each|the two) sides\b", re.I)
_STATE_FORCES_NAME = re.compile(r"^(?:Military|Police|Security|Armed) Forces of (.+?)(?: \(.*\))?$")


@dataclass(frozen=True)
class UcdpDeaths:
    """Deaths as GED codes them: by side, and the best, low and high estimates."""

    side_a: int
    side_b: int
    civilians: int
    unknown: int
    best: int
    low: int
    high: int


def ucdp_deaths(event: Event) -> UcdpDeaths | None:
    """GED's death figures for an incident, or None when the report gives no toll.

    Side a is the government in state-based violence (GED's rule), so a record whose attacker is
    an armed group and whose target is state forces has its sides' dead swapped.
    """
    if event.fatalities is None:
        return _plural_minimum(event)
    by_side = event.fatalities_by_side
    first, second = by_side.get("actor1", 0), by_side.get("actor2", 0)
    if _government_is_actor2(event):
        first, second = second, first
    civilians = by_side.get("civilians", 0)
    unknown = max(event.fatalities - first - second - civilians, 0)
    low = event.fatalities if event.fatalities_low is None else event.fatalities_low
    high = event.fatalities if event.fatalities_high is None else event.fatalities_high
    if TAG_LEGACY_ORDNANCE in event.tags:
        combatants = first + second
        return UcdpDeaths(first, second, 0, 0, combatants, min(low, combatants), high)
    return UcdpDeaths(first, second, civilians, unknown, event.fatalities, low, high)


def _plural_minimum(event: Event) -> UcdpDeaths | None:
    """Two dead for each side hit, where the report says people died but not how many."""
    if FLAG_COUNT_VAGUE not in event.flags:
        return None
    said = " ".join(e.text for e in event.evidence if e.field == "fatalities")
    if not said:
        return None
    sides = 2 if _BOTH_SIDES.search(said) else 1
    best = PLURAL_MINIMUM * sides
    high = max(event.fatalities_high or best, best)
    per_side = PLURAL_MINIMUM if sides == 2 else 0
    return UcdpDeaths(per_side, per_side, 0, 0 if sides == 2 else best, best, best, high)


def write_ucdp_csv(
    events: Iterable[Event], fp: TextIO, *, left_out: Counter[str] | None = None
) -> int:
    """UCDP GED-style CSV, one row per dated incident; returns the rows written.

    Aggregates (tallies over many incidents) and undated records are not GED events: they are
    left out and counted in `left_out` as the other exports count theirs. Incidents without a
    toll are written with blank estimates (GED itself would not list them) so that nothing the
    dataset holds disappears silently.
    """
    from conflictlens.export import LEFT_OUT_AGGREGATE, LEFT_OUT_UNDATED

    writer = csv.DictWriter(fp, fieldnames=UCDP_COLUMNS)
    writer.writeheader()
    written = 0
    for event in events:
        reason = (
            LEFT_OUT_AGGREGATE
            if event.kind == "aggregate"
            else LEFT_OUT_UNDATED
            if event.event_date is None
            else None
        )
        if reason is None:
            writer.writerow(_ucdp_row(event))
            written += 1
        elif left_out is not None:
            left_out[reason] += 1
    return written


def type_of_violence(event: Event) -> int:
    """GED's type: one-sided when civilians are the target, state-based when a government
    fights, else non-state."""
    if event.civilian_targeting or event.inter2 == "Civilians":
        return ONE_SIDED
    if "State forces" in (event.inter1, event.inter2):
        return STATE_BASED
    return NON_STATE


def _ucdp_row(event: Event) -> dict[str, object]:
    side_a, side_b = _sides(event)
    deaths = ucdp_deaths(event)
    doubtful = TAG_LEGACY_ORDNANCE in event.tags or {FLAG_ACTOR_SUSPECTED, FLAG_COUNT_VAGUE} & set(
        event.flags
    )
    day = event.event_date.isoformat() if event.event_date else ""
    return {
        "id": event.event_id,
        "year": event.event_date.year if event.event_date else "",
        "type_of_violence": type_of_violence(event),
        "dyad_name": f"{side_a} - {side_b}" if side_a and side_b else "",
        "side_a": side_a,
        "side_b": side_b,
        "number_of_sources": len(event.articles),
        "source_article": "; ".join(event.articles),
        "source_office": "; ".join(event.outlets),
        "where_prec": _WHERE_PREC.get(event.geo_precision or 0, 6 if event.country else ""),
        "where_coordinates": event.location or "",
        "adm_1": event.admin1 or "",
        "adm_2": event.admin2 or "",
        "latitude": "" if event.latitude is None else event.latitude,
        "longitude": "" if event.longitude is None else event.longitude,
        "country": event.country or "",
        "event_clarity": 2 if doubtful else 1,
        "date_prec": _DATE_PREC.get(event.time_precision or 0, 5),
        "date_start": day,
        "date_end": day,
        **_death_columns(deaths),
    }


def _death_columns(deaths: UcdpDeaths | None) -> dict[str, object]:
    names = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "low", "high")
    if deaths is None:
        return dict.fromkeys(names, "")
    values = (deaths.side_a, deaths.side_b, deaths.civilians, deaths.unknown)
    return dict(zip(names, (*values, deaths.best, deaths.low, deaths.high), strict=True))


def _sides(event: Event) -> tuple[str, str]:
    """GED's side a and side b: the government first in state-based violence, the perpetrator
    first in one-sided violence (whose side b is "Civilians")."""
    first, second = _ged_name(event.actor1), _ged_name(event.actor2)
    if type_of_violence(event) == ONE_SIDED:
        return first, "Civilians"
    if _government_is_actor2(event):
        return second, first
    return first, second


def _government_is_actor2(event: Event) -> bool:
    return event.inter2 == "State forces" and event.inter1 != "State forces"


def _ged_name(actor: str | None) -> str:
    """GED names a state's forces after its government ("Government of Syria")."""
    if actor is None:
        return ""
    match = _STATE_FORCES_NAME.match(actor)
    return f"Government of {match.group(1)}" if match else actor
