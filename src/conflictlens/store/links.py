"""Mentions and links: what each article reports, and the events linking groups those reports into."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    delete,
    insert,
    or_,
    select,
    update,
)

from conflictlens.models import Event
from conflictlens.store import schema
from conflictlens.store.base import (
    _STREAM_BATCH,
    LINK_PENDING,
    LinkWindow,
    StaleLinksError,
    StoreBase,
    StoredMention,
    _article_exists,
    _delete_unmentioned_events,
    _event_columns,
    _hold_write_lock,
    _resolve_event_id,
    retry_when_busy,
)


class LinksMixin(StoreBase):
    """Mentions of incidents by articles, and the linked events they point at."""

    @retry_when_busy
    def set_mentions(
        self, article_id: str, events: Sequence[Event], *, link_pending: bool = False
    ) -> None:
        """Replace what one article reports: one mention per incident, in the article's order.

        Until cross-report linking exists each mention is also its own event (same event_id): the
        event row is created or updated from the mention, and events no mention points to any more
        are removed. Rows that already hold the same values are not rewritten, so storing the same
        events twice leaves every row as it was. With `link_pending` the article is marked "ok" and
        LINK_PENDING in the same transaction: its extraction is whole, its linking still to do.
        """
        event_ids = [e.event_id for e in events]
        if len(set(event_ids)) != len(event_ids):
            raise ValueError(f"article {article_id!r}: the same event_id is given twice")
        with self._engine.begin() as conn:
            if not _article_exists(conn, article_id):
                raise KeyError(article_id)
            previous = {
                row.position: row
                for row in conn.execute(
                    select(
                        schema.mentions.c.id,
                        schema.mentions.c.position,
                        schema.mentions.c.event_id,
                        schema.mentions.c.record,
                    ).where(schema.mentions.c.article_id == article_id)
                )
            }
            previous_event_ids = {row.event_id for row in previous.values()}
            for incident in events:
                _upsert_event(conn, incident)
            for position, incident in enumerate(events):
                record = incident.to_json_dict()
                row = previous.pop(position, None)
                if row is None:
                    conn.execute(
                        insert(schema.mentions).values(
                            article_id=article_id,
                            event_id=incident.event_id,
                            position=position,
                            record=record,
                        )
                    )
                elif row.event_id != incident.event_id or row.record != record:
                    conn.execute(
                        update(schema.mentions)
                        .where(schema.mentions.c.id == row.id)
                        .values(event_id=incident.event_id, record=record)
                    )
            if previous:
                conn.execute(
                    delete(schema.mentions).where(
                        schema.mentions.c.id.in_([row.id for row in previous.values()])
                    )
                )
            _delete_unmentioned_events(conn, previous_event_ids - set(event_ids))
            if link_pending:
                conn.execute(
                    update(schema.articles)
                    .where(schema.articles.c.id == article_id)
                    .values(status="ok", status_reason=LINK_PENDING)
                )

    def resolve_event_id(self, event_id: str) -> str | None:
        """The current id of an event given its id or an id it had before linking renamed it."""
        with self._engine.connect() as conn:
            return _resolve_event_id(conn, event_id)

    def stored_mentions(
        self,
        *,
        article_ids: Iterable[str] = (),
        event_ids: Iterable[str] = (),
        windows: Iterable[LinkWindow] = (),
        row_ids: Iterable[int] = (),
    ) -> list[StoredMention]:
        """Mentions of these articles, of these events, of events inside these windows, and these
        mention rows, in row order."""
        return list(
            self.iter_stored_mentions(
                article_ids=article_ids, event_ids=event_ids, windows=windows, row_ids=row_ids
            )
        )

    def iter_stored_mentions(
        self,
        *,
        article_ids: Iterable[str] = (),
        event_ids: Iterable[str] = (),
        windows: Iterable[LinkWindow] = (),
        row_ids: Iterable[int] = (),
    ) -> Iterator[StoredMention]:
        """`stored_mentions` read a batch of rows at a time: a busy region's neighbourhood holds
        thousands of wide records, of which linking keeps only a few fields each."""
        statement = _mentions_statement(article_ids, event_ids, windows, row_ids)
        if statement is None:
            return
        with self._engine.connect() as conn:
            result = conn.execution_options(yield_per=_STREAM_BATCH).execute(statement)
            for row in result:
                yield StoredMention(
                    row_id=row.id,
                    article_id=row.article_id,
                    published=row.published,
                    event_id=row.event_id,
                    record=Event.model_validate(row.record),
                )

    @retry_when_busy
    def write_links(
        self, groups: Sequence[tuple[Event, Sequence[int]]], read: Mapping[int, str]
    ) -> list[str]:
        """Store linked events: each merged Event with the mention rows that report it.

        The mentions are re-pointed at their group's event. Events they were in before that no group
        keeps are retired: their id becomes an alias of the event that took most of their mentions,
        and their review state and audit trail move with it. An analyst's corrections are applied
        on top of every merged record. Returns the ids of events created or changed.

        `read` is the event each of these rows was in when linking read it; if another writer has
        moved or removed one since, nothing is written and StaleLinksError is raised.
        """
        rows = [row for _, members in groups for row in members]
        changed: list[str] = []
        with self._engine.begin() as conn:
            _hold_write_lock(conn)
            before = dict(
                conn.execute(
                    select(schema.mentions.c.id, schema.mentions.c.event_id)
                    .where(schema.mentions.c.id.in_(rows))
                    .with_for_update()
                ).all()
            )
            if moved := [row for row in rows if before.get(row) != read[row]]:
                raise StaleLinksError(
                    f"{len(moved)} of {len(rows)} mention rows were moved or removed by another"
                    " writer while they were linked"
                )
            new_ids = {merged.event_id for merged, _ in groups}
            moved_to: dict[str, Counter[str]] = {}
            for merged, members in groups:
                for row in members:
                    moved_to.setdefault(before[row], Counter())[merged.event_id] += 1
            reviews = _review_states(conn, set(moved_to) | new_ids)
            for merged, members in groups:
                origins = Counter(before[row] for row in members)
                state = reviews.get(merged.event_id) or next(
                    (
                        reviews[old]
                        for old, _ in sorted(origins.items(), key=lambda kv: (-kv[1], kv[0]))
                        if old in reviews
                    ),
                    None,
                )
                if _write_event(conn, merged, state):
                    changed.append(merged.event_id)
                moving = [row for row in members if before[row] != merged.event_id]
                if moving:
                    conn.execute(
                        update(schema.mentions)
                        .where(schema.mentions.c.id.in_(moving))
                        .values(event_id=merged.event_id)
                    )
                conn.execute(
                    delete(schema.event_aliases).where(
                        schema.event_aliases.c.alias == merged.event_id
                    )
                )
            for old, destinations in sorted(moved_to.items()):
                if old in new_ids:
                    continue
                heir = min(destinations, key=lambda new: (-destinations[new], new))
                _retire_event(conn, old, heir)
        return changed


def _mentions_statement(
    article_ids: Iterable[str],
    event_ids: Iterable[str],
    windows: Iterable[LinkWindow],
    row_ids: Iterable[int],
) -> Select[Any] | None:
    """The query of `stored_mentions`, or None when it asks for nothing."""
    m, a, e = schema.mentions, schema.articles, schema.events
    wanted: list[ColumnElement[bool]] = []
    if articles := sorted(set(article_ids)):
        wanted.append(m.c.article_id.in_(articles))
    if events := sorted(set(event_ids)):
        wanted.append(m.c.event_id.in_(events))
    if rows := sorted(set(row_ids)):
        wanted.append(m.c.id.in_(rows))
    in_windows = [
        (e.c.country_code == w.country_code)
        & (e.c.admin1 == w.admin1)
        & (e.c.event_date >= w.since)
        & (e.c.event_date <= w.until)
        for w in _merged_windows(windows)
    ]
    if in_windows:
        wanted.append(m.c.event_id.in_(select(e.c.event_id).where(or_(*in_windows))))
    if not wanted:
        return None
    return (
        select(m.c.id, m.c.article_id, m.c.event_id, m.c.record, a.c.published)
        .join(a, a.c.id == m.c.article_id)
        .where(or_(*wanted))
        .order_by(m.c.id)
    )


def _upsert_event(conn: Connection, incident: Event) -> None:
    record = incident.to_json_dict()
    stored = conn.scalar(
        select(schema.events.c.record).where(schema.events.c.event_id == incident.event_id)
    )
    if stored is None:
        conn.execute(
            insert(schema.events).values(
                event_id=incident.event_id, record=record, **_event_columns(incident)
            )
        )
    elif stored != record:
        conn.execute(
            update(schema.events)
            .where(schema.events.c.event_id == incident.event_id)
            .values(record=record, **_event_columns(incident))
        )


def _merged_windows(windows: Iterable[LinkWindow]) -> list[LinkWindow]:
    """Overlapping windows of one block joined, so the query has few conditions."""
    merged: list[LinkWindow] = []
    for w in sorted(windows, key=lambda w: (w.country_code, w.admin1, w.since)):
        last = merged[-1] if merged else None
        if (
            last is not None
            and (last.country_code, last.admin1) == (w.country_code, w.admin1)
            and w.since <= last.until
        ):
            merged[-1] = LinkWindow(
                last.country_code, last.admin1, last.since, max(last.until, w.until)
            )
        else:
            merged.append(w)
    return merged


def _review_states(
    conn: Connection, event_ids: set[str]
) -> dict[str, tuple[str, dict[str, Any] | None]]:
    """(review_status, corrections) of the given events that an analyst has touched."""
    if not event_ids:
        return {}
    rows = conn.execute(
        select(
            schema.events.c.event_id, schema.events.c.review_status, schema.events.c.corrections
        ).where(
            schema.events.c.event_id.in_(sorted(event_ids)),
            or_(
                schema.events.c.review_status != "unreviewed",
                schema.events.c.corrections.is_not(None),
            ),
        )
    ).all()
    return {row.event_id: (row.review_status, row.corrections) for row in rows}


def _write_event(
    conn: Connection, merged: Event, review: tuple[str, dict[str, Any] | None] | None
) -> bool:
    """Insert or update one event's row, corrections applied; whether anything changed."""
    status, corrections = review or ("unreviewed", None)
    shown = merged
    if corrections:
        try:
            shown = Event.model_validate({**merged.to_json_dict(), **corrections})
        except ValidationError:
            shown = merged  # a correction the new record cannot hold is kept, not applied
    record = shown.to_json_dict()
    stored = conn.execute(
        select(
            schema.events.c.record, schema.events.c.review_status, schema.events.c.corrections
        ).where(schema.events.c.event_id == merged.event_id)
    ).one_or_none()
    values = {
        "record": record,
        "review_status": status,
        "corrections": corrections or None,
        **_event_columns(shown),
    }
    if stored is None:
        conn.execute(insert(schema.events).values(event_id=merged.event_id, **values))
        return True
    if (stored.record, stored.review_status, stored.corrections) == (
        record,
        status,
        corrections or None,
    ):
        return False
    conn.execute(
        update(schema.events).where(schema.events.c.event_id == merged.event_id).values(**values)
    )
    return True


def _retire_event(conn: Connection, old: str, heir: str) -> None:
    """`old` is no longer an event: its id, aliases and audit trail now lead to `heir`."""
    conn.execute(delete(schema.events).where(schema.events.c.event_id == old))
    conn.execute(
        update(schema.event_aliases)
        .where(schema.event_aliases.c.event_id == old)
        .values(event_id=heir)
    )
    conn.execute(delete(schema.event_aliases).where(schema.event_aliases.c.alias == old))
    conn.execute(insert(schema.event_aliases).values(alias=old, event_id=heir))
    conn.execute(
        update(schema.reviews).where(schema.reviews.c.event_id == old).values(event_id=heir)
    )
