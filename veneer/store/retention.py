"""What retention deletes, read and removed a bounded slice at a time.

Each call is one statement over at most ``limit`` rows, so a round of deletes never holds
the database's write lock (SQLite) or a long transaction (PostgreSQL) for long, and one
interrupted half-way leaves only whole slices done: the next round goes on from there.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.store.models import EventRow, ProfileRow


async def delete_events_before(session: AsyncSession, cutoff: datetime, limit: int) -> int:
    """Delete up to ``limit`` events dated before ``cutoff``; returns how many went."""
    oldest = select(EventRow.id).where(EventRow.timestamp < cutoff).limit(limit)
    result = await session.execute(
        delete(EventRow).where(EventRow.id.in_(oldest.scalar_subquery()))
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def unseen_profiles(session: AsyncSession, before: datetime, limit: int) -> list[str]:
    """Up to ``limit`` profiles last seen before ``before``, the longest unseen first."""
    rows = await session.scalars(
        select(ProfileRow.id)
        .where(ProfileRow.updated_at < before)
        .order_by(ProfileRow.updated_at, ProfileRow.id)
        .limit(limit)
    )
    return list(rows)


async def any_seen_since(
    session: AsyncSession, profile_ids: Collection[str], since: datetime
) -> bool:
    """Whether any of these profiles (one person's) was seen at or after ``since``."""
    seen = await session.scalar(
        select(func.count())
        .select_from(ProfileRow)
        .where(ProfileRow.id.in_(sorted(profile_ids)), ProfileRow.updated_at >= since)
    )
    return bool(seen)
