"""Telling every app process that CMS content changed.

A webhook reaches one process. The content cache is shared (Redis) so dropping it there is
enough for entries, but each process derives its own typed GraphQL schema from the content
model; with Redis, the change is published on a channel every process listens to, so all of
them re-check their schema at once instead of at their next periodic check. Without Redis
there is one process, and the bus calls its listeners directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
CHANNEL = "veneer:content-changed"
Listener = Callable[[], Awaitable[None]]


class ContentBus:
    def __init__(self, redis: Redis | None, reconnect_seconds: float = 1.0):
        self.redis = redis
        self.reconnect_seconds = reconnect_seconds
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def _notify(self) -> None:
        for listener in self._listeners:
            await listener()

    async def publish(self) -> None:
        """Say content changed; a Redis failure falls back to this process alone."""
        if self.redis is None:
            await self._notify()
            return
        try:
            await self.redis.publish(CHANNEL, b"changed")
        except RedisError as exc:
            logger.warning(
                "could not publish the content change, telling this process only: %s", exc
            )
            await self._notify()

    async def listen(self, stop: asyncio.Event) -> None:
        """Until ``stop``: call the listeners for each published change; resubscribe on errors."""
        if self.redis is None:
            return
        while not stop.is_set():
            try:
                async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    while not stop.is_set():
                        message = await pubsub.get_message(timeout=1.0)
                        if message is not None:
                            await self._notify()
            except (RedisError, OSError) as exc:
                logger.warning("content change channel lost, resubscribing: %s", exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.reconnect_seconds)
