"""The tables as the code sees them now; the migrations in migrations/versions/ build them.

An article is a report as read; an event is one incident (or tally) as the dataset keeps it; a
mention is one incident as one article reported it. Mentions are the seam for cross-report linking:
linking re-points mentions at a shared event without touching what each report said.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# Fixed constraint names keep migrations reproducible on every backend (and let SQLite batch mode
# find constraints by name).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

articles = Table(
    "articles",
    metadata,
    Column("id", String, primary_key=True),
    Column("url", String, unique=True),
    Column("outlet", String),
    Column("title", Text),
    Column("published", Date),
    Column("language", String),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False, unique=True, index=True),
    Column("source", Text),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False, server_default="ok"),
    Column("status_reason", Text),
    # A near-duplicate copy points at the first report of the same text; it has no mentions.
    Column("duplicate_of", String, index=True),
    CheckConstraint("status IN ('ok', 'skipped', 'copy')", name="status"),
)
# The article listing runs newest first.
Index("ix_articles_published_id", articles.c.published, articles.c.id)

# MinHash LSH band hashes of each article: near-duplicate candidates come from an indexed lookup,
# so finding copies needs no in-memory index however large the dataset grows.
article_bands = Table(
    "article_bands",
    metadata,
    Column("band", Integer, primary_key=True),
    Column("hash", BigInteger, primary_key=True),
    Column(
        "article_id",
        String,
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

# Each fingerprinted article's shingles (sorted 64-bit hashes of its word 5-grams, as bytes): a
# candidate copy is confirmed on them without its text being shingled again.
article_shingles = Table(
    "article_shingles",
    metadata,
    Column(
        "article_id",
        String,
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("hashes", LargeBinary, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("event_id", String, primary_key=True),
    Column("kind", String(16), nullable=False, index=True),
    Column("event_date", Date),
    Column("country", String),
    Column("country_code", String),
    Column("admin1", String),
    Column("event_type", String),
    Column("sub_event_type", String),
    Column("actor1", String),
    Column("actor2", String),
    Column("fatalities", Integer),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("confidence", Float, nullable=False),
    # The merged record with the analyst's corrections applied: what every reader sees.
    Column("record", JSON, nullable=False),
    Column("review_status", String(16), nullable=False, server_default="unreviewed", index=True),
    # Field -> value set by an analyst; re-applied whenever linking rebuilds the event.
    Column("corrections", JSON),
    # The record's words for text search (store/search.py); FTS5 or a tsvector index reads them.
    Column("search_text", Text),
    CheckConstraint(
        "review_status IN ('unreviewed', 'confirmed', 'corrected', 'rejected')",
        name="review_status",
    ),
)

# Listings page through events in one of these orders (ties by event_id): an index per order lets a
# page be read off the index instead of sorting every matching event (review_status rides along:
# every listing filters on it).
Index("ix_events_by_event_date", events.c.event_date, events.c.event_id, events.c.review_status)
# Every listing filters on review_status too (rejected events are left out): with it beside each
# filter column, counting the events of a country, region, type or actor reads the index alone.
FILTERED_COLUMNS = ("country", "country_code", "admin1", "event_type", "actor1", "actor2")
for _name in FILTERED_COLUMNS:
    Index(f"ix_events_{_name}_review_status", events.c[_name], events.c.review_status)
Index("ix_events_by_fatalities", events.c.fatalities, events.c.event_id, events.c.review_status)
Index("ix_events_by_confidence", events.c.confidence, events.c.event_id, events.c.review_status)
# The descending orders' indexes (migration 0004), by name: (column DESC with NULLs last, event_id,
# review_status). Not declared here: SQLAlchemy cannot say NULLS LAST for PostgreSQL alone.
DESCENDING_ORDER_INDEXES = {
    "ix_events_by_event_date_desc": "event_date",
    "ix_events_by_fatalities_desc": "fatalities",
    "ix_events_by_confidence_desc": "confidence",
}

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("event_id", String, ForeignKey("events.event_id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("record", JSON, nullable=False),
    # Also serves lookups by article: the index starts with article_id.
    UniqueConstraint("article_id", "position"),
)

# The audit trail: every review action with the record before and after it.
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String, nullable=False, index=True),
    Column("reviewer", String, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", String(16), nullable=False),
    Column("before", JSON, nullable=False),
    Column("after", JSON, nullable=False),
    Column("note", Text),
)

# Ids an event carried before linking renamed it (a merge, an earlier report arriving late).
event_aliases = Table(
    "event_aliases",
    metadata,
    Column("alias", String, primary_key=True),
    Column("event_id", String, nullable=False, index=True),
)

# The text search index of one back end (migration 0003), not declared here as SQLAlchemy cannot:
# on SQLite the words of each event (events.search_text) in FTS5 tables that triggers keep in step,
# on PostgreSQL a GIN index over their tsvector.
SQLITE_SEARCH_TABLES = ("event_search", "events_fts")
POSTGRESQL_SEARCH_INDEX = "ix_events_search"


def is_declared(name: str | None, type_: str, *_: object) -> bool:
    """False for the text search tables and the indexes that only the migrations know (for schema
    checks that compare the database with this module)."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(SQLITE_SEARCH_TABLES)
    migration_only = (POSTGRESQL_SEARCH_INDEX, *DESCENDING_ORDER_INDEXES)
    return not (type_ == "index" and name in migration_only)


runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False, index=True),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("sources", JSON, nullable=False),
    Column("articles_seen", Integer, nullable=False),
    Column("articles_new", Integer, nullable=False),
    Column("articles_skipped", Integer, nullable=False),
    Column("events", Integer, nullable=False),
    Column("failures", JSON, nullable=False),
)
