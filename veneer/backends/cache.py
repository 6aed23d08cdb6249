"""The `Cache` protocol and its in-process backend.

Content, API keys and viewer segments are read on every request; the cache keeps those reads
off the CMS and the database. The in-process backend is an LRU with a TTL per entry, which is
what one embedded process needs; a Redis backend implements the same protocol for scale-out.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol


class Cache(Protocol):
    """What the rest of Veneer needs from a cache."""

    async def get(self, key: str) -> Any | None: ...

    async def set(self, key: str, value: Any, ttl: float) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def delete_prefix(self, prefix: str) -> None: ...


class InProcessCache:
    """A bounded LRU whose entries expire ``ttl`` seconds after they were set.

    Values are kept as Python objects, not copies: callers must treat them as read-only.
    A ``ttl`` of 0 disables caching for that value, which keeps "no cache" a setting.
    """

    def __init__(self, maxsize: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self._maxsize = maxsize
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    async def get(self, key: str) -> Any | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= self._clock():
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    async def set(self, key: str, value: Any, ttl: float) -> None:
        if ttl <= 0:
            self._items.pop(key, None)
            return
        self._items[key] = (self._clock() + ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self._maxsize:
            self._items.popitem(last=False)

    async def delete(self, key: str) -> None:
        self._items.pop(key, None)

    async def delete_prefix(self, prefix: str) -> None:
        for key in [k for k in self._items if k.startswith(prefix)]:
            del self._items[key]
