"""Viewer profiles: the traits a site told Veneer about a viewer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veneer.identity.viewer import Viewer
from veneer.store.models import ProfileRow, utcnow


async def get_traits(session: AsyncSession, viewer_id: str) -> dict[str, Any]:
    row = await session.get(ProfileRow, viewer_id)
    return dict(row.traits) if row is not None else {}


async def merge_traits(
    session: AsyncSession, viewer: Viewer, traits: Mapping[str, Any]
) -> dict[str, Any]:
    """Lay ``traits`` over the stored ones; a trait set to null is removed."""
    row = await session.get(ProfileRow, viewer.id, with_for_update=True)
    if row is None:
        row = ProfileRow(
            id=viewer.id, anonymous_id=viewer.anonymous_id, user_id=viewer.user_id, traits={}
        )
        session.add(row)
    merged = {**row.traits, **traits}
    row.traits = {k: v for k, v in merged.items() if v is not None}
    row.updated_at = utcnow()
    await session.flush()
    return dict(row.traits)
