"""A viewer's stored record: loaded once for all the requests that ask at the same time,
and never served (or kept) from before a change to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.consent import Purpose
from veneer.consent.decisions import Decisions
from veneer.identity.viewer import Viewer
from veneer.services import Services
from veneer.settings import Settings

GRANT = Decisions(((Purpose.PERSONALIZATION, True),), source="test", policy_version=None)


def _statements(services: Services) -> list[str]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(services.db.engine.sync_engine, "before_cursor_execute", count)
    return seen


def test_requests_of_one_viewer_at_once_share_one_load(settings: Settings) -> None:
    async def main() -> tuple[int, int]:
        services = Services(settings)
        try:
            seen = _statements(services)
            await services.viewer_state(Viewer(anonymous_id="alone"), gpc=False)
            one = len(seen)
            seen.clear()
            crowd = Viewer(anonymous_id="crowd")
            await asyncio.gather(*(services.viewer_state(crowd, gpc=False) for _ in range(8)))
            return one, len(seen)
        finally:
            await services.aclose()

    one, eight = asyncio.run(main())
    assert one > 0
    assert eight == one


def test_a_change_during_a_load_is_seen_by_the_next_request(settings: Settings) -> None:
    """A load that read before the viewer's change neither serves the requests that come
    after it nor stays in the cache."""
    viewer = Viewer(anonymous_id="changing")

    async def main() -> tuple[frozenset[Purpose], frozenset[Purpose], frozenset[Purpose]]:
        services = Services(settings)
        read, release = asyncio.Event(), asyncio.Event()
        reading = services.db.reading

        @asynccontextmanager
        async def held() -> AsyncIterator[AsyncSession]:
            async with reading() as session:
                yield session
            if not read.is_set():  # the first load has read; it waits to be let go
                read.set()
                await release.wait()

        services.db.reading = held  # type: ignore[method-assign]
        try:
            early = asyncio.ensure_future(services.viewer_state(viewer, gpc=False))
            await read.wait()
            await services.record_consent(viewer, GRANT, gpc=False)
            # joining the load held back would wait for ever: fail instead
            after = await asyncio.wait_for(services.viewer_state(viewer, gpc=False), 30)
            release.set()
            before = await early
            later = await services.viewer_state(viewer, gpc=False)
            return before.granted, after.granted, later.granted
        finally:
            await services.aclose()

    before, after, later = asyncio.run(main())
    assert Purpose.PERSONALIZATION not in before
    assert Purpose.PERSONALIZATION in after
    assert Purpose.PERSONALIZATION in later
