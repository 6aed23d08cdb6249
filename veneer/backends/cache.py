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

GROUP_END = "|"


def group_of(key: str) -> str | None:
    """A key's group: its text up to the first ``|`` (``viewer:42|`` for ``viewer:42|record``).

    Deleting a whole group is on the event path (a viewer's cached state, after each batch of
    their events), so both backends index keys by group and delete one without looking at
    any other key. A prefix that is not a group (``viewer:``, every viewer) still scans.
    """
    end = key.find(GROUP_END)
    return None if end < 0 else key[: end + 1]


class Cache(Protocol):
    """What the rest of Veneer needs from a cache."""

    async def get(self, key: str) -> Any | None: ...

    async def set(self, key: str, value: Any, ttl: float) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def delete_prefix(self, prefix: str) -> None:
        """Drop every key starting with ``prefix``; cheap when ``prefix`` is a group."""
        ...


class InProcessCache:
    """A bounded LRU whose entries expire ``ttl`` seconds after they were set.

    Values are kept as Python objects, not copies: callers must treat them as read-only.
    A ``ttl`` of 0 disables caching for that value, which keeps "no cache" a setting.
    """

    def __init__(self, maxsize: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self._maxsize = maxsize
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._groups: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._items)

    async def get(self, key: str) -> Any | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= self._clock():
            self._forget(key)
            return None
        self._items.move_to_end(key)
        return value

    async def set(self, key: str, value: Any, ttl: float) -> None:
        if ttl <= 0:
            self._forget(key)
            return
        self._items[key] = (self._clock() + ttl, value)
        self._items.move_to_end(key)
        group = group_of(key)
        if group is not None:
            self._groups.setdefault(group, set()).add(key)
        while len(self._items) > self._maxsize:
            self._forget(next(iter(self._items)))

    async def delete(self, key: str) -> None:
        self._forget(key)

    async def delete_prefix(self, prefix: str) -> None:
        if group_of(prefix) == prefix:
            for key in self._groups.pop(prefix, ()):
                self._items.pop(key, None)
            return
        for key in [k for k in self._items if k.startswith(prefix)]:
            self._forget(key)

    def _forget(self, key: str) -> None:
        if self._items.pop(key, None) is None:
            return
        group = group_of(key)
        if group is None:
            return
        members = self._groups.get(group)
        if members is not None:
            members.discard(key)
            if not members:
                del self._groups[group]
