"""Personalization coverage for the people who run it: per day, the share of entries served
personalized and the share served as the baseline, by reason (`veneer.variants.coverage`).

Read now and then by a page, never on the request path. Each app process counts in memory
and adds its counts to the stored ones every few seconds; this process's are flushed first,
so what it just served shows at once, and other processes' within a flush interval.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from veneer.services import Services
from veneer.store.coverage import coverage_since
from veneer.variants.coverage import Coverage, DayCoverage, Reason, Tally, summarize

__all__ = ["Coverage", "DayCoverage", "Reason", "Tally", "coverage"]
logger = logging.getLogger(__name__)


async def coverage(services: Services, days: int) -> Coverage:
    """The last ``days`` days, today (UTC) included."""
    if days < 1:
        raise ValueError(f"days: must be at least 1, got {days}")
    try:
        await services.coverage.flush(services.db)
    except Exception:  # kept for the next flush; the page shows what is stored
        logger.warning("personalization counts not flushed before reading", exc_info=True)
    until = services.clock().date()
    since = until - timedelta(days=days - 1)
    async with services.db.reading() as session:
        rows = await coverage_since(session, since)
    return summarize(rows, since, until)
