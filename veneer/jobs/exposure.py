"""How widely entries were shown lately: catalogue coverage and exposure concentration.

What the people who run Veneer read to see whether recommendations keep showing the same
few entries (see `veneer.recommend.exposure`). An exposure is an `impression` event: what a
frontend sends for each entry it displayed, the same events that retire recommendations a
viewer keeps passing over. A site that sends none still gets an answer from its entry
views, and the summary says which it counted, since a view is a click through, not a
showing, and the two figures read differently.
"""

from __future__ import annotations

from datetime import timedelta

from veneer.recommend.candidates import VIEW
from veneer.recommend.content_index import title_of
from veneer.recommend.exposure import ExposureSummary, summarize
from veneer.recommend.ignored import IMPRESSION
from veneer.services import Services
from veneer.store.events import events_per_entry

TOP = 10  # most shown entries listed


async def exposure_summary(services: Services, days: int = 30) -> ExposureSummary:
    """Coverage, concentration and the most shown entries over the last ``days`` days,
    against the catalogue the CMS serves now.

    Raises `ValueError` for ``days`` under 1, and `ContentError` when the CMS does not
    answer, for the page to report.
    """
    if days < 1:
        raise ValueError(f"days: must be at least 1, got {days}")
    catalogue: dict[str, str] = {}
    for entry in await services.catalogue.entries():
        catalogue.setdefault(entry.id, title_of(entry))  # one per id, as the index keeps
    until = services.clock()
    since = until - timedelta(days=days)
    async with services.db.reading() as session:
        counted = IMPRESSION
        exposures = await events_per_entry(session, IMPRESSION, since, until)
        if not exposures:
            counted = VIEW
            exposures = await events_per_entry(session, VIEW, since, until)
    return summarize(exposures, catalogue, days=days, counted=counted, top=TOP)
