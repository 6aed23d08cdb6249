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

from veneer.backends.cache import group_of

PREFIX = "veneer:cache:"
GROUPS = "veneer:cache-group:"  # a set per group: the names of its keys, for `delete_prefix`

# Drop a group's keys and its index at once, so a key set meanwhile is either dropped or
# indexed afresh, never left out of the index while still readable.
_DROP_GROUP = """
local members = redis.call('SMEMBERS', KEYS[1])
for i = 1, #members, 500 do
  redis.call('DEL', unpack(members, i, math.min(i + 499, #members)))
end
redis.call('DEL', KEYS[1])
return #members
"""


class RedisCache:
    def __init__(self, redis: Redis):
        self._redis = redis
        self._drop_group = redis.register_script(_DROP_GROUP)

    async def get(self, key: str) -> Any | None:
        raw: Any = await self._redis.get(PREFIX + key)
        return None if raw is None else pickle.loads(raw)

    async def set(self, key: str, value: Any, ttl: float) -> None:
        if ttl <= 0:
            await self._redis.delete(PREFIX + key)
            return
        ms = max(1, int(ttl * 1000))
        group = group_of(key)
        if group is None:
            await self._redis.set(PREFIX + key, pickle.dumps(value), px=ms)
            return
        index = GROUPS + group
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(PREFIX + key, pickle.dumps(value), px=ms)
            pipe.sadd(index, PREFIX + key)
            pipe.pexpire(index, ms, nx=True)  # the index lives as long as its longest key
            pipe.pexpire(index, ms, gt=True)
            await pipe.execute()

    async def delete(self, key: str) -> None:
        await self._redis.delete(PREFIX + key)

    async def delete_prefix(self, prefix: str) -> None:
        if group_of(prefix) == prefix:
            await self._drop_group(keys=[GROUPS + prefix])
            return
        keys = [key async for key in self._redis.scan_iter(match=_escape(PREFIX + prefix) + "*")]
        if keys:
            await self._redis.delete(*keys)


def _escape(pattern: str) -> str:
    """Viewer ids may contain glob characters; match them literally."""
    for char in "\\*?[]":
        pattern = pattern.replace(char, "\\" + char)
    return pattern
