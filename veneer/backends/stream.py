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

# Answers one character per event, "1" appended or "0" seen before: one string to read back
# rather than a list of positions, which the client parses element by element. The events
# come as one argument, cut by their sizes: redis-py packs every argument in Python, and a
# hundred of them cost a batch more than decoding its body did.
_PUBLISH = """
local events, fresh, at, i = ARGV[3], {}, 1, 1
for size in string.gmatch(ARGV[2], '%d+') do
  local event = string.sub(events, at, at + size - 1)
  at = at + size
  i = i + 1
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('XADD', KEYS[1], '*', 'event', event)
    fresh[i - 1] = '1'
  else
    fresh[i - 1] = '0'
  end
end
return table.concat(fresh)
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
        encoded = [encode_event(e) for e in events]
        sizes = ",".join(str(len(e)) for e in encoded)
        args: list[int | str | bytes] = [horizon_seconds, sizes, b"".join(encoded)]
        answer: Any = await self._publish(keys=keys, args=args)
        marks = answer.decode() if isinstance(answer, bytes) else str(answer)
        return {event.id for event, mark in zip(events, marks, strict=True) if mark == "1"}

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

    async def trim_processed(self) -> None:
        """Drop entries every consumer is done with; never one still pending or unread.

        Acknowledged events hold personal data and would otherwise pile up in Redis forever.
        """
        groups: Any = await self.redis.xinfo_groups(self.stream)
        group = next((g for g in groups if _text(g["name"]) == self.group), None)
        if group is None:
            return
        keep_from = _next_id(_text(group["last-delivered-id"]))
        summary: Any = await self.redis.xpending(self.stream, self.group)
        if summary["pending"]:
            keep_from = min(keep_from, _text(summary["min"]), key=_id_key)
        await self.redis.xtrim(self.stream, minid=keep_from, approximate=False)

    async def erase(self, viewer_ids: set[str], anonymous_ids: set[str]) -> int:
        """Delete a person's events still waiting in the stream (erasure covers them too)."""
        doomed = []
        entries: Any = await self.redis.xrange(self.stream)
        for message_id, fields in entries:
            event = decode_event(fields[b"event"])
            if event.viewer_id in viewer_ids or event.anonymous_id in anonymous_ids:
                doomed.append(message_id)
        if doomed:
            await self.redis.xdel(self.stream, *doomed)
            await self.redis.xack(self.stream, self.group, *doomed)
        return len(doomed)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _id_key(stream_id: str) -> tuple[int, int]:
    millis, _, sequence = stream_id.partition("-")
    return int(millis), int(sequence or 0)


def _next_id(stream_id: str) -> str:
    millis, sequence = _id_key(stream_id)
    return f"{millis}-{sequence + 1}"
