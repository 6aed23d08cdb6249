"""Upkeep leases kept in the database: taken in one statement, so two processes never both
hold one, and expiring on their own, so a process that died does not block the next."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.store.dialect import dialect_insert
from veneer.store.models import LeaseRow


async def take(
    session: AsyncSession, name: str, holder: str, now: datetime, hold: timedelta
) -> bool:
    """Take the lease ``name`` for ``holder`` if nobody holds it or its holder's time ran
    out; True if ``holder`` holds it now. Never waits for another holder to finish."""
    statement = dialect_insert(session)(LeaseRow).values(
        name=name, holder=holder, expires_at=now + hold
    )
    statement = statement.on_conflict_do_update(
        index_elements=["name"],
        set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
        where=LeaseRow.expires_at <= now,
    )
    await session.execute(statement)
    held_by = await session.scalar(select(LeaseRow.holder).where(LeaseRow.name == name))
    return held_by == holder


async def give_back(session: AsyncSession, name: str, holder: str) -> None:
    """Free the lease if ``holder`` still holds it (not if it expired and was taken)."""
    await session.execute(delete(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == holder))
