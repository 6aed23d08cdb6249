"""The popularity job: count recent interest per entry, overall and per segment, and store it.

Housekeeping runs it every ``recommend_popularity_interval`` seconds in one process (a
lease, as for segment sweeps), and `veneer demo traffic` runs it after replaying its
shoppers, as a running app would. Only viewers whose consent grants RECOMMENDATIONS now are
counted; their stored segments count only if they also grant PERSONALIZATION.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from veneer.consent import ConsentState, Purpose, effective_consent
from veneer.jobs.lease import only_one
from veneer.jobs.recommendation_inputs import popularity_changed
from veneer.recommend.candidates import CART, PURCHASE, VIEW, Interaction
from veneer.recommend.popularity import Counted, popularity
from veneer.services import Services
from veneer.store.consent import consent_records_for
from veneer.store.popularity import interactions_between, replace_popularity, segments_of

logger = logging.getLogger(__name__)
HALF_LIFE = timedelta(days=7)
CHUNK = 5_000


async def consent_of(
    services: Services, viewer_ids: Sequence[str]
) -> dict[str, dict[Purpose, ConsentState]]:
    """Each viewer's consent as it stands now, read in chunks: what decides whose activity
    popularity and model training may count (RECOMMENDATIONS). GPC opts out of sale and
    sharing, which a shop's own recommendations are not, so it is not applied here."""
    async with services.db.reading() as session:
        return await consent_in(session, services.settings.consent_default, viewer_ids)


async def consent_in(
    session: AsyncSession, default: Literal["opt-in", "opt-out"], viewer_ids: Sequence[str]
) -> dict[str, dict[Purpose, ConsentState]]:
    """`consent_of` read in the caller's transaction: for a job that checks again, where it
    stores what it derived, that nobody withdrew since it read them."""
    records: dict[str, list[ConsentState]] = {}
    for first in range(0, len(viewer_ids), CHUNK):
        records |= await consent_records_for(session, viewer_ids[first : first + CHUNK])
    return {viewer_id: effective_consent(records[viewer_id], default) for viewer_id in viewer_ids}


async def refresh_popularity(services: Services) -> int | None:
    """Recompute and store popularity; the rows written, or None if another process is."""
    async with only_one(services, "popularity") as mine:
        if not mine:
            return None
        now = services.clock()
        since = now - timedelta(days=services.settings.recommend_popularity_days)
        found: dict[str, list[Interaction]] = {}
        async with services.db.reading() as session:
            async for viewer_id, interaction in interactions_between(
                session, since, now, (VIEW, CART, PURCHASE)
            ):
                found.setdefault(viewer_id, []).append(interaction)
            viewers = sorted(found)
            stored_segments = await segments_of(session, viewers)
        consents = await consent_of(services, viewers)
        counted: list[Counted] = []
        kept = 0
        for viewer_id in viewers:
            consent = consents[viewer_id]
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
