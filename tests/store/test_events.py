"""Counting events per entry, as the exposure summary does, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

from veneer.events.model import Event
from veneer.settings import normalize_database_url
from veneer.store import Database
from veneer.store.events import events_per_entry, store_events

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ids = itertools.count()


def _event(kind: str, entry_id: str | None, at: datetime) -> Event:
    return Event(
        id=f"e-{next(ids)}",
        type=kind,
        timestamp=at,
        received_at=at,
        anonymous_id="a",
        user_id=None,
        entry_id=entry_id,
        properties={},
        context={},
    )


def test_events_per_entry_counts_one_type_inside_the_window(database_url: str) -> None:
    since = NOW - timedelta(days=7)

    async def run() -> None:
        db = Database(normalize_database_url(database_url))
        try:
            async with db.session() as session:
                await store_events(
                    session,
                    [
                        _event("impression", "tent", NOW),
                        _event("impression", "tent", since),  # the window's first instant
                        _event("impression", "stove", NOW - timedelta(days=1)),
                        _event("impression", "rope", since - timedelta(seconds=1)),
                        _event("impression", "shoe", NOW + timedelta(seconds=1)),
                        _event("impression", None, NOW),
                        _event("entry_view", "tent", NOW),
                    ],
                )
            async with db.reading() as session:
                counted = await events_per_entry(session, "impression", since, NOW)
            assert counted == {"tent": 2, "stove": 1}
        finally:
            await db.dispose()

    asyncio.run(run())
