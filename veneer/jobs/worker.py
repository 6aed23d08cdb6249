"""`veneer worker`: fold streamed events into profiles, at least once, counted once.

Each batch is written in one transaction (events, receipts, activity) and acknowledged only
after it commits. A worker that dies between the two leaves its messages pending; another
worker reclaims them after ``reclaim_idle`` and the receipts turn the redelivery into a no-op,
so nothing acknowledged to a client is lost and nothing is counted twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from dataclasses import dataclass

from veneer.backends.stream import RedisEventStream
from veneer.events.model import first_of_each_id
from veneer.jobs.derived import refresh_derived
from veneer.jobs.housekeeping import run_housekeeping
from veneer.services import Services
from veneer.store.events import save_new_events
from veneer.store.identity import attribute_to_users

logger = logging.getLogger(__name__)
TRIM_SECONDS = 5.0


@dataclass(frozen=True)
class WorkerOptions:
    name: str = f"{socket.gethostname()}-{os.getpid()}"
    batch_size: int = 200
    block_ms: int = 1000
    reclaim_idle_ms: int = 30_000


async def process_batch(
    services: Services, stream: RedisEventStream, options: WorkerOptions
) -> int:
    """Handle one batch (reclaimed messages first); returns how many messages it handled."""
    messages = await stream.reclaim(options.name, options.reclaim_idle_ms, options.batch_size)
    if not messages:
        messages = await stream.read(options.name, options.batch_size, options.block_ms)
    if not messages:
        return 0
    unique, _repeats = first_of_each_id([event for _id, event in messages])
    async with services.db.session() as session:
        attributed = await attribute_to_users(session, unique)
        stored = await save_new_events(session, attributed, services.clock())
    await stream.ack([message_id for message_id, _event in messages])
    changed = {event.viewer_id for event in stored}
    for viewer_id in changed:
        await services.viewer_id_changed(viewer_id)
    await refresh_derived(services, changed, {event.type for event in stored})
    return len(messages)


async def run_worker(
    services: Services, options: WorkerOptions, stop: asyncio.Event | None = None
) -> None:
    if services.stream is None:
        raise RuntimeError("VENEER_REDIS_URL is not set: the embedded deployment needs no worker")
    stop = stop or asyncio.Event()
    await services.stream.ensure_group()
    upkeep = asyncio.gather(
        run_housekeeping(services, stop, sweep_segments=True), trim_stream(services, stop)
    )
    logger.info("worker %s consuming %s", options.name, services.stream.stream)
    while not stop.is_set():
        try:
            await process_batch(services, services.stream, options)
        except Exception:  # keep consuming; the batch stays pending and is retried
            logger.exception("worker %s: batch failed; it will be retried", options.name)
            await asyncio.sleep(1)
    await upkeep


async def trim_stream(services: Services, stop: asyncio.Event) -> None:
    """Every few seconds, drop the stream entries all workers are done with."""
    assert services.stream is not None
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), TRIM_SECONDS)
        try:
            await services.stream.trim_processed()
        except Exception:
            logger.exception("could not trim the event stream; will retry")
