"""Fitted clusterings, by version."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.segments.cluster_model import ClusterModel
from veneer.store.dialect import dialect_insert
from veneer.store.models import ClusterAssignmentRow, ClusterModelRow

_LATEST = select(ClusterModelRow).order_by(ClusterModelRow.version.desc()).limit(1)


async def latest_model(session: AsyncSession) -> dict[str, Any] | None:
    row = await session.scalar(_LATEST)
    return None if row is None else dict(row.model)


async def save_model(session: AsyncSession, version: int, model: dict[str, Any]) -> None:
    session.add(ClusterModelRow(version=version, model=model))
    await session.flush()


async def save_assignments(
    session: AsyncSession, version: int, clusters: Mapping[str, int], at: datetime
) -> None:
    """Each profile's cluster under model ``version``, replacing what it had."""
    for profile_id, cluster in sorted(clusters.items()):
        values = {"profile_id": profile_id, "version": version, "cluster": cluster}
        statement = dialect_insert(session)(ClusterAssignmentRow).values(**values, assigned_at=at)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["profile_id"],
                set_={"version": version, "cluster": cluster, "assigned_at": at},
            )
        )


async def assignment_of(session: AsyncSession, profile_id: str) -> ClusterAssignmentRow | None:
    return await session.get(ClusterAssignmentRow, profile_id)


async def model_version(session: AsyncSession, version: int) -> ClusterModel | None:
    row = await session.get(ClusterModelRow, version)
    return None if row is None else ClusterModel.from_json(row.model)
