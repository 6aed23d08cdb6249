"""Quality counters gathered in memory and written in the background.

Counting on the ingest path must not cost a database write per batch, so each process sums
its counters here and flushes them every few seconds (and on shutdown). A crash can lose the
last few seconds of these monitoring counters; it never loses an event.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

from veneer.events.quality import TallyKey
from veneer.store import Database
from veneer.store.quality import add_counts


class QualityBuffer:
    def __init__(self) -> None:
        self._pending: dict[tuple[date, str], Counter[TallyKey]] = {}
        self._lock = asyncio.Lock()

    def add(self, day: date, source: str, counts: Counter[TallyKey]) -> None:
        if counts:
            self._pending.setdefault((day, source), Counter()).update(counts)

    async def flush(self, db: Database) -> None:
        async with self._lock:
            pending, self._pending = self._pending, {}
            if not pending:
                return
            try:
                async with db.session() as session:
                    for (day, source), counts in sorted(pending.items()):
                        await add_counts(session, day, source, counts)
            except Exception:
                for key, counts in pending.items():  # keep them for the next flush
                    self._pending.setdefault(key, Counter()).update(counts)
                raise
