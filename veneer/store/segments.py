"""Segment definitions: key, name and the rule JSON as the editor wrote it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.store.audit import record_change
from veneer.store.memberships import forget_segment
from veneer.store.models import SegmentRow, utcnow


async def list_segments(session: AsyncSession) -> list[SegmentRow]:
    return list(await session.scalars(select(SegmentRow).order_by(SegmentRow.key)))


async def upsert_segment(
    session: AsyncSession, key: str, name: str, rule: dict[str, Any], holdout: float = 0.0
) -> SegmentRow:
    row = await session.get(SegmentRow, key)
    if row is None:
        row = SegmentRow(key=key, name=name, rule=rule, holdout=holdout)
        session.add(row)
    else:
        row.name, row.rule, row.holdout, row.updated_at = name, rule, holdout, utcnow()
    record_change(session, "segment.saved", key, {"name": name, "rule": rule, "holdout": holdout})
    await session.flush()
    return row


async def delete_segment(session: AsyncSession, key: str) -> bool:
    result = await session.execute(delete(SegmentRow).where(SegmentRow.key == key))
    await forget_segment(session, key)
    deleted = bool(getattr(result, "rowcount", 0))
    if deleted:
        record_change(session, "segment.deleted", key)
    return deleted


async def undecided_segments(session: AsyncSession) -> list[str]:
    """Segments saved or changed since their membership was last decided for everyone."""
    stale = or_(SegmentRow.decided_at.is_(None), SegmentRow.decided_at < SegmentRow.updated_at)
    return list(await session.scalars(select(SegmentRow.key).where(stale)))


async def mark_undecided(session: AsyncSession, keys: Collection[str]) -> None:
    """Leave ``keys`` for housekeeping to decide again for everyone (`undecided_segments`)."""
    await session.execute(
        update(SegmentRow).where(SegmentRow.key.in_(list(keys))).values(decided_at=None)
    )


async def mark_decided(session: AsyncSession, keys: Collection[str], at: datetime) -> None:
    await session.execute(
        update(SegmentRow).where(SegmentRow.key.in_(list(keys))).values(decided_at=at)
    )
