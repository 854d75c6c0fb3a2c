"""Read-only queries the API needs and the Store has no method for: statistics, article listings.

They run on `Store.engine` with the Store's own event filters, so a statistic and a listing given
the same filters always describe the same events.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select, union
from sqlalchemy.engine import Connection

from conflictlens.models import Event
from conflictlens.store import UNKNOWN, Store, event_conditions, schema
from conflictlens.web.schemas import (
    ArticleBrief,
    ReportedEvent,
    Stats,
    StatsDimension,
    StatsRow,
)

_events = schema.events
_articles = schema.articles
_mentions = schema.mentions

_IS_INCIDENT = _events.c.kind == "incident"
_EVENT_COUNT = func.count()
# Aggregates are tallies over many incidents: adding them to incident counts would count twice.
_INCIDENT_FATALITIES = func.coalesce(
    func.sum(case((_IS_INCIDENT, _events.c.fatalities), else_=0)), 0
)


def statistics(
    store: Store, by: StatsDimension, filters: dict[str, Any], *, limit: int | None = None
) -> Stats:
    """Events and incident fatalities grouped by `by`, over the events matching `filters`.

    Weeks and months run in date order from the first to the last with events, empty periods
    included, undated events last; the other dimensions run from the most events to the fewest,
    cut to `limit` rows when given.
    """
    conditions = event_conditions(**filters)
    with store.engine.connect() as conn:
        total_events, total_fatalities = conn.execute(
            select(_EVENT_COUNT, _INCIDENT_FATALITIES).where(*conditions)
        ).one()
        if by in ("week", "month"):
            rows = _by_period(conn, by, conditions)
        elif by == "actor":
            rows = _by_actor(conn, conditions)
        else:
            rows = _by_column(conn, by, conditions)
    if by not in ("week", "month"):
        rows.sort(key=lambda row: (-row.events, row.key == UNKNOWN, row.key))
        rows = rows[:limit] if limit else rows
    return Stats(
        by=by,
        total_events=int(total_events),
        total_fatalities=int(total_fatalities),
        rows=rows,
    )


def _period_start(day: date, by: StatsDimension) -> tuple[str, date]:
    if by == "week":
        monday = day - timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        return f"{year:04d}-W{week:02d}", monday
    return f"{day.year:04d}-{day.month:02d}", day.replace(day=1)


def _next_period(start: date, by: StatsDimension) -> date:
    if by == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def _by_period(
    conn: Connection, by: StatsDimension, conditions: list[ColumnElement[bool]]
) -> list[StatsRow]:
    # Grouped by day in SQL and by period here: week and month arithmetic differs between SQLite
    # and PostgreSQL, and a dataset has at most a few thousand distinct days.
    buckets: dict[str, list[Any]] = {}
    undated = [0, 0]
    statement = (
        select(_events.c.event_date, _EVENT_COUNT, _INCIDENT_FATALITIES)
        .where(*conditions)
        .group_by(_events.c.event_date)
    )
    for day, count, fatalities in conn.execute(statement):
        if day is None:
            undated = [count, fatalities]
            continue
        key, start = _period_start(day, by)
        bucket = buckets.setdefault(key, [start, 0, 0])
        bucket[1] += count
        bucket[2] += fatalities
    rows = []
    if buckets:
        # Every period from the first to the last, empty ones too, so the series is a time axis.
        starts = sorted(start for start, _, _ in buckets.values())
        period, last = starts[0], starts[-1]
        while period <= last:
            key, _ = _period_start(period, by)
            _, count, fatalities = buckets.get(key, (period, 0, 0))
            rows.append(StatsRow(key=key, start=period, events=count, fatalities=fatalities))
            period = _next_period(period, by)
    if undated[0]:
        rows.append(StatsRow(key=UNKNOWN, events=undated[0], fatalities=undated[1]))
    return rows


def _by_column(
    conn: Connection, by: StatsDimension, conditions: list[ColumnElement[bool]]
) -> list[StatsRow]:
    if by == "admin1":
        # A region name alone is ambiguous ("Northern", "Central"): group by region and country.
        group = (_events.c.admin1, _events.c.country)
    else:
        group = (_events.c[by], literal(None))
    statement = (
        select(*group, _EVENT_COUNT, _INCIDENT_FATALITIES).where(*conditions).group_by(*group)
    )
    return [
        StatsRow(
            key=UNKNOWN if value is None else value,
            country=country,
            events=count,
            fatalities=fatalities,
        )
        for value, country, count, fatalities in conn.execute(statement)
    ]


def _by_actor(conn: Connection, conditions: list[ColumnElement[bool]]) -> list[StatsRow]:
    # An event counts once for each distinct actor on either side.
    sides = union(
        *(
            select(_events.c.event_id, column.label("actor")).where(
                *conditions, column.is_not(None)
            )
            for column in (_events.c.actor1, _events.c.actor2)
        )
    ).subquery()
    statement = (
        select(sides.c.actor, _EVENT_COUNT, _INCIDENT_FATALITIES)
        .select_from(sides.join(_events, _events.c.event_id == sides.c.event_id))
        .group_by(sides.c.actor)
    )
    return [
        StatsRow(key=actor, events=count, fatalities=fatalities)
        for actor, count, fatalities in conn.execute(statement)
    ]


def distinct_values(store: Store, column: str, *, limit: int | None = None) -> list[str]:
    """Known values of an event column, the most frequent first (for the desk's filter lists)."""
    col = _events.c[column]
    statement = (
        select(col)
        .where(col.is_not(None), _events.c.review_status != "rejected")
        .group_by(col)
        .order_by(func.count().desc(), col)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return list(conn.scalars(statement))


def top_actors(store: Store, limit: int) -> list[str]:
    return [row.key for row in statistics(store, "actor", {}, limit=limit).rows]


def date_range(store: Store) -> tuple[date | None, date | None]:
    with store.engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(_events.c.event_date), func.max(_events.c.event_date))
        ).one()
    return first, last


