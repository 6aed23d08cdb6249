"""Viewer profiles: the traits a site told Veneer about a viewer."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.identity.viewer import Viewer
from veneer.store.dialect import dialect_insert
from veneer.store.models import ProfileRow, utcnow

# Statements read on every event or request are built once: building costs more than running.
_TRAITS_AND_ACTIVITY = select(ProfileRow.traits, ProfileRow.activity).where(
    ProfileRow.id == bindparam("viewer_id")
)
_LOCKED = (
    select(ProfileRow)
    .where(ProfileRow.id.in_(bindparam("ids", expanding=True)))
    .with_for_update()
    .execution_options(populate_existing=True)
)


async def traits_and_activity(
    session: AsyncSession, viewer_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both JSON columns of one profile in one query (``{}`` for a viewer never seen)."""
    row = (await session.execute(_TRAITS_AND_ACTIVITY, {"viewer_id": viewer_id})).first()
    if row is None:
        return {}, {}
    return dict(row.traits or {}), dict(row.activity or {})


async def _columns_of(
    session: AsyncSession, viewer_ids: Collection[str], column: Any, chunk: int
) -> dict[str, dict[str, Any]]:
    """One JSON column of each of these profiles that has it, a few thousand ids a query."""
    ids = sorted(set(viewer_ids))
    found: dict[str, dict[str, Any]] = {}
    for first in range(0, len(ids), chunk):
        rows = await session.execute(
            select(ProfileRow.id, column).where(ProfileRow.id.in_(ids[first : first + chunk]))
        )
        found |= {viewer_id: dict(value) for viewer_id, value in rows if value}
    return found


async def traits_of(
    session: AsyncSession, viewer_ids: Collection[str], chunk: int = 5_000
) -> dict[str, dict[str, Any]]:
    """The stored traits of each of ``viewer_ids`` that has any."""
    return await _columns_of(session, viewer_ids, ProfileRow.traits, chunk)


async def activities(
    session: AsyncSession, viewer_ids: Collection[str], chunk: int = 5_000
) -> dict[str, dict[str, Any]]:
    """The activity of each of these profiles that has any."""
    return await _columns_of(session, viewer_ids, ProfileRow.activity, chunk)


async def locked_profiles(
    session: AsyncSession, owners: Mapping[str, tuple[str | None, str | None]]
) -> dict[str, ProfileRow]:
    """The profiles ``{id: (anonymous_id, user_id)}``, created if missing, locked for update.

    Insert-if-absent first, then lock: two requests creating the same profile at once both
    succeed instead of one failing on the primary key.
    """
    if not owners:
        return {}
    now = utcnow()
    await session.execute(  # many rows, one compiled statement (see `claim_event_ids`)
        dialect_insert(session)(ProfileRow.__table__).on_conflict_do_nothing(index_elements=["id"]),
        [
            {
                "id": profile_id,
                "anonymous_id": anonymous_id if user_id is None else None,
                "user_id": user_id,
                "traits": {},
                "activity": {},
                "created_at": now,
                "updated_at": now,
            }
            for profile_id, (anonymous_id, user_id) in sorted(owners.items())
        ],
    )
    rows = await session.scalars(_LOCKED, {"ids": sorted(owners)})
    return {row.id: row for row in rows}


async def merge_traits(
    session: AsyncSession, viewer: Viewer, traits: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """Lay ``traits`` over the stored ones; a trait set to null is removed. The viewer was
    seen ``now`` (retention counts from then)."""
    rows = await locked_profiles(session, {viewer.id: (viewer.anonymous_id, viewer.user_id)})
    row = rows[viewer.id]
    merged = {**row.traits, **traits}
    row.traits = {k: v for k, v in merged.items() if v is not None}
    row.updated_at = now
    await session.flush()
    return dict(row.traits)


async def existing_profiles(
    session: AsyncSession, profile_ids: Collection[str], chunk: int = 5_000
) -> set[str]:
    """Those of these profiles that exist: a job that read viewers a while ago checks, in the
    transaction that stores what it derived, that nobody was erased in between."""
    ids = sorted(set(profile_ids))
    found: set[str] = set()
    for first in range(0, len(ids), chunk):
        found |= set(
            await session.scalars(
                select(ProfileRow.id).where(ProfileRow.id.in_(ids[first : first + chunk]))
            )
        )
    return found
