"""The popularity job: count recent interest per entry, overall and per segment, and store it.

Housekeeping runs it every ``recommend_popularity_interval`` seconds in one process (a
lease, as for segment sweeps), and `veneer demo traffic` runs it after replaying its
shoppers, as a running app would. Only viewers whose consent grants RECOMMENDATIONS now are
counted; their stored segments count only if they also grant PERSONALIZATION.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from veneer.backends.leases import only_one
from veneer.consent import ConsentState, Purpose, effective_consent
from veneer.jobs.recommendation_inputs import popularity_changed
from veneer.recommend.candidates import Interaction
from veneer.recommend.popularity import Counted, popularity
from veneer.services import Services
from veneer.store.consent import consent_records_for
from veneer.store.popularity import interactions_between, replace_popularity, segments_of

logger = logging.getLogger(__name__)
HALF_LIFE = timedelta(days=7)
CHUNK = 5_000


async def refresh_popularity(services: Services) -> int | None:
    """Recompute and store popularity; the rows written, or None if another process is."""
    async with only_one(services.redis, "popularity") as mine:
        if not mine:
            return None
        now = services.clock()
        since = now - timedelta(days=services.settings.recommend_popularity_days)
        found: dict[str, list[Interaction]] = {}
        async with services.db.session() as session:
            async for viewer_id, interaction in interactions_between(session, since, now):
                found.setdefault(viewer_id, []).append(interaction)
            viewers = sorted(found)
            records: dict[str, list[ConsentState]] = {}
            for first in range(0, len(viewers), CHUNK):
                records |= await consent_records_for(session, viewers[first : first + CHUNK])
            stored_segments = await segments_of(session, viewers)
        counted: list[Counted] = []
        kept = 0
        for viewer_id in viewers:
            consent = effective_consent(records[viewer_id], services.settings.consent_default)
            if not consent[Purpose.RECOMMENDATIONS].granted:
                continue
            personalized = consent[Purpose.PERSONALIZATION].granted
            segments = stored_segments.get(viewer_id, frozenset()) if personalized else frozenset()
            counted += [Counted(viewer_id, i, segments) for i in found[viewer_id]]
            kept += 1
        table = popularity(counted, now, HALF_LIFE)
        async with services.db.session() as session:
            written = await replace_popularity(session, table, now)
    await popularity_changed(services)
    logger.info("popularity: %d of %d viewers counted, %d rows", kept, len(viewers), written)
    return written
