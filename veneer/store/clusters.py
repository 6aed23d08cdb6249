"""Fitted clusterings, by version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.store.models import ClusterModelRow


async def latest_model(session: AsyncSession) -> dict[str, Any] | None:
    row = await session.scalar(
        select(ClusterModelRow).order_by(ClusterModelRow.version.desc()).limit(1)
    )
    return None if row is None else dict(row.model)


async def save_model(session: AsyncSession, version: int, model: dict[str, Any]) -> None:
    session.add(ClusterModelRow(version=version, model=model))
    await session.flush()
