"""What every part of the Store shares: the engine, the record types, the helpers they all use."""

from __future__ import annotations

import functools
import itertools
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, ParamSpec, Self, TypedDict, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    false,
    make_url,
    select,
)
from sqlalchemy.exc import DBAPIError, OperationalError

from conflictlens.models import Event
from conflictlens.store import schema
from conflictlens.store.migrate import SchemaError, current_revision, upgrade_to_head
from conflictlens.store.search import search_text

DEFAULT_DB_URL = "sqlite:///conflictlens.db"

ArticleStatus = Literal["ok", "skipped", "copy"]
ReviewAction = Literal["confirm", "correct", "reject", "reopen"]
ReviewStatus = Literal["unreviewed", "confirmed", "corrected", "rejected"]

# What an analyst may correct: every value of the record except its identity and its provenance.
CORRECTABLE_FIELDS = frozenset(Event.model_fields) - {"event_id", "articles", "evidence", "flags"}

# The status reason of an article whose mentions are stored but not yet linked into events: a run
# stopped before linking leaves it, and the next run links it (Ingestion does, whatever it reads).
LINK_PENDING = "link pending"

# Event orderings the listings accept ("-" for descending); undated events always come last.
EVENT_ORDERS = ("date", "-date", "fatalities", "-fatalities", "confidence", "-confidence")

# Summary key for events whose country, event type or date is not known.
UNKNOWN = "unknown"

# Rows fetched per round trip when streaming events out.
_STREAM_BATCH = 500


@dataclass(frozen=True)
class Tally:
    """Counts for one slice of the dataset; fatalities are summed over incidents only."""

    events: int
    incidents: int
    fatalities: int


@dataclass(frozen=True)
class Summary:
    """What the dataset holds; keys are sorted, with UNKNOWN last; months are "YYYY-MM"."""

    articles: int
    total: Tally
    by_country: dict[str, Tally]
    by_event_type: dict[str, Tally]
    by_month: dict[str, Tally]


class EventFilters(TypedDict, total=False):
    """The filters every event listing takes; each one given must match.

    `country` matches the country name or its ISO alpha-2 code; `actor` matches actor1 or actor2
    exactly (canonical names); `since` and `until` are inclusive and leave out undated events;
    `text` is words of the record (notes, places, actors, sources), in any order and case; its
    last word may be the start of a word (store/search.py).
    Rejected events are left out unless `include_rejected` or `review_status="rejected"`.
    """

    country: str | None
    admin1: str | None
    since: date | None
    until: date | None
    event_type: str | None
    kind: str | None
    actor: str | None
    min_fatalities: int | None
    text: str | None
    review_status: ReviewStatus | None
    include_rejected: bool


@dataclass(frozen=True)
class StoredMention:
    """One report of one incident as stored: the article's own values and the event it is in now."""

    row_id: int
    article_id: str
    published: date | None
    event_id: str
    record: Event


@dataclass(frozen=True)
class LinkWindow:
    """Events of one country and admin1 between two dates (inclusive): a linking neighbourhood."""

    country_code: str
    admin1: str
    since: date
    until: date


@dataclass(frozen=True)
class ReviewEntry:
    """One line of the audit trail: the changed values before and after an analyst's action."""

    id: int
    event_id: str
    reviewer: str
    at: datetime
    action: ReviewAction
    before: dict[str, Any]
    after: dict[str, Any]
    note: str | None


class ReviewError(ValueError):
    """A review that cannot be applied: an unknown field, a value the record cannot hold."""


class StaleLinksError(RuntimeError):
    """Links computed from mentions another writer has since moved or removed: linking read its
    neighbourhood outside the writing transaction, so it must read it again and link anew."""


@dataclass(frozen=True)
class Run:
    """One ingest run, as the ingest command reports it."""

    started_at: datetime
    finished_at: datetime
    sources: list[str]
    articles_seen: int
    articles_new: int
    articles_skipped: int
    events: int
    failures: list[str] = field(default_factory=list)


def database_url(target: str | Path) -> str:
    """A SQLAlchemy URL for `target`: URLs pass through, anything else is a SQLite file path.

    The folder of a SQLite file is created, so `--db data/events.db` works on a fresh checkout.
    """
    text = str(target)
    if "://" not in text:
        text = f"sqlite:///{Path(text).expanduser()}"
    url = make_url(text)
    database = url.database or ""
    # In-memory and "file:" URI databases have no folder to create.
    in_folder = database not in ("", ":memory:") and not database.startswith("file:")
    if url.get_backend_name() == "sqlite" and in_folder:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    return text


# How long a SQLite writer waits for another writer's transaction before "database is locked".
BUSY_TIMEOUT_MS = 10_000
# Attempts of one write (the first and the retries) before a busy database is reported.
WRITE_ATTEMPTS = 12

P = ParamSpec("P")
T = TypeVar("T")


