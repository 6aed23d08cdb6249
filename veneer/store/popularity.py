"""Entry popularity: what the popularity job reads from events, writes, and requests read.

The job reads interactions already narrowed by SQL (one row per viewer, entry and type, with
the latest time) rather than every event, and writes the whole table in one transaction, so
a request sees either the previous run or this one, never half of each.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.recommend.candidates import CART, PURCHASE, VIEW, Interaction
from veneer.recommend.popularity import Popular, bought
from veneer.store.models import EntryPopularityRow, EventRow, SegmentMemberRow

CHUNK = 5_000  # ids per IN (...) list


async def interactions_between(
    session: AsyncSession,
    since: datetime,
    until: datetime,
    kinds: Collection[str] = (VIEW, CART, PURCHASE),
) -> AsyncIterator[tuple[str, Interaction]]:
    """(viewer id, interaction) for events of ``kinds`` naming an entry in the window.

    Views, cart adds and the like come grouped by viewer, entry and type with their latest
    time, which is all popularity and training count; purchases are read one by one, since
    the items they bought sit in ``properties``. Training also reads clicks, popularity not.
    """
    grouped_kinds = sorted(set(kinds) - {PURCHASE})
    grouped = (
        select(EventRow.viewer_id, EventRow.entry_id, EventRow.type, func.max(EventRow.timestamp))
        .where(
            EventRow.type.in_(grouped_kinds),
            EventRow.entry_id.is_not(None),
            EventRow.timestamp >= since,
            EventRow.timestamp <= until,
        )
        .group_by(EventRow.viewer_id, EventRow.entry_id, EventRow.type)
    )
    async for viewer_id, entry_id, kind, at in await session.stream(grouped):
        if entry_id:
            yield viewer_id, Interaction(entry_id, kind, at)  # max() keeps the column's UTC type
    if PURCHASE not in kinds:
        return
    purchases = select(
        EventRow.viewer_id, EventRow.entry_id, EventRow.properties, EventRow.timestamp
    ).where(EventRow.type == PURCHASE, EventRow.timestamp >= since, EventRow.timestamp <= until)
    async for viewer_id, entry_id, properties, at in await session.stream(purchases):
        for item in bought(entry_id, properties or {}):
            yield viewer_id, Interaction(item, PURCHASE, at)


async def segments_of(
    session: AsyncSession, profile_ids: Collection[str]
) -> dict[str, frozenset[str]]:
    """Each profile's stored segments (membership as last decided)."""
    ids = sorted(set(profile_ids))
    found: dict[str, set[str]] = {}
    for first in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(SegmentMemberRow.profile_id, SegmentMemberRow.segment_key).where(
                SegmentMemberRow.profile_id.in_(ids[first : first + CHUNK])
            )
        )
        for profile_id, key in rows:
            found.setdefault(profile_id, set()).add(key)
    return {profile_id: frozenset(keys) for profile_id, keys in found.items()}


async def memberships_of(
    session: AsyncSession, profile_ids: Collection[str]
) -> dict[str, dict[str, datetime]]:
    """Each profile's stored segments, with when it (last) entered each."""
    ids = sorted(set(profile_ids))
    found: dict[str, dict[str, datetime]] = {}
    for first in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(
                SegmentMemberRow.profile_id, SegmentMemberRow.segment_key, SegmentMemberRow.since
            ).where(SegmentMemberRow.profile_id.in_(ids[first : first + CHUNK]))
        )
        for profile_id, key, since in rows:
            found.setdefault(profile_id, {})[key] = since
    return found


async def replace_popularity(
    session: AsyncSession, table: Mapping[str, Sequence[Popular]], computed_at: datetime
) -> int:
    """Swap in a new table; returns the rows written."""
    await session.execute(delete(EntryPopularityRow))
    rows = [
        EntryPopularityRow(
            scope=scope,
            entry_id=popular.entry_id,
            score=popular.score,
            viewers=popular.viewers,
            computed_at=computed_at,
        )
        for scope, ranked in table.items()
        for popular in ranked
    ]
    session.add_all(rows)
    await session.flush()
    return len(rows)


async def read_popularity(session: AsyncSession) -> dict[str, list[Popular]]:
    """The stored table, each scope most popular first (a few hundred rows per scope)."""
    rows = await session.execute(
        select(
            EntryPopularityRow.scope,
            EntryPopularityRow.entry_id,
            EntryPopularityRow.score,
            EntryPopularityRow.viewers,
        ).order_by(
            EntryPopularityRow.scope, EntryPopularityRow.score.desc(), EntryPopularityRow.entry_id
        )
    )
    table: dict[str, list[Popular]] = {}
    for scope, entry_id, score, viewers in rows:
        table.setdefault(scope, []).append(Popular(entry_id, float(score), int(viewers)))
    return table
