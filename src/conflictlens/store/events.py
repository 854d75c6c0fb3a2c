"""Events and the queries over them: listings with filters and orders, counts, the summary."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Unpack

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    Select,
    case,
    extract,
    func,
    or_,
    select,
)

from conflictlens.models import Event
from conflictlens.store import schema
from conflictlens.store.base import (
    _STREAM_BATCH,
    EVENT_ORDERS,
    UNKNOWN,
    EventFilters,
    StoreBase,
    Summary,
    Tally,
    _resolve_event_id,
)
from conflictlens.store.search import text_match

# Distinct filter sets whose counts are kept (all are dropped when there are more).
_COUNTS_KEPT = 4096


class DataVersion:
    """A value that changes whenever any connection commits a write: SQLite's data_version on a
    connection kept for it alone (it counts the commits of every other connection), PostgreSQL's
    WAL position (every commit moves it). None where neither works (an in-memory SQLite)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._watcher: Any = None
        database = engine.url.database or ""
        self._usable = engine.dialect.name == "postgresql" or (
            engine.dialect.name == "sqlite"
            and database not in ("", ":memory:")
            and "mode=memory" not in database
        )

    def close(self) -> None:
        with self._lock:
            if self._watcher is not None:
                self._watcher.close()
                self._watcher = None

    def current(self, conn: Connection) -> Any:
        if not self._usable:
            return None
        if self._engine.dialect.name == "postgresql":
            return conn.exec_driver_sql("SELECT pg_current_wal_lsn()").scalar()
        with self._lock:
            if self._watcher is None:
                self._watcher = self._engine.raw_connection()
            cursor = self._watcher.cursor()
            try:
                return cursor.execute("PRAGMA data_version").fetchone()[0]
            finally:
                cursor.close()


class EventsMixin(StoreBase):
    """Reading events: one by id, its reports, filtered listings, counts and the summary."""

    def get_event(self, event_id: str) -> Event | None:
        """The event (with corrections applied) by its id or a former id; rejected events too."""
        with self._engine.connect() as conn:
            current = _resolve_event_id(conn, event_id)
            record = (
                None
                if current is None
                else conn.scalar(
                    select(schema.events.c.record).where(schema.events.c.event_id == current)
                )
            )
        return None if record is None else Event.model_validate(record)

    def mentions_of(self, event_id: str) -> list[tuple[str, Event]]:
        """Each report of an event: (article id, the Event as that article alone gave it)."""
        with self._engine.connect() as conn:
            event_id = _resolve_event_id(conn, event_id) or event_id
            rows = conn.execute(
                select(schema.mentions.c.article_id, schema.mentions.c.record)
                .where(schema.mentions.c.event_id == event_id)
                .order_by(schema.mentions.c.article_id, schema.mentions.c.position)
            ).all()
        return [(row.article_id, Event.model_validate(row.record)) for row in rows]

    def events(
        self,
        *,
        order: str = "date",
        limit: int | None = None,
        offset: int = 0,
        **filters: Unpack[EventFilters],
    ) -> list[Event]:
        """Events matching every filter given (see EventFilters), in `order` (EVENT_ORDERS; ties by
        event_id). Rejected events are left out unless asked for."""
        return list(self.iter_events(order=order, limit=limit, offset=offset, **filters))

    def iter_events(
        self,
        *,
        order: str = "date",
        limit: int | None = None,
        offset: int = 0,
        **filters: Unpack[EventFilters],
    ) -> Iterator[Event]:
        """Like `events`, streamed in batches for exports.

        The read stays open until the iterator is exhausted or closed: on SQLite, finish it before
        writing to the same database.
        """
        if limit is not None:
            yield from self._page(order, limit, offset, filters)
            return
        statement = (
            select(schema.events.c.record)
            .where(*event_conditions(**filters))
            .order_by(*_event_order(order))
            .limit(limit)
            .offset(offset or None)
        )
        with self._engine.connect() as conn:
            result = conn.execution_options(yield_per=_STREAM_BATCH).execute(statement)
            for record in result.scalars():
                yield Event.model_validate(record)

    def _page(self, order: str, limit: int, offset: int, filters: EventFilters) -> list[Event]:
        """One page of a listing: ids first, read off the order's index (the wide records of the
        events skipped over are never read), then the records of that page alone."""
        with self._engine.connect() as conn:
            ids = list(conn.scalars(page_ids(order, limit, offset, **filters)))
            records = dict(
                conn.execute(
                    select(schema.events.c.event_id, schema.events.c.record).where(
                        schema.events.c.event_id.in_(ids)
                    )
                ).all()
            )
        return [Event.model_validate(records[event_id]) for event_id in ids]

    def count_events(self, **filters: Unpack[EventFilters]) -> int:
        """How many events match; unlike the listings, rejected events count unless
        `include_rejected=False`, so with no filter this is every stored event."""
        filters.setdefault("include_rejected", True)
        key = tuple(sorted(filters.items()))
        with self._engine.connect() as conn:
            version = self._data_version.current(conn)
            cached = self._counts.get(key)
            if version is not None and cached is not None and cached[0] == version:
                return cached[1]
            count = (
                conn.scalar(
                    select(func.count())
                    .select_from(schema.events)
                    .where(*event_conditions(**filters))
                )
                or 0
            )
        if version is not None:
            if len(self._counts) >= _COUNTS_KEPT:
                self._counts.clear()
            self._counts[key] = (version, count)
        return count

    def close(self) -> None:
        if "_data_version" in self.__dict__:
            self._data_version.close()
        super().close()

    @functools.cached_property
    def _counts(self) -> dict[tuple[Any, ...], tuple[Any, int]]:
        """Counts of listings by their filters, with the data version they were counted at: a
        desk paging through one filter counts its events once, not once per page."""
        return {}

    @functools.cached_property
    def _data_version(self) -> DataVersion:
        return DataVersion(self._engine)

    def summary(self) -> Summary:
        """Events, incidents and incident fatalities overall, by country, event type and month."""
        is_incident = schema.events.c.kind == "incident"
        tally_columns = (
            func.count(),
            func.coalesce(func.sum(case((is_incident, 1), else_=0)), 0),
            func.coalesce(func.sum(case((is_incident, schema.events.c.fatalities), else_=0)), 0),
        )
        year = extract("year", schema.events.c.event_date)
        month = extract("month", schema.events.c.event_date)
        with self._engine.connect() as conn:
            total = _tally(conn.execute(select(*tally_columns)).one())
            by_country = _tallies_by(
                conn, (schema.events.c.country,), tally_columns, _key_or_unknown
            )
            by_event_type = _tallies_by(
                conn, (schema.events.c.event_type,), tally_columns, _key_or_unknown
            )
            by_month = _tallies_by(conn, (year, month), tally_columns, _month_key)
        return Summary(
            articles=self.count_articles(),
            total=total,
            by_country=by_country,
            by_event_type=by_event_type,
            by_month=by_month,
        )


