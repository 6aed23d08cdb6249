"""Background upkeep for app servers and workers: flush counters (event quality and
personalization coverage), prune old receipts, keep stored segment membership, entry
popularity and propensity models current, derive abandoned carts, and apply retention."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from veneer.jobs.carts import derive_abandoned_carts
from veneer.jobs.memberships import decide_changed_segments, sweep
from veneer.jobs.popularity import refresh_popularity
from veneer.jobs.propensity import Schedule
from veneer.jobs.recs_schedule import Schedule as RecsSchedule
from veneer.jobs.recs_schedule import run_scheduled
from veneer.jobs.retention import apply_retention
from veneer.services import Services
from veneer.store.events import prune_receipts

logger = logging.getLogger(__name__)
FLUSH_SECONDS = 5.0
PRUNE_SECONDS = 3600.0
TRAINING_CHECK_SECONDS = 300.0  # how often to ask whether a model must be trained
PROPENSITY_CHECK_SECONDS = 600.0  # how often to look whether a model is due (it is rarely)


async def prune_once(services: Services) -> int:
    before = services.clock() - services.settings.dedupe_horizon
    async with services.db.session() as session:
        return await prune_receipts(session, before)


async def flush_counts(services: Services) -> None:
    """Store the quality and coverage counts gathered in memory. Each buffer keeps what it
    failed to store for the next round, and one failing does not hold the other back."""
    try:
        await services.coverage.flush(services.db)
    finally:
        await services.quality.flush(services.db)


async def run_housekeeping(
    services: Services, stop: asyncio.Event, sweep_segments: bool = False
) -> None:
    """Until ``stop``: flush quality and coverage counters every few seconds (`flush_counts`),
    prune receipts hourly, and (where ``sweep_segments``: workers, or the one embedded
    process) backfill new or changed segments and re-decide windowed ones every
    ``segment_sweep_interval`` seconds, and recompute popularity every
    ``recommend_popularity_interval`` seconds (the table is stored, so a restarted process
    serves the last one meanwhile), retrain propensity
    models older than ``propensity_interval`` seconds (see `Schedule`), and every few minutes
    see whether a recommendation model is due to be trained or checked for drift
    (`veneer.jobs.recs_schedule`), each under its lease; and every ``cart_check_interval``
    seconds derive the carts abandoned since (idempotent, so no lease is needed); and every
    ``retention_interval`` seconds delete old events and erase long-unseen viewers
    (`veneer.jobs.retention`)."""
    last_prune = 0.0
    last_sweep = last_decide = last_popularity = last_propensity = time.monotonic()
    last_carts = time.monotonic()
    last_retention = time.monotonic()
    propensity = Schedule()
    last_training_check = -TRAINING_CHECK_SECONDS
    recs = RecsSchedule(last_drift=time.monotonic())
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), FLUSH_SECONDS)
        try:
            await flush_counts(services)
            if time.monotonic() - last_prune >= PRUNE_SECONDS:
                pruned = await prune_once(services)
                last_prune = time.monotonic()
                if pruned:
                    logger.info("pruned %d event receipts past the dedupe horizon", pruned)
            every = services.settings.segment_decide_interval
            if sweep_segments and time.monotonic() - last_decide >= every:
                await decide_changed_segments(services)
                last_decide = time.monotonic()
            interval = services.settings.segment_sweep_interval
            if sweep_segments and time.monotonic() - last_sweep >= interval:
                swept = await sweep(services)
                last_sweep = last_decide = time.monotonic()
                if swept is not None:
                    logger.info(
                        "windowed segments re-decided: %d entered, %d left",
                        swept.entered,
                        swept.left,
                    )
            every = services.settings.recommend_popularity_interval
            if sweep_segments and time.monotonic() - last_popularity >= every:
                last_popularity = time.monotonic()  # a failing run waits its turn too
                await refresh_popularity(services)
            every = services.settings.cart_check_interval
            if sweep_segments and time.monotonic() - last_carts >= every:
                last_carts = time.monotonic()
                derived = await derive_abandoned_carts(services)
                if derived:
                    logger.info("%d abandoned cart(s) derived", derived)
            if sweep_segments and time.monotonic() - last_propensity >= PROPENSITY_CHECK_SECONDS:
                last_propensity = time.monotonic()
                await propensity.run_due(services)
            every = services.settings.retention_interval
            if sweep_segments and time.monotonic() - last_retention >= every:
                last_retention = time.monotonic()  # a failing round waits its turn too
                await apply_retention(services)
            if sweep_segments and time.monotonic() - last_training_check >= TRAINING_CHECK_SECONDS:
                last_training_check = time.monotonic()
                await run_scheduled(services, recs, time.monotonic())
        except Exception:
            logger.exception("housekeeping failed; will retry")
