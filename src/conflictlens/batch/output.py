"""What a batch writes into its output folder: events.parquet and mentions.parquet always,
events.csv (ACLED's columns) and events.geojson on request."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from conflictlens.export import write_acled_csv, write_geojson
from conflictlens.models import Event
from conflictlens.parquet import MENTION_SCHEMA, mention_row, write_parquet, write_rows

EXTRA_FORMATS = {
    "acled-csv": ("events.csv", write_acled_csv),
    "geojson": ("events.geojson", write_geojson),
}


def export_order(event: Event) -> tuple[bool, date, str]:
    """`export`'s order (date, undated last, then id), so both give the same file."""
    return (event.event_date is None, event.event_date or date.min, event.event_id)


def write_outputs(
    folder: Path,
    events: Sequence[Event],
    mentions: Iterable[tuple[str, str, Event]],
    formats: Iterable[str] = (),
) -> dict[str, Path]:
    """Write the events (in export order), the mentions (article, linked event, record) and the
    formats asked for; returns the files by name."""
    folder.mkdir(parents=True, exist_ok=True)
    ordered = sorted(events, key=export_order)
    files = {"events": folder / "events.parquet", "mentions": folder / "mentions.parquet"}
    write_parquet(ordered, files["events"])
    write_rows((mention_row(*m) for m in mentions), files["mentions"], MENTION_SCHEMA)
    for fmt in formats:
        name, writer = EXTRA_FORMATS[fmt]
        files[fmt] = folder / name
        with files[fmt].open("w", encoding="utf-8", newline="") as fp:
            writer(ordered, fp)
    return files
