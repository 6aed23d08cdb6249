"""Events, their idempotency receipts, and the activity aggregate on each profile."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.events.activity import apply_events
from veneer.events.model import Event
from veneer.segments.evaluate import ViewerEvent
from veneer.store.dialect import dialect_insert
from veneer.store.models import EventReceiptRow, EventRow
from veneer.store.profiles import locked_profiles


async def claim_event_ids(session: AsyncSession, ids: Sequence[str], now: datetime) -> set[str]:
    """Record receipts for ``ids``; returns the ids not seen before (safe under concurrency).

    The inserts here run once per batch of events, so they are one statement executed for
    many rows (SQLAlchemy batches it into multi-row INSERTs) over the table, not the ORM:
    its SQL is compiled once per process, where ``.values([...])`` compiled it every time.
    """
    if not ids:
        return set()
    statement = (
        dialect_insert(session)(EventReceiptRow.__table__)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(EventReceiptRow.__table__.c.id)
    )
    rows = [{"id": event_id, "received_at": now} for event_id in ids]
    return set((await session.execute(statement, rows)).scalars())


async def store_events(session: AsyncSession, events: Sequence[Event]) -> set[str]:
    """Insert the events whose ids are not stored yet; returns the ids inserted.

    Receipts are the fast dedupe; this is the backstop for an id whose receipt has been
    pruned while its event is still kept.
    """
    if not events:
        return set()
    table = EventRow.__table__
    statement = (
        dialect_insert(session)(table)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(table.c.id)
    )
    rows = [
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
    return set((await session.execute(statement, rows)).scalars())


async def add_activity(session: AsyncSession, events_by_viewer: Mapping[str, list[Event]]) -> None:
    """Fold events into each viewer's profile aggregate, creating profiles as needed."""
    if not events_by_viewer:
        return
    owners = {
        viewer_id: (events[0].anonymous_id, events[0].user_id)
        for viewer_id, events in events_by_viewer.items()
    }
    rows = await locked_profiles(session, owners)
    for viewer_id, events in sorted(events_by_viewer.items()):
        row = rows[viewer_id]
        row.activity = apply_events(row.activity or {}, events)
        row.updated_at = max(event.received_at for event in events)  # last seen, for retention
    await session.flush()


async def recent_events(
    session: AsyncSession, viewer_id: str, since: datetime, limit: int, types: Iterable[str]
) -> list[ViewerEvent]:
    """The viewer's newest events of ``types`` since ``since``: what event rules count."""
    rows = await session.execute(
        select(EventRow.type, EventRow.timestamp, EventRow.entry_id, EventRow.properties)
        .where(
            EventRow.viewer_id == viewer_id,
            EventRow.timestamp >= since,
            EventRow.type.in_(sorted(types)),
        )
        .order_by(EventRow.timestamp.desc())
        .limit(limit)
    )
    return [ViewerEvent(type=t, timestamp=ts, entry_id=e, properties=p) for t, ts, e, p in rows]


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


async def each_viewers_events(
    session: AsyncSession,
    since: datetime,
    until: datetime,
    types: Collection[str] | None = None,
    viewer_ids: Collection[str] | None = None,
) -> AsyncIterator[tuple[str, list[ViewerEvent]]]:
    """Every viewer's events in ``[since, until]``, streamed in viewer order.

    One viewer's events are in memory at a time, so measuring millions of profiles reads the
    table once without holding it.
    """
    query = (
        select(
            EventRow.viewer_id,
            EventRow.type,
            EventRow.timestamp,
            EventRow.entry_id,
            EventRow.properties,
        )
        .where(EventRow.timestamp >= since, EventRow.timestamp <= until)
        .order_by(EventRow.viewer_id, EventRow.timestamp)
    )
    if viewer_ids is not None:
        query = query.where(EventRow.viewer_id.in_(sorted(viewer_ids)))
    if types is not None:
        query = query.where(EventRow.type.in_(sorted(types)))
    current: str | None = None
    events: list[ViewerEvent] = []
    async for viewer_id, kind, at, entry_id, properties in await session.stream(query):
        if viewer_id != current:
            if current is not None:
                yield current, events
            current, events = viewer_id, []
        events.append(ViewerEvent(kind, at, entry_id, properties or {}))
    if current is not None:
        yield current, events


async def events_per_entry(
    session: AsyncSession, event_type: str, since: datetime, until: datetime
) -> dict[str, int]:
    """How many ``event_type`` events each entry had in ``[since, until]``."""
    rows = await session.execute(
        select(EventRow.entry_id, func.count())
        .where(
            EventRow.type == event_type,
            EventRow.entry_id.is_not(None),
            EventRow.timestamp >= since,
            EventRow.timestamp <= until,
        )
        .group_by(EventRow.entry_id)
    )
    return {str(entry_id): int(n) for entry_id, n in rows}


async def viewers_who_sent(
    session: AsyncSession, event_type: str, after: datetime, until: datetime
) -> set[str]:
    """Viewers with an ``event_type`` event in ``(after, until]``: who converted."""
    rows = await session.scalars(
        select(EventRow.viewer_id)
        .where(EventRow.type == event_type, EventRow.timestamp > after, EventRow.timestamp <= until)
        .distinct()
    )
    return set(rows)


async def cart_histories(
    session: AsyncSession, since: datetime, until: datetime, types: Collection[str]
) -> dict[str, list[EventRow]]:
    """For every viewer with an ``add_to_cart`` in ``[since, until]``: their events of
    ``types`` from ``since`` on, oldest first, whole rows (abandonments need ids and owners)."""
    added = (
        select(EventRow.viewer_id)
        .where(
            EventRow.type == "add_to_cart",
            EventRow.timestamp >= since,
            EventRow.timestamp <= until,
        )
        .distinct()
    )
    rows = await session.scalars(
        select(EventRow)
        .where(
            EventRow.viewer_id.in_(added),
            EventRow.type.in_(sorted(types)),
            EventRow.timestamp >= since,
        )
        .order_by(EventRow.viewer_id, EventRow.timestamp, EventRow.id)
    )
    found: dict[str, list[EventRow]] = {}
    for row in rows:
        found.setdefault(row.viewer_id, []).append(row)
    return found
