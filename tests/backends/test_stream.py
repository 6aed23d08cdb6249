"""Publishing a batch to Redis Streams: each event appended once, byte for byte, in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from redis.asyncio import Redis

from veneer.backends.stream import RedisEventStream
from veneer.events.model import Event

AT = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)


def _event(event_id: str, **properties: object) -> Event:
    return Event(event_id, "click", AT, AT, "v-1", None, None, properties, {"page": "/ü"})


def test_a_batch_is_appended_whole_and_its_repeats_are_not(redis_url: str) -> None:
    """Events of different sizes, with text of one to four bytes a character, come back as
    they went in; an id seen within the horizon is answered as seen, not appended again."""
    batch = [
        _event("e-1", note="plain"),
        _event("e-2", note="é, 日本, 🙂", empty=""),
        _event("e-3—ünïcode", note="x" * 5_000),
        _event("e-4"),
    ]

    async def run() -> tuple[set[str], set[str], list[Event]]:
        redis = Redis.from_url(redis_url)
        stream = RedisEventStream(redis, stream="test:publish", group="test-readers")
        try:
            await redis.delete("test:publish")
            await stream.ensure_group()
            first = await stream.publish(batch[:3], 60)
            second = await stream.publish(batch[2:], 60)
            read = await stream.read("reader", 10, 0)
            return first, second, [event for _id, event in read]
        finally:
            await redis.delete("test:publish")
            await redis.aclose()

    first, second, read = asyncio.run(run())
    assert first == {"e-1", "e-2", "e-3—ünïcode"}
    assert second == {"e-4"}
    assert read == batch
