"""What differs between SQLite and PostgreSQL that the repositories must choose between."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_insert(session: AsyncSession) -> Any:
    """INSERT with ON CONFLICT support, for whichever database the session is on."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
