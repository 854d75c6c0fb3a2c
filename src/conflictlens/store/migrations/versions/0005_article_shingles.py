"""Near-duplicate confirmation from stored shingles.

Revision ID: 0005
Revises: 0004

- article_shingles: each fingerprinted article's word 5-grams as sorted 64-bit hashes. A new report
  in a busy day is a candidate copy of hundreds of stored ones (templates, wire boilerplate share
  LSH bands); confirming each on its stored shingles costs an array read, not shingling its text.
  Articles fingerprinted before this revision have none: their texts are shingled when met.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_shingles",
        sa.Column("article_id", sa.String(), nullable=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_shingles_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_shingles")),
    )


def downgrade() -> None:
    op.drop_table("article_shingles")
