"""Cross-report linking and analyst review.

Revision ID: 0002
Revises: 0001

- articles.duplicate_of: a near-duplicate copy (syndication, light edits) points at the first report;
  status "copy" marks it, and it gives no mentions of its own.
- article_bands: MinHash LSH band hashes, so near-duplicate candidates come from an indexed lookup
  instead of an index held in memory (candidates are confirmed on the texts).
- events.review_status and events.corrections: an analyst's decision and field corrections, applied
  on top of the merged values every time the event is rebuilt.
- reviews: the audit trail (who, when, what before and after).
- event_aliases: ids an event had before a merge renamed it, so old links and reviews still resolve.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("duplicate_of", sa.String(), nullable=True))
        batch.create_index(op.f("ix_articles_duplicate_of"), ["duplicate_of"])
        batch.drop_constraint(op.f("ck_articles_status"), type_="check")
        batch.create_check_constraint(
            op.f("ck_articles_status"), "status IN ('ok', 'skipped', 'copy')"
        )
    op.create_table(
        "article_bands",
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_bands_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("band", "hash", "article_id", name=op.f("pk_article_bands")),
    )
    op.create_index(op.f("ix_article_bands_article_id"), "article_bands", ["article_id"])
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("review_status", sa.String(16), nullable=False, server_default="unreviewed")
        )
        batch.add_column(sa.Column("corrections", sa.JSON(), nullable=True))
        batch.create_index(op.f("ix_events_review_status"), ["review_status"])
        batch.create_check_constraint(
            op.f("ck_events_review_status"),
            "review_status IN ('unreviewed', 'confirmed', 'corrected', 'rejected')",
        )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    op.create_index(op.f("ix_reviews_event_id"), "reviews", ["event_id"])
    op.create_table(
        "event_aliases",
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_event_aliases")),
    )
    op.create_index(op.f("ix_event_aliases_event_id"), "event_aliases", ["event_id"])


def downgrade() -> None:
    op.drop_table("event_aliases")
    op.drop_table("reviews")
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint(op.f("ck_events_review_status"), type_="check")
        batch.drop_index(op.f("ix_events_review_status"))
        batch.drop_column("corrections")
        batch.drop_column("review_status")
    op.drop_table("article_bands")
    with op.batch_alter_table("articles") as batch:
        batch.drop_constraint(op.f("ck_articles_status"), type_="check")
        batch.create_check_constraint(op.f("ck_articles_status"), "status IN ('ok', 'skipped')")
        batch.drop_index(op.f("ix_articles_duplicate_of"))
        batch.drop_column("duplicate_of")
