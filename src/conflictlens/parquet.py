"""Event records as Parquet: the columnar form Spark, pandas, DuckDB and Arrow users read.

The schema is the Event record v1 (models.Event), one column per field, in the record's order:
strings as UTF-8 strings, whole numbers as int32 (geonames_id int64), coordinates and confidence
as float64, `civilian_targeting` as a boolean, `event_date` as a date (date32), the list fields
(`assoc_actor_1`, `assoc_actor_2`, `tags`, `sources`, `outlets`, `articles`, `flags`) as lists of
strings, `fatalities_by_side` as a map from side to int32, and `evidence` as a list of structs
(article_id, field, start, end, text). Unknown values are nulls, never a default.

Written in row groups of `ROW_GROUP` events, so memory stays flat whatever the dataset's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from conflictlens.models import Event

ROW_GROUP = 10_000

_STRINGS = pa.list_(pa.string())
EVIDENCE = pa.struct(
    [
        ("article_id", pa.string()),
        ("field", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("text", pa.string()),
    ]
)
EVENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("kind", pa.string()),
        ("event_date", pa.date32()),
        ("time_precision", pa.int32()),
        ("event_type", pa.string()),
        ("sub_event_type", pa.string()),
        ("actor1", pa.string()),
        ("assoc_actor_1", _STRINGS),
        ("actor2", pa.string()),
        ("assoc_actor_2", _STRINGS),
        ("inter1", pa.string()),
        ("inter2", pa.string()),
        ("civilian_targeting", pa.bool_()),
        ("country", pa.string()),
        ("country_code", pa.string()),
        ("admin1", pa.string()),
        ("admin2", pa.string()),
        ("location", pa.string()),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("geo_precision", pa.int32()),
        ("geonames_id", pa.int64()),
        ("fatalities", pa.int32()),
        ("fatalities_low", pa.int32()),
        ("fatalities_high", pa.int32()),
        ("fatalities_by_side", pa.map_(pa.string(), pa.int32())),
        ("wounded", pa.int32()),
        ("arrested", pa.int32()),
        ("abducted", pa.int32()),
        ("claimed_by", pa.string()),
        ("tags", _STRINGS),
        ("sources", _STRINGS),
        ("outlets", _STRINGS),
        ("notes", pa.string()),
        ("articles", _STRINGS),
        ("evidence", pa.list_(EVIDENCE)),
        ("confidence", pa.float64()),
        ("flags", _STRINGS),
    ]
)


# A mention: one incident as one article gave it (an Event record), the article, and the event
# linking put it in (`linked_event_id`); the mentions of `batch` output.
MENTION_SCHEMA = pa.schema(
    [("article_id", pa.string()), ("linked_event_id", pa.string()), *EVENT_SCHEMA]
)


def event_row(event: Event) -> dict[str, Any]:
    """One event as a row of EVENT_SCHEMA (Python values pyarrow converts as they are)."""
    row = event.model_dump(mode="python")
    row["fatalities_by_side"] = list(event.fatalities_by_side.items())
    return row


def events_table(events: Iterable[Event]) -> pa.Table:
    """A table of EVENT_SCHEMA (for the few events that fit in memory at once)."""
    return pa.Table.from_pylist([event_row(e) for e in events], schema=EVENT_SCHEMA)


def _row_groups(rows: Iterable[dict[str, Any]], schema: pa.Schema) -> Iterator[pa.Table]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= ROW_GROUP:
            yield pa.Table.from_pylist(batch, schema=schema)
            batch = []
    if batch:
        yield pa.Table.from_pylist(batch, schema=schema)


def write_rows(
    rows: Iterable[dict[str, Any]], where: str | Path | BinaryIO, schema: pa.Schema
) -> int:
    """Stream rows of `schema` into one Parquet file (a path or a binary file); returns the rows
    written. No rows still give a file with the schema, which readers open as an empty table."""
    written = 0
    with pq.ParquetWriter(where, schema, compression="zstd") as writer:
        for table in _row_groups(rows, schema):
            writer.write_table(table)
            written += table.num_rows
    return written


def write_parquet(events: Iterable[Event], where: str | Path | BinaryIO) -> int:
    """Stream events into one Parquet file of EVENT_SCHEMA; returns the rows written."""
    return write_rows(map(event_row, events), where, EVENT_SCHEMA)


def mention_row(article_id: str, linked_event_id: str, mention: Event) -> dict[str, Any]:
    """One mention as a row of MENTION_SCHEMA."""
    return {"article_id": article_id, "linked_event_id": linked_event_id, **event_row(mention)}


def event_from_row(row: dict[str, Any]) -> Event:
    """An Event back from a row read with pyarrow (`Table.to_pylist()`)."""
    values = dict(row)
    values["fatalities_by_side"] = dict(values["fatalities_by_side"] or [])
    return Event.model_validate(values)
