"""Telling every app process that something they hold in memory changed.

Two things are announced this way: CMS content (`CONTENT_CHANNEL`) and the champion
recommendation model (`MODEL_CHANNEL`). For content: a webhook reaches one process. The
content cache is shared (Redis) so dropping it there is enough for entries, but each
process derives its own typed GraphQL schema from the content model; with Redis, the change
is published on a channel every process listens to, so all of them re-check their schema at
once instead of at their next periodic check. A model promoted from the CLI or the worker
reaches no app process at all unless it is announced. Without Redis there is one process
(or a CLI beside it, which the app's periodic checks cover), and the bus calls its
listeners directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
CONTENT_CHANNEL = "veneer:content-changed"
MODEL_CHANNEL = "veneer:recs-champion"
Listener = Callable[[], Awaitable[None]]


class Bus:
    def __init__(self, redis: Redis | None, channel: str, reconnect_seconds: float = 1.0):
        self.redis = redis
        self.channel = channel
        self.reconnect_seconds = reconnect_seconds
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def _notify(self) -> None:
        for listener in self._listeners:
            await listener()

    async def publish(self) -> None:
        """Say it changed; a Redis failure falls back to this process alone."""
        if self.redis is None:
            await self._notify()
            return
        try:
            await self.redis.publish(self.channel, b"changed")
        except RedisError as exc:
            logger.warning(
                "could not publish on %s, telling this process only: %s", self.channel, exc
            )
            await self._notify()

    async def listen(self, stop: asyncio.Event) -> None:
        """Until ``stop``: call the listeners for each published change; resubscribe on errors."""
        if self.redis is None:
            return
        while not stop.is_set():
            try:
                async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    while not stop.is_set():
                        message = await pubsub.get_message(timeout=1.0)
                        if message is not None:
                            await self._notify()
            except (RedisError, OSError) as exc:
                logger.warning("channel %s lost, resubscribing: %s", self.channel, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.reconnect_seconds)
