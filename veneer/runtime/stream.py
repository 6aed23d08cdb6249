"""The event stream on Redis Streams: publish at ingest, consume in `veneer worker`.

Publishing is one Lua script per batch, so "seen before?" and "append to the stream" happen
atomically: an event is either appended and remembered, or recognised as a duplicate, and a
failure leaves neither half behind. Consumers use a consumer group; a message is acknowledged
only after its effects are committed, and messages left pending by a dead consumer are
reclaimed by the living ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from veneer.events.model import Event

# One hash tag for the stream and the receipts keeps them in one slot on Redis Cluster, which
# the atomic publish script needs.
STREAM = "{veneer-events}:stream"
GROUP = "veneer-workers"
RECEIPT_PREFIX = "{veneer-events}:receipt:"

_PUBLISH = """
local fresh = {}
for i, id in ipairs(ARGV) do
  if i > 1 then
    if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
      redis.call('XADD', KEYS[1], '*', 'event', id)
      table.insert(fresh, i - 1)
    end
  end
end
return fresh
"""


def encode_event(event: Event) -> bytes:
    """orjson serializes the dataclass itself, far faster than `dataclasses.asdict`."""
    return orjson.dumps(event)


def decode_event(raw: bytes) -> Event:
    data: dict[str, Any] = orjson.loads(raw)
    data["timestamp"] = datetime.fromisoformat(data["timestamp"])
    data["received_at"] = datetime.fromisoformat(data["received_at"])
    return Event(**data)


class RedisEventStream:
    def __init__(self, redis: Redis, stream: str = STREAM, group: str = GROUP):
        self.redis = redis
        self.stream = stream
        self.group = group
        self._publish = redis.register_script(_PUBLISH)

    async def publish(self, events: Sequence[Event], horizon_seconds: int) -> set[str]:
        """Append the events not seen within the horizon; returns the ids appended."""
        if not events:
            return set()
        keys = [self.stream] + [RECEIPT_PREFIX + e.id for e in events]
        args: list[Any] = [horizon_seconds] + [encode_event(e) for e in events]
        positions = await self._publish(keys=keys, args=args)
        return {events[int(p) - 1].id for p in positions}

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def reclaim(
        self, consumer: str, min_idle_ms: int, count: int
    ) -> list[tuple[bytes, Event]]:
        """Messages another consumer took but never acknowledged (it died mid-batch)."""
        claimed: Any = await self.redis.xautoclaim(
            self.stream, self.group, consumer, min_idle_ms, start_id="0-0", count=count
        )
        messages = claimed[1]
        return [(mid, decode_event(fields[b"event"])) for mid, fields in messages if fields]

    async def read(self, consumer: str, count: int, block_ms: int) -> list[tuple[bytes, Event]]:
        response: Any = await self.redis.xreadgroup(
            self.group, consumer, {self.stream: ">"}, count=count, block=block_ms
        )
        return [
            (mid, decode_event(fields[b"event"]))
            for _stream, messages in response or []
            for mid, fields in messages
        ]

    async def ack(self, message_ids: Sequence[bytes]) -> None:
        if message_ids:
            await self.redis.xack(self.stream, self.group, *message_ids)

    async def pending(self) -> int:
        info: Any = await self.redis.xpending(self.stream, self.group)
        return int(info["pending"])
