"""Storage: articles, events and mentions in SQLite or PostgreSQL, schema versioned with Alembic."""

from conflictlens.store.base import (
    CORRECTABLE_FIELDS,
    DEFAULT_DB_URL,
    EVENT_ORDERS,
    LINK_PENDING,
    UNKNOWN,
    ArticleStatus,
    EventFilters,
    LinkWindow,
    ReviewAction,
    ReviewEntry,
    ReviewError,
    ReviewStatus,
    Run,
    StaleLinksError,
    StoredMention,
    Summary,
    Tally,
    database_url,
)
from conflictlens.store.events import event_conditions
from conflictlens.store.migrate import SchemaError
from conflictlens.store.store import Store

__all__ = [
    "CORRECTABLE_FIELDS",
    "DEFAULT_DB_URL",
    "EVENT_ORDERS",
    "LINK_PENDING",
    "UNKNOWN",
    "ArticleStatus",
    "EventFilters",
    "LinkWindow",
    "ReviewAction",
    "ReviewEntry",
    "ReviewError",
    "ReviewStatus",
    "Run",
    "SchemaError",
    "StaleLinksError",
    "Store",
    "StoredMention",
    "Summary",
    "Tally",
    "database_url",
    "event_conditions",
]
