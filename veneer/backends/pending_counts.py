"""Counters gathered in memory on a hot path and added to stored ones in the background.

Counting must cost a dictionary update, never a database write, so each process sums its
counts here and a background loop stores them every few seconds (and on shutdown). A flush
that fails keeps what it held, merged with what was counted meanwhile, for the next one;
its transaction rolled back, so nothing is stored twice. A crash loses the last few seconds.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from veneer.store import Database

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class PendingCounts(ABC, Generic[K, V]):
    def __init__(self) -> None:
        self._pending: dict[K, V] = {}
        self._lock = asyncio.Lock()

    @abstractmethod
    def _merge(self, key: K, value: V) -> None:
        """Add ``value`` to what is pending under ``key``."""

    @abstractmethod
    async def _store(self, session: AsyncSession, pending: Mapping[K, V]) -> None:
        """Add ``pending`` to the stored counts, in ``session``'s transaction."""

    async def flush(self, db: Database) -> None:
        async with self._lock:
            pending, self._pending = self._pending, {}
            if not pending:
                return
            try:
                async with db.session() as session:
                    await self._store(session, pending)
            except Exception:  # rolled back: nothing of it was stored
                for key, value in pending.items():
                    self._merge(key, value)
                raise
