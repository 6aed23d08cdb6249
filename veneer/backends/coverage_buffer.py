"""Coverage counts gathered in memory on the request path and written in the background
(`PendingCounts`): counting an entry served costs a dictionary increment."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from veneer.backends.pending_counts import PendingCounts
from veneer.store.coverage import add_counts
from veneer.variants.coverage import Reason

Key = tuple[date, str, str]  # day, reason, strategy ('' when none picked the entry)


class CoverageBuffer(PendingCounts[Key, int]):
    def add(self, day: date, reason: Reason, n: int = 1, strategy: str | None = None) -> None:
        self._merge((day, reason.value, strategy or ""), n)

    def pending(self) -> dict[Key, int]:
        """What this process counted and has not stored yet."""
        return dict(self._pending)

    def _merge(self, key: Key, value: int) -> None:
        self._pending[key] = self._pending.get(key, 0) + value

    async def _store(self, session: AsyncSession, pending: Mapping[Key, int]) -> None:
        await add_counts(session, pending)
