"""Speed under load: indexes for the listings' descending orders.

Revision ID: 0004
Revises: 0003

A descending listing ("-date", "-fatalities", "-confidence") sorts NULLs last and breaks ties by
ascending event_id. An ascending index read backwards gives neither: PostgreSQL then sorts every
matching event for each page (60-80 ms at 100,000 events, and far more under load). One index per
descending order, in exactly that order, lets a page be read off it. PostgreSQL needs NULLS LAST
spelled out; SQLite, where NULL sorts lowest, gets it from DESC and does not accept the words.
"""

from __future__ import annotations

from alembic import op

from conflictlens.store.schema import DESCENDING_ORDER_INDEXES

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    nulls_last = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    for name, column in DESCENDING_ORDER_INDEXES.items():
        op.execute(
            f"CREATE INDEX {name} ON events ({column} DESC{nulls_last}, event_id, review_status)"
        )


def downgrade() -> None:
    for name in DESCENDING_ORDER_INDEXES:
        op.drop_index(name, "events")