def page_ids(order: str, limit: int, offset: int, **filters: Unpack[EventFilters]) -> Select[Any]:
    """The ids of one page of a listing, which an index per order serves without a sort."""
    return (
        select(schema.events.c.event_id)
        .where(*event_conditions(**filters))
        .order_by(*_event_order(order))
        .limit(limit)
        .offset(offset or None)
    )


def _event_order(order: str) -> list[ColumnElement[Any]]:
    if order not in EVENT_ORDERS:
        raise ValueError(f"unknown order {order!r}; use one of {', '.join(EVENT_ORDERS)}")
    column = {
        "date": schema.events.c.event_date,
        "fatalities": schema.events.c.fatalities,
        "confidence": schema.events.c.confidence,
    }[order.lstrip("-")]
    direction = column.desc() if order.startswith("-") else column.asc()
    return [direction.nulls_last(), schema.events.c.event_id]


def event_conditions(**filters: Unpack[EventFilters]) -> list[ColumnElement[bool]]:
    """The WHERE clause of the event listings, for queries the Store has no method for."""
    country = filters.get("country")
    admin1 = filters.get("admin1")
    since = filters.get("since")
    until = filters.get("until")
    event_type = filters.get("event_type")
    kind = filters.get("kind")
    actor = filters.get("actor")
    min_fatalities = filters.get("min_fatalities")
    text = filters.get("text")
    review_status = filters.get("review_status")
    include_rejected = filters.get("include_rejected", False)
    conditions: list[ColumnElement[bool]] = []
    if review_status is not None:
        conditions.append(schema.events.c.review_status == review_status)
    elif not include_rejected:
        conditions.append(schema.events.c.review_status != "rejected")
    matches_text = text_match(text) if text else None
    if matches_text is not None:
        conditions.append(matches_text)
    if country is not None:
        conditions.append(_country_condition(country))
    if admin1 is not None:
        conditions.append(schema.events.c.admin1 == admin1)
    if since is not None:
        conditions.append(schema.events.c.event_date >= since)
    if until is not None:
        conditions.append(schema.events.c.event_date <= until)
    if event_type is not None:
        conditions.append(schema.events.c.event_type == event_type)
    if kind is not None:
        conditions.append(schema.events.c.kind == kind)
    if actor is not None:
        conditions.append(or_(schema.events.c.actor1 == actor, schema.events.c.actor2 == actor))
    if min_fatalities is not None:
        conditions.append(schema.events.c.fatalities >= min_fatalities)
    return conditions


def _country_condition(country: str) -> ColumnElement[bool]:
    """A country by name or by ISO alpha-2 code. No country's name has two letters, so one column
    decides, and a count reads that column's index alone (an OR of both reads every matching row)."""
    if len(country) == 2 and country.isalpha():
        return schema.events.c.country_code == country.upper()
    return schema.events.c.country == country


def _tally(row: Sequence[Any]) -> Tally:
    events_count, incidents, fatalities = row
    return Tally(events=int(events_count), incidents=int(incidents), fatalities=int(fatalities))


def _tallies_by(
    conn: Connection,
    group: Sequence[ColumnElement[Any]],
    tally_columns: Sequence[ColumnElement[Any]],
    key_of: Callable[..., str],
) -> dict[str, Tally]:
    rows: Sequence[Row[Any]] = conn.execute(select(*group, *tally_columns).group_by(*group)).all()
    tallies = {key_of(*row[: len(group)]): _tally(row[len(group) :]) for row in rows}
    return dict(sorted(tallies.items(), key=lambda item: (item[0] == UNKNOWN, item[0])))


def _key_or_unknown(value: str | None) -> str:
    return UNKNOWN if value is None else value


def _month_key(year: float | None, month: float | None) -> str:
    # EXTRACT gives numbers (floats on PostgreSQL); undated events have neither.
    if year is None or month is None:
        return UNKNOWN
    return f"{int(year):04d}-{int(month):02d}"
