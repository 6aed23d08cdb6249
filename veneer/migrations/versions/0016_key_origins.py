"""The web origins each API key may be used from (CORS per public key).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from veneer.store.models import JSONValue

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as keys:
        keys.add_column(sa.Column("origins", JSONValue, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as keys:
        keys.drop_column("origins")