def _article_columns() -> tuple[Any, ...]:
    mentioned = (
        select(func.count(func.distinct(_mentions.c.event_id)))
        .where(_mentions.c.article_id == _articles.c.id)
        .scalar_subquery()
    )
    return (
        _articles.c.id,
        _articles.c.title,
        _articles.c.url,
        _articles.c.outlet,
        _articles.c.published,
        _articles.c.status,
        mentioned.label("events"),
    )


def _brief(row: Any) -> ArticleBrief:
    return ArticleBrief(
        id=row.id,
        title=row.title,
        url=row.url,
        outlet=row.outlet,
        published=row.published,
        status=row.status,
        events=row.events,
    )


def list_articles(store: Store, *, limit: int, offset: int) -> tuple[int, list[ArticleBrief]]:
    """Stored articles, the newest publication first; (total, this page)."""
    statement = (
        select(*_article_columns())
        .order_by(_articles.c.published.desc().nulls_last(), _articles.c.id)
        .limit(limit)
        .offset(offset)
    )
    with store.engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(_articles)) or 0
        rows = conn.execute(statement).all()
    return total, [_brief(row) for row in rows]


def article_briefs(store: Store, article_ids: Iterable[str]) -> dict[str, ArticleBrief]:
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return {}
    with store.engine.connect() as conn:
        rows = conn.execute(select(*_article_columns()).where(_articles.c.id.in_(ids))).all()
    return {row.id: _brief(row) for row in rows}


def reported_events(store: Store, article_id: str) -> list[ReportedEvent]:
    """What an article reports, in its order: each incident as the article gave it and as merged."""
    statement = (
        select(_mentions.c.position, _mentions.c.record, _events.c.record.label("merged"))
        .select_from(_mentions.outerjoin(_events, _events.c.event_id == _mentions.c.event_id))
        .where(_mentions.c.article_id == article_id)
        .order_by(_mentions.c.position)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(statement).all()
    return [
        ReportedEvent(
            position=row.position,
            event=None if row.merged is None else Event.model_validate(row.merged),
            reported=Event.model_validate(row.record),
        )
        for row in rows
    ]
