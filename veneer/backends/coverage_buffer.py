"""Coverage counts gathered in memory on the request path and written in the background.

Counting an entry served must cost a dictionary increment, never a database write, so each
app process sums its counts here and the housekeeping loop adds them to the stored ones every
few seconds (and on shutdown). A flush that fails keeps its counts for the next one; its
transaction rolled back, so nothing is counted twice. A crash can lose the last few seconds.
"""

from __future__ import annotations

import asyncio
from datetime import date

from veneer.store import Database
from veneer.store.coverage import add_counts
from veneer.variants.coverage import Reason


class CoverageBuffer:
    def __init__(self) -> None:
        self._pending: dict[tuple[date, str], int] = {}
        self._lock = asyncio.Lock()

    def add(self, day: date, reason: Reason, n: int = 1) -> None:
        key = (day, reason.value)
        self._pending[key] = self._pending.get(key, 0) + n

    def pending(self) -> dict[tuple[date, str], int]:
        """What this process counted and has not stored yet."""
        return dict(self._pending)

    async def flush(self, db: Database) -> None:
        async with self._lock:
            pending, self._pending = self._pending, {}
            if not pending:
                return
            try:
                async with db.session() as session:
                    await add_counts(session, pending)
            except Exception:  # the transaction rolled back: nothing of it was stored
                for key, n in pending.items():  # keep them, with those counted meanwhile
                    self._pending[key] = self._pending.get(key, 0) + n
                raise
