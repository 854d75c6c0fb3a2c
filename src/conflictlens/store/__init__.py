"""Storage: articles, events and mentions in SQLite or PostgreSQL, schema versioned with Alembic."""

from conflictlens.store.migrate import SchemaError
from conflictlens.store.store import (
    CORRECTABLE_FIELDS,
    DEFAULT_DB_URL,
    EVENT_ORDERS,
    UNKNOWN,
    ArticleStatus,
    LinkWindow,
    ReviewAction,
    ReviewEntry,
    ReviewError,
    ReviewStatus,
    Run,
    Store,
    StoredMention,
    Summary,
    Tally,
    database_url,
)

__all__ = [
    "CORRECTABLE_FIELDS",
    "DEFAULT_DB_URL",
    "EVENT_ORDERS",
    "UNKNOWN",
    "ArticleStatus",
    "LinkWindow",
    "ReviewAction",
    "ReviewEntry",
    "ReviewError",
    "ReviewStatus",
    "Run",
    "SchemaError",
    "Store",
    "StoredMention",
    "Summary",
    "Tally",
    "database_url",
]
