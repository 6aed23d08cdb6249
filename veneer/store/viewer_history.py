"""A viewer's own interactions with entries, as their recommendations use them.

Read only for a viewer who granted RECOMMENDATIONS, newest first and bounded, through the
``(viewer_id, timestamp)`` index: a request reads one viewer's recent rows, never a scan.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.recommend.candidates import CART, PURCHASE, VIEW, Interaction
from veneer.recommend.ignored import IMPRESSION
from veneer.recommend.popularity import bought
from veneer.store.models import EventRow


async def recent_interactions(
    session: AsyncSession, viewer_id: str, limit: int
) -> list[Interaction]:
    """The viewer's latest entry views and cart adds, newest first."""
    rows = await session.execute(
        select(EventRow.entry_id, EventRow.type, EventRow.timestamp)
        .where(
            EventRow.viewer_id == viewer_id,
            EventRow.type.in_([VIEW, CART]),
            EventRow.entry_id.is_not(None),
        )
        .order_by(EventRow.timestamp.desc(), EventRow.id)
        .limit(limit)
    )
    return [Interaction(entry_id, kind, at) for entry_id, kind, at in rows if entry_id]


async def purchased_entries(session: AsyncSession, viewer_id: str, limit: int) -> set[str]:
    """Every entry the viewer's latest ``limit`` purchases bought."""
    rows = await session.execute(
        select(EventRow.entry_id, EventRow.properties)
        .where(EventRow.viewer_id == viewer_id, EventRow.type == PURCHASE)
        .order_by(EventRow.timestamp.desc())
        .limit(limit)
    )
    return {item for entry_id, properties in rows for item in bought(entry_id, properties or {})}


async def shown_and_engaged(
    session: AsyncSession, viewer_id: str, since: datetime, engaged: Collection[str], limit: int
) -> list[tuple[str, str]]:
    """(entry id, event type) of the viewer's impressions and engagements since ``since``,
    newest first: what `recommend.ignored.passed_over` counts."""
    rows = await session.execute(
        select(EventRow.entry_id, EventRow.type)
        .where(
            EventRow.viewer_id == viewer_id,
            EventRow.timestamp >= since,
            EventRow.type.in_([IMPRESSION, *engaged]),
            EventRow.entry_id.is_not(None),
        )
        .order_by(EventRow.timestamp.desc(), EventRow.id)
        .limit(limit)
    )
    return [(entry_id, kind) for entry_id, kind in rows if entry_id]
