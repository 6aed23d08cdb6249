"""Personalization coverage: entries served per day, reason (personalized or the baseline,
and why) and the strategy that picked them.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "personalization_counts",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("reason", sa.String(32), primary_key=True),
        sa.Column("strategy", sa.String(100), primary_key=True, server_default=""),
        sa.Column("count", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("personalization_counts")
