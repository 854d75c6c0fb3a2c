"""Exports: ACLED CSV columns and conventions, valid GeoJSON, JSON Lines round trips."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from types import ModuleType

import pytest

from conflictlens.export import (
    FORMATS,
    write_acled_csv,
    write_geojson,
    write_jsonl,
)
from conflictlens.export_ucdp import write_ucdp_csv
from conflictlens.models import Event, Evidence

# ACLED's public export columns, in order (written out here, not imported, so a change shows).
ACLED_HEADER = [
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
]

AMBUSH = Event(
    event_id="ev1",
    event_date=date(2021, 1, 9),
    time_precision=1,
    event_type="Battles",
    sub_event_type="Armed clash",
    actor1="Islamic State",
    actor2="National Defence Forces",
    assoc_actor_2=["Syrian Arab Army", "Local militia"],
    inter1="Rebel group",
    inter2="State forces",
    country="Syria",
    country_code="SY",
    admin1="Deir ez-Zor",
    admin2="Al Mayadin",
    location="Al Shola",
    latitude=35.1,
    longitude=40.2,
    geo_precision=2,
    fatalities=7,
    wounded=3,
    tags=["ambush", "sleeper cell"],
    sources=["Syrian Observatory for Human Rights"],
    outlets=["Example Wire", "Syrian Observatory for Human Rights"],
    notes="On 9 January 2021, gunmen ambushed a patrol near Al Shola.",
    articles=["a1"],
    evidence=[Evidence(article_id="a1", field="fatalities", start=10, end=17, text="seven")],
    confidence=0.8,
    flags=["actor_suspected"],
)


def acled_rows(
    events: list[Event], **options: object
) -> tuple[int, list[str], list[dict[str, str]]]:
    """The rows written; undated events are kept unless an option says otherwise, as most test
    events here carry no date (tests/test_newcomer.py checks that they are left out by default)."""
    out = io.StringIO(newline="")
    written = write_acled_csv(events, out, **{"include_undated": True, **options})
    out.seek(0)
    reader = csv.DictReader(out)
    rows = list(reader)
    return written, list(reader.fieldnames or []), rows


def test_acled_columns_are_acleds_in_order() -> None:
    _, header, _ = acled_rows([])
    assert header == ACLED_HEADER


def test_acled_row_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "conflictlens.extraction.actors", None)
    written, _, [row] = acled_rows([AMBUSH])
    assert written == 1
    assert row["event_id_cnty"] == "ev1"
    assert row["event_date"] == "2021-01-09"
    assert row["year"] == "2021"
    assert row["time_precision"] == "1"
    assert row["disorder_type"] == "Political violence"
    assert row["actor1"] == "Islamic State"
    assert row["assoc_actor_2"] == "Syrian Arab Army; Local militia"
    assert (row["inter1"], row["inter2"], row["interaction"]) == ("2", "1", "12")
    assert row["civilian_targeting"] == ""
    assert row["iso"] == "760"
    assert (row["country"], row["admin1"], row["admin2"], row["location"]) == (
        "Syria",
        "Deir ez-Zor",
        "Al Mayadin",
        "Al Shola",
    )
    assert (float(row["latitude"]), float(row["longitude"])) == (35.1, 40.2)
    assert row["source"] == "Syrian Observatory for Human Rights; Example Wire"
    assert row["fatalities"] == "7"
    assert row["tags"] == "ambush; sleeper cell"


def test_unknown_fatalities_are_written_0_with_a_tag() -> None:
    unknown = AMBUSH.model_copy(update={"event_id": "ev2", "fatalities": None})
    nobody = AMBUSH.model_copy(update={"event_id": "ev3", "fatalities": 0, "tags": []})
    _, _, rows = acled_rows([unknown, nobody])
    by_id = {row["event_id_cnty"]: row for row in rows}
    assert by_id["ev2"]["fatalities"] == "0"
    assert by_id["ev2"]["tags"] == "ambush; sleeper cell; fatalities unknown"
    assert by_id["ev3"]["fatalities"] == "0"
    assert by_id["ev3"]["tags"] == ""


def test_aggregates_are_not_acled_events() -> None:
    tally = Event(event_id="tally", kind="aggregate", country="Syria", fatalities=61)
    written, _, rows = acled_rows([tally, AMBUSH])
    assert written == 1
    assert [row["event_id_cnty"] for row in rows] == ["ev1"]


@pytest.mark.parametrize(
    ("actor2", "inter1", "inter2", "expected"),
    [
        ("B", "State forces", "Rebel group", ("1", "2", "12")),
        ("B", "Rebel group", "State forces", ("2", "1", "12")),
        ("B", "Rebel group", "Civilians", ("2", "7", "27")),
        ("B", "External/Other forces", "State forces", ("8", "1", "18")),
        ("B", "State forces", "State forces", ("1", "1", "11")),
        (None, "Protesters", None, ("6", "0", "60")),
        ("B", "Rebel group", None, ("2", "", "")),
    ],
)
def test_inter_codes_and_interaction(
    actor2: str | None, inter1: str, inter2: str | None, expected: tuple[str, str, str]
) -> None:
    event = Event(event_id="e", actor1="A", actor2=actor2, inter1=inter1, inter2=inter2)
    _, _, [row] = acled_rows([event])
    assert (row["inter1"], row["inter2"], row["interaction"]) == expected


@pytest.mark.parametrize(
    ("event_type", "sub_event_type", "disorder_type"),
    [
        ("Explosions/Remote violence", "Air/drone strike", "Political violence"),
        ("Protests", "Peaceful protest", "Demonstrations"),
        ("Protests", "Excessive force against protesters", "Political violence; Demonstrations"),
        ("Riots", "Mob violence", "Political violence; Demonstrations"),
        ("Strategic developments", "Arrests", "Strategic developments"),
        (None, None, ""),
    ],
)
def test_disorder_type(event_type: str | None, sub_event_type: str | None, disorder_type: str):
    event = Event(event_id="e", event_type=event_type, sub_event_type=sub_event_type)
    _, _, [row] = acled_rows([event])
    assert row["disorder_type"] == disorder_type


def test_actor_names_come_from_the_actor_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    acled_names = {
        "Islamic State": "Islamic State ({country})",
        "Syrian Arab Army": "Military Forces",
    }

    class FakeActorDictionary:
        @classmethod
        def default(cls) -> FakeActorDictionary:
            return cls()

        def acled_name(self, name: str, country_code: str | None = None) -> str | None:
            template = acled_names.get(name)
            return None if template is None else template.format(country=country_code)

    actors = ModuleType("conflictlens.extraction.actors")
    actors.ActorDictionary = FakeActorDictionary  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "conflictlens.extraction.actors", actors)
    _, _, [row] = acled_rows([AMBUSH])
    assert row["actor1"] == "Islamic State (SY)"
    assert row["actor2"] == "National Defence Forces"  # unknown to the dictionary: canonical name
    assert row["assoc_actor_2"] == "Military Forces; Local militia"


def test_actor_names_with_the_shipped_dictionary() -> None:
    pytest.importorskip("conflictlens.extraction.actors")
    event = Event(event_id="e", actor1="Islamic State", actor2="Civilians", country_code="SY")
    _, _, [row] = acled_rows([event])
    assert (row["actor1"], row["actor2"]) == ("Islamic State (Syria)", "Civilians (Syria)")


def test_actor_names_fall_back_without_the_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "conflictlens.extraction.actors", None)  # import fails
    _, _, [row] = acled_rows([AMBUSH])
    assert (row["actor1"], row["actor2"]) == ("Islamic State", "National Defence Forces")


def test_geojson_is_valid_with_lon_lat_points() -> None:
    no_place = Event(event_id="nowhere")
    half_place = Event(event_id="half", latitude=34.0)
    out = io.StringIO()
    assert write_geojson([AMBUSH, no_place, half_place], out) == 1
    collection = json.loads(out.getvalue())
    assert collection["type"] == "FeatureCollection"
    assert collection["skipped_without_coordinates"] == 2
    [feature] = collection["features"]
    assert feature["type"] == "Feature"
    assert feature["id"] == "ev1"
    assert feature["geometry"] == {"type": "Point", "coordinates": [40.2, 35.1]}
    assert Event.model_validate(feature["properties"]) == AMBUSH


def test_geojson_of_nothing_is_an_empty_collection() -> None:
    out = io.StringIO()
    assert write_geojson([], out) == 0
    assert json.loads(out.getvalue()) == {
        "type": "FeatureCollection",
        "features": [],
        "skipped_without_coordinates": 0,
    }


def test_geojson_streams_many_features() -> None:
    many = [
        AMBUSH.model_copy(update={"event_id": f"ev{i}", "longitude": float(i)}) for i in range(3)
    ]
    out = io.StringIO()
    assert write_geojson(many, out) == 3
    features = json.loads(out.getvalue())["features"]
    assert [f["geometry"]["coordinates"][0] for f in features] == [0.0, 1.0, 2.0]


def test_jsonl_round_trips_to_events() -> None:
    minimal = Event(event_id="ev-min", kind="aggregate")
    unicode_notes = AMBUSH.model_copy(
        update={"event_id": "ev-u", "notes": "Dayr az-Zawr — دير الزور"}
    )
    out = io.StringIO()
    assert write_jsonl([AMBUSH, minimal, unicode_notes], out) == 3
    lines = out.getvalue().splitlines()
    assert [Event.model_validate_json(line) for line in lines] == [AMBUSH, minimal, unicode_notes]


def test_formats_by_name() -> None:
    assert {
        "jsonl": write_jsonl,
        "acled-csv": write_acled_csv,
        "ucdp-csv": write_ucdp_csv,
        "geojson": write_geojson,
    } == FORMATS