class StoreBase:
    """The engine and its lifecycle; the mixins beside this module add what a Store does."""

    def __init__(self, url: str | Path = DEFAULT_DB_URL) -> None:
        self.url = database_url(url)
        self._engine = create_engine(self.url)
        if self._engine.dialect.name == "sqlite":
            event.listen(self._engine, "connect", configure_sqlite_connection)
        try:
            upgrade_to_head(self._engine)
        except Exception:
            self._engine.dispose()
            raise

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def schema_version(self) -> str:
        """The Alembic revision the database is at (the head revision once a Store has opened it)."""
        with self._engine.connect() as conn:
            revision = current_revision(conn)
        if revision is None:
            raise SchemaError(f"{self.url} has no schema revision")
        return revision

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for read-only queries the Store has no method for (statistics)."""
        return self._engine


def configure_sqlite_connection(dbapi_connection: Any, _connection_record: object) -> None:
    """Every SQLite connection: foreign keys enforced (SQLite leaves them off unless asked), a
    write-ahead log so readers never wait for writers nor writers for readers, a busy timeout so
    a writer waits for another writer's transaction instead of failing at once."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] not in ("memory", "wal"):
        cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL loses no committed data when a process dies (only on a power cut).
    cursor.execute("PRAGMA synchronous=NORMAL")
    # No memory map (SQLite's default): mapped database pages count in the process's resident
    # memory, which then grew with the database (ingest at 30,000 synthetic articles: +49 MB),
    # and ingest ran no faster with it.
    cursor.close()


def retry_when_busy(write: Callable[P, T]) -> Callable[P, T]:
    """Run a write again, after a growing pause, when the database is busy with another writer.

    A write is one transaction, rolled back whole when it fails, so running it again is safe. SQLite
    answers "database is locked" when a writer cannot get the lock within the busy timeout, or at
    once when another writer committed since this one began reading; PostgreSQL breaks deadlocks
    and serialization conflicts by failing one side. This is the one place those are retried.
    """

    @functools.wraps(write)
    def retrying(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in itertools.count():
            try:
                return write(*args, **kwargs)
            except DBAPIError as exc:
                if attempt >= WRITE_ATTEMPTS - 1 or not _is_busy(exc):
                    raise
            time.sleep(min(2.0, 0.02 * 2**attempt) * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable")

    return retrying


def _is_busy(exc: DBAPIError) -> bool:
    if isinstance(exc, OperationalError) and re.search(
        r"database is (locked|busy)|database table is locked", str(exc.orig)
    ):
        return True
    # PostgreSQL: serialization_failure, deadlock_detected.
    return getattr(exc.orig, "sqlstate", None) in ("40001", "40P01")


def _article_exists(conn: Connection, article_id: str) -> bool:
    return (
        conn.scalar(select(schema.articles.c.id).where(schema.articles.c.id == article_id))
        is not None
    )


def _event_columns(incident: Event) -> dict[str, Any]:
    """The columns filters and summaries read; the full record is kept beside them as JSON."""
    return {
        "kind": incident.kind,
        "event_date": incident.event_date,
        "country": incident.country,
        "country_code": incident.country_code,
        "admin1": incident.admin1,
        "event_type": incident.event_type,
        "sub_event_type": incident.sub_event_type,
        "actor1": incident.actor1,
        "actor2": incident.actor2,
        "fatalities": incident.fatalities,
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "confidence": incident.confidence,
        "search_text": search_text(incident.to_json_dict()),
    }


def _hold_write_lock(conn: Connection) -> None:
    """Begin the transaction's writing now, so what it reads next stays as read until it commits.

    SQLite (through Python's sqlite3) begins a transaction only at its first write, so a read
    before it sees no lock; a write that changes nothing takes the lock. PostgreSQL holds the
    rows a transaction reads with FOR UPDATE instead."""
    if conn.dialect.name == "sqlite":
        conn.execute(delete(schema.event_aliases).where(false()))


def _delete_unmentioned_events(conn: Connection, candidate_ids: Iterable[str]) -> None:
    candidates = list(candidate_ids)
    if not candidates:
        return
    still_mentioned = select(schema.mentions.c.event_id).where(
        schema.mentions.c.event_id.in_(candidates)
    )
    conn.execute(
        delete(schema.events).where(
            schema.events.c.event_id.in_(candidates),
            schema.events.c.event_id.not_in(still_mentioned),
        )
    )


def _resolve_event_id(conn: Connection, event_id: str) -> str | None:
    if (
        conn.scalar(select(schema.events.c.event_id).where(schema.events.c.event_id == event_id))
        is not None
    ):
        return event_id
    return conn.scalar(
        select(schema.event_aliases.c.event_id).where(schema.event_aliases.c.alias == event_id)
    )


def _as_utc(moment: datetime) -> datetime:
    """Aware UTC datetimes in and out: SQLite keeps no offset, so naive values are taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
