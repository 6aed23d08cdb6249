"""Saved placements, one row per key with its spec."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.store.audit import record_change
from veneer.store.models import PlacementRow


async def list_placements(session: AsyncSession) -> list[PlacementRow]:
    return list(await session.scalars(select(PlacementRow).order_by(PlacementRow.key)))


async def upsert_placement(
    session: AsyncSession, key: str, spec: Mapping[str, Any], now: datetime
) -> PlacementRow:
    row = await session.get(PlacementRow, key, with_for_update=True)
    if row is None:
        row = PlacementRow(key=key, spec=dict(spec), created_at=now, updated_at=now)
        session.add(row)
        record_change(session, "placement.saved", key, dict(spec))
    elif row.spec != dict(spec):
        row.spec, row.updated_at = dict(spec), now
        record_change(session, "placement.saved", key, dict(spec))
    await session.flush()
    return row


async def delete_placement(session: AsyncSession, key: str) -> bool:
    result = await session.execute(delete(PlacementRow).where(PlacementRow.key == key))
    deleted = bool(getattr(result, "rowcount", 0))
    if deleted:
        record_change(session, "placement.deleted", key)
    return deleted
