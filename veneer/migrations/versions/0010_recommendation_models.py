"""The recommendation model registry: trained versions with their figures and artifacts,
and the viewers whose data trained each.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from veneer.store.models import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONValue = sa.JSON().with_variant(JSONB(), "postgresql")
ONE_CHAMPION = sa.text("status = 'champion'")


def upgrade() -> None:
    op.create_table(
        "recommendation_models",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("recipe", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("promoted_at", UTCDateTime(), nullable=True),
        sa.Column("replaced", sa.Integer(), nullable=True),
        sa.Column("retrain_due", UTCDateTime(), nullable=True),
        sa.Column("metrics", JSONValue, nullable=False),
        sa.Column("params", JSONValue, nullable=False),
        sa.Column("data_window", JSONValue, nullable=False),
        sa.Column("artifact", sa.LargeBinary(), nullable=True),
        sa.Column("artifact_path", sa.Text(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=False),
    )
    op.create_index(
        "ux_recommendation_models_champion",
        "recommendation_models",
        ["status"],
        unique=True,
        sqlite_where=ONE_CHAMPION,
        postgresql_where=ONE_CHAMPION,
    )
    op.create_table(
        "recommendation_model_viewers",
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("profile_id", sa.String(200), primary_key=True),
    )
    op.create_index(
        "ix_recommendation_model_viewers_profile", "recommendation_model_viewers", ["profile_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_recommendation_model_viewers_profile", "recommendation_model_viewers")
    op.drop_table("recommendation_model_viewers")
    op.drop_index("ux_recommendation_models_champion", "recommendation_models")
    op.drop_table("recommendation_models")
