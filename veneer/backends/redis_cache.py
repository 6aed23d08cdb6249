"""`RedisCache`: the `Cache` protocol on Redis, shared by every app server and worker.

With more than one process, a cache must be shared for invalidation to mean anything: when
the worker folds a viewer's events into their profile, it drops that viewer's cached state
here, and the next request on any server reads it fresh. Values are pickled; Redis is
trusted infrastructure, never reachable by clients.
"""

from __future__ import annotations

import pickle
from typing import Any

from redis.asyncio import Redis

PREFIX = "veneer:cache:"


class RedisCache:
    def __init__(self, redis: Redis):
        self._redis = redis

    async def get(self, key: str) -> Any | None:
        raw: Any = await self._redis.get(PREFIX + key)
        return None if raw is None else pickle.loads(raw)

    async def set(self, key: str, value: Any, ttl: float) -> None:
        if ttl <= 0:
            await self._redis.delete(PREFIX + key)
            return
        await self._redis.set(PREFIX + key, pickle.dumps(value), px=max(1, int(ttl * 1000)))

    async def delete(self, key: str) -> None:
        await self._redis.delete(PREFIX + key)

    async def delete_prefix(self, prefix: str) -> None:
        keys = [key async for key in self._redis.scan_iter(match=_escape(PREFIX + prefix) + "*")]
        if keys:
            await self._redis.delete(*keys)


def _escape(pattern: str) -> str:
    """Viewer ids may contain glob characters; match them literally."""
    for char in "\\*?[]":
        pattern = pattern.replace(char, "\\" + char)
    return pattern
