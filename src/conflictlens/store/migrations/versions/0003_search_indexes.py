"""Speed under load: indexes for the listings' orders and full-text search of events.

Revision ID: 0003
Revises: 0002

- events.search_text: the words of each record (conflictlens.store.search), filled in here for the
  events already stored.
- Indexes on (column, review_status) replace those on the filter columns alone, so counts of a
  filtered listing read an index, never the wide rows.
- Indexes on (event_date, event_id, review_status) and the same for fatalities (both replacing the
  index on the column alone) and confidence, and on (articles.published, articles.id): a page of a
  listing is read off an index, not sorted, and a count by date or toll range reads the index alone.
- SQLite: event_search (one row per event: a stable integer id for FTS5) and events_fts, an FTS5
  index over it; triggers keep both in step with events. A later batch migration that recreates
  the events table must create the three events_search_* triggers again.
- PostgreSQL: a GIN index over to_tsvector('simple', search_text).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from conflictlens.store.search import PG_CONFIG, search_text

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The filter columns whose own index becomes (column, review_status).
FILTERED_COLUMNS = ("country", "country_code", "admin1", "event_type", "actor1", "actor2")

SQLITE_SEARCH = [
    "CREATE TABLE event_search (id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, "
    "search_text TEXT NOT NULL)",
    "CREATE VIRTUAL TABLE events_fts USING fts5(search_text, content='event_search', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    # event_search -> events_fts, as the FTS5 documentation keeps an external-content index.
    "CREATE TRIGGER event_search_insert AFTER INSERT ON event_search BEGIN "
    "INSERT INTO events_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER event_search_delete AFTER DELETE ON event_search BEGIN "
    "INSERT INTO events_fts(events_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER event_search_update AFTER UPDATE ON event_search BEGIN "
    "INSERT INTO events_fts(events_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO events_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    # events -> event_search; an update that leaves the words as they were costs nothing.
    "CREATE TRIGGER events_search_insert AFTER INSERT ON events BEGIN "
    "INSERT INTO event_search(event_id, search_text) "
    "VALUES (new.event_id, coalesce(new.search_text, '')); END",
    "CREATE TRIGGER events_search_update AFTER UPDATE OF event_id, search_text ON events "
    "WHEN old.event_id IS NOT new.event_id OR old.search_text IS NOT new.search_text BEGIN "
    "UPDATE event_search SET event_id = new.event_id, search_text = coalesce(new.search_text, '') "
    "WHERE event_id = old.event_id; END",
    "CREATE TRIGGER events_search_delete AFTER DELETE ON events BEGIN "
    "DELETE FROM event_search WHERE event_id = old.event_id; END",
]
PG_SEARCH_INDEX = (
    f"CREATE INDEX ix_events_search ON events "
    f"USING gin (to_tsvector('{PG_CONFIG}', coalesce(search_text, '')))"
)


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=True))
    _fill_search_text()
    for column in FILTERED_COLUMNS:
        op.drop_index(f"ix_events_{column}", "events")
        op.create_index(f"ix_events_{column}_review_status", "events", [column, "review_status"])
    op.drop_index("ix_events_fatalities", "events")
    op.drop_index("ix_events_event_date", "events")
    op.create_index(
        "ix_events_by_event_date", "events", ["event_date", "event_id", "review_status"]
    )
    op.create_index(
        "ix_events_by_fatalities", "events", ["fatalities", "event_id", "review_status"]
    )
    op.create_index(
        "ix_events_by_confidence", "events", ["confidence", "event_id", "review_status"]
    )
    op.create_index("ix_articles_published_id", "articles", ["published", "id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)
        op.execute(
            "INSERT INTO event_search(event_id, search_text) "
            "SELECT event_id, coalesce(search_text, '') FROM events"
        )
    elif dialect == "postgresql":
        op.execute(PG_SEARCH_INDEX)


def _fill_search_text() -> None:
    conn = op.get_bind()
    events = sa.table(
        "events", sa.column("event_id"), sa.column("record"), sa.column("search_text")
    )
    rows = conn.execute(sa.select(events.c.event_id, events.c.record)).all()
    for event_id, record in rows:
        value = json.loads(record) if isinstance(record, str) else record
        conn.execute(
            events.update()
            .where(events.c.event_id == event_id)
            .values(search_text=search_text(value))
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in (
            "events_search_insert",
            "events_search_update",
            "events_search_delete",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS events_fts")
        op.execute("DROP TABLE IF EXISTS event_search")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_events_search")
    op.drop_index("ix_articles_published_id", "articles")
    op.drop_index("ix_events_by_confidence", "events")
    op.drop_index("ix_events_by_fatalities", "events")
    op.drop_index("ix_events_by_event_date", "events")
    op.create_index("ix_events_fatalities", "events", ["fatalities"])
    op.create_index("ix_events_event_date", "events", ["event_date"])
    for column in FILTERED_COLUMNS:
        op.drop_index(f"ix_events_{column}_review_status", "events")
        op.create_index(f"ix_events_{column}", "events", [column])
    with op.batch_alter_table("events") as batch:
        batch.drop_column("search_text")
