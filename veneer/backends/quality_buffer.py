"""Quality counters gathered in memory and written in the background (`PendingCounts`).

Counting on the ingest path must not cost a database write per batch. A crash can lose the
last few seconds of these monitoring counters; it never loses an event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from veneer.backends.pending_counts import PendingCounts
from veneer.events.quality import TallyKey
from veneer.store.quality import add_counts


class QualityBuffer(PendingCounts[tuple[date, str], Counter[TallyKey]]):
    def add(self, day: date, source: str, counts: Counter[TallyKey]) -> None:
        if counts:
            self._merge((day, source), counts)

    def _merge(self, key: tuple[date, str], value: Counter[TallyKey]) -> None:
        self._pending.setdefault(key, Counter()).update(value)

    async def _store(
        self, session: AsyncSession, pending: Mapping[tuple[date, str], Counter[TallyKey]]
    ) -> None:
        for (day, source), counts in sorted(pending.items()):
            await add_counts(session, day, source, counts)
