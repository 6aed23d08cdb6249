"""`only_one`: upkeep that one process does for all, under a lease wherever Veneer runs.

With Redis the lease is a Redis lock (`veneer.backends.leases`). Without it, the embedded
server is not alone either: `veneer recs train` or `veneer propensity train` from a
terminal is a second process on the same database. So the lease is then a row in the
database, taken in one statement, given back when the work ends, and expiring on its own
after ``HOLD_SECONDS`` if its holder was killed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from veneer.backends import leases as redis_leases
from veneer.services import Services
from veneer.store import leases

logger = logging.getLogger(__name__)
HOLD_SECONDS = redis_leases.HOLD_SECONDS


@asynccontextmanager
async def only_one(services: Services, name: str) -> AsyncIterator[bool]:
    """Yields whether this process holds the lease ``name``; never waits for it."""
    if services.redis is not None:
        async with redis_leases.only_one(services.redis, name) as mine:
            yield mine
        return
    holder = uuid.uuid4().hex
    async with services.db.session() as session:
        mine = await leases.take(
            session, name, holder, services.clock(), timedelta(seconds=HOLD_SECONDS)
        )
    if not mine:
        yield False
        return
    try:
        yield True
    finally:
        try:
            async with services.db.session() as session:
                await leases.give_back(session, name, holder)
        except Exception:  # the work's own outcome matters more; the lease expires anyway
            logger.exception("lease %r not given back; it expires in %ds", name, HOLD_SECONDS)
