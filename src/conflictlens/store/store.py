"""The dataset on disk: articles, the events coded from them and the mentions that tie the two.

Any SQLAlchemy URL works; SQLite is the default and PostgreSQL is supported (only portable types and
SQL are used). Every Store brings its database to the newest schema revision when it opens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, Self, TypedDict, Unpack

from pydantic import ValidationError
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    Text,
    case,
    cast,
    create_engine,
    delete,
    event,
    extract,
    func,
    insert,
    make_url,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from conflictlens.models import Article, Event
from conflictlens.store import schema
from conflictlens.store.migrate import SchemaError, current_revision, upgrade_to_head

DEFAULT_DB_URL = "sqlite:///conflictlens.db"

ArticleStatus = Literal["ok", "skipped", "copy"]
ReviewAction = Literal["confirm", "correct", "reject", "reopen"]
ReviewStatus = Literal["unreviewed", "confirmed", "corrected", "rejected"]

# What an analyst may correct: every value of the record except its identity and its provenance.
CORRECTABLE_FIELDS = frozenset(Event.model_fields) - {"event_id", "articles", "evidence", "flags"}

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
    `text` is a case-insensitive substring of the record (notes, places, actors, sources).
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


class Store:
    """Articles, events and mentions in one database; open it, use it, close it (or use `with`)."""

    def __init__(self, url: str | Path = DEFAULT_DB_URL) -> None:
        self.url = database_url(url)
        self._engine = create_engine(self.url)
        if self._engine.dialect.name == "sqlite":
            # SQLite leaves foreign keys unenforced unless each connection asks for them.
            event.listen(self._engine, "connect", _enable_sqlite_foreign_keys)
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

    # Articles

    def add_article(
        self, article: Article, *, status: ArticleStatus = "ok", reason: str | None = None
    ) -> tuple[str, bool]:
        """Store a report once: (its stored id, whether it is new).

        A report already stored under the same url or the same content hash gives the stored id and
        False, and nothing is written. If `article.id` already names a different text, the new one is
        stored under `Article.id_for(text)`: use the returned id for its mentions and evidence.
        """
        try:
            with self._engine.begin() as conn:
                existing_id = _existing_article_id(conn, article)
                if existing_id is not None:
                    return existing_id, False
                article_id = article.id
                if _article_exists(conn, article_id):
                    article_id = Article.id_for(article.text)
                conn.execute(
                    insert(schema.articles).values(
                        id=article_id,
                        status=status,
                        status_reason=reason,
                        **_article_values(article),
                    )
                )
                return article_id, True
        except IntegrityError:
            # Another writer may have stored the same report between the check and the insert.
            with self._engine.connect() as conn:
                existing_id = _existing_article_id(conn, article)
            if existing_id is None:
                raise
            return existing_id, False

    def get_article(self, article_id: str) -> Article | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(schema.articles).where(schema.articles.c.id == article_id)
            ).one_or_none()
        if row is None:
            return None
        return Article(
            id=row.id,
            text=row.text,
            title=row.title,
            url=row.url,
            outlet=row.outlet,
            published=row.published,
            language=row.language,
            content_hash=row.content_hash,
            source=row.source,
        )

    def article_id_by_url(self, url: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.scalar(select(schema.articles.c.id).where(schema.articles.c.url == url))

    def replace_article(self, article_id: str, article: Article) -> None:
        """Put a newer version of a story in place of the stored text (same id, same links).

        Its mentions stay until the caller stores the new extraction; the status says it is pending.
        """
        with self._engine.begin() as conn:
            result = conn.execute(
                update(schema.articles)
                .where(schema.articles.c.id == article_id)
                .values(**_article_values(article))
            )
            if result.rowcount == 0:
                raise KeyError(article_id)
            conn.execute(
                delete(schema.article_bands).where(schema.article_bands.c.article_id == article_id)
            )

    def add_fingerprint(self, article_id: str, bands: Iterable[tuple[int, int]]) -> None:
        """Keep an article's LSH band hashes for near-duplicate lookups (replaces earlier ones)."""
        rows = [{"band": b, "hash": h, "article_id": article_id} for b, h in set(bands)]
        with self._engine.begin() as conn:
            conn.execute(
                delete(schema.article_bands).where(schema.article_bands.c.article_id == article_id)
            )
            if rows:
                conn.execute(insert(schema.article_bands), rows)

    def near_duplicate_candidates(
        self, bands: Iterable[tuple[int, int]], *, exclude: str | None = None
    ) -> list[str]:
        """Originals (never copies) of stored articles sharing an LSH band with `bands`, sorted."""
        band_list = list(bands)
        if not band_list:
            return []
        matches = (
            select(schema.article_bands.c.article_id)
            .where(
                or_(
                    *(
                        (schema.article_bands.c.band == b) & (schema.article_bands.c.hash == h)
                        for b, h in band_list
                    )
                )
            )
            .distinct()
        )
        root = func.coalesce(schema.articles.c.duplicate_of, schema.articles.c.id)
        with self._engine.connect() as conn:
            ids = conn.scalars(
                select(root).where(schema.articles.c.id.in_(matches)).distinct()
            ).all()
        return sorted(i for i in ids if i != exclude)

    def mark_copy(self, article_id: str, original_id: str) -> list[str]:
        """Record `article_id` as a copy of `original_id`: it keeps its text but reports nothing.

        Its mentions are removed (and copies of it now point at the original); returns the ids of
        the events those mentions were in, which need linking again.
        """
        with self._engine.begin() as conn:
            affected = list(
                conn.scalars(
                    select(schema.mentions.c.event_id)
                    .where(schema.mentions.c.article_id == article_id)
                    .distinct()
                )
            )
            conn.execute(delete(schema.mentions).where(schema.mentions.c.article_id == article_id))
            conn.execute(
                update(schema.articles)
                .where(schema.articles.c.id == article_id)
                .values(
                    status="copy", status_reason=f"copy of {original_id}", duplicate_of=original_id
                )
            )
            conn.execute(
                update(schema.articles)
                .where(schema.articles.c.duplicate_of == article_id)
                .values(status_reason=f"copy of {original_id}", duplicate_of=original_id)
            )
            _delete_unmentioned_events(conn, affected)
        return sorted(affected)

    def copies_of(self, article_id: str) -> list[str]:
        with self._engine.connect() as conn:
            return sorted(
                conn.scalars(
                    select(schema.articles.c.id).where(schema.articles.c.duplicate_of == article_id)
                )
            )

    def set_article_status(
        self, article_id: str, status: ArticleStatus, reason: str | None = None
    ) -> None:
        """Mark a stored article "ok" or "skipped" (with why), e.g. when extraction fails on it."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(schema.articles)
                .where(schema.articles.c.id == article_id)
                .values(status=status, status_reason=reason)
            )
            if result.rowcount == 0:
                raise KeyError(article_id)

    def article_status(self, article_id: str) -> tuple[ArticleStatus, str | None] | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(schema.articles.c.status, schema.articles.c.status_reason).where(
                    schema.articles.c.id == article_id
                )
            ).one_or_none()
        return None if row is None else (row.status, row.status_reason)

    def count_articles(self) -> int:
        with self._engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(schema.articles)) or 0

    # Mentions and events

    def set_mentions(self, article_id: str, events: Sequence[Event]) -> None:
        """Replace what one article reports: one mention per incident, in the article's order.

        Until cross-report linking exists each mention is also its own event (same event_id): the
        event row is created or updated from the mention, and events no mention points to any more
        are removed. Rows that already hold the same values are not rewritten, so storing the same
        events twice leaves every row as it was.
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

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for read-only queries the Store has no method for (statistics)."""
        return self._engine

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
    ) -> list[StoredMention]:
        """Mentions of these articles, of these events, and of events inside these windows."""
        m, a, e = schema.mentions, schema.articles, schema.events
        wanted: list[ColumnElement[bool]] = []
        articles = sorted(set(article_ids))
        events = sorted(set(event_ids))
        if articles:
            wanted.append(m.c.article_id.in_(articles))
        if events:
            wanted.append(m.c.event_id.in_(events))
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
            return []
        statement = (
            select(m.c.id, m.c.article_id, m.c.event_id, m.c.record, a.c.published)
            .join(a, a.c.id == m.c.article_id)
            .where(or_(*wanted))
            .order_by(m.c.id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(statement).all()
        return [
            StoredMention(
                row_id=row.id,
                article_id=row.article_id,
                published=row.published,
                event_id=row.event_id,
                record=Event.model_validate(row.record),
            )
            for row in rows
        ]

    def write_links(self, groups: Sequence[tuple[Event, Sequence[int]]]) -> list[str]:
        """Store linked events: each merged Event with the mention rows that report it.

        The mentions are re-pointed at their group's event. Events they were in before that no group
        keeps are retired: their id becomes an alias of the event that took most of their mentions,
        and their review state and audit trail move with it. An analyst's corrections are applied
        on top of every merged record. Returns the ids of events created or changed.
        """
        rows = [row for _, members in groups for row in members]
        changed: list[str] = []
        with self._engine.begin() as conn:
            before = dict(
                conn.execute(
                    select(schema.mentions.c.id, schema.mentions.c.event_id).where(
                        schema.mentions.c.id.in_(rows)
                    )
                ).all()
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

    def count_events(self, **filters: Unpack[EventFilters]) -> int:
        """How many events match; unlike the listings, rejected events count unless
        `include_rejected=False`, so with no filter this is every stored event."""
        filters.setdefault("include_rejected", True)
        with self._engine.connect() as conn:
            return (
                conn.scalar(
                    select(func.count())
                    .select_from(schema.events)
                    .where(*event_conditions(**filters))
                )
                or 0
            )

    # Review

    def review_status(self, event_id: str) -> tuple[ReviewStatus, dict[str, Any]] | None:
        """(review status, the analyst's corrections) of an event, by its id or a former id."""
        with self._engine.connect() as conn:
            current = _resolve_event_id(conn, event_id)
            row = conn.execute(
                select(schema.events.c.review_status, schema.events.c.corrections).where(
                    schema.events.c.event_id == current
                )
            ).one_or_none()
        return None if row is None else (row.review_status, dict(row.corrections or {}))

    def review_event(
        self,
        event_id: str,
        action: ReviewAction,
        *,
        reviewer: str,
        fields: dict[str, Any] | None = None,
        note: str | None = None,
    ) -> Event:
        """Confirm, correct (`fields`: field -> new value), reject or reopen an event.

        Corrections are kept beside the machine's values and re-applied whenever linking rebuilds
        the event, so re-extraction never overwrites them. Every action adds an audit entry with
        the changed values before and after. Raises KeyError for an unknown event, ReviewError for
        a correction the record cannot hold.
        """
        if not reviewer.strip():
            raise ReviewError("a review needs a reviewer name")
        if action == "correct" and not fields:
            raise ReviewError("a correction needs at least one field")
        if action != "correct" and fields:
            raise ReviewError(f"{action!r} takes no fields; use 'correct'")
        with self._engine.begin() as conn:
            current = _resolve_event_id(conn, event_id)
            row = (
                None
                if current is None
                else conn.execute(
                    select(schema.events).where(schema.events.c.event_id == current)
                ).one_or_none()
            )
            if row is None:
                raise KeyError(event_id)
            corrections = dict(row.corrections or {})
            if action == "correct":
                assert fields is not None
                unknown = sorted(set(fields) - CORRECTABLE_FIELDS)
                if unknown:
                    raise ReviewError(f"cannot correct {', '.join(unknown)}")
                corrections.update(fields)
            status = _status_after(action, bool(corrections))
            try:
                corrected = Event.model_validate({**row.record, **corrections})
            except ValidationError as exc:
                raise ReviewError(_first_validation_error(exc)) from None
            record = corrected.to_json_dict()
            before = {k: row.record.get(k) for k in fields or {}}
            after = {k: record.get(k) for k in fields or {}}
            before["review_status"], after["review_status"] = row.review_status, status
            conn.execute(
                update(schema.events)
                .where(schema.events.c.event_id == current)
                .values(
                    record=record,
                    review_status=status,
                    corrections=corrections or None,
                    **_event_columns(corrected),
                )
            )
            conn.execute(
                insert(schema.reviews).values(
                    event_id=current,
                    reviewer=reviewer,
                    at=datetime.now(UTC),
                    action=action,
                    before=before,
                    after=after,
                    note=note,
                )
            )
        return corrected

    def reviews(self, event_id: str | None = None, *, limit: int = 100) -> list[ReviewEntry]:
        """The audit trail, newest first: of one event (by any of its ids) or of the whole dataset."""
        statement = select(schema.reviews).order_by(
            schema.reviews.c.at.desc(), schema.reviews.c.id.desc()
        )
        with self._engine.connect() as conn:
            if event_id is not None:
                current = _resolve_event_id(conn, event_id) or event_id
                statement = statement.where(schema.reviews.c.event_id == current)
            rows = conn.execute(statement.limit(limit)).all()
        return [
            ReviewEntry(
                id=row.id,
                event_id=row.event_id,
                reviewer=row.reviewer,
                at=_as_utc(row.at),
                action=row.action,
                before=row.before,
                after=row.after,
                note=row.note,
            )
            for row in rows
        ]

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

    # Runs

    def add_run(self, run: Run) -> int:
        """Record one ingest run; returns its id."""
        with self._engine.begin() as conn:
            result = conn.execute(
                insert(schema.runs)
                .values(
                    started_at=_as_utc(run.started_at),
                    finished_at=_as_utc(run.finished_at),
                    sources=list(run.sources),
                    articles_seen=run.articles_seen,
                    articles_new=run.articles_new,
                    articles_skipped=run.articles_skipped,
                    events=run.events,
                    failures=list(run.failures),
                )
                .returning(schema.runs.c.id)
            )
            return result.scalar_one()

    def recent_runs(self, limit: int = 20) -> list[Run]:
        """The latest ingest runs, newest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(schema.runs)
                .order_by(schema.runs.c.started_at.desc(), schema.runs.c.id.desc())
                .limit(limit)
            ).all()
        return [
            Run(
                started_at=_as_utc(row.started_at),
                finished_at=_as_utc(row.finished_at),
                sources=row.sources,
                articles_seen=row.articles_seen,
                articles_new=row.articles_new,
                articles_skipped=row.articles_skipped,
                events=row.events,
                failures=row.failures,
            )
            for row in rows
        ]


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _connection_record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _article_exists(conn: Connection, article_id: str) -> bool:
    return (
        conn.scalar(select(schema.articles.c.id).where(schema.articles.c.id == article_id))
        is not None
    )


def _article_values(article: Article) -> dict[str, object]:
    """The stored columns of an article that its text and metadata give (not id or status)."""
    return {
        "url": article.url,
        "outlet": article.outlet,
        "title": article.title,
        "published": article.published,
        "language": article.language,
        "text": article.text,
        "content_hash": article.content_hash,
        "source": article.source,
        "ingested_at": datetime.now(UTC),
    }


def _existing_article_id(conn: Connection, article: Article) -> str | None:
    """The id of a stored article with the same url or, failing that, the same content hash."""
    if article.url:
        by_url = conn.scalar(
            select(schema.articles.c.id).where(schema.articles.c.url == article.url)
        )
        if by_url is not None:
            return by_url
    return conn.scalar(
        select(schema.articles.c.id).where(schema.articles.c.content_hash == article.content_hash)
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
    }


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


def _resolve_event_id(conn: Connection, event_id: str) -> str | None:
    if (
        conn.scalar(select(schema.events.c.event_id).where(schema.events.c.event_id == event_id))
        is not None
    ):
        return event_id
    return conn.scalar(
        select(schema.event_aliases.c.event_id).where(schema.event_aliases.c.alias == event_id)
    )


def _status_after(action: ReviewAction, corrected: bool) -> ReviewStatus:
    if action == "reject":
        return "rejected"
    if action == "confirm":
        return "confirmed"
    # A correction, or a reopened event that still carries corrections.
    return "corrected" if corrected else "unreviewed"


def _first_validation_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"


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
    if text:
        conditions.append(
            cast(schema.events.c.record, Text).ilike(f"%{_escape_like(text)}%", escape="\\")
        )
    if country is not None:
        conditions.append(
            or_(schema.events.c.country == country, schema.events.c.country_code == country.upper())
        )
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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


def _as_utc(moment: datetime) -> datetime:
    """Aware UTC datetimes in and out: SQLite keeps no offset, so naive values are taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
