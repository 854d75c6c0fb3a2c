"""`export --format parquet`: the Event record's fields with their types, read back by pyarrow,
pandas (and Spark, in test_batch)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictlens.cli import app
from conflictlens.models import Event, Evidence

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install '.[parquet]')")
pq = pytest.importorskip("pyarrow.parquet")

from conflictlens.parquet import EVENT_SCHEMA, event_from_row, write_parquet  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _event(**values: object) -> Event:
    base: dict[str, object] = {
        "event_id": "ev0123456789abcdef",
        "event_date": dt.date(2024, 3, 9),
        "time_precision": 1,
        "event_type": "Violence against civilians",
        "sub_event_type": "Attack",
        "actor1": "Unidentified armed group",
        "assoc_actor_2": ["Farmers", "Herders"],
        "country": "Nigeria",
        "country_code": "NG",
        "admin1": "Zamfara",
        "latitude": 12.17,
        "longitude": 6.66,
        "geo_precision": 2,
        "geonames_id": 2_330_100,
        "fatalities": 4,
        "fatalities_low": 4,
        "fatalities_high": 6,
        "fatalities_by_side": {"civilians": 4},
        "wounded": None,
        "civilian_targeting": True,
        "sources": ["police"],
        "outlets": ["Sahel Daily"],
        "articles": ["a1", "a2"],
        "evidence": [Evidence(article_id="a1", field="fatalities", start=7, end=11, text="four")],
        "confidence": 0.8,
        "flags": ["count_vague"],
    }
    return Event(**{**base, **values})


def test_schema_is_the_event_records_fields_in_order() -> None:
    assert EVENT_SCHEMA.names == list(Event.model_fields)
    assert EVENT_SCHEMA.field("event_date").type == pa.date32()
    assert EVENT_SCHEMA.field("tags").type == pa.list_(pa.string())
    assert pa.types.is_map(EVENT_SCHEMA.field("fatalities_by_side").type)


def test_events_round_trip_through_pyarrow(tmp_path: Path) -> None:
    events = [_event(), _event(event_id="ev2", event_date=None, fatalities=None, evidence=[])]
    path = tmp_path / "events.parquet"
    assert write_parquet(events, path) == 2
    table = pq.read_table(path)
    assert table.schema.equals(EVENT_SCHEMA)
    assert [event_from_row(row) for row in table.to_pylist()] == events


def test_pandas_reads_dates_as_dates_lists_as_lists_and_nulls_as_missing(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    path = tmp_path / "events.parquet"
    write_parquet([_event(), _event(event_id="ev2", wounded=3, fatalities=None)], path)
    frame = pd.read_parquet(path)
    assert frame.loc[0, "event_date"] == dt.date(2024, 3, 9)
    assert list(frame.loc[0, "assoc_actor_2"]) == ["Farmers", "Herders"]
    assert frame.loc[0, "evidence"][0]["text"] == "four"
    assert pd.isna(frame.loc[1, "fatalities"]) and frame.loc[1, "wounded"] == 3


def test_no_events_still_give_a_file_with_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "none.parquet"
    assert write_parquet([], path) == 0
    assert pq.read_table(path).schema.equals(EVENT_SCHEMA)


def test_export_command_writes_the_stored_dataset(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    ingested = runner.invoke(
        app, ["ingest", str(REPO / "tests" / "articles"), "--db", str(db), "-q", "--jobs", "1"]
    )
    assert ingested.exit_code == 0, ingested.output
    jsonl = runner.invoke(app, ["export", "--db", str(db), "-f", "jsonl"])
    out = tmp_path / "events.parquet"
    result = runner.invoke(app, ["export", "--db", str(db), "-f", "parquet", "-o", str(out)])
    assert result.exit_code == 0, result.output
    back = [event_from_row(row) for row in pq.read_table(out).to_pylist()]
    expected = [Event.model_validate_json(line) for line in jsonl.stdout.splitlines() if line]
    assert back == expected and back


def test_parquet_needs_an_output_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--db", str(tmp_path / "x.db"), "-f", "parquet"])
    assert result.exit_code != 0 and "-o" in result.output
