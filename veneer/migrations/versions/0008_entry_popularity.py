"""Entry popularity, overall and per segment, as the popularity job last computed it: what
recommendations read instead of counting events on every request.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from veneer.store.models import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "entry_popularity",
        sa.Column("scope", sa.String(100), primary_key=True),
        sa.Column("entry_id", sa.String(200), primary_key=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("viewers", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("entry_popularity")
