"""Upkeep that one process should do for all: a lease, so workers do not repeat each other.

Every worker runs housekeeping, and without a lease each would re-decide every windowed
segment on the same schedule, recording the same moves several times over. This is the
Redis lock, which expires on its own if its holder dies; without Redis, `veneer.jobs.lease`
holds the lease in the database instead, since the CLI runs beside the embedded server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

HOLD_SECONDS = 3600.0  # longest an upkeep may run before another process may start it


@asynccontextmanager
async def only_one(redis: Redis | None, name: str) -> AsyncIterator[bool]:
    """Yields whether this process holds the lease ``name``; never waits for it."""
    if redis is None:
        yield True
        return
    lock = redis.lock(
        f"veneer:lease:{name}", timeout=HOLD_SECONDS, blocking=False, raise_on_release_error=False
    )
    if not await lock.acquire():
        yield False
        return
    try:
        yield True
    finally:
        await lock.release()
