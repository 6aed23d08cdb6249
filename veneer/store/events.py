"""Events, their idempotency receipts, and the activity aggregate on each profile."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.events.activity import apply_events
from veneer.events.model import Event
from veneer.segments.evaluate import ViewerEvent
from veneer.store.models import EventReceiptRow, EventRow, ProfileRow, utcnow


def dialect_insert(session: AsyncSession) -> Any:
    """INSERT with ON CONFLICT support, for whichever database the session is on."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def claim_event_ids(session: AsyncSession, ids: Sequence[str], now: datetime) -> set[str]:
    """Record receipts for ``ids``; returns the ids not seen before (safe under concurrency)."""
    if not ids:
        return set()
    statement = (
        dialect_insert(session)(EventReceiptRow)
        .values([{"id": event_id, "received_at": now} for event_id in ids])
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(EventReceiptRow.id)
    )
    return set(await session.scalars(statement))


async def store_events(session: AsyncSession, events: Sequence[Event]) -> set[str]:
    """Insert the events whose ids are not stored yet; returns the ids inserted.

    Receipts are the fast dedupe; this is the backstop for an id whose receipt has been
    pruned while its event is still kept.
    """
    if not events:
        return set()
    statement = (
        dialect_insert(session)(EventRow)
        .values(
            [
                {
                    "id": e.id,
                    "viewer_id": e.viewer_id,
                    "anonymous_id": e.anonymous_id,
                    "user_id": e.user_id,
                    "type": e.type,
                    "timestamp": e.timestamp,
                    "received_at": e.received_at,
                    "entry_id": e.entry_id,
                    "properties": dict(e.properties),
                    "context": dict(e.context),
                }
                for e in events
            ]
        )
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(EventRow.id)
    )
    return set(await session.scalars(statement))


async def add_activity(session: AsyncSession, events_by_viewer: Mapping[str, list[Event]]) -> None:
    """Fold events into each viewer's profile aggregate, creating profiles as needed."""
    if not events_by_viewer:
        return
    rows = {
        row.id: row
        for row in await session.scalars(
            select(ProfileRow).where(ProfileRow.id.in_(sorted(events_by_viewer))).with_for_update()
        )
    }
    now = utcnow()
    for viewer_id, events in sorted(events_by_viewer.items()):
        row = rows.get(viewer_id)
        if row is None:
            first = events[0]
            row = ProfileRow(
                id=viewer_id,
                anonymous_id=first.anonymous_id if first.user_id is None else None,
                user_id=first.user_id,
                traits={},
                activity={},
            )
            session.add(row)
        row.activity = apply_events(row.activity or {}, events)
        row.updated_at = now
    await session.flush()


async def recent_events(
    session: AsyncSession, viewer_id: str, since: datetime, limit: int
) -> list[ViewerEvent]:
    """The viewer's newest events since ``since``: what event-window rules count."""
    rows = await session.execute(
        select(EventRow.type, EventRow.timestamp, EventRow.entry_id, EventRow.properties)
        .where(EventRow.viewer_id == viewer_id, EventRow.timestamp >= since)
        .order_by(EventRow.timestamp.desc())
        .limit(limit)
    )
    return [ViewerEvent(type=t, timestamp=ts, entry_id=e, properties=p) for t, ts, e, p in rows]


async def get_activity(session: AsyncSession, viewer_id: str) -> dict[str, Any]:
    row = await session.get(ProfileRow, viewer_id)
    return dict(row.activity) if row is not None and row.activity else {}


def group_by_viewer(events: Iterable[Event]) -> dict[str, list[Event]]:
    grouped: dict[str, list[Event]] = {}
    for event in events:
        grouped.setdefault(event.viewer_id, []).append(event)
    return grouped


async def save_new_events(
    session: AsyncSession, events: Sequence[Event], now: datetime
) -> list[Event]:
    """Store the events whose ids are new and count them in; returns those stored.

    The receipts make this idempotent: a batch delivered twice (a retry, a redelivery from
    the stream after a worker died) is stored and counted once. ``events`` must not repeat ids.
    """
    fresh = await claim_event_ids(session, [e.id for e in events], now)
    inserted = await store_events(session, [e for e in events if e.id in fresh])
    stored = [e for e in events if e.id in inserted]
    await add_activity(session, group_by_viewer(stored))
    return stored


async def prune_receipts(session: AsyncSession, before: datetime) -> int:
    """Forget event ids received before ``before``: the dedupe horizon has passed them."""
    result = await session.execute(
        delete(EventReceiptRow).where(EventReceiptRow.received_at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)
