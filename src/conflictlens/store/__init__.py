"""Storage: articles, events and mentions in SQLite or PostgreSQL, schema versioned with Alembic."""

from conflictlens.store.migrate import SchemaError
from conflictlens.store.store import (
    DEFAULT_DB_URL,
    UNKNOWN,
    ArticleStatus,
    Run,
    Store,
    Summary,
    Tally,
    database_url,
)

__all__ = [
    "DEFAULT_DB_URL",
    "UNKNOWN",
    "ArticleStatus",
    "Run",
    "SchemaError",
    "Store",
    "Summary",
    "Tally",
    "database_url",
]
